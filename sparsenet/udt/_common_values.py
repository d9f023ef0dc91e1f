"""A numeric column's common values as categories of their own, beside its bins.

Quantile bins put neighbouring values together, which loses what a value means by itself
where a column holds codes, round amounts or thresholds: in Adult's capital gain, 4,386
and 4,650 share a bin, yet 83 % of the rows with the first earn above the income line and
none of those with the second. So a value that enough training rows hold, and whose bin
holds other values too, gets a token of its own, as a category would (where the bin holds
it alone, the bin's token says it already); the column's other values share one "uncommon
value" token. Measured on nine table families: ``benchmarks/results/common_values.md``.
"""
import numpy as np

# how many training rows must hold a value for it to count as a category: enough for its
# weight to learn from several rows, not one
MIN_COMMON_ROWS = 5
# at most so many per column, the most frequent (a continuous column of many rows repeats
# values by chance: this bounds what it costs)
MAX_COMMON_VALUES = 256


def common_values(x, edges):
    """The sorted values that at least MIN_COMMON_ROWS finite entries of x hold and whose
    bin (of the inner bin ``edges``) holds other values of x; of more than MAX_COMMON_VALUES
    such values, the most frequent (equal counts: the smaller values).

    Examples
    --------
    >>> import numpy as np
    >>> gains = np.array([0.0] * 9 + [3103.0] * 5 + [3137.0] * 6 + [2174.0, 9999.0, np.nan])
    >>> common_values(gains, edges=np.array([0.0, 1.0])).tolist()  # 0 has a bin of its own
    [3103.0, 3137.0]
    """
    values, counts = np.unique(x[np.isfinite(x)], return_counts=True)
    bins = np.searchsorted(edges, values, side="right")
    shared_bin = np.bincount(bins, minlength=edges.size + 1)[bins] > 1
    common = (counts >= MIN_COMMON_ROWS) & shared_bin
    values, counts = values[common], counts[common]
    if values.size > MAX_COMMON_VALUES:
        most_frequent = np.argsort(-counts, kind="stable")[:MAX_COMMON_VALUES]
        values = np.sort(values[most_frequent])
    return values


def common_value_codes(x, values):
    """Each entry of x's position among the sorted common ``values``, or -1 where it is
    none of them (an uncommon, infinite or NaN value).

    Examples
    --------
    >>> import numpy as np
    >>> common_value_codes(np.array([3137.0, 5.0, 0.0, np.inf]), np.array([0.0, 3103.0, 3137.0])).tolist()
    [2, -1, 0, -1]
    """
    if values.size == 0:
        return np.full(x.shape, -1, dtype=np.int64)
    positions = np.searchsorted(values, x)
    found = values[np.minimum(positions, values.size - 1)] == x
    return np.where(found, positions, -1).astype(np.int64)
