# A batch's per-sample lists of (id, value), regrouped by id: which weight rows the batch
# touched, and for each the (sample, value) pairs that make up its gradient.
from sparsenet.engine._input_rows cimport InputRows

cdef class BatchGroups:
    cdef int[::1] slot                 # id -> group while grouping, -1 when absent
    cdef unsigned long long[::1] touched   # bitmap of the ids seen while grouping, else zeros
    cdef int[::1] ids                  # touched ids, increasing
    cdef long long[::1] group_start    # entries of group g: group_start[g]:group_start[g + 1]
    cdef int[::1] entry_sample
    cdef float[::1] entry_value
    cdef Py_ssize_t n_groups
    cdef Py_ssize_t group(self, Py_ssize_t n_lists, const long long *starts, const long long *stops,
                          const int *ids, const float *values) noexcept nogil
    cdef Py_ssize_t group_rows(self, const InputRows *X, const long long *rows, Py_ssize_t n,
                               long long *starts, long long *stops) noexcept nogil
