"""Sorting and selection helpers of the kernels: nogil, no allocation.

- ``compare_ints``: the comparator of ``qsort`` over ints.
- ``keep_most_frequent``: compact ids to those with the most hits, in linear time (a
  histogram of the hit counts, which are small: at most the number of hash tables).
- ``sort_small``, ``intro_sort``, ``bucket_sort``: sorts of int32 values (hashed feature
  indices); the bucket sort splits evenly spread values by their top bits, so each bucket
  holds a few values: far fewer mispredicted branches than a quicksort.
"""
from libc.stdint cimport int32_t, int64_t
from libc.string cimport memset

cdef enum:
    MAX_BUCKET_BITS = 10  # bucket_sort uses at most 2**10 buckets
    MAX_BUCKETS = 1 << MAX_BUCKET_BITS


cdef int compare_ints(const void *a, const void *b) noexcept nogil:
    cdef int x = (<const int *> a)[0], y = (<const int *> b)[0]
    return (x > y) - (x < y)


cdef Py_ssize_t keep_most_frequent(int *ids, const int *hits, Py_ssize_t n, Py_ssize_t keep,
                                   int *histogram, int most_hits) noexcept nogil:
    """Compact ids[:n] in place to the ``keep`` with the most hits (each between 1 and
    most_hits), keeping their order; among equal hits the earlier ids win. histogram is
    scratch of most_hits + 1 ints. Returns the new count."""
    cdef Py_ssize_t i, write = 0, above = 0, ties
    cdef int threshold = most_hits, h
    if n <= keep:
        return n
    if keep <= 0:
        return 0
    memset(histogram, 0, (most_hits + 1) * sizeof(int))
    for i in range(n):
        histogram[max(1, min(hits[i], most_hits))] += 1
    while threshold > 1 and above + histogram[threshold] < keep:
        above += histogram[threshold]
        threshold -= 1
    ties = keep - above
    for i in range(n):
        h = max(1, min(hits[i], most_hits))
        if h > threshold or (h == threshold and ties > 0):
            if h == threshold:
                ties -= 1
            ids[write] = ids[i]
            write += 1
    return write


cdef void insertion_sort(int32_t *a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef int32_t value
    for i in range(1, n):
        value = a[i]
        j = i - 1
        while j >= 0 and a[j] > value:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = value


cdef void sift_down(int32_t *a, Py_ssize_t root, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t child
    cdef int32_t value = a[root]
    while True:
        child = 2 * root + 1
        if child >= n:
            break
        if child + 1 < n and a[child + 1] > a[child]:
            child += 1
        if a[child] <= value:
            break
        a[root] = a[child]
        root = child
    a[root] = value


cdef void heap_sort(int32_t *a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    cdef int32_t top
    for i in range(n // 2 - 1, -1, -1):
        sift_down(a, i, n)
    for i in range(n - 1, 0, -1):
        top = a[0]
        a[0] = a[i]
        a[i] = top
        sift_down(a, 0, i)


cdef inline void swap(int32_t *a, Py_ssize_t i, Py_ssize_t j) noexcept nogil:
    cdef int32_t t = a[i]
    a[i] = a[j]
    a[j] = t


cdef void intro_sort(int32_t *a, Py_ssize_t n, int depth_budget) noexcept nogil:
    """Quicksort (median of three, Hoare partition) that falls back to heapsort when the
    recursion grows too deep, so no input costs more than O(n log n)."""
    cdef Py_ssize_t i, j, middle
    cdef int32_t pivot
    while n > INSERTION_SORT_MAX:
        if depth_budget == 0:
            heap_sort(a, n)
            return
        depth_budget -= 1
        middle = (n - 1) // 2
        if a[middle] < a[0]:
            swap(a, middle, 0)
        if a[n - 1] < a[0]:
            swap(a, n - 1, 0)
        if a[n - 1] < a[middle]:
            swap(a, n - 1, middle)
        pivot = a[middle]
        i = -1
        j = n
        while True:
            i += 1
            while a[i] < pivot:
                i += 1
            j -= 1
            while a[j] > pivot:
                j -= 1
            if i >= j:
                break
            swap(a, i, j)
        # a[:j + 1] <= pivot <= a[j + 1:], both parts non-empty; recurse into the smaller
        if j + 1 < n - j - 1:
            intro_sort(a, j + 1, depth_budget)
            a += j + 1
            n -= j + 1
        else:
            intro_sort(a + j + 1, n - j - 1, depth_budget)
            n = j + 1
    insertion_sort(a, n)


cdef void sort_small(int32_t *a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t depth = 0
    if n <= INSERTION_SORT_MAX:
        insertion_sort(a, n)
        return
    while (<Py_ssize_t> 1 << depth) < n:
        depth += 1
    intro_sort(a, n, 2 * depth)


cdef void bucket_sort(const int32_t *a, Py_ssize_t n, int range_bits, int32_t *out) noexcept nogil:
    """Sort a (values in [0, 2**range_bits)) into out. Hashed indices are spread evenly, so
    splitting them by their top bits into ~n/4 buckets leaves a few values per bucket, each
    bucket then sorted on its own: far fewer mispredicted branches than a quicksort."""
    cdef int64_t bucket_end[MAX_BUCKETS + 1]
    cdef int bucket_bits = 1, shift
    cdef Py_ssize_t r, b, start, n_buckets
    while bucket_bits < MAX_BUCKET_BITS and (<Py_ssize_t> 4 << bucket_bits) < n:
        bucket_bits += 1
    n_buckets = <Py_ssize_t> 1 << bucket_bits
    shift = range_bits - bucket_bits if range_bits > bucket_bits else 0
    for b in range(n_buckets + 1):
        bucket_end[b] = 0
    for r in range(n):
        bucket_end[(a[r] >> shift) + 1] += 1
    for b in range(1, n_buckets + 1):
        bucket_end[b] += bucket_end[b - 1]
    # bucket_end[b] is now the start of bucket b; the scatter moves it to its end
    for r in range(n):
        b = a[r] >> shift
        out[bucket_end[b]] = a[r]
        bucket_end[b] += 1
    start = 0
    for b in range(n_buckets):
        sort_small(out + start, bucket_end[b] - start)
        start = bucket_end[b]
