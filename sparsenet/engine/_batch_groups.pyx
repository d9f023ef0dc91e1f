"""BatchGroups: regroup a batch's nonzeros by the weight row they touch (a counting sort).

The input layer's rows are features: a batch's lists are its CSR rows (ids = columns,
values = feature values). A sampled layer's rows are neurons: the lists are each sample's
active neurons with their errors. Either way the gradient of row i is the sum, over its
entries (sample s, value v), of v times the sample's vector, and the grouping lets one thread
own each row: no locks, no lost updates, a fixed summation order.
"""
import numpy as np

from libc.stdlib cimport qsort

from sparsenet.native._sorting cimport compare_ints


cdef extern from *:
    """
    static inline int count_trailing_zeros(unsigned long long word) { return __builtin_ctzll(word); }
    """
    int count_trailing_zeros(unsigned long long word) noexcept nogil


cdef class BatchGroups:
    """Scratch for grouping up to ``max_entries`` entries over ids in [0, n_ids)."""

    def __cinit__(self, Py_ssize_t n_ids, Py_ssize_t max_entries):
        max_entries = max(max_entries, 1)
        self.slot = np.full(n_ids, -1, dtype=np.int32)
        self.touched = np.zeros((n_ids + 63) // 64, dtype=np.uint64)
        self.ids = np.empty(min(n_ids, max_entries), dtype=np.int32)
        self.group_start = np.empty(min(n_ids, max_entries) + 1, dtype=np.int64)
        self.entry_sample = np.empty(max_entries, dtype=np.int32)
        self.entry_value = np.empty(max_entries, dtype=np.float32)
        self.n_groups = 0

    @property
    def capacity(self):
        return self.entry_sample.shape[0]

    cdef Py_ssize_t group(self, Py_ssize_t n_lists, const long long *starts, const long long *stops,
                          const int *ids, const float *values) noexcept nogil:
        """Group list s = positions starts[s]:stops[s] of (ids, values); ids NULL means the
        id is the position within the list (dense rows). Zero values are skipped. Ids come
        out increasing, so updates walk weight memory forwards. Returns the number of groups.
        The caller guarantees the entries fit (checked when the data set is bound)."""
        cdef Py_ssize_t s, p, g, w, n_groups = 0, running = 0, count
        cdef Py_ssize_t n_ids = self.slot.shape[0], n_words = self.touched.shape[0]
        cdef int id_, position
        cdef unsigned long long word
        # raw pointers, loaded once: through the memoryviews every access reloads them
        cdef int *slot = &self.slot[0]
        cdef unsigned long long *touched = &self.touched[0]
        cdef int *group_ids = &self.ids[0]
        cdef long long *group_start = &self.group_start[0]
        cdef int *entry_sample = &self.entry_sample[0]
        cdef float *entry_value = &self.entry_value[0]
        # pass 1: count entries per id (slot[id] is -1 for an absent id), marking each
        # touched id in a bitmap
        for s in range(n_lists):
            for p in range(starts[s], stops[s]):
                if values[p] == 0:
                    continue
                id_ = ids[p] if ids != NULL else <int> (p - starts[s])
                if slot[id_] < 0:
                    slot[id_] = 0
                    group_ids[n_groups] = id_
                    touched[id_ >> 6] |= 1ULL << (id_ & 63)
                    n_groups += 1
                slot[id_] += 1
        if n_words <= 16 * n_groups:
            # the touched ids in increasing order from the bitmap: a word for 64 ids beats a
            # comparison sort unless the ids are very few
            n_groups = 0
            for w in range(n_words):
                word = touched[w]
                if word == 0:
                    continue
                touched[w] = 0
                while word != 0:
                    group_ids[n_groups] = <int> (w * 64 + count_trailing_zeros(word))
                    n_groups += 1
                    word &= word - 1
        else:
            for g in range(n_groups):
                touched[group_ids[g] >> 6] = 0
            if n_groups > 1:
                qsort(group_ids, n_groups, sizeof(int), compare_ints)
        # pass 2: each group's block follows the previous one; slot becomes a write cursor
        for g in range(n_groups):
            id_ = group_ids[g]
            count = slot[id_]
            group_start[g] = running
            slot[id_] = <int> running
            running += count
        group_start[n_groups] = running
        # pass 3: fill the blocks in list order
        for s in range(n_lists):
            for p in range(starts[s], stops[s]):
                if values[p] == 0:
                    continue
                id_ = ids[p] if ids != NULL else <int> (p - starts[s])
                position = slot[id_]
                entry_sample[position] = <int> s
                entry_value[position] = values[p]
                slot[id_] = position + 1
        for g in range(n_groups):
            slot[group_ids[g]] = -1
        self.n_groups = n_groups
        return n_groups

    cdef Py_ssize_t group_rows(self, const InputRows *X, const long long *rows, Py_ssize_t n,
                               long long *starts, long long *stops) noexcept nogil:
        """Group the nonzeros of X's rows rows[:n] by feature (starts and stops: scratch of
        n entries, left holding each row's span of X). Returns the number of groups."""
        cdef Py_ssize_t s
        cdef long long row
        for s in range(n):
            row = rows[s]
            if X.indices != NULL:
                starts[s], stops[s] = X.indptr[row], X.indptr[row + 1]
            else:
                starts[s], stops[s] = row * X.n_features, (row + 1) * X.n_features
        return self.group(n, starts, stops, X.indices, X.data)


def group_batches(batches, Py_ssize_t n_ids):
    """Group each batch of CSR-style lists (list s of a batch ``(indptr, ids, values)`` is
    ``ids[indptr[s]:indptr[s + 1]]`` with its values) by id, one BatchGroups reused from
    batch to batch as in training, for tests. Returns one ``(group_ids, group_start,
    entry_sample, entry_value)`` per batch. Production code calls BatchGroups.group."""
    checked = [_checked_lists(*batch, n_ids) for batch in batches]
    groups = BatchGroups(n_ids, max([ids.shape[0] for _, ids, _ in checked], default=1))
    return [_grouped(groups, *lists) for lists in checked]


def _checked_lists(indptr, ids, values, Py_ssize_t n_ids):
    bounds = np.ascontiguousarray(indptr, dtype=np.int64)
    ids = np.ascontiguousarray(ids, dtype=np.int32)
    values = np.ascontiguousarray(values, dtype=np.float32)
    if bounds.ndim != 1 or bounds.shape[0] < 1 or bounds[0] != 0 or bounds[bounds.shape[0] - 1] != ids.shape[0] \
            or values.shape != ids.shape or np.any(np.diff(bounds) < 0):
        raise ValueError("indptr must run from 0 to len(ids) without decreasing, and values match ids")
    if ids.shape[0] and (ids.min() < 0 or ids.max() >= n_ids):
        raise ValueError(f"ids must lie in [0, {n_ids})")
    return bounds, ids, values


def _grouped(BatchGroups groups, long long[::1] bounds, int[::1] ids, float[::1] values):
    cdef Py_ssize_t n_lists = bounds.shape[0] - 1, n_groups = 0
    cdef long long[::1] starts = np.asarray(bounds[:n_lists]).copy()
    cdef long long[::1] stops = np.asarray(bounds[1:]).copy()
    if ids.shape[0] == 0:  # nothing to group (the kernel needs one entry to point at)
        return (np.zeros(0, np.int32), np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32))
    n_groups = groups.group(n_lists, &starts[0], &stops[0], &ids[0], &values[0])
    used = groups.group_start[n_groups]
    return (np.asarray(groups.ids[:n_groups]).copy(), np.asarray(groups.group_start[:n_groups + 1]).copy(),
            np.asarray(groups.entry_sample[:used]).copy(), np.asarray(groups.entry_value[:used]).copy())
