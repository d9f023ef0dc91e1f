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


cdef class BatchGroups:
    """Scratch for grouping up to ``max_entries`` entries over ids in [0, n_ids)."""

    def __cinit__(self, Py_ssize_t n_ids, Py_ssize_t max_entries):
        max_entries = max(max_entries, 1)
        self.slot = np.full(n_ids, -1, dtype=np.int32)
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
        cdef Py_ssize_t s, p, g, n_groups = 0, running = 0, count
        cdef Py_ssize_t n_ids = self.slot.shape[0]
        cdef int id_, position
        # raw pointers, loaded once: through the memoryviews every access reloads them
        cdef int *slot = &self.slot[0]
        cdef int *group_ids = &self.ids[0]
        cdef long long *group_start = &self.group_start[0]
        cdef int *entry_sample = &self.entry_sample[0]
        cdef float *entry_value = &self.entry_value[0]
        # pass 1: count entries per id (slot[id] is -1 for an absent id)
        for s in range(n_lists):
            for p in range(starts[s], stops[s]):
                if values[p] == 0:
                    continue
                id_ = ids[p] if ids != NULL else <int> (p - starts[s])
                if slot[id_] < 0:
                    slot[id_] = 0
                    group_ids[n_groups] = id_
                    n_groups += 1
                slot[id_] += 1
        if n_ids <= 32 * n_groups:
            # many ids touched: one scan of the marks beats a comparison sort
            n_groups = 0
            for id_ in range(n_ids):
                if slot[id_] >= 0:
                    group_ids[n_groups] = id_
                    n_groups += 1
        elif n_groups > 1:
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
