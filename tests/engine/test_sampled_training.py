"""Training through a sampled output layer: the same maths as dense training, forced labels,
shared and own neurons, reproducibility, and sparse top-k."""
import numpy as np
import pytest

from conftest import plan_for
from sparsenet.engine._initialisation import glorot_network
from sparsenet.engine._settings import AdamSettings
from sparsenet.engine._trainer import Trainer
from sparsenet.mlp._inputs import csr_for_engine
from sparsenet.sampling._active_sets import LayerSampler
from sparsenet.sampling._hash_families import HashFamily
from sparsenet.sampling._hash_tables import HashTables

SMOOTH_ADAM = AdamSettings(learning_rate=1e-2, beta_1=0.9, beta_2=0.999, epsilon=1.0, l2=0.0)


def trained_weights(X, Y, sampler, n_threads=1, batches=6, binary_loss=False):
    network, adam = glorot_network([X.shape[1], 16, Y.shape[1]], 1, 1)
    network.set_sampler(sampler)
    trainer = Trainer(network, adam)
    trainer.configure(SMOOTH_ADAM, "binary" if binary_loss else "softmax", 64, n_threads)
    trainer.bind(X, Y.indptr, Y.indices)
    losses = [trainer.train_batch(np.arange(64 * b, 64 * (b + 1))) for b in range(batches)]
    return losses, trainer


@pytest.mark.parametrize("binary_loss", [False, True])
def test_sampled_layer_with_every_neuron_active_matches_dense_training(xmc_problem, binary_loss):
    X, Y = xmc_problem
    X, Y = X[:400], Y[:400, :50]
    X = csr_for_engine(X)
    dense_losses, dense = trained_weights(X, Y, None, binary_loss=binary_loss)
    # one table with a single bucket holding every neuron: the active set is the whole layer
    tables = HashTables(HashFamily("simhash", 16, 1, 1, 1, 0), 50, 50)
    everything = LayerSampler(tables, min_active=50, lsh_share=0.1, rebuild_interval=50, rebuild_growth=1.1,
                              max_rebuild_interval=5000, redraw_every=0, seed=0)
    sampled_losses, sampled = trained_weights(X, Y, everything, binary_loss=binary_loss)
    np.testing.assert_allclose(sampled_losses, dense_losses, rtol=1e-5)
    for a, b in zip(sampled.network.weights + sampled.network.biases, dense.network.weights + dense.network.biases):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_active_sets_hold_the_labels_and_are_padded(xmc_problem):
    X, Y = xmc_problem
    plan = plan_for(Y.shape[1], output_sparsity=0.05)
    _, trainer = trained_weights(X, Y, plan.new_sampler(Y.shape[1], 16, 3))
    rows = np.arange(200)
    for row, active in zip(rows, trainer.active_sets(rows)):
        labels = Y.indices[Y.indptr[row] : Y.indptr[row + 1]]
        assert set(labels) <= set(active.tolist())
        assert len(active) == len(set(active.tolist())) >= plan.min_active
        assert active.min() >= 0 and active.max() < Y.shape[1]
    # every row shares the last batch's labels (computed for the batch as one block): the
    # common part fills all but the tables' share of the minimum
    sets = trainer.active_sets(rows)
    shared = set.intersection(*(set(active.tolist()) for active in sets))
    last_batch = Y.indices[Y.indptr[64 * 5] : Y.indptr[64 * 6]]
    lsh_room = round(plan.lsh_share * plan.min_active)
    assert len(shared) >= plan.min_active - lsh_room
    assert set(last_batch.tolist()[:10]) <= shared


def test_sampled_training_is_bit_identical_across_threads(xmc_problem):
    X, Y = xmc_problem
    plan = plan_for(Y.shape[1], output_sparsity=0.05)
    one = trained_weights(X, Y, plan.new_sampler(Y.shape[1], 16, 3), 1, batches=40)
    two = trained_weights(X, Y, plan.new_sampler(Y.shape[1], 16, 3), 2, batches=40)
    assert one[0] == two[0]
    for a, b in zip(one[1].network.weights, two[1].network.weights):
        np.testing.assert_array_equal(a, b)


def test_sparse_top_k_scoring_every_neuron_equals_exact_top_k(xmc_problem):
    X, Y = xmc_problem
    plan = plan_for(Y.shape[1], output_sparsity=0.05)
    _, trainer = trained_weights(X, Y, plan.new_sampler(Y.shape[1], 16, 3))
    network, rows = trainer.network, csr_for_engine(X[:300])
    exact_labels, exact_scores = network.top_k(rows, 5, 2)
    # every neuron "always scored": the candidates are the whole layer, whatever the tables say
    labels, scores, _ = network.top_k_sampled(rows, 5, 2, max_candidates=10, always=np.arange(Y.shape[1]))
    np.testing.assert_allclose(scores, exact_scores, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(labels, exact_labels)


def test_table_query_ranks_neurons_by_how_many_tables_return_them(xmc_problem):
    X, Y = xmc_problem
    plan = plan_for(Y.shape[1], output_sparsity=0.05)
    _, trainer = trained_weights(X, Y, plan.new_sampler(Y.shape[1], 16, 3))
    sampler = trainer.network.output_sampler.tables
    x = np.abs(np.random.default_rng(0).normal(size=16)).astype(np.float32)
    # count, table by table, the neurons of x's buckets (reference in NumPy)
    codes = sampler.family.hash_rows(x[None, :])[0]
    starts, members = np.asarray(sampler.bucket_starts), np.asarray(sampler.members)
    hits = np.zeros(Y.shape[1], dtype=int)
    for t, code in enumerate(codes):
        hits[members[t, starts[t, code]:starts[t, code + 1]]] += 1
    for capacity in (1, 5, 20):
        kept = sampler.query(x, capacity)
        assert len(kept) == min(capacity, np.count_nonzero(hits))
        # nothing left out was returned by more tables than something kept
        left_out = np.setdiff1d(np.flatnonzero(hits), kept)
        assert hits[kept].min() >= (hits[left_out].max() if len(left_out) else 0)


def test_always_scored_ids_are_checked(xmc_problem):
    X, Y = xmc_problem
    plan = plan_for(Y.shape[1], output_sparsity=0.05)
    _, trainer = trained_weights(X, Y, plan.new_sampler(Y.shape[1], 16, 3), batches=1)
    with pytest.raises(ValueError, match="always-scored ids"):
        trainer.network.top_k_sampled(csr_for_engine(X[:2]), 5, 1, always=[Y.shape[1]])


def test_padding_negatives_follow_the_seed(xmc_problem):
    # a batch's labels fill a third of the shared room: the rest is padding, drawn from the
    # sampler's seed (the same seed repeats it, another seed draws other neurons)
    X, Y = xmc_problem
    plan = plan_for(Y.shape[1], output_sparsity=0.5)

    def shared_after_one_step(seed):
        _, trainer = trained_weights(X, Y, plan.new_sampler(Y.shape[1], 16, seed), batches=1)
        return set(trainer.active_sets(np.arange(1))[0].tolist())

    batch_labels = set(Y[:64].indices.tolist())
    first, again, other = shared_after_one_step(1), shared_after_one_step(1), shared_after_one_step(2)
    assert first == again
    assert batch_labels <= first and batch_labels <= other
    padding_first, padding_other = first - batch_labels, other - batch_labels
    assert len(padding_first) > 300 and len(padding_other) > 300
    assert len(padding_first & padding_other) < 0.8 * len(padding_first)
