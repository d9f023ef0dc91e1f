"""The rows of X as the kernels read them: float32 CSR or dense, checked once."""
import numpy as np
from scipy import sparse

cimport numpy as cnp

cnp.import_array()


cdef bint indptr_non_decreasing(const long long *indptr, Py_ssize_t n_rows) noexcept nogil:
    cdef Py_ssize_t r
    for r in range(n_rows):
        if indptr[r + 1] < indptr[r]:
            return False
    return True


cdef (long long, long long) index_range(const int *indices, long long count) noexcept nogil:
    """The smallest and largest of indices[:count] (0, 0 when count is 0)."""
    cdef long long e, smallest = 0, largest = 0
    if count > 0:
        smallest = largest = indices[0]
    for e in range(1, count):
        if indices[e] < smallest:
            smallest = indices[e]
        elif indices[e] > largest:
            largest = indices[e]
    return smallest, largest


cdef InputRows bind_input_rows(object X, Py_ssize_t n_features) except *:
    """Check X thoroughly (the kernels trust it afterwards) and point an InputRows at it."""
    cdef InputRows rows
    cdef cnp.ndarray data, indices, indptr
    if sparse.issparse(X):
        if X.format != "csr":
            raise TypeError(f"the engine takes CSR input, got {X.format!r}")
        data, indices, indptr = X.data, X.indices, X.indptr
        if data.dtype != np.float32 or indices.dtype != np.int32 or indptr.dtype != np.int64:
            raise TypeError("the engine takes CSR with float32 data, int32 indices, int64 indptr")
        if not (data.flags.c_contiguous and indices.flags.c_contiguous and indptr.flags.c_contiguous):
            raise ValueError("CSR arrays must be contiguous")
        n_rows = X.shape[0]
        if indptr.shape[0] != n_rows + 1 or indptr[0] != 0 or indptr[n_rows] > indices.shape[0] \
                or indices.shape[0] != data.shape[0]:
            raise ValueError("malformed sparse matrix: indptr does not match indices and data")
        rows.data = <const float *> cnp.PyArray_DATA(data)
        rows.indices = <const int *> cnp.PyArray_DATA(indices)
        rows.indptr = <const long long *> cnp.PyArray_DATA(indptr)
        rows.n_rows = n_rows
        # one pass in C: NumPy's diff, min and max cost more than a short row's arithmetic
        if not indptr_non_decreasing(rows.indptr, n_rows):
            raise ValueError("malformed sparse matrix: indptr is not non-decreasing")
        smallest, largest = index_range(rows.indices, rows.indptr[n_rows])
        if rows.indptr[n_rows] and (smallest < 0 or largest >= n_features):
            raise ValueError(
                f"sparse matrix has column indices outside [0, {n_features}): "
                f"min {smallest}, max {largest}"
            )
    else:
        if not isinstance(X, np.ndarray) or X.ndim != 2:
            raise TypeError("the engine takes a 2-D ndarray or a CSR matrix")
        data = X
        if data.dtype != np.float32 or not data.flags.c_contiguous:
            raise TypeError("the engine takes C-contiguous float32 dense input")
        rows.data = <const float *> cnp.PyArray_DATA(data)
        rows.indices = NULL
        rows.indptr = NULL
        rows.n_rows = data.shape[0]
    if X.shape[1] != n_features:
        raise ValueError(f"X has {X.shape[1]} features, the network expects {n_features}")
    rows.n_features = n_features
    return rows


def checked_labels(y_indptr, y_indices, Py_ssize_t n_rows, Py_ssize_t n_outputs):
    """Labels as CSR (indptr int64, indices int32) checked against n_rows rows of X and
    n_outputs output neurons: what the training kernels may then read unchecked."""
    y_indptr = np.ascontiguousarray(y_indptr, dtype=np.int64)
    y_indices = np.ascontiguousarray(y_indices, dtype=np.int32)
    if y_indptr.shape != (n_rows + 1,) or y_indptr[0] != 0 or y_indptr[n_rows] > y_indices.shape[0] \
            or np.any(np.diff(y_indptr) < 0):
        raise ValueError("labels do not match X: malformed label indptr")
    used = y_indices[:y_indptr[n_rows]]
    if used.shape[0] and (used.min() < 0 or used.max() >= n_outputs):
        raise ValueError(f"label ids must lie in [0, {n_outputs})")
    return y_indptr, y_indices
