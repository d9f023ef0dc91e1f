"""A one-row table's features, merged in Python instead of by NumPy column blocks.

A featurizer builds a table's features a column at a time: each column's tokens merged
into a CSR block (sorted, repeats summed, normalised), a numeric value added, then the
blocks summed. On a batch each step is a few vectorised calls; on the one row of a service
request those calls cost far more than their arithmetic (a dozen columns took milliseconds).
Here the categorical and numeric columns' tokens (from the featurizer's own token methods)
are merged in plain Python with the same float64 sums, in the same order, and the same
float32 roundings, so the row comes out bit-identical to the same row in a batch
(``tests/udt/test_one_row_table.py``); other column types keep their block method.
"""
import math

import numpy as np

from sparsenet.udt._column_types import categories_as_utf8, column_label, numbers_as_float
from sparsenet.udt._cross_tokens import cross_blocks
from sparsenet.udt._numeric_values import scaled_value

SHORT_KINDS = ("categorical", "numeric")


def one_row_block(featurizer, table, n_threads):
    """The CSR triple (indptr, indices, data) of the one row of ``table``, as
    ``sum_blocks`` of the featurizer's column blocks would give it."""
    entries = []  # every column's (index, float32 value), in column order
    for j, values in enumerate(table.columns):
        kind = featurizer.column_types_[j]
        label = column_label(table.names, j)
        if kind in SHORT_KINDS:
            entries.append(_short_column(featurizer, j, kind, values, label))
        else:
            _, indices, data = featurizer._column_block(j, values, label, n_threads)
            entries.append(list(zip(indices.tolist(), data.tolist())))
    for _, indices, data in cross_blocks(featurizer, table):  # after the columns, as in a batch
        entries.append(list(zip(indices.tolist(), data.tolist())))
    merged = entries[0] if len(entries) == 1 else _summed(e for column in entries for e in column)
    indices = np.fromiter((index for index, _ in merged), dtype=np.int32, count=len(merged))
    data = np.fromiter((value for _, value in merged), dtype=np.float32, count=len(merged))
    return np.array([0, len(merged)], dtype=np.int64), indices, data


def _short_column(featurizer, j, kind, values, label):
    """Column j's entries for its one cell: count_tokens, then with_values for a number."""
    if kind == "categorical":
        buffer, offsets, missing = categories_as_utf8(values)  # the batch's encoding
        indices = [featurizer._missing_index(j)] if missing[0] else featurizer._category_hashes(j, buffer, offsets)
    else:
        x = numbers_as_float(values, label)
        indices = [featurizer._missing_index(j)] if np.isnan(x[0]) else [h[0] for h in featurizer._number_hashes(j, x)]
    counts = {}
    for index in map(int, indices):
        counts[index] = counts.get(index, 0.0) + 1.0
    column = sorted(counts.items())
    if featurizer.norm == "l2":
        squares = 0.0
        for _, count in column:
            squares += count * count
        norm = math.sqrt(squares)
        column = [(index, _float32(count / norm)) for index, count in column]
    else:
        column = [(index, _float32(count)) for index, count in column]
    scales = getattr(featurizer, "value_scales_", None)  # None in models saved before values were inputs
    if kind == "numeric" and scales is not None and math.isfinite(x[0]):
        scaled = scaled_value(float(x[0]), *scales[j])
        if scaled != 0:
            column = _summed([*column, (featurizer._value_index(j), _float32(scaled))])
    return column


def _summed(entries):
    """(index, float32 value) entries -> sorted distinct indices, repeats summed in float64
    in the order given, then rounded to float32 (merge_entries' arithmetic; a value alone
    is a float32 already)."""
    sums, repeated = {}, set()
    for index, value in entries:
        if index in sums:
            sums[index] += value
            repeated.add(index)
        else:
            sums[index] = value
    return [(index, _float32(total) if index in repeated else total) for index, total in sorted(sums.items())]


def _float32(value):
    """value rounded to float32, as a Python float (so that sums go on in float64)."""
    return float(np.float32(value))
