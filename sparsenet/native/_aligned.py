"""Scratch rows that threads write side by side, each on cache lines of its own.

Two threads writing neighbouring bytes of one cache line make the line move between their
cores on every write (false sharing). NumPy aligns arrays to 16 bytes only, so two rows of a
per-thread scratch array could share a line or not depending on where the allocator put the
array: the same fit then ran at one speed or half of it from one run to the next.
"""
import numpy as np

CACHE_LINE_BYTES = 64


def cache_line_rows(n_rows, width, dtype=np.float32):
    """A zeroed 2-D array of ``n_rows`` rows of at least ``width`` values, whose first row
    starts on a cache line and whose rows are a whole number of lines long.

    The row length (``shape[1]``) is ``width`` rounded up, so callers that step from row to
    row by ``shape[1]`` values stay within the array.

    Examples
    --------
    >>> rows = cache_line_rows(2, 10)
    >>> rows.shape, rows.ctypes.data % CACHE_LINE_BYTES
    ((2, 16), 0)
    """
    itemsize = np.dtype(dtype).itemsize
    per_line = CACHE_LINE_BYTES // itemsize
    padded = max(1, -(-int(width) // per_line)) * per_line
    storage = np.zeros(int(n_rows) * padded + per_line, dtype=dtype)
    skip = (-storage.ctypes.data % CACHE_LINE_BYTES) // itemsize
    return storage[skip:skip + int(n_rows) * padded].reshape(int(n_rows), padded)
