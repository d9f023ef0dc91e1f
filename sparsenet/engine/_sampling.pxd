# Hash tables over the neurons of a layer: which neurons to compute for an input.
from sparsenet.lsh._hashing cimport HashFamily

cdef class NeuronSampler:
    cdef readonly HashFamily family
    cdef readonly Py_ssize_t n_neurons, bucket_capacity
    cdef readonly object bucket_starts    # int32 (n_tables, n_buckets + 1)
    cdef readonly object members          # int32 (n_tables, n_neurons)
    cdef readonly long long n_builds
    cdef const int *starts_ptr
    cdef const int *members_ptr
    cdef Py_ssize_t gather(self, const float *x, int *positions, int *active,
                           Py_ssize_t n_active, Py_ssize_t capacity) noexcept nogil
    cdef Py_ssize_t collect(self, const float *x, int *candidates, Py_ssize_t capacity) noexcept nogil
