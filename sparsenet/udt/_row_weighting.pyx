"""The select-and-weigh step of UDTFeaturizer's text features: drop the features training
never produced, weigh the rest (inverse document frequencies), normalise each row; for a
one-text request, renumber to the network's input columns in the same pass."""
import numpy as np

from libc.math cimport sqrt
from libc.stdint cimport int32_t, int64_t, uint8_t


def select_and_weigh_rows(const int64_t[::1] indptr, const int32_t[::1] indices, const float[::1] data,
                          const uint8_t[::1] seen=None, const float[::1] weights=None, bint l2=True):
    """A CSR matrix's rows without the entries whose index is not ``seen`` (None: all are),
    values times ``weights[index]`` (None: unweighted), each row then scaled to unit l2 norm
    when ``l2`` (empty rows stay empty). Returns new (indptr int64, indices int32, data
    float32); indices must lie within ``seen`` and ``weights``."""
    cdef Py_ssize_t n_rows = indptr.shape[0] - 1, i, q, written = 0, start
    cdef Py_ssize_t n_entries = indices.shape[0]
    cdef Py_ssize_t limit = 2**31 - 1
    if n_rows < 0 or indptr[0] != 0 or indptr[n_rows] > n_entries or data.shape[0] < indptr[n_rows]:
        raise ValueError("malformed CSR arrays")
    if seen is not None:
        limit = seen.shape[0]
    if weights is not None:
        limit = min(limit, weights.shape[0])
    for i in range(n_rows):
        if indptr[i + 1] < indptr[i]:
            raise ValueError(f"indptr decreases at row {i}")
    out_indptr = np.empty(n_rows + 1, dtype=np.int64)
    out_indices = np.empty(indptr[n_rows], dtype=np.int32)
    out_data = np.empty(indptr[n_rows], dtype=np.float32)
    cdef int64_t[::1] new_indptr = out_indptr
    cdef int32_t[::1] new_indices = out_indices
    cdef float[::1] new_data = out_data
    cdef int32_t index
    cdef float value
    cdef double squares
    cdef float scale
    cdef bint out_of_range = False
    with nogil:
        new_indptr[0] = 0
        for i in range(n_rows):
            start = written
            squares = 0.0
            for q in range(indptr[i], indptr[i + 1]):
                index = indices[q]
                if index < 0 or index >= limit:
                    out_of_range = True
                    break
                if seen is not None and not seen[index]:
                    continue
                value = data[q] * weights[index] if weights is not None else data[q]
                new_indices[written] = index
                new_data[written] = value
                squares += <double> value * value
                written += 1
            if out_of_range:
                break
            if l2 and squares > 0.0:
                scale = <float> (1.0 / sqrt(squares))
                for q in range(start, written):
                    new_data[q] *= scale
            new_indptr[i + 1] = written
    if out_of_range:
        raise ValueError(f"feature index {index} outside [0, {limit}) in row {i}")
    out_indices.resize(written, refcheck=False)
    out_data.resize(written, refcheck=False)
    return out_indptr, out_indices, out_data


def mapped_and_weighed_rows(const int64_t[::1] indptr, const int32_t[::1] indices, const float[::1] data,
                            const int32_t[::1] column_of, const float[::1] column_weights=None, bint l2=True):
    """A CSR matrix's rows renumbered through ``column_of`` (entries whose index maps to -1
    are dropped), values times ``column_weights[column]`` (None: unweighted), each row then
    scaled to unit l2 norm when ``l2``: select_and_weigh_rows and a column map in one pass,
    for features whose kept set is exactly the mapped one. ``column_of`` must increase over
    the mapped indices (so sorted rows stay sorted). Returns (indptr int64, indices int32,
    data float32)."""
    cdef Py_ssize_t n_rows = indptr.shape[0] - 1, i, q, written = 0, start
    cdef Py_ssize_t limit = column_of.shape[0]
    cdef Py_ssize_t n_weights = column_weights.shape[0] if column_weights is not None else 0
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
    cdef int32_t index = 0, column = 0
    cdef float value
    cdef double squares
    cdef float scale
    cdef int failure = 0  # 1: an index outside column_of, 2: a column outside column_weights
    with nogil:
        new_indptr[0] = 0
        for i in range(n_rows):
            start = written
            squares = 0.0
            for q in range(indptr[i], indptr[i + 1]):
                index = indices[q]
                if index < 0 or index >= limit:
                    failure = 1
                    break
                column = column_of[index]
                if column < 0:
                    continue
                if column_weights is not None:
                    if column >= n_weights:
                        failure = 2
                        break
                    value = data[q] * column_weights[column]
                else:
                    value = data[q]
                new_indices[written] = column
                new_data[written] = value
                squares += <double> value * value
                written += 1
            if failure:
                break
            if l2 and squares > 0.0:
                scale = <float> (1.0 / sqrt(squares))
                for q in range(start, written):
                    new_data[q] *= scale
            new_indptr[i + 1] = written
    if failure == 1:
        raise ValueError(f"feature index {index} outside [0, {limit}) in row {i}")
    if failure == 2:
        raise ValueError(f"column {column} outside the {n_weights} column weights in row {i}")
    out_indices.resize(written, refcheck=False)
    out_data.resize(written, refcheck=False)
    return out_indptr, out_indices, out_data
