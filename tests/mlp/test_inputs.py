"""Bad input gets a clear ValueError/TypeError naming the problem, never a crash."""
import numpy as np
import pytest
from conftest import run_isolated
from scipy import sparse
from sklearn.exceptions import NotFittedError

from sparsenet import SparseMLPClassifier


def model(**params):
    settings = dict(hidden_layer_sizes=(8,), max_iter=2, random_state=0, n_jobs=1)
    return SparseMLPClassifier(**{**settings, **params})


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(30, 4)), np.arange(30) % 3


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_X(data, bad):
    X, y = data
    X[3, 2] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        model().fit(X, y)
    Xs = sparse.csr_matrix(X)
    with pytest.raises(ValueError, match="NaN|infinity"):
        model().fit(Xs, y)


def test_empty_X(data):
    with pytest.raises(ValueError, match="0 sample"):
        model().fit(np.empty((0, 4)), [])
    with pytest.raises(ValueError, match="0 feature"):
        model().fit(np.empty((5, 0)), [0, 1, 0, 1, 0])


def test_strings_as_X():
    with pytest.raises(ValueError, match="X must be numeric.*strings"):
        model().fit([["a", "b"], ["c", "d"]], [0, 1])
    with pytest.raises(ValueError, match="X must be numeric.*strings"):
        model().fit(np.array(["great film", "awful"]).reshape(-1, 1), [0, 1])


def test_length_mismatch(data):
    X, y = data
    with pytest.raises(ValueError, match="30 rows but y has 29"):
        model().fit(X, y[:-1])
    Y = sparse.csr_matrix(np.eye(3, dtype=int)[y][:-1])
    with pytest.raises(ValueError, match="30 rows but y has 29"):
        model().fit(X, Y)


def test_wrong_number_of_features_at_predict(data):
    X, y = data
    clf = model().fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features, but SparseMLPClassifier is expecting 4"):
        clf.predict(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="X has 3 features"):
        clf.predict_topk(sparse.csr_matrix(np.zeros((2, 3))), k=1)


def hand_built_csr(indices, indptr, shape):
    data = np.ones(len(indices), dtype=np.float32)
    # scipy does not check index ranges at construction: this is what a user can hand us
    return sparse.csr_matrix((data, np.asarray(indices), np.asarray(indptr)), shape=shape)


def test_out_of_range_indices_in_hand_built_sparse(data):
    X, y = data
    clf = model().fit(X, y)
    bad = hand_built_csr([0, 7, 1], [0, 2, 3], (2, 4))
    with pytest.raises(ValueError, match="row 0 has column index 7"):
        clf.predict(bad)
    with pytest.raises(ValueError, match="column index -1"):
        model().fit(hand_built_csr([0, -1, 1], [0, 2, 3], (2, 4)), [0, 1])
    bad = hand_built_csr([0, 1, 1], [0, 2, 3], (2, 4))
    bad.indptr = np.array([0, 2, 9], dtype=bad.indptr.dtype)  # past the end of indices
    with pytest.raises(ValueError, match="indptr"):
        clf.predict(bad)
    bad.indptr = np.array([0, 3, 1], dtype=bad.indptr.dtype)  # decreasing
    with pytest.raises(ValueError, match="indptr"):
        clf.predict(bad)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": (8, -2)}, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": ()}, "hidden_layer_sizes"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": -1e-3}, "learning_rate"),
        ({"batch_size": 0}, "batch_size"),
        ({"alpha": -1.0}, "alpha"),
        ({"max_iter": 0}, "max_iter"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"epsilon": 0.0}, "epsilon"),
        ({"n_jobs": 0}, "n_jobs"),
    ],
)
def test_invalid_parameters_are_named(data, params, name):
    X, y = data
    with pytest.raises(ValueError, match=name):
        model(**params).fit(X, y)


def test_partial_fit_needs_classes_first_and_rejects_unseen(data):
    X, y = data
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        model().partial_fit(X, y)
    clf = model().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"labels not in classes .*\[7\]"):
        clf.partial_fit(X[:2], [0, 7])
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])


def test_predict_before_fit(data):
    X, _ = data
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function", "predict_topk"):
        with pytest.raises(NotFittedError):
            getattr(model(), method)(X)


def test_regression_targets_and_mixed_labels(data):
    X, _ = data
    with pytest.raises(ValueError, match="Unknown label type"):
        model().fit(X, np.linspace(0, 1, 30))
    with pytest.raises(ValueError, match="y mixes labels of different types"):
        model().fit(X[:4], np.array([1, "a", 2, "b"], dtype=object))
    with pytest.raises(ValueError, match="requires y"):
        model().fit(X, None)


def test_switching_between_label_kinds_is_refused(data):
    X, y = data
    clf = model().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="multi-label"):
        clf.partial_fit(X, np.eye(3, dtype=int)[y])


def test_small_sparse_inputs_are_checked_like_large_ones(data):
    X, y = data
    clf = model().fit(X, y)
    few = sparse.csr_matrix(X[:3])
    np.testing.assert_array_equal(clf.predict_proba(few), clf.predict_proba(X[:3]))
    bad = few.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(bad)
    with pytest.raises(ValueError, match="X has 5 features, but SparseMLPClassifier is expecting 4"):
        clf.predict(sparse.csr_matrix(np.ones((2, 5))))
    broken = hand_built_csr([0, 9], [0, 1, 2], (2, 4))
    with pytest.raises(ValueError, match="column index 9"):
        clf.predict_topk(broken, k=1)


def test_malformed_csc_bsr_and_coo_are_refused_before_scipy_converts_them():
    """scipy's C conversion to CSR trusts the structure: an index out of range wrote outside
    its arrays (a segfault). Run in a child process, so that a crash fails only this test."""
    run_isolated("""
import numpy as np, pytest
from scipy import sparse
from sparsenet import SparseMLPClassifier
X = np.random.RandomState(0).rand(19, 5)
model = SparseMLPClassifier(hidden_layer_sizes=(8,), max_iter=2).fit(X, np.arange(19) % 2)
bad_csc = sparse.csc_matrix(np.ones((19, 5)))
bad_csc.indices[42] = 11673
bad_bsr = sparse.bsr_matrix(np.ones((19, 5)), blocksize=(1, 5))
bad_bsr.indices[3] = 7
bad_coo = sparse.coo_matrix(np.ones((19, 5)))
bad_coo.row[0] = 400
for bad in (bad_csc, bad_bsr, bad_coo):
    for call in (model.predict, lambda X: model.fit(X, np.arange(19) % 2)):
        with pytest.raises(ValueError, match="malformed sparse X"):
            call(bad)
""")
