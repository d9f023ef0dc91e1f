# Hash tables over the neurons of a layer: which neurons to compute for an input.
from libc.stdint cimport uint8_t

from sparsenet.sampling._hash_families cimport HashFamily

cdef class HashTables:
    cdef readonly HashFamily family
    cdef readonly Py_ssize_t n_neurons, bucket_capacity
    cdef readonly object bucket_starts    # int32 (n_tables, n_buckets + 1)
    cdef readonly object members          # int32 (n_tables, n_neurons)
    cdef readonly long long n_builds
    # norm ranges ("mips"): each neuron's range, and the rank of each (range, table count)
    # pair as a score estimate (n_ranges, n_tables + 1); one range ranked by count otherwise
    cdef readonly int n_ranges, most_priority
    cdef readonly object neuron_range     # uint8 (n_neurons,)
    cdef readonly object count_priority   # int32 (n_ranges, n_tables + 1)
    cdef const uint8_t *range_ptr
    cdef const int *priority_ptr
    cdef const int *starts_ptr
    cdef const int *members_ptr
    cdef readonly Py_ssize_t ranking_scratch_size
    cdef Py_ssize_t append_best_ranked(self, const float *x, int *positions, int *scratch, int *active,
                                       Py_ssize_t n_active, Py_ssize_t capacity) noexcept nogil
    cdef Py_ssize_t most_members(self) noexcept nogil
    cdef Py_ssize_t bucket_members(self, const float *x, int *candidates, Py_ssize_t capacity) noexcept nogil

