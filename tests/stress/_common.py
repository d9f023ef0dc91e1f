"""What every stress module shares: hypothesis settings, the example count, a note of the
example in progress (so that a crash or a hang can be traced to its input), and the
properties every answer of a classifier must have.

The modules here run inside a child process started by test_stress.py (see _runner.py):
they are plain modules, not test files, so pytest never imports them in its own process.
"""
import functools
import os
import reprlib
import warnings

import numpy as np
from hypothesis import HealthCheck, Phase, settings
from scipy import sparse

# every example counted by the @counted wrapper, by fuzz function name
COUNTS = {}
# a clear refusal: scikit-learn's InvalidParameterError subclasses both
REFUSALS = (ValueError, TypeError)
# tolerances for float32 engine scores compared in float64
PROB_TOL = 1e-5
_NOTE_FD = None
_NOTE_REPR = reprlib.Repr()
_NOTE_REPR.maxstring = _NOTE_REPR.maxother = 400
_NOTE_REPR.maxlist = _NOTE_REPR.maxtuple = _NOTE_REPR.maxdict = 40


def stress_settings(max_examples, **overrides):
    """Hypothesis settings for a fuzz function: reproducible (derandomized, no database),
    no deadline (CI machines vary), health checks off (strategies build arrays and models).

    Parameters
    ----------
    max_examples : int
        Examples the function must run; the parent test asserts that many ran.
    **overrides
        Other hypothesis settings.
    """
    options = dict(
        max_examples=max_examples, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck), print_blob=False,
        # no "explain" phase: it reruns failing examples many times over and says little here
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
    )
    options.update(overrides)
    return settings(**options)


def open_note(path):
    """Make ``counted`` write the example in progress to ``path`` (read by the parent when
    the child dies or hangs)."""
    global _NOTE_FD
    _NOTE_FD = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)


def note_example(name, kwargs):
    """Record the example about to run: bump its count and overwrite the note file.

    Parameters
    ----------
    name : str
        The fuzz function's name.
    kwargs : dict
        The example's arguments, as hypothesis passes them.
    """
    COUNTS[name] = COUNTS.get(name, 0) + 1
    if _NOTE_FD is None:
        return
    data = f"{name} example {COUNTS[name]}: {describe_arguments(kwargs)}".encode("utf-8", "backslashreplace")
    os.lseek(_NOTE_FD, 0, os.SEEK_SET)
    os.write(_NOTE_FD, data)
    os.ftruncate(_NOTE_FD, len(data))


def note_more(text):
    """Append to the note of the example in progress."""
    if _NOTE_FD is not None:
        os.lseek(_NOTE_FD, 0, os.SEEK_END)
        os.write(_NOTE_FD, text.encode("utf-8", "backslashreplace"))


class NotedData:
    """hypothesis's ``data`` argument, noting every draw (a crash leaves no falsifying
    example: the note is what tells the draws)."""

    def __init__(self, data):
        self._data = data
        self.draws = []

    def draw(self, strategy, label=None):
        """``data.draw``, the value also noted."""
        value = self._data.draw(strategy, label=label)
        with np.printoptions(threshold=200, edgeitems=5):
            text = f"{label or 'draw'}={describe(value)}"
        self.draws.append(text)
        note_more(f", {text}")
        return value

    def __repr__(self):
        return f"data(draws: {'; '.join(self.draws)})"


def describe_arguments(kwargs):
    """The arguments of an example as ``name=description, ...`` (see describe)."""
    with np.printoptions(threshold=200, edgeitems=5):
        return ", ".join(f"{key}={describe(value)}" for key, value in kwargs.items())


def describe(value):
    """A short, reproducible description of an argument (sparse matrices as their arrays).

    Parameters
    ----------
    value : object
        Any example argument.

    Returns
    -------
    str
    """
    if sparse.issparse(value):
        parts = {name: getattr(value, name) for name in ("data", "indices", "indptr", "row", "col")
                 if hasattr(value, name)}
        return f"{type(value).__name__}(shape={value.shape}, dtype={value.dtype}, " + ", ".join(
            f"{name}={np.asarray(array)!r}" for name, array in parts.items()) + ")"
    if isinstance(value, np.ndarray):
        return f"np.{value!r}"
    if isinstance(value, (tuple, list)) and len(value) <= 10:
        inner = ", ".join(describe(item) for item in value)
        return f"({inner},)" if isinstance(value, tuple) else f"[{inner}]"
    return _NOTE_REPR.repr(value)


def counted(function):
    """Count each example of a fuzz function and note it (put it just above the ``def``,
    below ``@given``, so that hypothesis calls it once per example)."""
    @functools.wraps(function)
    def run_one(*args, **kwargs):
        kwargs = {key: NotedData(value) if type(value).__name__ == "DataObject" else value
                  for key, value in kwargs.items()}
        note_example(function.__name__, kwargs)
        try:
            with warnings.catch_warnings():
                # warnings (convergence, few samples per class) are answers, not failures
                warnings.simplefilter("ignore")
                return function(*args, **kwargs)
        except Exception as error:
            # hypothesis prints a sparse matrix as its shape only: add its arrays
            if hasattr(error, "add_note"):  # Python 3.11+
                error.add_note(f"example arguments: {describe_arguments(kwargs)}")
            raise
    return run_one


def refused_clearly(error):
    """Assert that an exception is a clear refusal: a ValueError or TypeError with a message.

    Parameters
    ----------
    error : BaseException
    """
    assert isinstance(error, REFUSALS), f"{type(error).__name__} is not a ValueError/TypeError: {error!r}"
    assert str(error).strip(), f"{type(error).__name__} raised with an empty message"


def attempt(call, *args, **kwargs):
    """Run ``call``; return ``(result, None)``, or ``(None, error)`` for a clear refusal.
    Any other exception propagates (and fails the example).

    Returns
    -------
    tuple
    """
    try:
        return call(*args, **kwargs), None
    except REFUSALS as error:
        refused_clearly(error)
        return None, error


def check_probabilities(proba, n_rows, n_classes, sums_to_one):
    """predict_proba's answer: shape, finite, in [0, 1], and rows summing to one where the
    model's loss says so."""
    assert isinstance(proba, np.ndarray) and proba.shape == (n_rows, n_classes), np.shape(proba)
    assert np.isfinite(proba).all(), f"predict_proba is not finite: {proba}"
    assert (proba >= 0).all() and (proba <= 1 + PROB_TOL).all(), f"probabilities outside [0, 1]: {proba}"
    if sums_to_one:
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)


def network_of(model):
    """The SparseMLPClassifier behind a model (UDTClassifier's classifier_, or itself)."""
    return getattr(model, "classifier_", model)


def binary_loss(model):
    """Whether the fitted output layer is one sigmoid per output. The ``loss`` parameter may
    have been changed since the last training call (it applies from the next one), so this
    reads the loss the model was trained with, which no public attribute states."""
    return bool(network_of(model)._binary_outputs)


def sums_to_one(model, multilabel):
    """Whether predict_proba rows sum to one: all but the per-label sigmoids of a
    multi-label model."""
    return not (multilabel and binary_loss(model))


def check_answers(model, X, n_rows, *, multilabel=False, sparse_targets=False, k=1, expected_proba=None):
    """Every prediction method on an accepted X: the properties the docs promise.

    Parameters
    ----------
    model : fitted SparseMLPClassifier or UDTClassifier
    X : input the model accepted
    n_rows : int
        Rows of X.
    multilabel, sparse_targets : bool
        Whether the model was fitted on an indicator y, and a sparse one.
    k : int
        k for predict_topk (clipped to the number of classes).
    expected_proba : ndarray or None
        predict_proba that X must reproduce (e.g. the dense equivalent of a sparse X).

    Returns
    -------
    proba : ndarray
        predict_proba(X).
    """
    classes = model.classes_
    n_classes = len(classes)
    proba = model.predict_proba(X)
    check_probabilities(proba, n_rows, n_classes, sums_to_one(model, multilabel))
    if expected_proba is not None:
        np.testing.assert_allclose(proba, expected_proba, rtol=1e-4, atol=1e-6)
    log_proba = model.predict_log_proba(X)
    assert log_proba.shape == proba.shape and not np.isnan(log_proba).any()
    assert (log_proba <= PROB_TOL).all(), "log probabilities above 0"
    np.testing.assert_allclose(np.exp(log_proba), proba, rtol=1e-4, atol=1e-7)
    scores = model.decision_function(X)
    two_classes = n_classes == 2 and not multilabel
    assert scores.shape == ((n_rows,) if two_classes else (n_rows, n_classes)), scores.shape
    assert np.isfinite(scores).all(), f"decision_function is not finite: {scores}"
    predicted = model.predict(X)
    if multilabel:
        assert sparse.issparse(predicted) == sparse_targets
        dense = predicted.toarray() if sparse.issparse(predicted) else np.asarray(predicted)
        assert dense.shape == (n_rows, n_classes) and np.isin(dense, (0, 1)).all()
        # kept: probability 0.5 or more (sigmoids), or half the row's highest (softmax)
        threshold = 0.5 if binary_loss(model) else 0.5 * proba.max(axis=1, keepdims=True)
        clear = np.abs(proba - threshold) > 1e-5
        agrees = (dense.astype(bool) == (proba >= threshold))[clear]
        assert agrees.all(), "multi-label predict disagrees with predict_proba"
    else:
        assert predicted.shape == (n_rows,) and np.isin(predicted, classes).all(), predicted
        chosen = proba[np.arange(n_rows), np.searchsorted(classes, predicted)]
        assert (chosen >= proba.max(axis=1) - 1e-5).all(), "predict is not the most probable class"
    k = min(k, n_classes)
    labels, top = model.predict_topk(X, k, return_scores=True)
    assert labels.shape == (n_rows, k) and top.shape == (n_rows, k)
    assert np.isin(labels, classes).all()
    assert all(len(set(row.tolist())) == k for row in labels), "predict_topk repeats a label"
    assert np.isfinite(top).all() and (top >= 0).all() and (top <= 1 + PROB_TOL).all(), top
    assert (np.diff(top, axis=1) <= PROB_TOL).all(), "predict_topk scores not best first"
    if network_of(model).sampling_stats_ is None:
        exact_top = top  # a dense output layer's top-k is always exact
    else:
        exact_labels, exact_top = model.predict_topk(X, k, return_scores=True, exact=True)
        assert exact_labels.shape == (n_rows, k) and np.isfinite(exact_top).all()
    if multilabel or not binary_loss(model):
        # exact top-k scores are predict_proba's k highest (binary class labels excepted:
        # their predict_proba is normalised over the row, their top-k scores are not); the
        # engine's float32 log-normaliser loses about float32's epsilon times the largest
        # logit, in absolute terms
        tolerance = PROB_TOL + 1e-6 * float(np.abs(scores).max(initial=0.0))
        np.testing.assert_allclose(exact_top, -np.sort(-proba, axis=1)[:, :k], rtol=1e-4, atol=tolerance)
    return proba


def refusal_or_answers(model, X, n_rows, **expectations):
    """Every prediction method refuses X clearly, or none does and all answer as the docs
    promise (check_answers, with ``expectations``).

    Returns
    -------
    error : Exception or None
        predict_proba's refusal, or None when X was accepted.
    """
    _, error = attempt(model.predict_proba, X)
    if error is None:
        check_answers(model, X, n_rows, **expectations)
        return None
    others = {
        "predict_log_proba": model.predict_log_proba, "decision_function": model.decision_function,
        "predict": model.predict, "predict_topk": lambda data: model.predict_topk(data, 1),
    }
    answered = [name for name, call in others.items() if attempt(call, X)[1] is None]
    assert not answered, f"predict_proba refused this X ({error!r}) but {answered} answered"
    return error
