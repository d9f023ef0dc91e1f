"""Data-parallel training without a cluster: the replicas run one after the other in this
process, which is what a Dask cluster runs too (tests/distributed/test_dask_cluster.py)."""
import warnings

import numpy as np
import pytest
from scipy import sparse

from conftest import small_model, wide_sparse_problem
from sparsenet import SparseMLPClassifier
from sparsenet.distributed import fit_distributed
from sparsenet.distributed._averaging import average_into
from sparsenet.distributed._replica import BlockUpdate, ReplicaUpdate
from sparsenet.distributed._row_blocks import parameter_blocks


def halves(X, y):
    n = X.shape[0] // 2
    return [(X[:n], y[:n]), (X[n:], y[n:])]


@pytest.mark.parametrize("early_stopping, schedule", [(False, "constant"), (True, "constant"), (False, "linear")])
@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_one_partition_trains_exactly_the_model_fit_trains(blobs, kind, early_stopping, schedule):
    X, y = blobs if kind == "dense" else wide_sparse_problem(n=600, n_features=500)
    # "linear" lowers the step size after every batch (UDTClassifier's networks use it)
    settings = dict(max_iter=6, early_stopping=early_stopping, learning_rate_schedule=schedule)
    expected = small_model(**settings).fit(X, y)
    got = fit_distributed(small_model(**settings), [(X, y)])
    np.testing.assert_array_equal(got.predict_proba(X), expected.predict_proba(X))
    # the epoch's losses are summed round by round: the same terms, grouped otherwise
    np.testing.assert_allclose(got.loss_curve_, expected.loss_curve_, rtol=1e-12)
    assert got.t_ == expected.t_ and got.n_iter_ == expected.n_iter_
    if early_stopping:
        assert got.validation_scores_ == expected.validation_scores_


def test_the_same_seed_and_partitions_give_the_same_model_and_another_seed_another():
    X, y = wide_sparse_problem(n=800, n_features=400)
    fits = [fit_distributed(small_model(max_iter=4, random_state=seed), halves(X, y)) for seed in (0, 0, 1)]
    probabilities = [fit.predict_proba(X) for fit in fits]
    np.testing.assert_array_equal(probabilities[0], probabilities[1])
    assert not np.array_equal(probabilities[0], probabilities[2])


def hand_update(rows, touches, value, n_steps=1):
    rows = np.asarray(rows, dtype=np.int64)
    # values, first moments and second moments of each row: value, value + 1, value + 2
    filled = np.full((rows.size, 3, 3), value, dtype=np.float32) + np.arange(3, dtype=np.float32)[:, None]
    return BlockUpdate(rows, np.asarray(touches, dtype=np.int64), filled)


def test_rows_are_averaged_by_touches_and_rows_nobody_changed_stay():
    model = small_model(hidden_layer_sizes=(3,), max_iter=1).fit(np.eye(6), np.arange(6) % 3)
    before = [tuple(a.copy() for a in block.arrays) for block in parameter_blocks(model.network_, model._adam)]
    n_blocks = len(before)
    nothing = BlockUpdate(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 3, 3), np.float32))
    first = ReplicaUpdate([hand_update([0, 2], [1, 3], 10.0)] + [nothing] * (n_blocks - 1), 0.0, 4, 10)
    second = ReplicaUpdate([hand_update([2, 4], [1, 1], 20.0)] + [nothing] * (n_blocks - 1), 0.0, 5, 12)
    step = model._adam.step
    average_into(model, [first, second])
    weights, first_moments, second_moments = parameter_blocks(model.network_, model._adam)[0].arrays
    np.testing.assert_array_equal(weights[0], 10.0)  # one replica: its values
    np.testing.assert_array_equal(weights[4], 20.0)
    np.testing.assert_allclose(weights[2], (3 * 10.0 + 1 * 20.0) / 4)  # weighted by touches
    np.testing.assert_allclose(first_moments[2], (3 * 11.0 + 1 * 21.0) / 4)
    np.testing.assert_allclose(second_moments[2], (3 * 12.0 + 1 * 22.0) / 4)
    for row in (1, 3, 5):
        np.testing.assert_array_equal(weights[row], before[0][0][row])
    for index in range(1, n_blocks):
        for array, old in zip(parameter_blocks(model.network_, model._adam)[index].arrays, before[index]):
            np.testing.assert_array_equal(array, old)
    assert model._adam.step == step + 5


def test_early_stopping_holds_out_a_share_of_every_partition(blobs):
    X, y = blobs
    clf = fit_distributed(small_model(early_stopping=True, max_iter=8, n_iter_no_change=50), halves(X, y))
    assert len(clf.validation_scores_) == clf.n_iter_ == 8
    assert clf.t_ == 8 * (2 * (150 - 15))
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_multi_label_partitions(sparse_multilabel):
    X, Y = sparse_multilabel
    clf = fit_distributed(small_model(max_iter=10), halves(X, Y))
    assert clf.predict(X[:5]).shape == (5, Y.shape[1])
    assert sparse.issparse(clf.predict(X[:5])) == sparse.issparse(Y)


def test_a_sampled_output_layer_learns_as_on_one_machine(xmc_problem):
    X, Y = xmc_problem[:2]
    settings = dict(hidden_layer_sizes=(64,), output_sparsity=0.05, max_iter=10, random_state=0)

    def precision_at_1(clf):
        top = clf.predict_topk(X[2000:], k=1)[:, 0]
        return Y[2000:].toarray()[np.arange(1000), top].mean()

    single = precision_at_1(SparseMLPClassifier(**settings).fit(X[:2000], Y[:2000]))
    distributed = fit_distributed(SparseMLPClassifier(**settings), halves(X[:2000], Y[:2000]))
    assert precision_at_1(distributed) >= single - 0.03, (precision_at_1(distributed), single)
    assert distributed.network_.output_sampler.tables.n_builds > 0


class InterruptAfter:
    def __init__(self, rounds):
        self.rounds = rounds

    def on_batch_end(self, estimator, rows_done, loss):
        self.rounds -= 1
        if self.rounds == 0:
            raise KeyboardInterrupt

    def on_epoch_end(self, estimator, info):
        return False

    def on_train_end(self, estimator, reason):
        self.reason = reason


def test_ctrl_c_keeps_the_last_averaged_model(blobs):
    X, y = blobs
    callback = InterruptAfter(3)
    with pytest.warns(UserWarning, match="interrupted"):
        clf = fit_distributed(small_model(max_iter=50, callbacks=[callback]), halves(X, y))
    assert clf.interrupted_ and callback.reason == "interrupted"
    assert clf.n_iter_ == 0 and clf.t_ > 0
    assert np.isfinite(clf.predict_proba(X)).all()


def test_bad_arguments_are_refused_by_name(blobs):
    X, y = blobs
    with pytest.raises(TypeError, match="SparseMLPClassifier"):
        fit_distributed(object(), halves(X, y))
    with pytest.raises(ValueError, match="rounds_per_epoch"):
        fit_distributed(small_model(), halves(X, y), rounds_per_epoch=0)
    with pytest.raises(ValueError, match="learning_rate_scaling"):
        fit_distributed(small_model(), halves(X, y), learning_rate_scaling="cubic")
    with pytest.raises(TypeError, match="list of \\(X, y\\) partitions"):
        fit_distributed(small_model(), X, y)
    with pytest.raises(TypeError, match="partition 1 must be an \\(X, y\\) pair"):
        fit_distributed(small_model(), [(X, y), X])
    with pytest.raises(ValueError, match="different feature counts"):
        fit_distributed(small_model(), [(X, y), (X[:, :5], y)])
    with pytest.raises(ValueError, match="class labels and others a multi-label"):
        fit_distributed(small_model(), [(X, y), (X, np.eye(3)[y])])
    with pytest.raises(ValueError, match="NaN"):
        bad = X.copy()
        bad[3, 2] = np.nan
        fit_distributed(small_model(), [(X, y), (bad, y)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="at least one partition"):
            fit_distributed(small_model(), [])


def test_a_dask_dataframe_trains_the_model_its_array_partitions_train(blobs):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe", reason="dask's DataFrame needs pyarrow (pip install "
                             "'dask[dataframe]')", exc_type=ImportError)
    X, y = blobs
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    X_parts = dd.from_pandas(frame, npartitions=2, sort=False)
    y_parts = dd.from_pandas(pd.Series(y), npartitions=2, sort=False)
    bounds = np.cumsum([0] + [len(part) for part in X_parts.partitions])
    pairs = [(X[a:b], y[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    from_frame = fit_distributed(small_model(max_iter=6), X_parts, y_parts)
    from_pairs = fit_distributed(small_model(max_iter=6), pairs)
    np.testing.assert_array_equal(from_frame.predict_proba(X), from_pairs.predict_proba(X))


def test_empty_partitions_are_left_out(blobs):
    # a filtered dask DataFrame often has empty partitions
    X, y = blobs
    expected = small_model(max_iter=4).fit(X, y)
    got = fit_distributed(small_model(max_iter=4), [(X[:0], y[:0]), (X, y), (X[:0], y[:0])])
    np.testing.assert_array_equal(got.predict_proba(X), expected.predict_proba(X))
    with pytest.raises(ValueError, match=r"every partition is empty \(2 given\)"):
        fit_distributed(small_model(), [(X[:0], y[:0]), (X[:0], y[:0])])
