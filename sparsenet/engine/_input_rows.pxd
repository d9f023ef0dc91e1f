# The rows of X as the kernels read them.

cdef struct InputRows:
    # float32 rows, either CSR (indices and indptr set) or dense C-contiguous (both NULL)
    const float *data
    const int *indices
    const long long *indptr
    Py_ssize_t n_rows
    Py_ssize_t n_features

cdef InputRows bind_input_rows(object X, Py_ssize_t n_features) except *
