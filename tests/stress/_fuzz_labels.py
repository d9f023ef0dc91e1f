"""Fuzzing y: class labels of every type (ints up to int64's bounds, strings of any Unicode,
integral floats, booleans, mixed lists, one class), multi-label indicator matrices dense and
sparse (rows without labels, labels never present), and targets that must be refused
(continuous floats, None, NaN, multi-output classes, a wrong length).

Properties: accepted targets give classes_ = the sorted distinct labels (column indices
for an indicator), and every prediction method answers as check_answers says; refused
ones raise a clear ValueError/TypeError; partial_fit refuses labels outside ``classes``.
"""
import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from _common import attempt, check_answers, counted, stress_settings
from _models import N_FEATURES, problem, tiny

# label strings: empty, whitespace, combining marks, emoji, right-to-left, NUL
HOSTILE_TEXT = st.one_of(st.text(max_size=6), st.sampled_from(["", " ", "\x00", "e\u0301", "\U0001F600", "\u05d0\u05d1",
                                                                "\u202e", "None", "nan", "0", "1"]))
MUST_ACCEPT = {"int", "bigint", "uint64", "str", "integral_float", "bool", "one_class",
               "categorical", "series", "column_vector", "indicator", "indicator_bool", "indicator_sparse",
               "indicator_no_labels"}
MUST_REFUSE = {"continuous", "with_none", "with_nan", "multioutput", "wrong_length", "empty_indicator_columns"}
# labels of mixed types: read as strings, or refused clearly; a -1/1 "indicator": refused,
# or read with -1 as an absent label (never as a present one)
KINDS = sorted(MUST_ACCEPT | MUST_REFUSE | {"mixed_list", "mixed_object", "indicator_signed"})


@st.composite
def targets(draw, n_rows):
    """(y, kind) for n_rows rows; kind says which of MUST_ACCEPT / MUST_REFUSE it is."""
    kind = draw(st.sampled_from(KINDS))
    n_classes = draw(st.integers(1, 4))

    def pick(pool):
        # every class of the pool used at least once when the rows allow it
        chosen = [pool[i % len(pool)] for i in range(n_rows)]
        return [chosen[i] for i in draw(st.permutations(range(n_rows)))]

    if kind in ("int", "series", "column_vector", "wrong_length"):
        y = np.array(pick(draw(st.lists(st.integers(-5, 5), min_size=n_classes, max_size=n_classes, unique=True))))
        y = pd.Series(y) if kind == "series" else y.reshape(-1, 1) if kind == "column_vector" else y
        return (np.concatenate([y, y[:1]]) if kind == "wrong_length" else y), kind
    if kind == "bigint":
        return np.array(pick([-(2**63), 2**63 - 1, 0, 2**62][:n_classes]), dtype=np.int64), kind
    if kind == "uint64":
        return np.array(pick([2**64 - 1, 0, 2**63][: min(n_classes, 3)]), dtype=np.uint64), kind
    if kind in ("str", "categorical"):
        pool = draw(st.lists(HOSTILE_TEXT, min_size=n_classes, max_size=n_classes, unique=True))
        y = pick(pool)
        return (pd.Series(pd.Categorical(y)) if kind == "categorical" else y), kind
    if kind == "integral_float":
        return np.array(pick([-1.0, 0.0, 2.0, 1e15][:n_classes])), kind
    if kind == "continuous":
        values = pick(draw(st.lists(st.floats(-10, 10).filter(lambda v: v != int(v)), min_size=1, max_size=4)))
        return np.array(values), kind
    if kind == "bool":
        return np.array(pick([True, False][: min(n_classes, 2)])), kind
    if kind == "mixed_list":
        return pick([1, "a", 2.5, "b"][: max(2, n_classes)]), kind
    if kind == "mixed_object":
        return np.array(pick([1, "a", 2.5, None][: max(2, n_classes)]), dtype=object), kind
    if kind == "one_class":
        return [draw(HOSTILE_TEXT)] * n_rows, kind
    if kind in ("with_none", "with_nan"):
        y = np.array(pick([0, 1, 2][:n_classes]), dtype=object if kind == "with_none" else float)
        y[draw(st.integers(0, n_rows - 1))] = None if kind == "with_none" else np.nan
        return y, kind
    if kind == "multioutput":
        # three or more distinct values: classes per output, not an indicator
        return np.array([[i % 3, 2, 3 + i % 2] for i in range(n_rows)]), kind
    n_labels = draw(st.integers(2, 6))
    if kind == "empty_indicator_columns":
        return np.zeros((n_rows, 0), dtype=int), kind
    density = 0.0 if kind == "indicator_no_labels" else draw(st.sampled_from([0.2, 0.5, 1.0]))
    Y = (np.random.default_rng(draw(st.integers(0, 2**32 - 1))).random((n_rows, n_labels)) < density).astype(int)
    if kind == "indicator_bool":
        return Y.astype(bool), kind
    if kind == "indicator_signed":
        return 2 * Y - 1, kind
    if kind == "indicator_sparse":
        form = draw(st.sampled_from([sparse.csr_matrix, sparse.csc_matrix, sparse.coo_matrix, sparse.csr_array]))
        return form(Y), kind
    return Y, kind


def expected_classes(y, kind):
    """classes_ an accepted y must give."""
    if kind.startswith("indicator"):
        return np.arange(y.shape[1])
    return np.unique(np.asarray(y).ravel())


def fitted_or_refused(model, X, y, kind, call):
    """Run a training call and check the outcome against the kind of y; return the model
    when it was fitted."""
    _, error = attempt(call)
    if kind in MUST_ACCEPT:
        assert error is None, f"a y of kind {kind!r} was refused: {error!r}"
    if kind in MUST_REFUSE:
        assert error is not None, f"a y of kind {kind!r} was accepted"
    return None if error is not None else model


@stress_settings(1200)
@given(data=st.data(), n_rows=st.integers(1, 12), max_iter=st.integers(1, 2),
       loss=st.sampled_from(["auto", "softmax", "binary"]), output_sparsity=st.sampled_from(["auto", 0.5]))
@counted
def fuzz_fit_on_targets(data, n_rows, max_iter, loss, output_sparsity):
    y, kind = data.draw(targets(n_rows), label="y")
    X, _ = problem(n_rows, seed=n_rows)
    model = tiny(max_iter=max_iter, loss=loss, output_sparsity=output_sparsity)
    if fitted_or_refused(model, X, y, kind, lambda: model.fit(X, y)) is None:
        return
    multilabel = kind.startswith("indicator")
    classes = expected_classes(y, kind)
    assert len(model.classes_) == len(classes) and (model.classes_ == classes).all(), (model.classes_, classes)
    # label_counts_: how often each class occurred (for an indicator, its 1s)
    if multilabel:
        counts = np.asarray((sparse.csr_matrix(y) == 1).sum(axis=0)).ravel()
    else:
        counts = (np.asarray(y).reshape(-1, 1) == np.asarray(classes).reshape(1, -1)).sum(axis=0)
    assert (model.label_counts_ == counts).all(), f"label_counts_ {model.label_counts_} for a y that has {counts}"
    check_answers(model, X, n_rows, multilabel=multilabel, sparse_targets=sparse.issparse(y),
                  k=data.draw(st.integers(1, 3), label="k"))


def unknown_label(classes):
    """A label of the same type as ``classes`` that is not one of them (None if none is
    at hand, e.g. both booleans or int64's largest value)."""
    if classes.dtype.kind in "UO":
        return f"not a class {len(classes)}"
    if classes.dtype.kind == "b":
        missing = [value for value in (False, True) if value not in classes]
        return missing[0] if missing else None
    if classes.dtype.kind == "f" or classes.max() < np.iinfo(classes.dtype).max:
        return classes.max() + 1
    return None


@stress_settings(600)
@given(data=st.data(), n_rows=st.integers(1, 10), extra=st.integers(0, 3), calls=st.integers(1, 3))
@counted
def fuzz_partial_fit_classes(data, n_rows, extra, calls):
    """partial_fit with declared classes: every declared class is a class of the model, and
    labels outside them are refused."""
    y, kind = data.draw(targets(n_rows), label="y")
    X, _ = problem(n_rows, seed=n_rows)
    model = tiny()
    multilabel = kind.startswith("indicator")
    classes = None
    if not multilabel and kind in MUST_ACCEPT | {"wrong_length"}:
        classes = np.unique(np.asarray(y).ravel())
        for _ in range(extra):
            # classes declared up front that never appear in y
            label = unknown_label(classes)
            if label is not None:
                classes = np.unique(np.append(classes, label))
    if fitted_or_refused(model, X, y, kind, lambda: model.partial_fit(X, y, classes=classes)) is None:
        return
    if classes is not None:
        assert list(model.classes_) == list(np.unique(classes)), (model.classes_, classes)
    for _ in range(calls - 1):
        model.partial_fit(X, y)
    check_answers(model, X, n_rows, multilabel=multilabel, sparse_targets=sparse.issparse(y))
    unknown = None if multilabel else unknown_label(model.classes_)
    if unknown is not None:
        _, error = attempt(model.partial_fit, X[:1], [unknown])
        assert error is not None, f"partial_fit accepted the label {unknown!r} outside classes_"


@stress_settings(600)
@given(n_rows=st.integers(1, 8), n_features=st.sampled_from([1, N_FEATURES]),
       y=st.lists(st.integers(0, 2), min_size=1, max_size=8))
@counted
def fuzz_rows_and_targets_disagree(n_rows, n_features, y):
    """X and y of different lengths are refused by fit and partial_fit alike."""
    X = np.ones((n_rows, n_features))
    matching = len(y) == n_rows
    for call in (lambda: tiny().fit(X, y), lambda: tiny().partial_fit(X, y, classes=[0, 1, 2])):
        _, error = attempt(call)
        assert (error is None) == matching, error
