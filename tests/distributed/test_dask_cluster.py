"""Data-parallel training on a real Dask cluster: a LocalCluster of two worker processes
with one thread each, started and stopped here."""
import numpy as np
import pytest

from conftest import small_model, wide_sparse_problem
from sparsenet import SparseMLPClassifier
from sparsenet.distributed import fit_distributed

distributed = pytest.importorskip("distributed", reason="Dask's distributed is not installed (pip install "
                                  "'sparsenet[dask]')")
da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        yield client


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
