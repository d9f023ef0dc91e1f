"""The recipe of docs/distributed.md for dask-ml's Incremental: SparseMLPClassifier.partial_fit
called block after block over a dask collection, and prediction block by block. The models
are checked against partial_fit called by hand on the same blocks in the same order."""
import itertools

import numpy as np
import pytest
from scipy import sparse

from conftest import small_model, wide_sparse_problem

pytest.importorskip("dask_ml", reason="dask-ml is not installed (pip install dask-ml)")
dask = pytest.importorskip("dask", reason="dask is not installed (pip install 'sparsenet[dask]')")
da = pytest.importorskip("dask.array")

distributed = pytest.importorskip("distributed", reason="Dask's distributed is not installed (pip install "
                                  "'sparsenet[dask]')")

from dask.utils import key_split  # noqa: E402  (after the skips)
from dask_ml.wrappers import Incremental  # noqa: E402

BLOCK = 60  # rows per block of the training split


@pytest.fixture
def split(blobs):
    """The blobs problem: 240 training rows (4 blocks of BLOCK rows) and 60 held-out rows."""
    X, y = blobs
    return X[:240], y[:240], X[240:], y[240:]


def as_dask(X, y, rows=BLOCK):
    return da.from_array(X, chunks=(rows, X.shape[1])), da.from_array(y, chunks=rows)


def blocks_of(X, y, rows=BLOCK):
    return [(X[start:start + rows], y[start:start + rows]) for start in range(0, X.shape[0], rows)]


def by_hand(blocks, order, classes, passes=1):
    model = small_model()
    for _ in range(passes):
        for i in order:
            model.partial_fit(*blocks[i], classes=classes)
    return model


def test_fit_calls_partial_fit_on_each_block_in_order(split):
    X, y, X_test, _ = split
    classes = np.unique(y)
    wrapper = Incremental(small_model(), scoring="accuracy", shuffle_blocks=False)
    with dask.config.set(scheduler="synchronous"):
        wrapper.fit(*as_dask(X, y), classes=classes)
    blocks = blocks_of(X, y)
    hand = by_hand(blocks, range(4), classes)
    np.testing.assert_array_equal(wrapper.estimator_.predict_proba(X_test), hand.predict_proba(X_test))
    assert wrapper.estimator_.n_iter_ == 4 and wrapper.estimator_.t_ == 240  # one epoch per block
    assert not hasattr(wrapper.estimator, "network_")  # the estimator given stays unfitted
    # the order of the blocks matters, so the comparison above can fail
    backwards = by_hand(blocks, reversed(range(4)), classes)
    assert not np.array_equal(backwards.predict_proba(X_test), hand.predict_proba(X_test))


def test_a_seeded_shuffle_visits_every_block_once_and_repeats(split):
    X, y, X_test, _ = split
    classes = np.unique(y)
    fitted = []
    for _ in range(2):
        wrapper = Incremental(small_model(), shuffle_blocks=True, random_state=7)
        with dask.config.set(scheduler="synchronous"):
            fitted.append(wrapper.fit(*as_dask(X, y, rows=80), classes=classes).estimator_.predict_proba(X_test))
    np.testing.assert_array_equal(fitted[0], fitted[1])
    blocks = blocks_of(X, y, rows=80)
    matching = [order for order in itertools.permutations(range(3))
                if np.array_equal(by_hand(blocks, order, classes).predict_proba(X_test), fitted[0])]
    assert len(matching) == 1, matching


def test_repeated_partial_fit_continues_the_model_and_learns(split):
    X, y, X_test, y_test = split
    classes = np.unique(y)
    dX, dy = as_dask(X, y)
    wrapper = Incremental(small_model(), scoring="accuracy", shuffle_blocks=False)
    with dask.config.set(scheduler="synchronous"):
        for _ in range(12):
            wrapper.partial_fit(dX, dy, classes=classes)
        held_out = wrapper.score(*as_dask(X_test, y_test, rows=20))
    hand = by_hand(blocks_of(X, y), range(4), classes, passes=12)
    np.testing.assert_array_equal(wrapper.estimator_.predict_proba(X_test), hand.predict_proba(X_test))
    assert wrapper.estimator_.n_iter_ == 48
    assert held_out == pytest.approx(np.mean(hand.predict(X_test) == y_test))
    assert held_out >= 0.85


def test_prediction_over_a_dask_array_matches_the_model(blobs):
    X, y = blobs
    labels = np.array(["cat", "dog", "eel"])[y]
    wrapper = Incremental(small_model(), shuffle_blocks=False)
    dX = da.from_array(X, chunks=(70, X.shape[1]))  # uneven blocks: 70, 70, 70, 70, 20
    with dask.config.set(scheduler="synchronous"):
        wrapper.fit(dX, da.from_array(labels, chunks=70), classes=["cat", "dog", "eel"])
        model = wrapper.estimator_
        predicted = wrapper.predict(dX)
        assert isinstance(predicted, da.Array) and predicted.chunks == ((70, 70, 70, 70, 20),)
        np.testing.assert_array_equal(predicted.compute(), model.predict(X))
        proba = wrapper.predict_proba(dX)
        assert proba.chunks == ((70, 70, 70, 70, 20), (3,))
        np.testing.assert_array_equal(proba.compute(), model.predict_proba(X))
        np.testing.assert_array_equal(wrapper.predict_log_proba(dX).compute(), np.log(model.predict_proba(X)))
        # a dask array chunked along the columns too is put back together before predicting
        np.testing.assert_array_equal(wrapper.predict(da.from_array(X, chunks=(100, 7))).compute(),
                                      model.predict(X))


def test_the_first_block_needs_the_classes(split):
    X, y, _, _ = split
    with dask.config.set(scheduler="synchronous"), pytest.raises(ValueError, match="classes"):
        Incremental(small_model(), shuffle_blocks=False).fit(*as_dask(X, y))


def test_sparse_blocks():
    X, y = wide_sparse_problem(n=400, n_features=300)
    classes = np.unique(y)
    dense = X.toarray()
    dX = da.from_array(dense, chunks=(100, 300)).map_blocks(sparse.csr_matrix, dtype=dense.dtype,
                                                           meta=sparse.csr_matrix((0, 300)))
    wrapper = Incremental(small_model(), shuffle_blocks=False)
    with dask.config.set(scheduler="synchronous"):
        wrapper.fit(dX, da.from_array(y, chunks=100), classes=classes)
        proba = wrapper.predict_proba(dX).compute()
    hand = by_hand(blocks_of(X, y, rows=100), range(4), classes)
    np.testing.assert_array_equal(wrapper.estimator_.predict_proba(X), hand.predict_proba(X))
    np.testing.assert_array_equal(proba, hand.predict_proba(X))


def test_dask_dataframe_partitions(split):
    dd = pytest.importorskip("dask.dataframe", reason="dask's dataframe extra is not installed")
    pd = pytest.importorskip("pandas")
    X, y, X_test, _ = split
    columns = [f"f{i}" for i in range(X.shape[1])]
    frame = dd.from_pandas(pd.DataFrame(X, columns=columns), npartitions=3)
    target = dd.from_pandas(pd.Series(y), npartitions=3)
    classes = np.unique(y)
    wrapper = Incremental(small_model(), shuffle_blocks=False)
    with dask.config.set(scheduler="synchronous"):
        wrapper.fit(frame, target, classes=classes)
        parts = [(frame.partitions[i].compute(), target.partitions[i].compute()) for i in range(3)]
    assert sum(len(part) for part, _ in parts) == 240
    hand = by_hand(parts, range(3), classes)
    test_frame = pd.DataFrame(X_test, columns=columns)
    np.testing.assert_array_equal(wrapper.estimator_.predict_proba(test_frame), hand.predict_proba(test_frame))
    assert list(wrapper.estimator_.feature_names_in_) == columns


def test_on_a_cluster(client, split):
    # each task unpickles the model the task before it trained, possibly on the other worker
    X, y, X_test, _ = split
    classes = np.unique(y)
    with distributed.get_task_stream(client) as stream:
        wrapper = Incremental(small_model(), shuffle_blocks=False).fit(*as_dask(X, y), classes=classes)
    # one partial_fit task per block, run by the workers (the task numbered -1 holds the unfitted model)
    fit_tasks = [task for task in stream.data if key_split(task["key"]) == "fit" and task["key"][1] >= 0]
    assert len(fit_tasks) == 4
    assert {task["worker"] for task in fit_tasks} <= set(client.scheduler_info()["workers"])
    hand = by_hand(blocks_of(X, y), range(4), classes)
    np.testing.assert_array_equal(wrapper.estimator_.predict_proba(X_test), hand.predict_proba(X_test))
    dX_test = da.from_array(X_test, chunks=(20, X.shape[1]))
    np.testing.assert_array_equal(wrapper.predict_proba(dX_test).compute(), hand.predict_proba(X_test))
