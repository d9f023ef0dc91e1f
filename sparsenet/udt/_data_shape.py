"""What UDTClassifier's "auto" settings look at in the training data: its DataShape."""
from typing import NamedTuple

import numpy as np


class DataShape(NamedTuple):
    """What the "auto" settings look at: rows, raw columns, the text they hold, the labels."""

    n_rows: int
    n_columns: int
    n_text_values: int
    text_chars: int
    n_labels: int = 2
    numbers_only: bool = False  # every column numeric

    @classmethod
    def of(cls, table, column_types, n_labels=2):
        """The shape of a Table whose columns have the given types (the featurizer's)."""
        n_values = chars = 0
        for column, kind in zip(table.columns, column_types):
            if kind == "text":
                lengths = [len(value) for value in column if isinstance(value, str)]
                n_values += len(lengths)
                chars += sum(lengths)
        return cls(table.n_rows, len(table.columns), n_values, chars, n_labels, all_numeric(column_types))


def all_numeric(column_types):
    """Whether every column of these types is numeric."""
    return all(kind == "numeric" for kind in column_types)


def count_labels(y, classes=None):
    """How many labels y (or ``classes``) holds: columns of a 2-D indicator, distinct
    values of 1-D labels. Malformed y counts as 2: the network's own checks name the problem."""
    try:
        if classes is not None:
            return max(len(np.unique(np.asarray(classes, dtype=object))), 2)
        if getattr(y, "ndim", 1) == 2 or (isinstance(y, list) and y and isinstance(y[0], (list, tuple, np.ndarray))):
            return max(np.shape(y)[1], 2)
        return max(len(np.unique(np.asarray(y, dtype=object))), 2)
    except (TypeError, ValueError, IndexError):
        return 2
