"""The retrieval diagnostic: how many of a row's best-scoring output neurons the hash tables
find, measured against the model itself."""
import numpy as np
import pytest
from conftest import small_model

from sparsenet.mlp._inputs import take_rows
from sparsenet.mlp._retrieval import probe_rows, recall_of_best
from sparsenet.sampling._hash_tables import HashTables


@pytest.fixture(scope="module")
def sampled_model(xmc_problem):
    X, Y = xmc_problem
    model = small_model(hidden_layer_sizes=(24,), max_iter=2, output_sparsity=0.05, batch_size=128)
    return model.fit(X, Y), X, Y


def last_hidden(model, X):
    return np.maximum(np.asarray(X @ model.coefs_[0]) + model.intercepts_[0], 0).astype(np.float32)


def test_table_candidates_are_the_neurons_of_the_rows_buckets(sampled_model):
    model, X, _ = sampled_model
    network, tables = model.network_, model.network_.output_sampler.tables
    rows = take_rows(X, np.arange(20))
    everything = network.table_candidates(rows, network.n_outputs)
    few = network.table_candidates(rows, 7)
    assert few.shape == (20, 7)
    for row, vector in enumerate(last_hidden(model, rows)):
        members = set(tables.query(vector).tolist())          # every neuron of its buckets
        found = everything[row][everything[row] >= 0]
        assert len(found) == len(set(found.tolist())) and set(found.tolist()) == members
        chosen = few[row][few[row] >= 0]
        assert len(chosen) == min(7, len(members)) and set(chosen.tolist()) <= members


def test_recall_counts_the_best_neurons_among_the_candidates(sampled_model):
    model, X, _ = sampled_model
    network, rows = model.network_, take_rows(X, np.arange(50))
    shares = recall_of_best(network, rows, [5, 300])
    scores = last_hidden(model, rows) @ model.coefs_[1] + model.intercepts_[1]
    best = np.argsort(-scores, axis=1, kind="stable")
    for count in (5, 300):
        found = network.table_candidates(rows, count)
        for k in (10, 100):
            expected = np.mean([len(set(best[r, :k]) & set(found[r].tolist())) / k for r in range(50)])
            assert shares[count][k] == pytest.approx(expected, abs=0.02)   # ties in the scores aside
    # more candidates find at least as much; five cannot hold more than half of ten
    assert shares[300][10] >= shares[5][10] and shares[5][10] <= 0.5


def test_fit_records_retrieval_after_every_epoch(sampled_model, capsys):
    model, X, Y = sampled_model
    assert len(model.retrieval_curve_) == model.n_iter_ == 2
    for entry in model.retrieval_curve_:
        assert entry["training_candidates"] == model.network_.output_sampler.lsh_room
        assert entry["inference_candidates"] == 1000
        assert all(0.0 <= entry[f"{kind}_recall_at_{k}"] <= 1.0 for kind in ("training", "inference") for k in (10, 100))
    # the fitted model answers with tables of its final weights (rebuilt at the end of the
    # fit), and its statistics describe those tables
    tables = model.network_.output_sampler.tables
    again = HashTables(tables.family, tables.n_neurons, tables.bucket_capacity, n_builds=tables.n_builds - 1)
    again.build(model.coefs_[-1].T, biases=model.intercepts_[-1])
    np.testing.assert_array_equal(again.bucket_starts, tables.bucket_starts)
    for table, filled in enumerate(tables.bucket_starts[:, -1]):  # past `filled`: unused room
        np.testing.assert_array_equal(again.members[table, :filled], tables.members[table, :filled])
    assert model.sampling_stats_["table_builds"] == tables.n_builds
    model.set_params(verbose=2).partial_fit(X[:500], Y[:500])
    assert "tables find" in capsys.readouterr().out and len(model.retrieval_curve_) == 3
    model.set_params(verbose=False)


def test_a_dense_output_layer_has_no_retrieval(blobs):
    X, y = blobs
    model = small_model(max_iter=3).fit(X, y)
    assert model.retrieval_curve_ == [] and model.sampling_stats_ is None
    with pytest.raises(ValueError, match="no hash tables"):
        model.network_.table_candidates(np.asarray(X, dtype=np.float32), 5)


def test_the_probe_is_spread_over_the_rows_and_shrinks_for_wide_layers():
    np.testing.assert_array_equal(probe_rows(3, 5000), [0, 1, 2])
    rows = probe_rows(100_000, 5000)
    assert rows.size == 256 and rows[0] == 0 and rows[-1] == 99_999 and np.all(np.diff(rows) > 0)
    assert probe_rows(100_000, 670_091).size == 32
