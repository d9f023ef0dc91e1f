"""Targets: y into the label ids the engine trains on, and back.

``TargetEncoder`` is the one owner of a model's label space: its classes, whether y is a
multi-label indicator, and whether that indicator was sparse (so that predictions stay
sparse too). The estimators expose its ``classes_``.
"""
from numbers import Number

import numpy as np
from scipy import sparse
from sklearn.utils.multiclass import check_classification_targets, is_multilabel
from sklearn.utils.validation import column_or_1d


class EncodedTargets:
    """Labels as the engine reads them: for row i, label ids indices[indptr[i]:indptr[i+1]]."""

    def __init__(self, indptr, indices):
        self.indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(indices, dtype=np.int32)

    @property
    def n_rows(self):
        return self.indptr.shape[0] - 1

    def take(self, rows):
        """The targets of a subset of rows, in the order given."""
        starts = self.indptr[rows]
        lengths = self.indptr[np.asarray(rows) + 1] - starts
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        # position of every kept label: its row's start plus its offset within the row
        offsets = np.arange(indptr[-1]) - np.repeat(indptr[:-1], lengths)
        return EncodedTargets(indptr, self.indices[np.repeat(starts, lengths) + offsets])

    def label_counts(self, n_labels):
        """How often each label id occurs."""
        used = self.indices[: self.indptr[-1]]
        return np.bincount(used, minlength=n_labels)[:n_labels]


def is_indicator_matrix(y):
    """True for a 2-D multi-label indicator y (dense or sparse) with more than one column."""
    return y is not None and is_multilabel(y)


def multiclass_labels(y):
    """Validate a 1-D target of class labels (a column vector is accepted with a warning)."""
    if y is None:
        raise ValueError("this classifier requires y to be passed, but the target y is None")
    y = label_array(y, "y", warn=True)
    check_classification_targets(y)
    return y


def label_array(labels, name, warn=False):
    """Labels (y, or partial_fit's classes) as a 1-D array, refusing missing labels (None,
    NaN, pandas.NA) and labels of mixed types, with the row of the first offending label.

    scikit-learn would call both an "unknown" label type, and NumPy would quietly turn the
    numbers of a list mixing numbers and strings into strings (and NaN into "nan").
    """
    array = column_or_1d(labels, warn=warn)
    if array.dtype.kind == "f":
        missing = np.flatnonzero(np.isnan(array))
        if missing.size:
            raise missing_label_error(name, np.nan, missing[0])
    elif array.dtype.kind in "OU":
        # strings NumPy made from a list: check the labels as given
        given = np.asarray(labels, dtype=object).ravel() if isinstance(labels, (list, tuple)) else array
        if label_kinds(given, name) == {"number"} and array.dtype.kind == "O":
            array = np.asarray(array.tolist())  # numbers held as objects: read like a list of them
    return array


def label_kinds(labels, name):
    """The kinds of an object array of labels ("str", "number" or a type name), when they
    are one kind and none is missing; else a ValueError naming the row (a mix, as
    scikit-learn's unique_labels says, is a ValueError too)."""
    if all(issubclass(kind, str) for kind in set(map(type, labels))):
        return {"str"}  # the common case, without a loop in Python
    first_of_kind = {}
    for i, label in enumerate(labels):
        if is_missing_label(label):
            raise missing_label_error(name, label, i)
        first_of_kind.setdefault(label_kind(label), i)
    if len(first_of_kind) > 1:
        place = "row" if name == "y" else "position"
        examples = [f"{labels[i]!r} ({type(labels[i]).__name__}) at {place} {i}" for i in first_of_kind.values()]
        raise ValueError(f"{name} mixes labels of different types: {', '.join(examples)}; give every label "
                         "the same type (e.g. convert them all to str)")
    return set(first_of_kind)


def is_missing_label(label):
    """None, NaN and pandas.NA/NaT: no label at all."""
    if label is None:
        return True
    if isinstance(label, (float, np.floating)):
        return bool(np.isnan(label))
    return type(label).__name__ in ("NAType", "NaTType")


def label_kind(label):
    """What a label is, for the mixed-types check: strings and numbers do not mix."""
    if isinstance(label, str):
        return "str"
    return "number" if isinstance(label, Number) else type(label).__name__


def missing_label_error(name, label, i):
    if name == "y":
        return ValueError(f"y contains {label!r} (a missing label) at row {i}: drop the unlabelled rows, "
                          "or give them a label")
    return ValueError(f"{name} contains {label!r} (a missing label) at position {i}: list only real classes")


def sorted_classes(y):
    """Sorted unique labels; a clear TypeError for labels of mixed, unorderable types."""
    try:
        return np.unique(y)
    except TypeError as error:
        kinds = sorted({type(v).__name__ for v in y})
        raise TypeError(f"labels must be of one orderable type, got a mix of {kinds}") from error


class TargetEncoder:
    """The label space of a model: ``classes_`` (class labels, or the column indices of a
    multi-label indicator), ``multilabel`` and ``sparse_targets``."""

    def __init__(self, classes, multilabel, sparse_targets):
        self.classes_ = classes
        self.multilabel = multilabel
        self.sparse_targets = sparse_targets

    @property
    def n_classes(self):
        return len(self.classes_)

    @classmethod
    def from_targets(cls, y):
        """The label space of a training y (class labels or an indicator matrix)."""
        if is_indicator_matrix(y):
            return cls(np.arange(np.shape(y)[1]), True, sparse.issparse(y))
        return cls(sorted_classes(multiclass_labels(y)), False, False)

    @classmethod
    def from_declared_classes(cls, y, classes):
        """The label space of partial_fit's first call: ``classes`` lists every class y will
        ever hold (required for class labels; for an indicator y, its columns)."""
        if is_indicator_matrix(y):
            n_labels = np.shape(y)[1]
            if classes is not None and len(classes) != n_labels:
                raise ValueError(f"classes has {len(classes)} entries but y has {n_labels} label columns")
            return cls(np.arange(n_labels), True, sparse.issparse(y))
        if classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: every label that "
                "will ever appear in y (e.g. classes=np.unique(y_all))"
            )
        classes = label_array(classes, "classes")
        if classes.shape[0] == 0:
            raise ValueError("classes must list at least one class, got an empty array")
        return cls(sorted_classes(classes), False, False)

    def encode(self, y, n_samples):
        """y -> EncodedTargets; its kind must match this label space and its labels be known."""
        if is_indicator_matrix(y):
            if not self.multilabel:
                raise ValueError("y is a multi-label indicator, but the model was fitted on class labels")
            y = y if sparse.issparse(y) else np.asarray(y)
            if y.shape[0] != n_samples:
                raise ValueError(f"X has {n_samples} rows but y has {y.shape[0]}")
            return self._encode_indicator(y)
        if self.multilabel:
            raise ValueError("y holds class labels, but the model was fitted on a multi-label indicator")
        y = multiclass_labels(y)
        if y.shape[0] != n_samples:
            raise ValueError(f"X has {n_samples} rows but y has {y.shape[0]}")
        return self._encode_labels(y)

    def _encode_indicator(self, y):
        Y = sparse.csr_matrix(y if sparse.issparse(y) else np.asarray(y))
        if Y.shape[1] != self.n_classes:
            raise ValueError(f"y has {Y.shape[1]} label columns, but the model was fitted with {self.n_classes}")
        Y.eliminate_zeros()
        Y.sum_duplicates()
        # scikit-learn takes any two integer values for an indicator: a -1/1 y would train
        # every label on every row
        stored = np.unique(Y.data)
        if stored.size and not np.array_equal(stored, [1]):
            raise ValueError(
                f"a multi-label indicator y must hold only 0 and 1 (or booleans), found "
                f"{stored[stored != 1][:5].tolist()}; for a -1/1 y, pass (y == 1)"
            )
        return EncodedTargets(Y.indptr, Y.indices)

    def _encode_labels(self, y):
        """Map labels to ids 0..n_classes-1; an unseen label is a ValueError that names it."""
        classes = self.classes_
        ids = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
        unseen = classes[ids] != y
        if np.any(unseen):
            examples = list(dict.fromkeys(np.asarray(y)[unseen].tolist()))[:5]
            raise ValueError(
                f"y contains labels not in classes {list(classes[:10])}"
                f"{'...' if len(classes) > 10 else ''}: {examples}"
            )
        return EncodedTargets(np.arange(len(y) + 1), ids)

    def indicator(self, blocks):
        """Boolean (rows, n_classes) blocks of kept labels, stacked, as the model's
        multi-label prediction: sparse CSR when the model was fitted on a sparse y, else
        dense."""
        stacked = sparse.vstack([sparse.csr_matrix(keep, dtype=np.int64) for keep in blocks], format="csr") \
            if blocks else sparse.csr_matrix((0, self.n_classes), dtype=np.int64)
        return stacked if self.sparse_targets else stacked.toarray()
