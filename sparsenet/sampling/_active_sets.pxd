# The sampler of one layer: which of its neurons each sample of a step computes.
from sparsenet.sampling._hash_tables cimport HashTables

cdef class LayerSampler:
    cdef readonly HashTables tables
    cdef readonly Py_ssize_t n_neurons
    # the active set of a sample: at least min_active neurons, up to lsh_room of them from
    # the tables, shared_room shared by the whole step
    cdef readonly Py_ssize_t min_active, lsh_room, shared_room
    # rebuild schedule: a build every `interval` steps, the interval growing by `growth` up
    # to `max_interval`; new hash functions every `redraw_every` builds (0: never)
    cdef readonly double interval, first_interval, growth, max_interval
    cdef readonly long long redraw_every, next_build
    cdef readonly unsigned long long seed
    # the step's shared neurons (ids in order) and their marks: position + 1, 0 elsewhere
    cdef int[::1] shared_ids
    cdef int[::1] shared_mark
    cdef readonly Py_ssize_t n_shared
    # the sampled-softmax correction: -log of the chance that each shared neuron is among a
    # step's shared ones (added to its score when it is a negative), from the share of the
    # call's rows that hold each label; offsets NULL-like (size 0) when the correction is off
    cdef public bint corrects
    cdef float[::1] label_share
    cdef float[::1] shared_offsets
    # per-call scratch (prepare): most neurons a sample may compute, and per-thread space
    cdef readonly Py_ssize_t active_capacity
    cdef int[:, ::1] positions           # (n_threads, n_neurons): a neuron's position + 1, else 0
    cdef int[:, ::1] ranking_scratch     # (n_threads, tables.ranking_scratch_size)
    cdef long long[:, ::1] counters      # (n_threads, 4): labels, labels the tables found, active, samples
    cdef double[::1] query_seconds       # (n_threads,)
    cdef double build_seconds

    cdef void choose_shared(self, const long long *label_starts, const int *label_ids,
                            const long long *rows, Py_ssize_t n_rows, long long step) noexcept nogil
    cdef Py_ssize_t select_own(self, int *active, const int *labels, Py_ssize_t n_labels,
                               const float *vector, int *label_slots, long long step, long long row,
                               int tid) noexcept nogil
    cdef void mark_shared(self, bint on) noexcept nogil
    cdef const float *negative_offsets(self) noexcept nogil
