"""Three locality-sensitive hash families for dense vectors (activations, neuron weights).

- ``"dwta"``, densified winner-take-all (Chen and Shrivastava): each hash looks at a small
  random bin of coordinates and records which one is largest (3 bits for a bin of 8).
  Vectors pointing the same way win in the same places. A bin with no positive value (ReLU
  activations are often zero) borrows the winner of the next non-empty bin of its table, so
  sparse vectors still hash meaningfully.
- ``"simhash"``, signed random projections (Charikar): each hash is the sign of a sparse
  +-1 projection (a third of the coordinates), so the chance that two vectors share a bit
  falls with the angle between them.
- ``"mips"``, signed random projections after the asymmetric transform for maximum
  inner-product search (Neyshabur and Srebro, ICML 2015): a neuron's key is its weight row,
  its bias and a last coordinate that brings every key to the same norm, ``[w, b,
  sqrt(M^2 - |w|^2 - b^2)]``; a query is ``[x, 1, 0]``. The angle between them then falls as
  the score ``w . x + b`` rises, so the tables find the neurons that score highest, not
  those whose weights merely point the same way (SimHash and DWTA ignore norms and biases,
  which are what makes a frequent label score high). The two extra coordinates enter every
  projection, with the weight that keeps the projection isotropic.

A table's code concatenates its K hashes; codes wider than ``range_bits`` are mixed down to
that many bits. Everything is drawn from ``seed``: the same seed gives the same functions.
"""
import numpy as np

cimport numpy as cnp

from sparsenet.native._vector_ops cimport dwta_winners8_lanes, signed_sums8_lanes

cnp.import_array()

cdef enum:
    DWTA_BIN_BITS = 3  # a bin of 8 coordinates: its winner takes 3 bits


cdef inline void transpose8(const float *rows, Py_ssize_t row_stride, Py_ssize_t count,
                            Py_ssize_t dimension, float *transposed) noexcept nogil:
    """Up to 8 rows as dimension vectors of 8 (missing rows as zeros): the layout both
    families' 8-row key builds read coordinate by coordinate."""
    cdef Py_ssize_t i, c
    for c in range(dimension):
        for i in range(8):
            transposed[c * 8 + i] = rows[i * row_stride + c] if i < count else 0.0


cdef class HashFamily:
    """L tables of K hashes each over vectors of ``dimension`` floats.

    Parameters
    ----------
    kind : {"dwta", "simhash", "mips"}
    dimension : int
        Length of the hashed vectors (for "mips": of the queries and the weight rows; keys
        carry two coordinates more).
    n_tables : int
        L, the number of tables.
    hashes_per_table : int
        K, hashes concatenated into one table's code.
    range_bits : int
        Each table has 2**range_bits buckets.
    seed : int
        Draws every random choice.
    functions : tuple of three arrays, optional
        The functions as drawn before, ``(coordinates, signs, tail)`` (what pickling and
        model files store, so that a later change to how functions are drawn cannot change
        a saved model's); checked against the other parameters. None draws them from
        ``seed``.
    """

    def __cinit__(self, str kind, Py_ssize_t dimension, Py_ssize_t n_tables,
                  Py_ssize_t hashes_per_table, Py_ssize_t range_bits, unsigned long long seed,
                  functions=None):
        if kind not in ("dwta", "simhash", "mips"):
            raise ValueError(f"hash family must be 'dwta', 'simhash' or 'mips', got {kind!r}")
        if dimension < 1 or n_tables < 1 or hashes_per_table < 1:
            raise ValueError("dimension, n_tables and hashes_per_table must be positive")
        if not 1 <= range_bits <= 24:
            raise ValueError(f"range_bits must lie in [1, 24] (at most 16M buckets a table), got {range_bits}")
        if hashes_per_table > 20:
            raise ValueError(f"at most 20 hashes per table, got {hashes_per_table}")
        self.kind, self.dimension, self.n_tables = kind, dimension, n_tables
        self.hashes_per_table, self.range_bits, self.seed = hashes_per_table, range_bits, seed
        self.is_dwta = kind == "dwta"
        self.has_tail = kind == "mips"
        shape = (n_tables, hashes_per_table)
        self.sample_size = min(1 << DWTA_BIN_BITS, dimension) if self.is_dwta else max(1, dimension // 3)
        if functions is None:
            coordinates, self.signs, self.tail = self._drawn_functions(shape)
        else:
            coordinates, self.signs, self.tail = self._checked_functions(functions, shape)
        self.coordinates = np.ascontiguousarray(coordinates, dtype=np.int32)
        self.signs = np.ascontiguousarray(self.signs, dtype=np.float32)
        self.coordinates_ptr = <const int *> cnp.PyArray_DATA(self.coordinates)
        self.signs_ptr = <const float *> cnp.PyArray_DATA(self.signs)
        self.tail = np.ascontiguousarray(self.tail, dtype=np.float32)
        self.tail_ptr = <const float *> cnp.PyArray_DATA(self.tail)

    def _drawn_functions(self, shape):
        """(coordinates, signs, tail) drawn from the seed."""
        rng = np.random.RandomState(self.seed % (2**32))
        # each bin (DWTA) or projection (SimHash): distinct coordinates, drawn independently
        keys = rng.random_sample(shape + (self.dimension,))
        coordinates = np.argsort(keys, axis=2)[:, :, : self.sample_size]
        if self.is_dwta:
            signs = np.ones(shape + (self.sample_size,), dtype=np.float32)
        else:
            signs = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=shape + (self.sample_size,))
        # the weights of a key's bias and norm coordinates in each projection: always present,
        # +-1/sqrt(3) so that they vary as much as a coordinate drawn a third of the time
        # with weight +-1 (zero outside "mips", drawn after the rest so that "simhash" keeps
        # its functions)
        tail = np.zeros(shape + (2,), dtype=np.float32)
        if self.has_tail:
            tail = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=shape + (2,)) / np.float32(np.sqrt(3.0))
        return coordinates, signs, tail

    def _checked_functions(self, functions, shape):
        """Stored functions, refused unless they fit this family: the kernels index vectors
        of ``dimension`` with the coordinates."""
        if not isinstance(functions, tuple) or len(functions) != 3:
            raise ValueError("functions must be a tuple (coordinates, signs, tail)")
        coordinates, signs, tail = (np.asarray(part) for part in functions)
        drawn = shape + (self.sample_size,)
        if coordinates.shape != drawn or signs.shape != drawn or tail.shape != shape + (2,):
            raise ValueError(f"stored hash functions have shapes {coordinates.shape}, {signs.shape}, "
                             f"{tail.shape}; this family needs {drawn}, {drawn}, {shape + (2,)}")
        if coordinates.dtype.kind not in "iu" or (coordinates.size and (coordinates.min() < 0
                                                                       or coordinates.max() >= self.dimension)):
            raise ValueError(f"stored hash coordinates must be integers in [0, {self.dimension})")
        if not (np.all(np.isfinite(signs)) and np.all(np.isfinite(tail))):
            raise ValueError("stored hash weights must be finite")
        return coordinates, signs.astype(np.float32), tail.astype(np.float32)

    def __reduce__(self):
        # the functions themselves, not only their seed: what they hash must not change
        # with the code that draws them
        return (HashFamily, (self.kind, self.dimension, self.n_tables, self.hashes_per_table,
                             self.range_bits, self.seed, (self.coordinates, self.signs, self.tail)))

    @property
    def n_buckets(self):
        return 1 << self.range_bits

    cdef unsigned int bucket(self, const float *x, Py_ssize_t table) noexcept nogil:
        """The bucket of vector x in one table (for "mips": of the query ``[x, 1, 0]``)."""
        return self.key_bucket(x, 1.0, 0.0, table)

    cdef unsigned int key_bucket(self, const float *x, float bias, float completion,
                                 Py_ssize_t table) noexcept nogil:
        """The bucket of ``[x, bias, completion]`` in one table (the last two ignored outside
        "mips")."""
        cdef Py_ssize_t h, j, winner, m = self.sample_size, K = self.hashes_per_table
        cdef const int *bins = self.coordinates_ptr + table * K * m
        cdef const float *signs = self.signs_ptr + table * K * m
        cdef unsigned long long code = 0
        cdef int[32] winners
        cdef float best, value, projection
        if self.is_dwta:
            for h in range(K):
                winner, best = -1, 0.0
                for j in range(m):
                    value = x[bins[h * m + j]]
                    if value > best:
                        best, winner = value, j
                winners[h] = <int> winner
            return self.dwta_bucket(winners, 1, table)
        for h in range(K):
            projection = 0.0
            for j in range(m):
                projection += signs[h * m + j] * x[bins[h * m + j]]
            if self.has_tail:
                projection += self.tail_ptr[(table * K + h) * 2] * bias \
                    + self.tail_ptr[(table * K + h) * 2 + 1] * completion
            code = (code << 1) | <unsigned long long> (projection > 0)
        return self.fold(code, K, table)

    cdef inline unsigned int fold(self, unsigned long long code, Py_ssize_t code_bits,
                                  Py_ssize_t table) noexcept nogil:
        """A table's code as a bucket: wider codes are mixed down to range_bits bits
        (multiplicative hashing)."""
        if code_bits <= self.range_bits:
            return <unsigned int> code
        return <unsigned int> (((code + <unsigned long long> table) * 0x9E3779B97F4A7C15ULL) >> (64 - self.range_bits))

    cdef unsigned int dwta_bucket(self, const int *winners, Py_ssize_t stride, Py_ssize_t table) noexcept nogil:
        """The bucket of a table's K DWTA winners (winners[h * stride], -1 for an empty bin)."""
        cdef Py_ssize_t h, probe, winner, m = self.sample_size, K = self.hashes_per_table
        cdef unsigned long long code = 0
        for h in range(K):
            # densification: an empty bin takes the next non-empty bin's winner, shifted by
            # the distance so that borrowed and own winners rarely coincide
            winner = winners[h * stride]
            probe = 1
            while winner < 0 and probe < K:
                if winners[((h + probe) % K) * stride] >= 0:
                    winner = (winners[((h + probe) % K) * stride] + probe) % m
                probe += 1
            code = (code << DWTA_BIN_BITS) | <unsigned long long> (winner if winner >= 0 else 0)
        return self.fold(code, K * DWTA_BIN_BITS, table)

    cdef void buckets_of_rows(self, const float *rows, Py_ssize_t row_stride, Py_ssize_t count,
                              const float *biases, const float *completions,
                              unsigned int *codes, Py_ssize_t codes_stride, float *scratch) noexcept nogil:
        """Buckets of up to 8 rows in every table: codes[t * codes_stride + i] for row i (for
        "mips", of the keys ``[row i, biases[i], completions[i]]``).
        The rows are first transposed into scratch (8 * dimension floats), so that each
        coordinate of the 8 rows is one contiguous vector: a DWTA bin's winners come from 8
        vector compares, a projection's 8 sums from one pass, instead of a gather per row
        and hash (DWTA bins of other sizes than 8 take the one-row path)."""
        cdef Py_ssize_t i, t, K = self.hashes_per_table
        cdef int[8 * 32] winners
        if self.is_dwta and self.sample_size != 8:
            for i in range(count):
                for t in range(self.n_tables):
                    codes[t * codes_stride + i] = self.key_bucket(rows + i * row_stride, 0.0, 0.0, t)
            return
        transpose8(rows, row_stride, count, self.dimension, scratch)
        if not self.is_dwta:
            self.projection_buckets8(count, biases, completions, codes, codes_stride, scratch)
            return
        for t in range(self.n_tables):
            dwta_winners8_lanes(scratch, self.coordinates_ptr + t * K * 8, K, winners)
            for i in range(count):
                codes[t * codes_stride + i] = self.dwta_bucket(winners + i, 8, t)

    cdef void projection_buckets8(self, Py_ssize_t count, const float *biases, const float *completions,
                                  unsigned int *codes, Py_ssize_t codes_stride,
                                  const float *transposed) noexcept nogil:
        """buckets_of_rows for the projection families, from the 8 rows' transpose: every
        coordinate a projection reads is one contiguous vector of 8 rows, so the 8
        projections advance together (a gather per row and coordinate made key builds of
        large layers the slowest part of training). Each row's sum runs in the order of
        key_bucket, so the codes are the same."""
        cdef Py_ssize_t i, t, h, K = self.hashes_per_table, m = self.sample_size
        cdef float tail_bias, tail_completion
        cdef float[8] projections, bias8, completion8
        cdef unsigned long long[8] code8
        for i in range(8):
            bias8[i] = biases[i] if self.has_tail and i < count else 0.0
            completion8[i] = completions[i] if self.has_tail and i < count else 0.0
        for t in range(self.n_tables):
            for i in range(8):
                code8[i] = 0
            for h in range(K):
                signed_sums8_lanes(transposed, self.coordinates_ptr + (t * K + h) * m,
                                   self.signs_ptr + (t * K + h) * m, m, projections)
                if self.has_tail:
                    tail_bias = self.tail_ptr[(t * K + h) * 2]
                    tail_completion = self.tail_ptr[(t * K + h) * 2 + 1]
                    for i in range(8):
                        projections[i] += tail_bias * bias8[i] + tail_completion * completion8[i]
                for i in range(8):
                    code8[i] = (code8[i] << 1) | <unsigned long long> (projections[i] > 0)
            for i in range(count):
                codes[t * codes_stride + i] = self.fold(code8[i], K, t)

    def hash_rows(self, X):
        """Buckets of each row of a float32 matrix, hashed as a query, in every table: shape
        (n_rows, n_tables)."""
        cdef cnp.ndarray rows = np.ascontiguousarray(X, dtype=np.float32)
        if rows.ndim != 2 or rows.shape[1] != self.dimension:
            raise ValueError(f"rows must have {self.dimension} columns")
        cdef unsigned int[:, ::1] codes = np.empty((rows.shape[0], self.n_tables), dtype=np.uint32)
        cdef const float *data = <const float *> cnp.PyArray_DATA(rows)
        cdef Py_ssize_t i, t
        with nogil:
            for i in range(codes.shape[0]):
                for t in range(self.n_tables):
                    codes[i, t] = self.bucket(data + i * self.dimension, t)
        return np.asarray(codes)
