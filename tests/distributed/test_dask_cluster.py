"""Data-parallel training on a real Dask cluster: a LocalCluster of two worker processes
with one thread each, started and stopped here."""
import os
import signal
import threading
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from conftest import small_model, wide_sparse_problem
from sparsenet import SparseMLPClassifier, UDTClassifier
from sparsenet.callbacks import Callback
from sparsenet.distributed import WorkerLost, fit_distributed

distributed = pytest.importorskip("distributed", reason="Dask's distributed is not installed (pip install "
                                  "'sparsenet[dask]')")
da = pytest.importorskip("dask.array")


def two_chunks(X, y):
    n = X.shape[0] // 2
    return da.from_array(X, chunks=(n, X.shape[1])), da.from_array(y, chunks=n), [(X[:n], y[:n]), (X[n:], y[n:])]


def test_the_cluster_trains_the_model_the_replicas_train_here(client, blobs):
    X, y = blobs
    dX, dy, parts = two_chunks(X, y)
    here = fit_distributed(small_model(max_iter=8), parts)
    on_cluster = fit_distributed(small_model(max_iter=8), dX, dy, client=client)
    np.testing.assert_array_equal(on_cluster.predict_proba(X), here.predict_proba(X))
    scattered = fit_distributed(small_model(max_iter=8), parts, client=client)
    np.testing.assert_array_equal(scattered.predict_proba(X), here.predict_proba(X))


def test_sparse_partitions_on_the_cluster(client):
    X, y = wide_sparse_problem(n=400, n_features=300)
    sparse_parts = [(X[:200], y[:200]), (X[200:], y[200:])]
    on_cluster = fit_distributed(small_model(max_iter=5), sparse_parts, client=client)
    here = fit_distributed(small_model(max_iter=5), sparse_parts)
    np.testing.assert_array_equal(on_cluster.predict_proba(X), here.predict_proba(X))


def test_a_sampled_layer_with_early_stopping_trains_alike_on_the_cluster(client):
    # the replicas stay on the workers between rounds: only the changed rows, and the
    # samplers when the driver rebuilt them, travel; the result must not change
    from sparsenet.datasets import make_extreme_classification

    X, Y = make_extreme_classification(600, 300, 400, random_state=0)
    X = X.tocsr()
    parts = [(X[:300], Y[:300]), (X[300:], Y[300:])]
    settings = dict(hidden_layer_sizes=(16,), output_sparsity=0.1, max_iter=4, early_stopping=True,
                    random_state=0, n_jobs=1)
    here = fit_distributed(SparseMLPClassifier(**settings), parts)
    on_cluster = fit_distributed(SparseMLPClassifier(**settings), parts, client=client)
    assert here.network_.output_sampler.tables.n_builds > 1
    assert on_cluster.validation_scores_ == here.validation_scores_
    np.testing.assert_array_equal(on_cluster.predict_proba(X), here.predict_proba(X))


def test_a_udt_classifier_on_a_dask_dataframe_trains_the_model_its_partitions_train_here(client):
    # raw columns (text, numbers, categories): each worker featurizes its own partitions
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    dd = pytest.importorskip("dask.dataframe", reason="dask's DataFrame needs pyarrow", exc_type=ImportError)
    rng = np.random.default_rng(0)
    words = np.array("good bad great awful fine plot acting cast boring fun dull".split())
    texts = [" ".join(rng.choice(words, 6)) for _ in range(600)]
    table = pd.DataFrame({"review": texts, "stars": rng.integers(1, 6, 600).astype(float),
                          "genre": rng.choice(["drama", "comedy"], 600)})
    y = np.array([int(sum(word in ("good", "great", "fine", "fun") for word in text.split()) > 2) for text in texts])
    X_parts = dd.from_pandas(table, npartitions=2, sort=False)
    y_parts = dd.from_pandas(pd.Series(y), npartitions=2, sort=False)
    bounds = np.cumsum([0] + [len(part) for part in X_parts.partitions])
    pairs = [(table.iloc[a:b], y[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    here = fit_distributed(UDTClassifier(max_iter=3, random_state=0), pairs)
    on_cluster = fit_distributed(UDTClassifier(max_iter=3, random_state=0), X_parts, y_parts, client=client)
    assert on_cluster.column_types_ == ["text", "numeric", "categorical"]
    np.testing.assert_array_equal(on_cluster.predict_proba(table), here.predict_proba(table))


def test_grid_search_on_the_cluster_through_joblib(client, blobs):
    import joblib
    from sklearn.model_selection import GridSearchCV

    X, y = blobs
    search = GridSearchCV(SparseMLPClassifier((16,), max_iter=10, random_state=0, n_jobs=1),
                          {"learning_rate": [1e-3, 1e-2]}, cv=2)
    with joblib.parallel_backend("dask"):
        search.fit(X, y)
    here = GridSearchCV(SparseMLPClassifier((16,), max_iter=10, random_state=0, n_jobs=1),
                        {"learning_rate": [1e-3, 1e-2]}, cv=2).fit(X, y)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], here.cv_results_["mean_test_score"])


def test_fitting_twice_on_the_same_in_memory_partitions(client, blobs):
    # scattered by content, the second fit's data took the keys the cluster was releasing
    X, y = blobs
    _, _, parts = two_chunks(X, y)
    first = fit_distributed(small_model(max_iter=4), parts, client=client)
    second = fit_distributed(small_model(max_iter=4), parts, client=client)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def test_batch_prediction_on_the_cluster(client, blobs):
    from sparsenet.distributed import predict, predict_topk

    X, y = blobs
    clf = small_model(max_iter=5).fit(X, y)
    dX = da.from_array(X, chunks=(100, X.shape[1]))
    np.testing.assert_array_equal(predict(clf, dX).compute(), clf.predict(X))
    top, scores = predict_topk(clf, dX, k=2, return_scores=True)
    expected_top, expected_scores = clf.predict_topk(X, k=2, return_scores=True)
    np.testing.assert_array_equal(top.compute(), expected_top)
    np.testing.assert_array_equal(scores.compute(), expected_scores)


class KillWorkerDuringRound(Callback):
    """Kills (SIGKILL) one worker process a moment after the driver starts round ``at``."""

    def __init__(self, pid, at):
        self.pid, self.at, self.rounds = pid, at, 0

    def on_batch_end(self, estimator, rows_done, loss):
        self.rounds += 1
        if self.rounds == self.at:
            threading.Timer(0.02, os.kill, (self.pid, signal.SIGKILL)).start()


@pytest.mark.parametrize("source", ["dask arrays", "in-memory pairs"])
def test_a_worker_killed_mid_round_is_survived_or_reported(source):
    X, y = make_classification(n_samples=4000, n_features=40, n_informative=20, n_classes=4, random_state=0)
    dX, dy, parts = two_chunks(X.astype(np.float32), y)
    settings = dict(hidden_layer_sizes=(256,), max_iter=4, early_stopping=False, random_state=0, n_jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        killer = KillWorkerDuringRound(next(iter(pids.values())), at=5)
        clf = SparseMLPClassifier(**settings, callbacks=[killer])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            if source == "dask arrays":
                # the cluster recomputes the lost partition; the round is trained again from
                # the driver's model: the very model of a fit nothing disturbed
                fit_distributed(clf, dX, dy, client=client)
                expected = fit_distributed(SparseMLPClassifier(**settings), parts)
                np.testing.assert_array_equal(clf.predict_proba(X), expected.predict_proba(X))
            else:
                with pytest.raises(WorkerLost, match="in-memory"):
                    fit_distributed(clf, parts, client=client)
                assert clf.n_iter_ < settings["max_iter"]
        assert killer.rounds >= killer.at
        assert set(client.run(os.getpid).values()) != set(pids.values())  # the kill did happen
