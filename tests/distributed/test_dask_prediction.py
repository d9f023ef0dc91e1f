"""Batch prediction over dask collections: one task per partition, the same answers as the
fitted model gives in memory."""
import numpy as np
import pytest
from scipy import sparse

from conftest import small_model
from sparsenet.distributed import predict, predict_proba, predict_topk

da = pytest.importorskip("dask.array", reason="dask is not installed (pip install 'sparsenet[dask]')")
dask = pytest.importorskip("dask")


@pytest.fixture(scope="module")
def fitted_blobs():
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=300, n_features=20, n_informative=8, n_classes=3,
                               n_clusters_per_class=1, class_sep=2.0, random_state=0)
    labels = np.array(["cat", "dog", "eel"])[y]  # string labels come back as such
    return X, small_model(max_iter=10).fit(X, labels)


@pytest.mark.parametrize("chunks", [(70, 20), (100, 5), (300, 20)])
def test_every_method_answers_as_in_memory(fitted_blobs, chunks):
    X, clf = fitted_blobs
    dX = da.from_array(X, chunks=chunks)
    with dask.config.set(scheduler="sync"):
        labels = predict(clf, dX)
        assert labels.shape == (300,) and labels.dtype == clf.classes_.dtype
        np.testing.assert_array_equal(labels.compute(), clf.predict(X))
        np.testing.assert_allclose(predict_proba(clf, dX).compute(), clf.predict_proba(X), rtol=0, atol=0)
        top, scores = predict_topk(clf, dX, k=2, return_scores=True)
        expected_top, expected_scores = clf.predict_topk(X, k=2, return_scores=True)
        np.testing.assert_array_equal(top.compute(), expected_top)
        np.testing.assert_array_equal(scores.compute(), expected_scores)


def test_top_k_and_scores_compute_each_partition_once(fitted_blobs):
    X, clf = fitted_blobs
    top, scores = predict_topk(clf, da.from_array(X, chunks=(100, 20)), k=2, return_scores=True)
    graph = {**dict(top.__dask_graph__()), **dict(scores.__dask_graph__())}
    answers = [key for key in graph if str(key[0] if isinstance(key, tuple) else key).startswith("_answer")]
    assert len(answers) == 3  # one per partition, shared by both arrays


def test_a_multilabel_model_fitted_on_a_sparse_y_answers_in_sparse_blocks(sparse_multilabel):
    X, Y = sparse_multilabel
    clf = small_model(max_iter=15).fit(X, Y)
    dense_X = X.toarray()
    with dask.config.set(scheduler="sync"):
        answer = predict(clf, da.from_array(dense_X, chunks=(150, 300))).compute()
    assert sparse.issparse(answer)
    assert (answer != clf.predict(dense_X)).nnz == 0
    dense_model = small_model(max_iter=15).fit(X, Y.toarray())
    with dask.config.set(scheduler="sync"):
        dense_answer = predict(dense_model, da.from_array(dense_X, chunks=(150, 300))).compute()
    np.testing.assert_array_equal(dense_answer, dense_model.predict(dense_X))


def test_bad_calls_fail_before_anything_runs(fitted_blobs):
    X, clf = fitted_blobs
    with pytest.raises(TypeError, match="dask array or DataFrame"):
        predict(clf, X)
    with pytest.raises(ValueError, match="k must be an integer in \\[1, 3\\]"):
        predict_topk(clf, da.from_array(X, chunks=100), k=4)
    with pytest.raises(ValueError, match="2-D"):
        predict(clf, da.zeros((2, 3, 4), chunks=1))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        predict(small_model(), da.from_array(X, chunks=100))


def test_a_wrong_feature_count_is_named_when_computed(fitted_blobs):
    X, clf = fitted_blobs
    with dask.config.set(scheduler="sync"), pytest.raises(ValueError, match="features"):
        predict(clf, da.from_array(X[:, :5], chunks=100)).compute()


def test_a_udt_model_answers_a_dask_dataframe():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe", reason="dask's DataFrame needs pyarrow (pip install "
                             "'dask[dataframe]')", exc_type=ImportError)
    from sparsenet import UDTClassifier

    rng = np.random.default_rng(0)
    words = np.array(["good", "bad", "film", "plot", "great", "awful", "fun", "dull"])
    n = 400
    text = [" ".join(rng.choice(words, 4)) for _ in range(n)]
    frame = pd.DataFrame({"review": text, "stars": rng.integers(1, 6, n).astype(float)})
    y = np.where([("good" in t) or ("great" in t) for t in text], "pos", "neg")
    model = UDTClassifier(random_state=0, n_jobs=1).fit(frame, y)
    parts = dd.from_pandas(frame, npartitions=3)
    with dask.config.set(scheduler="sync"):
        np.testing.assert_array_equal(predict(model, parts).compute(), model.predict(frame))
        np.testing.assert_array_equal(predict_topk(model, parts, k=2).compute(), model.predict_topk(frame, k=2))
