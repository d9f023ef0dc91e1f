# Sorting and selection helpers of the kernels (nogil, no allocation).
from libc.stdint cimport int32_t

cdef enum:
    INSERTION_SORT_MAX = 16  # sort_small sorts this many values or fewer by insertion

cdef int compare_ints(const void *a, const void *b) noexcept nogil

cdef Py_ssize_t keep_most_frequent(int *ids, const int *hits, Py_ssize_t n, Py_ssize_t keep,
                                   int *histogram, int most_hits) noexcept nogil

cdef void sort_small(int32_t *a, Py_ssize_t n) noexcept nogil

cdef void intro_sort(int32_t *a, Py_ssize_t n, int depth_budget) noexcept nogil

cdef void bucket_sort(const int32_t *a, Py_ssize_t n, int range_bits, int32_t *out) noexcept nogil
