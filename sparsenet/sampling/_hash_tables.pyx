"""HashTables: L hash tables over a layer's neurons, built from their weight vectors.

For an input vector, the neurons in its L buckets are those whose weights point roughly the
same way: those likely to have large activations. The more of the L buckets a neuron is in,
the closer it is, so both training (``append_best_ranked``) and sparse inference rank the
neurons met by how many tables returned them and compute only the best.

- Buckets hold at most ``bucket_capacity`` neurons. When more hash to one bucket, a
  pseudo-random subset (a reservoir, fixed by the seed and the build count) is kept, so a
  few crowded buckets cannot blow up the active set.
- Tables are stored as CSR (``bucket_starts``, ``members``): memory is L x (buckets +
  neurons) ints, whatever the capacity.
- ``build`` splits the tables across threads: each thread owns whole tables, so no locks.
- With the "mips" family the neurons are split into ``norm_ranges`` ranges of equal size by
  the norm of ``[w, b]`` (norm-ranging LSH, Yan et al., NeurIPS 2018), each range brought
  to its own largest norm: with one norm for all, the many short rows of a layer whose norms
  spread widely (a Zipf label distribution gives such layers) all lie near the completion
  axis and the tables cannot tell them apart. Ranking then weighs a neuron's table count by
  its range: the count estimates the angle to the query, the range's norm scales it into a
  score estimate, and the ranges and counts are ranked once per build
  (``count_priority``), so queries rank by table lookups, not arithmetic.
"""
import numpy as np

cimport numpy as cnp
from cython.parallel cimport parallel, prange, threadid
from libc.stdint cimport uint8_t
from libc.string cimport memset

from sparsenet.native._random cimport TABLE_ORDER, draw, stream
from sparsenet.native._sorting cimport keep_most_frequent
from sparsenet.sampling._hash_families cimport HashFamily

cnp.import_array()


cdef Py_ssize_t gcd(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    while b:
        a, b = b, a % b
    return a


# neurons a norm range holds at least (fewer ranges for small layers)
MIN_RANGE_SIZE = 64


def norm_ranges_of(weights, biases, n_ranges):
    """Split the rows into ``n_ranges`` ranges of (nearly) equal size by the norm of ``[w,
    b]``. Returns each row's range (uint8, 0 the shortest rows), the key's last coordinate
    under the inner-product transform, ``sqrt(M_r^2 - |w|^2 - b^2)`` with ``M_r`` the largest
    norm of the row's range (so every key of a range has norm ``M_r``; float32), and the
    ``M_r`` (float64). Non-finite rows count as norm 0."""
    # float32 products (a float64 einsum would copy the whole matrix first)
    squared = np.einsum("ij,ij->i", weights, weights).astype(np.float64) + np.square(biases, dtype=np.float64)
    squared[~np.isfinite(squared)] = 0.0
    n = squared.shape[0]
    ranges = np.empty(n, dtype=np.uint8)
    ranges[np.argsort(squared, kind="stable")] = (np.arange(n) * n_ranges // max(n, 1)).astype(np.uint8)
    largest = np.zeros(n_ranges)
    np.maximum.at(largest, ranges, squared)
    return ranges, np.sqrt(largest[ranges] - squared).astype(np.float32), np.sqrt(largest)


def count_priorities(range_norms, n_tables, hashes_per_table):
    """Rank of every (range, table count) pair as a score estimate, shape (n_ranges,
    n_tables + 1), 1 the lowest, count 0 ranked 0. A neuron met in c of L tables shares about
    p = (c / L)^(1 / K) of its K bits with the query, an angle of pi (1 - p) to it; times the
    range's norm, the cosine of that angle estimates its score up to the query's norm."""
    counts = np.arange(1, n_tables + 1)
    cosines = np.cos(np.pi * (1.0 - (counts / n_tables) ** (1.0 / hashes_per_table)))
    estimates = (np.asarray(range_norms)[:, None] * cosines[None, :]).ravel()
    ranks = np.empty(estimates.size, dtype=np.int32)
    # ties (equal norms) keep the higher count ahead; stable over the flattened order
    ranks[np.lexsort((np.tile(counts, len(range_norms)), estimates))] = np.arange(1, estimates.size + 1)
    priorities = np.zeros((len(range_norms), n_tables + 1), dtype=np.int32)
    priorities[:, 1:] = ranks.reshape(len(range_norms), n_tables)
    return priorities


cdef class HashTables:
    """Hash tables over ``n_neurons`` neurons, using ``family`` to hash their weights.

    Parameters
    ----------
    family : HashFamily
    n_neurons : int
    bucket_capacity : int
        Most neurons kept in one bucket.
    norm_ranges : int
        With the "mips" family: ranges the neurons are split into by norm (fewer when a
        range would hold under MIN_RANGE_SIZE neurons; 1 for the other families).
    """

    def __cinit__(self, HashFamily family, Py_ssize_t n_neurons, Py_ssize_t bucket_capacity,
                  bucket_starts=None, members=None, long long n_builds=0, int norm_ranges=1,
                  neuron_range=None, count_priority=None):
        if n_neurons < 1 or bucket_capacity < 1:
            raise ValueError("n_neurons and bucket_capacity must be positive")
        most_bits = int(np.ceil(np.log2(max(n_neurons, 2)))) + 2
        if family.range_bits > most_bits:
            raise ValueError(
                f"{family.n_buckets} buckets a table for {n_neurons} neurons only waste memory: "
                f"use range_bits <= {most_bits} (about four buckets a neuron)"
            )
        self.family, self.n_neurons, self.bucket_capacity = family, n_neurons, bucket_capacity
        self.n_builds = n_builds
        n_tables, n_buckets = family.n_tables, family.n_buckets
        if not 1 <= norm_ranges <= 255:
            raise ValueError(f"norm_ranges must lie in [1, 255], got {norm_ranges}")
        self.n_ranges = max(1, min(norm_ranges, n_neurons // MIN_RANGE_SIZE)) if family.has_tail else 1
        self.most_priority = <int> (self.n_ranges * n_tables)
        # append_best_ranked's scratch: the neurons met, their hit counts, a histogram of ranks
        self.ranking_scratch_size = 2 * self.most_members() + self.most_priority + 1
        if neuron_range is None:
            neuron_range = np.zeros(n_neurons, dtype=np.uint8)
            count_priority = np.tile(np.arange(n_tables + 1, dtype=np.int32), (self.n_ranges, 1))
        self.neuron_range = np.ascontiguousarray(neuron_range, dtype=np.uint8)
        self.count_priority = np.ascontiguousarray(count_priority, dtype=np.int32)
        if self.neuron_range.shape != (n_neurons,) or self.count_priority.shape != (self.n_ranges, n_tables + 1) \
                or self.neuron_range.max(initial=0) >= self.n_ranges or self.count_priority.min() < 0 \
                or self.count_priority.max() > self.most_priority:
            raise ValueError("malformed norm ranges")
        self.range_ptr = <const uint8_t *> cnp.PyArray_DATA(self.neuron_range)
        self.priority_ptr = <const int *> cnp.PyArray_DATA(self.count_priority)
        if bucket_starts is None:
            bucket_starts = np.zeros((n_tables, n_buckets + 1), dtype=np.int32)
            members = np.zeros((n_tables, n_neurons), dtype=np.int32)
        self.bucket_starts = np.ascontiguousarray(bucket_starts, dtype=np.int32)
        self.members = np.ascontiguousarray(members, dtype=np.int32)
        if self.bucket_starts.shape != (n_tables, n_buckets + 1) or self.members.shape != (n_tables, n_neurons):
            raise ValueError("table arrays do not match the hash family")
        # a table's members must stay inside its own row of `members`, pointing at real neurons
        if np.any(np.diff(self.bucket_starts, axis=1) < 0) or np.any(self.bucket_starts[:, 0] != 0) \
                or np.any(self.bucket_starts[:, -1] > n_neurons) \
                or np.any(np.diff(self.bucket_starts, axis=1) > bucket_capacity) \
                or (self.members.size and (self.members.min() < 0 or self.members.max() >= n_neurons)):
            raise ValueError("malformed hash tables")
        self.starts_ptr = <const int *> cnp.PyArray_DATA(self.bucket_starts)
        self.members_ptr = <const int *> cnp.PyArray_DATA(self.members)

    def __reduce__(self):
        return (HashTables, (self.family, self.n_neurons, self.bucket_capacity, self.bucket_starts,
                             self.members, self.n_builds, self.n_ranges, self.neuron_range, self.count_priority))

    @property
    def writeable(self):
        """Whether ``build`` may write the tables in place (False for tables loaded from a
        read-only memory map: the sampler then builds new ones)."""
        return bool(self.bucket_starts.flags.writeable and self.members.flags.writeable)

    def build(self, weights, int n_threads=1, biases=None):
        """Hash every neuron's weight row (``weights`` of shape (n_neurons, dimension), rows
        contiguous float32, possibly spaced further apart) into every table. The "mips"
        family hashes each row with its bias (``biases``, required there, ignored elsewhere)
        and the coordinate that brings every key to the largest norm among them."""
        if not self.writeable:
            raise ValueError("these tables are read-only (loaded from a memory map?): build new ones")
        weights = np.asarray(weights)
        if weights.shape != (self.n_neurons, self.family.dimension) or weights.dtype != np.float32 \
                or weights.strides[1] != 4 or weights.strides[0] % 4:
            raise ValueError(f"weights must be float32 rows of shape ({self.n_neurons}, {self.family.dimension})")
        cdef const float *rows = <const float *> cnp.PyArray_DATA(weights)
        cdef cnp.ndarray bias_values, completions
        if self.family.has_tail:
            if biases is None:
                raise ValueError("the 'mips' family hashes each neuron with its bias: pass biases")
            bias_values = np.ascontiguousarray(biases, dtype=np.float32)
            if bias_values.ndim != 1 or bias_values.shape[0] != self.n_neurons:
                raise ValueError(f"biases must hold {self.n_neurons} values")
            ranges, completions, range_norms = norm_ranges_of(weights, bias_values, self.n_ranges)
        else:  # placeholders, never read
            bias_values = completions = np.zeros(1, dtype=np.float32)
        cdef const float *bias_ptr = <const float *> cnp.PyArray_DATA(bias_values)
        cdef const float *completion_ptr = <const float *> cnp.PyArray_DATA(completions)
        cdef bint has_tail = self.family.has_tail
        cdef Py_ssize_t row_stride = weights.strides[0] // 4
        cdef Py_ssize_t n = self.n_neurons, n_tables = self.family.n_tables
        cdef Py_ssize_t n_buckets = self.family.n_buckets, capacity = self.bucket_capacity
        n_threads = max(1, n_threads)
        # every table's code of every neuron, computed neuron by neuron so that each weight
        # row is read from memory once, not once per table
        cdef unsigned int[:, ::1] codes = np.empty((n_tables, n), dtype=np.uint32)
        cdef int[:, ::1] fill = np.empty((n_threads, n_buckets + 1), dtype=np.int32)
        cdef int *starts = <int *> cnp.PyArray_DATA(self.bucket_starts)
        cdef int *members = <int *> cnp.PyArray_DATA(self.members)
        # neurons are offered to the buckets in a pseudo-random order (a * i + b mod n), so
        # the reservoir of a crowded bucket is a random subset that changes between builds
        cdef unsigned long long order_draw = draw(stream(self.family.seed, TABLE_ORDER), <unsigned long long> self.n_builds)
        cdef Py_ssize_t step = <Py_ssize_t> (order_draw % <unsigned long long> n) | 1
        while gcd(step, n) != 1:
            step += 2
        step %= n  # the same walk, with 0 <= step < n
        cdef Py_ssize_t offset = <Py_ssize_t> ((order_draw >> 32) % <unsigned long long> n)
        cdef Py_ssize_t t, i, r, b, tid
        cdef int *table_starts
        cdef int *table_members
        cdef int *counts
        cdef Py_ssize_t n_blocks = (n + 7) // 8, block
        cdef float[:, ::1] transposed = np.empty((n_threads, 8 * self.family.dimension), dtype=np.float32)
        with nogil, parallel(num_threads=n_threads):
            for block in prange(n_blocks, schedule="static"):
                self.family.buckets_of_rows(rows + block * 8 * row_stride, row_stride, min(8, n - block * 8),
                                            bias_ptr + block * 8 if has_tail else bias_ptr,
                                            completion_ptr + block * 8 if has_tail else completion_ptr,
                                            &codes[0, block * 8], n, &transposed[threadid(), 0])
        # then each thread fills whole tables: no two threads write one table
        with nogil, parallel(num_threads=min(n_threads, n_tables)):
            for t in prange(n_tables, schedule="dynamic", chunksize=1):
                tid = threadid()
                table_starts = starts + t * (n_buckets + 1)
                table_members = members + t * n
                counts = &fill[tid, 0]
                memset(counts, 0, (n_buckets + 1) * sizeof(int))
                # r walks offset, offset + step, ... (mod n) by additions: a division per
                # neuron and table was a third of the build
                r = offset
                for i in range(n):
                    b = codes[t, r]
                    if counts[b + 1] < capacity:
                        counts[b + 1] += 1
                    r = r + step - n if r >= n - step else r + step
                table_starts[0] = 0
                for b in range(n_buckets):
                    table_starts[b + 1] = table_starts[b] + counts[b + 1]
                    counts[b] = table_starts[b]  # now the fill cursor of bucket b
                r = offset
                for i in range(n):
                    b = codes[t, r]
                    if counts[b] < table_starts[b + 1]:
                        table_members[counts[b]] = <int> r
                        counts[b] += 1
                    r = r + step - n if r >= n - step else r + step
        if has_tail:
            # new arrays, not writes into the old: a query running meanwhile keeps its own
            self.neuron_range, self.count_priority = ranges, count_priorities(
                range_norms, n_tables, self.family.hashes_per_table)
            self.range_ptr = <const uint8_t *> cnp.PyArray_DATA(self.neuron_range)
            self.priority_ptr = <const int *> cnp.PyArray_DATA(self.count_priority)
        self.n_builds += 1

    cdef Py_ssize_t append_best_ranked(self, const float *x, int *positions, int *scratch, int *active,
                                       Py_ssize_t n_active, Py_ssize_t capacity) noexcept nogil:
        """Append to active[n_active:capacity] the neurons met most often in x's buckets over
        all the tables (the more tables agree, the closer the neuron's weights to x), ties
        going to the neuron met first (with norm ranges: the best score estimates, see
        count_priority). positions must be all zero on entry (nothing active
        yet); on return positions[neuron] holds each added neuron's position + 1. scratch
        holds ranking_scratch_size ints. Returns the new count."""
        cdef Py_ssize_t t, p, start, stop, i, kept, n_met = 0
        cdef Py_ssize_t n_buckets = (<Py_ssize_t> 1) << self.family.range_bits
        cdef Py_ssize_t most_met = self.most_members()
        cdef int *met = scratch
        cdef int *hits = scratch + most_met
        cdef int *histogram = hits + most_met
        cdef int neuron
        cdef unsigned int b
        if n_active >= capacity:
            return n_active
        for t in range(self.family.n_tables):
            b = self.family.bucket(x, t)
            start = self.starts_ptr[t * (n_buckets + 1) + b]
            stop = self.starts_ptr[t * (n_buckets + 1) + b + 1]
            for p in range(start, stop):
                neuron = self.members_ptr[t * self.n_neurons + p]
                if positions[neuron] == 0:
                    met[n_met] = neuron
                    n_met += 1
                positions[neuron] += 1
        for i in range(n_met):
            # one range ranks by the count itself (count_priority is then the identity)
            hits[i] = positions[met[i]] if self.n_ranges == 1 else \
                self.priority_ptr[self.range_ptr[met[i]] * (self.family.n_tables + 1) + positions[met[i]]]
            positions[met[i]] = 0
        kept = keep_most_frequent(met, hits, n_met, capacity - n_active, histogram, self.most_priority)
        for i in range(kept):
            active[n_active] = met[i]
            n_active += 1
            positions[met[i]] = <int> n_active
        return n_active

    cdef Py_ssize_t most_members(self) noexcept nogil:
        """The most neurons the L buckets of one vector can hold (repeats included)."""
        return self.family.n_tables * min(self.bucket_capacity, self.n_neurons)

    cdef Py_ssize_t bucket_members(self, const float *x, int *candidates, Py_ssize_t capacity) noexcept nogil:
        """The neurons in x's buckets, table after table, up to capacity, repeats included
        (no per-neuron scratch: for one-off queries, where clearing such scratch would cost
        more than sorting the result)."""
        cdef Py_ssize_t t, p, start, stop, count = 0, n_buckets = (<Py_ssize_t> 1) << self.family.range_bits
        cdef unsigned int b
        for t in range(self.family.n_tables):
            b = self.family.bucket(x, t)
            start = self.starts_ptr[t * (n_buckets + 1) + b]
            stop = min(self.starts_ptr[t * (n_buckets + 1) + b + 1], start + capacity - count)
            for p in range(start, stop):
                candidates[count] = self.members_ptr[t * self.n_neurons + p]
                count += 1
            if count >= capacity:
                break
        return count

    def query(self, x, Py_ssize_t capacity=-1):
        """The neurons training would take from x's buckets, at most ``capacity`` (default:
        all): those met in the most tables first come, in the order first met (for
        inspection and tests)."""
        cdef float[::1] vector = np.ascontiguousarray(x, dtype=np.float32)
        if vector.shape[0] != self.family.dimension:
            raise ValueError(f"x must have {self.family.dimension} values")
        if capacity < 0:
            capacity = self.n_neurons
        cdef int[::1] positions = np.zeros(self.n_neurons, dtype=np.int32)
        cdef int[::1] active = np.empty(max(capacity, 1), dtype=np.int32)
        cdef int[::1] scratch = np.empty(self.ranking_scratch_size, dtype=np.int32)
        cdef Py_ssize_t count = self.append_best_ranked(&vector[0], &positions[0], &scratch[0], &active[0], 0, capacity)
        return np.asarray(active[:count]).copy()
