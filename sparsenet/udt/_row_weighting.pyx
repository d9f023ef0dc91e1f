"""The select-and-weigh step of UDTFeaturizer's text features: drop the features training
never produced, weigh the rest (inverse document frequencies), normalise each row; for a
one-text request, renumber to the network's input columns in the same pass."""
import numpy as np

from libc.math cimport sqrt
from libc.stdint cimport int32_t, int64_t, uint8_t

# what _weighing_pass reports when it stops early
cdef enum Failure:
    KEPT_ALL = 0
    INDEX_OUT_OF_RANGE = 1
    WEIGHT_OUT_OF_RANGE = 2


def select_and_weigh_rows(const int64_t[::1] indptr, const int32_t[::1] indices, const float[::1] data,
                          const uint8_t[::1] seen=None, const float[::1] weights=None, bint l2=True):
    """A CSR matrix's rows without the entries whose index is not ``seen`` (None: all are),
    values times ``weights[index]`` (None: unweighted), each row then scaled to unit l2 norm
    when ``l2`` (empty rows stay empty). Returns new (indptr int64, indices int32, data
    float32); indices must lie within ``seen`` and ``weights``."""
    cdef Py_ssize_t limit = 2**31 - 1
    if seen is not None:
        limit = seen.shape[0]
    if weights is not None:
        limit = min(limit, weights.shape[0])
    return _weighed_rows(indptr, indices, data, seen, None, limit, weights, l2)


def mapped_and_weighed_rows(const int64_t[::1] indptr, const int32_t[::1] indices, const float[::1] data,
                            const int32_t[::1] column_of, const float[::1] column_weights=None, bint l2=True):
    """A CSR matrix's rows renumbered through ``column_of`` (entries whose index maps to -1
    are dropped), values times ``column_weights[column]`` (None: unweighted), each row then
    scaled to unit l2 norm when ``l2``: select_and_weigh_rows and a column map in one pass,
    for features whose kept set is exactly the mapped one. ``column_of`` must increase over
    the mapped indices (so sorted rows stay sorted). Returns (indptr int64, indices int32,
    data float32)."""
    return _weighed_rows(indptr, indices, data, None, column_of, column_of.shape[0], column_weights, l2)


cdef tuple _weighed_rows(const int64_t[::1] indptr, const int32_t[::1] indices, const float[::1] data,
                      const uint8_t[::1] seen, const int32_t[::1] column_of, Py_ssize_t limit,
                      const float[::1] weights, bint l2):
    """Both functions above: their checks, the output arrays and the error messages."""
    cdef Py_ssize_t n_rows = indptr.shape[0] - 1, i
    if n_rows < 0 or indptr[0] != 0 or indptr[n_rows] > indices.shape[0] or data.shape[0] < indptr[n_rows]:
        raise ValueError("malformed CSR arrays")
    for i in range(n_rows):
        if indptr[i + 1] < indptr[i]:
            raise ValueError(f"indptr decreases at row {i}")
    out_indptr = np.empty(n_rows + 1, dtype=np.int64)
    out_indices = np.empty(indptr[n_rows], dtype=np.int32)
    out_data = np.empty(indptr[n_rows], dtype=np.float32)
    cdef int64_t[::1] new_indptr = out_indptr
    cdef int32_t[::1] new_indices = out_indices
    cdef float[::1] new_data = out_data
    cdef Py_ssize_t row = 0, written = 0
    cdef int32_t value = 0
    cdef Failure failure
    with nogil:
        failure = _weighing_pass(indptr, indices, data, seen, column_of, limit, weights, l2,
                             new_indptr, new_indices, new_data, &row, &value, &written)
    if failure == INDEX_OUT_OF_RANGE:
        raise ValueError(f"feature index {value} outside [0, {limit}) in row {row}")
    if failure == WEIGHT_OUT_OF_RANGE:
        raise ValueError(f"column {value} outside the {weights.shape[0]} column weights in row {row}")
    out_indices.resize(written, refcheck=False)
    out_data.resize(written, refcheck=False)
    return out_indptr, out_indices, out_data


cdef Failure _weighing_pass(const int64_t[::1] indptr, const int32_t[::1] indices, const float[::1] data,
                        const uint8_t[::1] seen, const int32_t[::1] column_of, Py_ssize_t limit,
                        const float[::1] weights, bint l2, int64_t[::1] new_indptr, int32_t[::1] new_indices,
                        float[::1] new_data, Py_ssize_t *row, int32_t *value_at_failure,
                        Py_ssize_t *n_written) noexcept nogil:
    """The pass itself: each entry's index checked against ``limit``, dropped where not
    ``seen`` (or, with ``column_of``, renumbered and dropped where it maps to -1), weighed
    by ``weights`` at its output index, each row scaled to unit l2 norm when ``l2``."""
    cdef Py_ssize_t n_rows = indptr.shape[0] - 1, n_weights = weights.shape[0] if weights is not None else 0
    cdef Py_ssize_t i, q, start, written = 0
    cdef int32_t index, out
    cdef float value, scale
    cdef double squares
    new_indptr[0] = 0
    for i in range(n_rows):
        start = written
        squares = 0.0
        for q in range(indptr[i], indptr[i + 1]):
            index = indices[q]
            if index < 0 or index >= limit:
                row[0], value_at_failure[0] = i, index
                return INDEX_OUT_OF_RANGE
            if column_of is not None:
                out = column_of[index]
                if out < 0:
                    continue
            elif seen is not None and not seen[index]:
                continue
            else:
                out = index
            if weights is not None:
                if out >= n_weights:
                    row[0], value_at_failure[0] = i, out
                    return WEIGHT_OUT_OF_RANGE
                value = data[q] * weights[out]
            else:
                value = data[q]
            new_indices[written] = out
            new_data[written] = value
            squares += <double> value * value
            written += 1
        if l2 and squares > 0.0:
            scale = <float> (1.0 / sqrt(squares))
            for q in range(start, written):
                new_data[q] *= scale
        new_indptr[i + 1] = written
    n_written[0] = written
    return KEPT_ALL
