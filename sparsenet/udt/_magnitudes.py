"""A number's order of magnitude as a token of a numeric column: its sign and power of ten,
so that values far outside the fitted bins (which all fall into the first or last bin)
still differ by scale."""
import numpy as np

# Magnitude tokens: 0 for zero, +-(MAGNITUDE_OFFSET + floor(log10|x|)) for other finite
# numbers (log10 of a float64 lies in [-324, 308], so the signs never mix), +-INFINITY_CODE.
MAGNITUDE_OFFSET = 1000
INFINITY_CODE = 5000


def magnitude_codes(x):
    """Sign and power of ten of each value, as integer codes (see MAGNITUDE_OFFSET)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = np.floor(np.log10(np.abs(x)))
    exponent = np.where(np.isfinite(exponent), exponent, 0).astype(np.int64)
    codes = np.where(np.isinf(x), INFINITY_CODE, MAGNITUDE_OFFSET + exponent)
    return np.where(x == 0, 0, np.sign(x).astype(np.int64) * codes)
