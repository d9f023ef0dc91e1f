# Ranking helpers of inference (nogil, no allocation).
from libc.stdint cimport uint8_t

cdef Py_ssize_t insert_top_k(float score, long long label, Py_ssize_t k, Py_ssize_t filled,
                             long long *labels, float *best) noexcept nogil

cdef void select_top_k(const float *scores, Py_ssize_t n, Py_ssize_t k,
                       long long *labels, float *best) noexcept nogil

cdef Py_ssize_t rank_and_pad(int *ids, int *hits, Py_ssize_t count, Py_ssize_t keep, Py_ssize_t k,
                             const int *always, Py_ssize_t n_always, int *slots, Py_ssize_t n_slots,
                             int *histogram, int most_hits, const uint8_t *id_group,
                             const int *priority, int most_priority) noexcept nogil

cdef double log_sum_exp(const float *scores, Py_ssize_t n, double largest) noexcept nogil
