"""Whole-array passes over float32 weights, split across threads: a finiteness check and
a copy. The training loop runs both between epochs (divergence check, early stopping's
kept weights); on a small fit they are a large share of the serial time, and on one core
they leave the other idle.

Both take float32 arrays whose rows are contiguous, whatever the gap between rows (a
layer's weights are a view of rows interleaved with Adam's moments), and fall back to
NumPy for any other array.
"""
import numpy as np

cimport numpy as cnp
from cython.parallel cimport prange
from libc.stdint cimport uint32_t
from libc.string cimport memcpy

cnp.import_array()

cdef enum:
    # floats a thread handles at a time: large enough that scheduling costs nothing,
    # small enough that two threads share a 1.3M-weight layer evenly
    CHUNK = 1 << 16

cdef uint32_t EXPONENT = 0x7f800000
CHUNK_SIZE = CHUNK  # for the tests, which put odd values at chunk edges


cdef struct Rows:
    char *data
    Py_ssize_t n_rows, row_length, row_stride, rows_per_chunk, n_chunks


cdef bint float32_rows(object array, Rows *rows) except -1:
    """Describe ``array`` as rows of contiguous floats; False where it is not that."""
    cdef cnp.ndarray values = array
    if values.dtype != np.float32 or values.ndim > 2:
        return False
    if values.ndim == 2 and values.strides[1] == sizeof(float):
        rows.n_rows, rows.row_length, rows.row_stride = values.shape[0], values.shape[1], values.strides[0]
    elif values.ndim == 1 and (values.strides[0] == sizeof(float) or values.shape[0] <= 1):
        rows.n_rows, rows.row_length, rows.row_stride = 1, values.shape[0], 0
    elif values.ndim == 0 or values.size == 0:
        rows.n_rows, rows.row_length, rows.row_stride = values.size, 1, sizeof(float)
    else:
        return False
    rows.data = <char *> cnp.PyArray_DATA(values)
    rows.rows_per_chunk = max(1, CHUNK // max(rows.row_length, 1))
    rows.n_chunks = (rows.n_rows + rows.rows_per_chunk - 1) // rows.rows_per_chunk
    return True


cdef int chunk_has_non_finite(const Rows *rows, Py_ssize_t chunk) noexcept nogil:
    # a float is inf or NaN exactly when its exponent bits are all set; an integer OR over
    # a row vectorises (a float sum would not, without reassociation)
    cdef uint32_t seen = 0
    cdef const uint32_t *bits
    cdef Py_ssize_t r, i, first = chunk * rows.rows_per_chunk
    for r in range(first, min(first + rows.rows_per_chunk, rows.n_rows)):
        bits = <const uint32_t *> (rows.data + r * rows.row_stride)
        for i in range(rows.row_length):
            seen |= ((bits[i] & EXPONENT) == EXPONENT)
    return seen


def all_finite(array, int n_threads=1):
    """Whether every value of ``array`` (a NumPy array) is finite: neither inf nor NaN."""
    cdef Rows rows
    if not isinstance(array, np.ndarray) or not float32_rows(array, &rows):
        return bool(np.isfinite(array).all())
    cdef Py_ssize_t c
    cdef int bad = 0
    with nogil:
        for c in prange(rows.n_chunks, num_threads=max(1, n_threads), schedule="static"):
            bad += chunk_has_non_finite(&rows, c)
    return bad == 0


cdef void copy_chunk(const Rows *to, const Rows *from_, Py_ssize_t chunk) noexcept nogil:
    cdef Py_ssize_t r, first = chunk * to.rows_per_chunk
    for r in range(first, min(first + to.rows_per_chunk, to.n_rows)):
        memcpy(to.data + r * to.row_stride, from_.data + r * from_.row_stride, to.row_length * sizeof(float))


def copy_values(destination, source, int n_threads=1):
    """Copy ``source`` into ``destination`` (NumPy arrays of the same shape and dtype) in place."""
    if destination.shape != source.shape or destination.dtype != source.dtype:
        raise ValueError(f"cannot copy an array of shape {source.shape} and dtype {source.dtype} into one of "
                         f"shape {destination.shape} and dtype {destination.dtype}")
    cdef Rows to, from_
    if not (float32_rows(destination, &to) and float32_rows(source, &from_)):
        destination[...] = source
        return
    cdef Py_ssize_t c
    with nogil:
        for c in prange(to.n_chunks, num_threads=max(1, n_threads), schedule="static"):
            copy_chunk(&to, &from_, c)
