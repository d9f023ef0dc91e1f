"""Crossed columns' tokens: the values of two columns hashed together, one token a row.

A categorical column's value is its category, a numeric column's its quantile bin, and a
missing cell a value of its own ("missing" crossed with a category is a combination like
any other). Each cross is weighed as one more column: its token has weight 1 in a row
(with ``norm="l2"``), as a category has. ``crosses="auto"`` picks the pairs in ``fit``
from the labels (``_column_crosses.chosen_crosses``).
"""
import numpy as np

from sparsenet.udt._column_crosses import chosen_crosses
from sparsenet.udt._column_types import categories_as_utf8, column_label, column_position, numbers_as_float
from sparsenet.udt._featurizer_blocks import count_tokens

CROSSABLE_KINDS = ("categorical", "numeric")
MAX_CROSSES = 256  # each cross is a token in every row: more would swamp the columns themselves


def fitted_crosses(featurizer, table, y):
    """The (j, k) column pairs, j < k, that ``featurizer.crosses`` asks for on this table
    (the column types and bins fitted already); "auto" chooses them from the class labels
    ``y`` (none without labels, for a multi-label y, or for labels of another length)."""
    spec = featurizer.crosses
    types = featurizer.column_types_
    if spec is None:
        return []
    if isinstance(spec, str):  # "auto": the parameter constraints allow no other string
        classes = _class_codes(y, table.n_rows)
        candidates = [j for j, kind in enumerate(types) if kind in CROSSABLE_KINDS]
        # a pair holds a category: crossing two numbers' bins cost accuracy on every table of
        # continuous columns measured (the network reads their values and fits their interplay)
        anchors = [types[j] == "categorical" for j in candidates]
        if classes is None or len(candidates) < 2 or not any(anchors):
            return []
        codes = [value_codes(featurizer, j, table.columns[j], column_label(table.names, j)) for j in candidates]
        chosen = chosen_crosses(codes, classes, featurizer._seed(), anchors)
        return [(candidates[a], candidates[b]) for a, b in chosen]
    return _given_crosses(spec, types, table.names)


def _given_crosses(spec, types, names):
    pairs = []
    for pair in spec:
        if isinstance(pair, str) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise ValueError(f"crosses must list pairs of columns such as ('a', 'b'), got {pair!r}")
        j, k = sorted(column_position(key, names, len(types), parameter="crosses") for key in pair)
        if j == k:
            raise ValueError(f"crosses pairs {column_label(names, j)} with itself")
        for c in (j, k):
            if types[c] not in CROSSABLE_KINDS:
                raise ValueError(f"crosses: {column_label(names, c)} is a {types[c]} column; "
                                 f"only categorical and numeric columns can be crossed")
        if (j, k) in pairs:
            raise ValueError(f"crosses lists the pair {column_label(names, j)}, {column_label(names, k)} twice")
        pairs.append((j, k))
    if len(pairs) > MAX_CROSSES:
        raise ValueError(f"crosses lists {len(pairs)} pairs; at most {MAX_CROSSES} are allowed")
    return pairs


def _class_codes(y, n_rows):
    """1-D class labels as codes in [0, n_classes), or None for anything else."""
    if y is None:
        return None
    try:
        labels = np.asarray(y)
        if labels.ndim != 1 or len(labels) != n_rows:
            return None
        return np.unique(labels, return_inverse=True)[1].astype(np.int64)
    except (TypeError, ValueError):  # unorderable or ragged labels: the classifier names them
        return None


def value_codes(featurizer, j, values, label):
    """Column j's value per row as an int64 code: the category's hash or the number's bin;
    -1 where the cell is missing."""
    if featurizer.column_types_[j] == "categorical":
        buffer, offsets, missing = categories_as_utf8(values)
        codes = featurizer._category_hashes(j, buffer, offsets).astype(np.int64)
    else:
        x = numbers_as_float(values, label)
        missing = np.isnan(x)
        codes = np.searchsorted(featurizer.bin_edges_[j], x, side="right").astype(np.int64)
    codes[missing] = -1
    return codes


def cross_blocks(featurizer, table):
    """The CSR triple of each fitted cross of ``table``'s rows, in ``crosses_`` order."""
    pairs = getattr(featurizer, "crosses_", None) or ()  # absent in models saved before crosses
    crossed = sorted({c for pair in pairs for c in pair})
    codes = {j: value_codes(featurizer, j, table.columns[j], column_label(table.names, j)) for j in crossed}
    rows = np.arange(table.n_rows)
    blocks = []
    for j, k in pairs:
        joint = ((codes[j] + 1) << 32) | (codes[k] + 1)  # codes are in [-1, 2**31): no overlap
        salt = featurizer.n_features_in_ * (1 + j) + k  # one per pair, apart from every column's
        blocks.append(count_tokens(rows, featurizer._cross_hashes(salt, joint), table.n_rows,
                                   featurizer.feature_hash_range, featurizer.norm == "l2"))
    return blocks
