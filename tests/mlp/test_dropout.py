"""SparseMLPClassifier(dropout=...): training-time dropout on the last hidden layer,
reproducible for any thread count, absent from prediction, on dense and sampled output
layers alike."""
import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sparsenet import SparseMLPClassifier
from sparsenet.datasets import make_extreme_classification
from sparsenet.mlp._inputs import csr_for_engine


def blobs(n_rows=300, n_features=30, n_classes=4, seed=0):
    rng = np.random.RandomState(seed)
    centers = rng.normal(size=(n_classes, n_features)) * 2
    y = rng.randint(n_classes, size=n_rows)
    return (centers[y] + rng.normal(size=(n_rows, n_features))).astype(np.float32), y


def weights_of(clf):
    return clf.network_.weights + clf.network_.biases


def assert_same_weights(a, b):
    for left, right in zip(weights_of(a), weights_of(b)):
        np.testing.assert_array_equal(left, right)


def test_dropout_trains_another_model_that_still_learns():
    X, y = blobs()
    plain = SparseMLPClassifier((32,), max_iter=20, random_state=0, dropout=0.0).fit(X, y)
    dropped = SparseMLPClassifier((32,), max_iter=20, random_state=0, dropout=0.3).fit(X, y)
    assert not np.array_equal(plain.network_.weights[0], dropped.network_.weights[0])
    assert dropped.score(X, y) > 0.9


@pytest.mark.parametrize("settings", [
    {},
    {"hidden_layer_sizes": (24, 40), "hidden_sparsity": 0.5},  # a sampled last hidden layer
])
def test_dense_output_is_bit_identical_across_thread_counts(settings):
    X, y = blobs()
    params = {"hidden_layer_sizes": (32,), "max_iter": 5, "random_state": 3, "dropout": 0.25, **settings}
    one = SparseMLPClassifier(n_jobs=1, **params).fit(X, y)
    two = SparseMLPClassifier(n_jobs=2, **params).fit(X, y)
    assert_same_weights(one, two)
    assert one.loss_curve_ == two.loss_curve_


def test_sampled_output_is_bit_identical_across_thread_counts():
    X, Y = make_extreme_classification(600, 400, 2000, random_state=0)
    params = dict(hidden_layer_sizes=(32,), max_iter=2, random_state=1, dropout=0.2, output_sparsity=0.05)
    one = SparseMLPClassifier(n_jobs=1, **params).fit(X, Y)
    two = SparseMLPClassifier(n_jobs=2, **params).fit(X, Y)
    assert one.network_.output_sampler is not None
    assert_same_weights(one, two)
    assert np.isfinite(one.loss_curve_).all()


def test_prediction_uses_every_activation_unscaled():
    # inverted dropout: training scales the kept activations, so inference is the plain network
    X, y = blobs()
    clf = SparseMLPClassifier((32,), max_iter=5, random_state=0, dropout=0.5).fit(X, y)
    np.testing.assert_allclose(clf.decision_function(X), clf.network_.logits(X), rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))


def test_partial_fit_and_a_pickled_model_keep_training_with_dropout():
    X, y = blobs()
    clf = SparseMLPClassifier((16,), random_state=0, dropout=0.3)
    clf.partial_fit(X, y, classes=np.unique(y))
    copy = pickle.loads(pickle.dumps(clf))
    assert copy.dropout == 0.3
    clf.partial_fit(X, y)
    copy.partial_fit(X, y)
    assert_same_weights(clf, copy)
    assert clone(clf).get_params()["dropout"] == 0.3


@pytest.mark.parametrize("rate", [-0.1, 1.0, 2, "half"])
def test_a_rate_outside_zero_to_one_is_refused_by_name(rate):
    X, y = blobs(n_rows=40)
    with pytest.raises((ValueError, TypeError), match="dropout"):
        SparseMLPClassifier(dropout=rate).fit(X, y)


def test_a_model_saved_before_dropout_existed_trains_without_it():
    X, y = blobs()
    clf = SparseMLPClassifier((16,), max_iter=3, random_state=0).fit(X, y)
    state = clf.__getstate__()
    state.pop("dropout")
    old = SparseMLPClassifier.__new__(SparseMLPClassifier)
    old.__setstate__(state)
    assert old.dropout == 0.0
    old.partial_fit(csr_for_engine(X), y)
    assert np.isfinite(old.loss_curve_).all()
