"""Per-thread scratch rows start on cache lines of their own."""
import numpy as np
import pytest

from sparsenet.native._aligned import CACHE_LINE_BYTES, cache_line_rows


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
@pytest.mark.parametrize("n_rows, width", [(1, 1), (2, 10), (3, 16), (7, 65), (0, 5)])
def test_rows_are_whole_cache_lines_from_an_aligned_start(n_rows, width, dtype):
    rows = cache_line_rows(n_rows, width, dtype)
    assert rows.dtype == dtype and rows.shape[0] == n_rows and rows.shape[1] >= width
    assert rows.strides[0] % CACHE_LINE_BYTES == 0
    assert rows.flags.c_contiguous
    if n_rows:
        assert rows.ctypes.data % CACHE_LINE_BYTES == 0
        assert not rows.any()


def test_padding_is_less_than_one_line():
    rows = cache_line_rows(4, 17)  # 17 floats: 68 bytes, so two lines a row
    assert rows.shape == (4, 32)
