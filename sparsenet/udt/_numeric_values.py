"""A numeric column's value itself as an input, beside its quantile bin.

Bins lose a value's order and its detail within the bin; the value, centred on the
column's median and scaled by its spread, keeps both, so that a smooth dependence on a
number is one weight instead of a weight per bin. Robust statistics (the 5 %, 50 % and
95 % quantiles) so that outliers neither set the scale nor saturate everyone else; the
scaled value is clipped to +-VALUE_CLIP, then weighted by VALUE_WEIGHT, which puts it on
the scale at which Adam moves the network's input weights about as fast as the tokens'.
Measured on Adult, Letter and a generated problem: ``benchmarks/results/numeric_values.md``.
"""
import numpy as np

from sparsenet.udt._featurizer_blocks import merge_entries

VALUE_CLIP = 3.0
VALUE_WEIGHT = 4.0
# the 5-95 % range of a normal distribution is 3.29 standard deviations
SPREAD_PER_STD = 3.29


def value_scale(x):
    """(centre, scale) of a column's finite values (0, 1 without any)."""
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return 0.0, 1.0
    # values of the column itself (no interpolation), each scaled before subtracting: no
    # overflow for values near float64's limits
    low, centre, high = np.quantile(finite, [0.05, 0.5, 0.95], method="nearest")
    spread = high / SPREAD_PER_STD - low / SPREAD_PER_STD
    if not spread > 0:  # a column of (mostly) one value: its distance from it in its own units
        with np.errstate(over="ignore"):
            spread = min(max(float(np.max(np.abs(finite - centre))), 1.0), np.finfo(np.float64).max)
    return float(centre), float(spread)


def with_values(block, x, centre, scale, index, hash_range):
    """A column's CSR triple with each row's scaled value added at feature ``index``
    (rows whose value is missing, infinite or the median get none)."""
    indptr, indices, data = block
    n_rows = len(indptr) - 1
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = VALUE_WEIGHT * np.clip((x - centre) / scale, -VALUE_CLIP, VALUE_CLIP)
    rows = np.flatnonzero(np.isfinite(x) & (scaled != 0))  # the median itself is a zero: not stored
    scaled = scaled[rows]
    return merge_entries(np.concatenate([np.repeat(np.arange(n_rows), np.diff(indptr)), rows]),
                         np.concatenate([indices, np.full(rows.size, index, dtype=np.int32)]),
                         np.concatenate([data, scaled.astype(np.float32)]), n_rows, hash_range, l2=False)


def scaled_value(x, centre, scale):
    """with_values' arithmetic on one finite float64 (its scalar form, for a one-row table):
    overflow gives inf, clipped as np.clip clips it."""
    return VALUE_WEIGHT * min(max((x - centre) / scale, -VALUE_CLIP), VALUE_CLIP)
