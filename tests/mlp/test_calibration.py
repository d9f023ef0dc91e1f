"""calibration="temperature": a temperature fitted on held-out rows divides the logits of
every probability the model answers, and changes none of its predictions."""
import pickle

import numpy as np
import pytest
from scipy import sparse
from scipy.special import softmax
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator

from conftest import small_model
from sparsenet import SparseMLPClassifier, UDTClassifier, load
from sparsenet.mlp._calibration import fit_temperature
from sparsenet.mlp._targets import EncodedTargets


class FixedLogits:
    """Stands in for a Network: answers the same logits for the rows it is given."""

    def __init__(self, logits):
        self.all_logits = logits.astype(np.float32)
        self.n_outputs = logits.shape[1]

    def logits(self, X, n_threads):
        return self.all_logits[np.asarray(X.todense()).ravel().astype(int)]


def held_out_rows(labels):
    """(X, targets) where X's only column is the row number, read back by FixedLogits."""
    n = len(labels)
    X = sparse.csr_matrix(np.arange(n, dtype=np.float64)[:, None])
    return X, EncodedTargets(np.arange(n + 1), labels)


@pytest.mark.parametrize("true_temperature", [0.5, 1.0, 2.5])
def test_fitted_temperature_recovers_the_one_that_drew_the_labels(true_temperature):
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(20_000, 6))
    labels = np.array([rng.choice(6, p=p) for p in softmax(logits / true_temperature, axis=1)])
    X, targets = held_out_rows(labels)
    fitted = fit_temperature(FixedLogits(logits), (X, targets), binary=False, n_threads=1)
    assert fitted == pytest.approx(true_temperature, rel=0.06)


@pytest.fixture(scope="module")
def noisy_problem():
    """A 4-class problem with label noise, so an unregularised network (no dropout, no early
    stopping) is overconfident."""
    X, y = make_classification(n_samples=2100, n_features=30, n_informative=10, n_classes=4, flip_y=0.15,
                               random_state=0)
    return X[:1500], y[:1500], X[1500:], y[1500:]


@pytest.fixture(scope="module")
def calibrated(noisy_problem):
    X, y, _, _ = noisy_problem
    return small_model(hidden_layer_sizes=(64,), max_iter=80, calibration="temperature", early_stopping=False,
                       dropout=0.0).fit(X, y)


def mean_nll(proba, y):
    return -np.mean(np.log(proba[np.arange(len(y)), y]))


def test_calibration_lowers_the_test_log_loss_of_an_overconfident_network(noisy_problem, calibrated):
    X, y, X_test, y_test = noisy_problem
    uncalibrated = small_model(hidden_layer_sizes=(64,), max_iter=80, early_stopping=False, dropout=0.0).fit(X, y)
    assert uncalibrated.temperature_ == 1.0
    assert calibrated.temperature_ > 1.2  # 80 epochs on noisy labels: overconfident
    assert mean_nll(calibrated.predict_proba(X_test), y_test) < 0.9 * mean_nll(
        uncalibrated.predict_proba(X_test), y_test)


def test_every_probability_of_a_calibrated_model_is_tempered_alike(noisy_problem, calibrated):
    _, _, X_test, _ = noisy_problem
    proba = calibrated.predict_proba(X_test)
    logits = calibrated.decision_function(X_test)
    np.testing.assert_allclose(proba, softmax(logits / calibrated.temperature_, axis=1), rtol=1e-10)
    np.testing.assert_allclose(np.exp(calibrated.predict_log_proba(X_test)), proba, rtol=1e-10)
    labels, top = calibrated.predict_topk(X_test, k=2, return_scores=True)
    np.testing.assert_allclose(top, np.take_along_axis(proba, np.searchsorted(calibrated.classes_, labels), 1),
                               rtol=1e-6)
    np.testing.assert_array_equal(calibrated.predict(X_test), calibrated.classes_[logits.argmax(axis=1)])


def test_temperature_is_identical_for_any_thread_count(noisy_problem, calibrated):
    X, y, _, _ = noisy_problem
    two_threads = small_model(hidden_layer_sizes=(64,), max_iter=80, calibration="temperature", early_stopping=False,
                              dropout=0.0, n_jobs=2).fit(X, y)
    assert two_threads.temperature_ == calibrated.temperature_


def test_early_stopping_scores_on_the_rows_calibration_holds_out(noisy_problem):
    X, y, _, _ = noisy_problem
    model = small_model(max_iter=30, calibration="temperature", early_stopping=True).fit(X, y)
    assert model.validation_scores_ and model.temperature_ != 1.0
    # one held-out tenth, not a tenth of the remaining nine tenths as well
    assert model.t_ == model.n_iter_ * (len(y) - int(np.ceil(0.1 * len(y))))


def test_the_temperature_survives_pickle_and_the_model_file(tmp_path, noisy_problem, calibrated):
    _, _, X_test, _ = noisy_problem
    expected = calibrated.predict_proba(X_test)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(calibrated)).predict_proba(X_test), expected)
    calibrated.save(tmp_path / "calibrated.spn")
    np.testing.assert_array_equal(load(tmp_path / "calibrated.spn").predict_proba(X_test), expected)


def test_calibration_refuses_what_it_cannot_calibrate(sparse_multilabel):
    X, Y = sparse_multilabel
    with pytest.raises(ValueError, match="multi-label"):
        small_model(max_iter=2, calibration="temperature").fit(X, Y)
    y = np.arange(X.shape[0]) % 200  # 200 classes, a sampled output layer
    model = SparseMLPClassifier((16,), max_iter=1, output_sparsity=0.1, calibration="temperature")
    with pytest.raises(ValueError, match="output_sparsity=1.0"):
        model.fit(X, y)
    assert not hasattr(model, "network_")  # refused before anything was set up
    with pytest.raises(ValueError, match="calibration"):
        small_model(calibration="isotonic").fit(X, y)


def test_udt_rejects_by_the_calibrated_probability():
    texts = [f"{word} request number {i % 7}" for i, word in enumerate(["book", "play", "call"] * 200)]
    labels = np.array([text.split()[0] for text in texts])
    model = UDTClassifier(calibration="temperature", random_state=0, n_jobs=1).fit(texts, labels)
    assert model.temperature_ == model.classifier_.temperature_ != 1.0
    proba = model.predict_proba(["book request", "zebra"])
    threshold = proba.max(axis=1).mean()
    answered = model.predict(["book request", "zebra"], reject_below=threshold, rejected_label="?")
    np.testing.assert_array_equal(answered == "?", proba.max(axis=1) < threshold)


def test_isotonic_calibration_through_scikit_learn(noisy_problem):
    X, y, X_test, y_test = noisy_problem
    model = small_model(hidden_layer_sizes=(64,), max_iter=80, early_stopping=False, dropout=0.0).fit(X[:1000], y[:1000])
    isotonic = CalibratedClassifierCV(FrozenEstimator(model), method="isotonic").fit(X[1000:], y[1000:])
    proba = isotonic.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert mean_nll(np.clip(proba, 1e-6, 1), y_test) < mean_nll(model.predict_proba(X_test), y_test)
