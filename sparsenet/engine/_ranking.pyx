"""Ranking helpers of inference: a row's running top k, and the candidates of sparse top-k."""
from libc.math cimport exp, log
from libc.stdint cimport uint8_t
from libc.stdlib cimport qsort
from libc.string cimport memset

from sparsenet.native._sorting cimport compare_ints, keep_most_frequent


cdef Py_ssize_t insert_top_k(float score, long long label, Py_ssize_t k, Py_ssize_t filled,
                             long long *labels, float *best) noexcept nogil:
    """Offer one score to a row's running top k (decreasing; filled so far). Offered in
    increasing label order, ties keep the lower label first. Returns the new fill."""
    cdef Py_ssize_t position
    if filled == k and not (score > best[k - 1]):
        return filled
    position = filled if filled < k else k - 1
    while position > 0 and score > best[position - 1]:
        best[position] = best[position - 1]
        labels[position] = labels[position - 1]
        position -= 1
    best[position] = score
    labels[position] = label
    return filled + 1 if filled < k else filled


cdef void select_top_k(const float *scores, Py_ssize_t n, Py_ssize_t k,
                       long long *labels, float *best) noexcept nogil:
    """The k highest of n scores in decreasing order; on ties the lower index comes first."""
    cdef Py_ssize_t filled = 0, i
    for i in range(n):
        filled = insert_top_k(scores[i], i, k, filled, labels, best)


cdef Py_ssize_t rank_and_pad(int *ids, int *hits, Py_ssize_t count, Py_ssize_t keep, Py_ssize_t k,
                             const int *always, Py_ssize_t n_always, int *slots, Py_ssize_t n_slots,
                             int *histogram, int most_hits, const uint8_t *id_group,
                             const int *priority, int most_priority) noexcept nogil:
    """Turn ids[:count] (repeats included) into the candidates to score: the ``keep``
    distinct ids that repeat most (ties: the first met), plus every id of always[:n_always];
    if fewer than k result, the lowest other ids are appended. An id repeated r times
    ranks as priority[id_group[id] * (most_hits + 1) + r] (between 1 and most_priority; the
    tables' HashTables.count_priority). The caller's buffers hold at least max(count +
    n_always, k) ints; slots is a power of two n_slots >= 2 (count + n_always) ints of
    scratch; histogram holds most_priority + 2. Returns the count."""
    cdef Py_ssize_t read, write = 0, present = 0, at
    cdef Py_ssize_t mask = n_slots - 1
    cdef int candidate = 0, wanted
    # count repeats with an open-addressing table of positions into ids: linear in count
    # (sorting thousands of candidates cost more than scoring them)
    memset(slots, 0xFF, n_slots * sizeof(int))
    for read in range(count + n_always):
        wanted = ids[read] if read < count else always[read - count]
        at = <Py_ssize_t> ((<unsigned int> wanted * 2654435761u) & <unsigned int> mask)
        while slots[at] >= 0 and ids[slots[at]] != wanted:
            at = (at + 1) & mask
        if slots[at] < 0:
            slots[at] = <int> write
            ids[write] = wanted
            hits[write] = 0
            write += 1
        if read < count:
            hits[slots[at]] += 1
        else:
            hits[slots[at]] = -1  # always scored
    for read in range(write):
        # the always-scored ids outrank every table count
        if hits[read] < 0:
            hits[read] = most_priority + 1
        else:
            hits[read] = priority[id_group[ids[read]] * (most_hits + 1) + min(hits[read], most_hits)]
    count = keep_most_frequent(ids, hits, write, max(keep, k) + n_always, histogram, most_priority + 1)
    if count >= k:
        return count
    qsort(ids, count, sizeof(int), compare_ints)
    write = count
    while write < k:
        # walk the sorted ids alongside the candidates to skip those already present
        while present < count and ids[present] < candidate:
            present += 1
        if present >= count or ids[present] != candidate:
            ids[write] = candidate
            write += 1
        candidate += 1
    return write


cdef double log_sum_exp(const float *scores, Py_ssize_t n, double largest) noexcept nogil:
    """log(sum(exp(scores))), given the largest score for stability."""
    cdef double total = 0.0
    cdef Py_ssize_t i
    for i in range(n):
        total += exp(scores[i] - largest)
    return largest + log(total)
