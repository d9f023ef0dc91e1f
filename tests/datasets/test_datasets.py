"""Bundled data and the extreme-classification generator."""
import numpy as np
import pytest
from scipy import sparse

from sparsenet import SparseMLPClassifier
from sparsenet.datasets import load_sms_spam, make_extreme_classification
from sparsenet.metrics import precision_at_k


def test_sms_spam_is_complete():
    texts, labels = load_sms_spam()
    assert len(texts) == labels.shape[0] == 5574
    assert (labels == "spam").sum() == 747
    assert all(isinstance(t, str) and t for t in texts)


def test_generator_shape_and_statistics():
    X, Y = make_extreme_classification(5000, 20000, 50000, random_state=0)
    assert sparse.isspmatrix_csr(X) and sparse.isspmatrix_csr(Y)
    assert X.dtype == np.float32 and X.shape == (5000, 20000) and Y.shape == (5000, 50000)
    assert 4.5 < Y.sum(axis=1).mean() < 5.5
    assert Y.sum(axis=1).min() >= 1
    assert 65 < X.getnnz(axis=1).mean() < 85
    np.testing.assert_allclose(np.sqrt(X.multiply(X).sum(axis=1)).A.ravel(), 1.0, rtol=1e-5)
    counts = np.sort(np.asarray(Y.sum(axis=0)).ravel())[::-1]
    # power law: the head label is far more frequent than a typical used label
    assert counts[0] > 20 * np.median(counts[counts > 0])


def test_generator_is_seeded():
    first = make_extreme_classification(300, 1000, 2000, random_state=7)
    second = make_extreme_classification(300, 1000, 2000, random_state=7)
    other = make_extreme_classification(300, 1000, 2000, random_state=8)
    for a, b in zip(first, second):
        assert (a != b).nnz == 0
    assert (first[1] != other[1]).nnz > 0


def test_generated_labels_are_learnable():
    X, Y = make_extreme_classification(3000, 2000, 300, random_state=0)
    clf = SparseMLPClassifier(hidden_layer_sizes=(64,), max_iter=15, random_state=0, learning_rate=3e-3)
    clf.fit(X[:2500], Y[:2500])
    p_at_1 = precision_at_k(Y[2500:], clf.predict_topk(X[2500:], k=1), k=1)
    head_label = np.asarray(Y[:2500].sum(axis=0)).argmax()
    baseline = Y[2500:, head_label].mean()  # always predicting the most frequent label
    assert p_at_1 > 0.8 and p_at_1 > baseline + 0.4


@pytest.mark.parametrize("bad", [dict(n_samples=0), dict(n_labels=-1), dict(noise=1.0), dict(labels_per_row=0.5)])
def test_generator_rejects_bad_arguments(bad):
    settings = dict(n_samples=10, n_features=50, n_labels=20)
    with pytest.raises(ValueError):
        make_extreme_classification(**{**settings, **bad})


def test_xc_repo_reader(tmp_path):
    from sparsenet.datasets import load_xc_repo

    path = tmp_path / "tiny.txt"
    path.write_text("3 5 4\n0,2 1:0.5 4:2\n 3:1\n3 0:1 0:1\n")
    X, Y = load_xc_repo(path)
    np.testing.assert_array_equal(X.toarray(), [[0, 0.5, 0, 0, 2], [0, 0, 0, 1, 0], [2, 0, 0, 0, 0]])
    np.testing.assert_array_equal(Y.toarray(), [[1, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 1]])
    path.write_text("2 5 4\n0 1:1\n")
    with pytest.raises(ValueError, match="announces 2 rows"):
        load_xc_repo(path)
    path.write_text("1 5 4\n9 1:1\n")
    with pytest.raises(ValueError, match=r"line 2: label 9 is outside \[0, 4\)"):
        load_xc_repo(path)


def test_delicious_loads():
    from conftest import shared_data
    from sparsenet.datasets import load_xc_repo

    X, Y = load_xc_repo(shared_data("delicious", "train.txt"))
    assert X.shape == (12920, 500) and Y.shape == (12920, 983)
    assert 15 < Y.sum(axis=1).mean() < 25
