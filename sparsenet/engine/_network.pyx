"""Network: the weights of a ReLU MLP with a softmax output, and its parallel forward pass.

The weights live in NumPy arrays (so the network pickles and inspects like any array), and
C pointers to them are bound once, so the kernels never touch a Python object.
"""
import numpy as np
from scipy import sparse

cimport numpy as cnp
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport INFINITY, exp, log
from libc.stdlib cimport free, malloc, qsort
from libc.string cimport memset

from sparsenet.engine._batch_groups cimport compare_ints
from sparsenet.engine._sampling cimport NeuronSampler, keep_most_frequent
from sparsenet.engine._vector_ops cimport vec_dot, vec_relu, vec_weighted_row_sum

cnp.import_array()


cdef InputRows bind_input_rows(object X, Py_ssize_t n_features) except *:
    """Check X thoroughly (the kernels trust it afterwards) and point an InputRows at it."""
    cdef InputRows rows
    cdef cnp.ndarray data, indices, indptr
    if sparse.issparse(X):
        if X.format != "csr":
            raise TypeError(f"the engine takes CSR input, got {X.format!r}")
        data, indices, indptr = X.data, X.indices, X.indptr
        if data.dtype != np.float32 or indices.dtype != np.int32 or indptr.dtype != np.int64:
            raise TypeError("the engine takes CSR with float32 data, int32 indices, int64 indptr")
        if not (data.flags.c_contiguous and indices.flags.c_contiguous and indptr.flags.c_contiguous):
            raise ValueError("CSR arrays must be contiguous")
        n_rows = X.shape[0]
        if indptr.shape[0] != n_rows + 1 or indptr[0] != 0 or indptr[n_rows] > indices.shape[0] \
                or indices.shape[0] != data.shape[0]:
            raise ValueError("malformed sparse matrix: indptr does not match indices and data")
        if n_rows > 0 and np.any(np.diff(indptr) < 0):
            raise ValueError("malformed sparse matrix: indptr is not non-decreasing")
        used = indices[:indptr[n_rows]]
        if used.shape[0] and (used.min() < 0 or used.max() >= n_features):
            raise ValueError(
                f"sparse matrix has column indices outside [0, {n_features}): "
                f"min {used.min()}, max {used.max()}"
            )
        rows.data = <const float *> cnp.PyArray_DATA(data)
        rows.indices = <const int *> cnp.PyArray_DATA(indices)
        rows.indptr = <const long long *> cnp.PyArray_DATA(indptr)
        rows.n_rows = n_rows
    else:
        if not isinstance(X, np.ndarray) or X.ndim != 2:
            raise TypeError("the engine takes a 2-D ndarray or a CSR matrix")
        data = X
        if data.dtype != np.float32 or not data.flags.c_contiguous:
            raise TypeError("the engine takes C-contiguous float32 dense input")
        rows.data = <const float *> cnp.PyArray_DATA(data)
        rows.indices = NULL
        rows.indptr = NULL
        rows.n_rows = data.shape[0]
    if X.shape[1] != n_features:
        raise ValueError(f"X has {X.shape[1]} features, the network expects {n_features}")
    rows.n_features = n_features
    return rows


cdef void forward_hidden(const Layer *layers, Py_ssize_t n_layers, const InputRows *X,
                         Py_ssize_t row, float *hidden, const Py_ssize_t *hidden_offsets) noexcept nogil:
    """Forward one input row through the hidden layers; activations go to `hidden`."""
    cdef const Layer *layer = &layers[0]
    cdef Py_ssize_t l
    cdef long long start
    if X.indices != NULL:
        start = X.indptr[row]
        vec_weighted_row_sum(hidden, layer.biases, layer.n_out, X.data + start, 1, layer.weights,
                             layer.row_stride, X.indices + start, X.indptr[row + 1] - start)
    else:
        vec_weighted_row_sum(hidden, layer.biases, layer.n_out, X.data + row * X.n_features, 1,
                             layer.weights, layer.row_stride, NULL, X.n_features)
    vec_relu(hidden, layer.n_out)
    for l in range(1, n_layers - 1):
        layer = &layers[l]
        score_neurons(layer, hidden + hidden_offsets[l - 1], NULL, layer.n_out, hidden + hidden_offsets[l])
        vec_relu(hidden + hidden_offsets[l], layer.n_out)


cdef void score_neurons(const Layer *layer, const float *inputs, const int *neurons,
                        Py_ssize_t count, float *scores) noexcept nogil:
    """scores[k] = bias + weights . inputs of neuron neurons[k] (of neuron k when NULL)."""
    cdef Py_ssize_t k, neuron
    for k in range(count):
        neuron = neurons[k] if neurons != NULL else k
        scores[k] = layer.biases[neuron] + vec_dot(layer.weights + neuron * layer.row_stride, inputs, layer.n_in)


cdef void forward_sample(const Layer *layers, Py_ssize_t n_layers, const InputRows *X,
                         Py_ssize_t row, float *hidden, const Py_ssize_t *hidden_offsets,
                         float *logits) noexcept nogil:
    """Forward one input row; hidden activations go to `hidden`, all output scores to `logits`."""
    cdef const Layer *output = &layers[n_layers - 1]
    forward_hidden(layers, n_layers, X, row, hidden, hidden_offsets)
    score_neurons(output, hidden + hidden_offsets[n_layers - 2], NULL, output.n_out, logits)


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
                             int *histogram, int most_hits) noexcept nogil:
    """Turn ids[:count] (repeats included) into the candidates to score: the ``keep``
    distinct ids that repeat most (ties: the first met), plus every id of always[:n_always];
    if fewer than k result, the lowest other ids are appended. The caller's buffers hold at
    least max(count + n_always, k) ints; slots is a power of two n_slots >= 2 (count +
    n_always) ints of scratch; histogram holds most_hits + 2. Returns the count."""
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
            # the always-scored ids outrank every table count
            hits[slots[at]] = most_hits + 1
    count = keep_most_frequent(ids, hits, write, max(keep, k) + n_always, histogram, most_hits + 1)
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


def row_major_float32(array):
    """The array itself when its rows are contiguous float32 (the rows may be spaced
    further apart, as in a view of interleaved storage), else a C-contiguous copy."""
    array = np.asarray(array)
    if array.ndim == 2 and array.dtype == np.float32 and array.strides[1] == 4 \
            and array.strides[0] % 4 == 0 and array.strides[0] >= 4 * array.shape[1]:
        return array
    return np.ascontiguousarray(array, dtype=np.float32)


# exact scans score this many rows against each output neuron while its weights are in cache
cdef enum:
    ROWS_PER_BLOCK = 32
    NEURONS_PER_CHUNK = 512


cdef class Network:
    """A ReLU MLP with a linear output layer (softmax is applied by the caller or the trainer).

    Parameters
    ----------
    weights : list of float32 ndarrays
        ``weights[0]`` has shape ``(n_features, hidden_0)`` (feature-major); every later
        ``weights[l]`` has shape ``(n_out, n_in)`` (neuron-major).
    biases : list of float32 ndarrays
        ``biases[l]`` has shape ``(n_out of layer l,)``.
    """

    def __cinit__(self, list weights, list biases, sampler=None):
        self.layers = NULL
        self.hidden_offsets = NULL
        if len(weights) < 2 or len(weights) != len(biases):
            raise ValueError("a network needs at least two layers, with one bias vector each")
        self.weights = [row_major_float32(w) for w in weights]
        self.biases = [np.ascontiguousarray(b, dtype=np.float32) for b in biases]
        self.n_layers = len(weights)
        self._bind_pointers()
        self.set_sampler(sampler)

    def __dealloc__(self):
        free(self.layers)
        free(self.hidden_offsets)

    cdef void _bind_pointers(self) except *:
        cdef Py_ssize_t l, n_in, n_out
        cdef cnp.ndarray w, b
        free(self.layers)
        free(self.hidden_offsets)
        self.layers = <Layer *> malloc(self.n_layers * sizeof(Layer))
        self.hidden_offsets = <Py_ssize_t *> malloc(self.n_layers * sizeof(Py_ssize_t))
        if self.layers == NULL or self.hidden_offsets == NULL:
            raise MemoryError()
        self.hidden_total = 0
        for l in range(self.n_layers):
            w = self.weights[l]
            b = self.biases[l]
            if w.ndim != 2 or b.ndim != 1:
                raise ValueError(f"layer {l}: weights must be 2-D and biases 1-D")
            if l == 0:
                n_in, n_out = w.shape[0], w.shape[1]
            else:
                n_out, n_in = w.shape[0], w.shape[1]
                if n_in != self.layers[l - 1].n_out:
                    raise ValueError(f"layer {l} takes {n_in} inputs but layer {l - 1} gives "
                                     f"{self.layers[l - 1].n_out}")
            if b.shape[0] != n_out or n_in < 1 or n_out < 1:
                raise ValueError(f"layer {l}: inconsistent or empty shapes")
            self.layers[l].weights = <float *> cnp.PyArray_DATA(w)
            self.layers[l].biases = <float *> cnp.PyArray_DATA(b)
            self.layers[l].n_in = n_in
            self.layers[l].n_out = n_out
            self.layers[l].row_stride = w.strides[0] // 4
            if l < self.n_layers - 1:
                self.hidden_offsets[l] = self.hidden_total
                self.hidden_total += n_out

    def __reduce__(self):
        return (Network, (self.weights, self.biases, self.sampler))

    def set_sampler(self, sampler):
        """Attach hash tables over the output layer's neurons (None: dense output)."""
        if sampler is not None:
            if not isinstance(sampler, NeuronSampler):
                raise TypeError("sampler must be a NeuronSampler or None")
            if sampler.n_neurons != self.n_outputs or sampler.family.dimension != self.layers[self.n_layers - 1].n_in:
                raise ValueError("the sampler does not match the output layer's shape")
        self.sampler = sampler

    cpdef set_weights(self, Py_ssize_t layer, object weights):
        """Swap in a weight matrix of the same shape (e.g. a view into interleaved storage)."""
        weights = row_major_float32(weights)
        if weights.shape != self.weights[layer].shape:
            raise ValueError(f"layer {layer} weights must keep shape {self.weights[layer].shape}")
        self.weights[layer] = weights
        self._bind_pointers()

    @property
    def n_features(self):
        return self.layers[0].n_in

    @property
    def n_outputs(self):
        return self.layers[self.n_layers - 1].n_out

    @property
    def hidden_sizes(self):
        return tuple(self.layers[l].n_out for l in range(self.n_layers - 1))

    def copy(self):
        """A deep copy (used to keep the best weights seen during early stopping)."""
        return Network([w.copy() for w in self.weights], [b.copy() for b in self.biases], self.sampler)

    def make_writeable(self):
        """Copy any read-only array (e.g. one loaded from a memory map) so training can write."""
        if all(a.flags.writeable for a in self.weights + self.biases):
            return
        self.weights = [a if a.flags.writeable else a.copy() for a in self.weights]
        self.biases = [a if a.flags.writeable else a.copy() for a in self.biases]
        self._bind_pointers()

    def logits(self, X, int n_threads=1):
        """Output scores before the softmax, shape ``(n_samples, n_outputs)``, float32."""
        cdef InputRows rows = bind_input_rows(X, self.n_features)
        cdef Py_ssize_t n_out = self.n_outputs, width = max(self.hidden_total, 1)
        cdef float[:, ::1] scores = np.empty((rows.n_rows, n_out), dtype=np.float32)
        cdef float[:, ::1] scratch = np.empty((max(n_threads, 1), width), dtype=np.float32)
        cdef Py_ssize_t i
        if rows.n_rows == 0:
            return np.asarray(scores)
        with nogil, parallel(num_threads=n_threads):
            for i in prange(rows.n_rows, schedule="static"):
                forward_sample(self.layers, self.n_layers, &rows, i, &scratch[threadid(), 0],
                               self.hidden_offsets, &scores[i, 0])
        return np.asarray(scores)

    def top_k(self, X, Py_ssize_t k, int n_threads=1, bint with_log_normaliser=False):
        """The k highest-scoring outputs of each row, best first, and their scores.

        With ``with_log_normaliser``, also each row's log-sum-exp of all scores, so the
        caller can turn scores into softmax probabilities. Rows are scored in blocks: each
        output neuron's weights are read once per block of rows rather than once per row,
        which is what bounds an exact scan of a large output layer. Memory stays at
        ``n_samples * k`` plus small per-thread blocks, whatever the number of outputs.
        """
        cdef InputRows rows = bind_input_rows(X, self.n_features)
        cdef Py_ssize_t n_out = self.n_outputs, width = max(self.hidden_total, 1)
        if not 1 <= k <= n_out:
            raise ValueError(f"k must be in [1, {n_out}], got {k}")
        cdef Py_ssize_t n_rows = rows.n_rows, threads = max(n_threads, 1)
        cdef Py_ssize_t chunk = min(n_out, NEURONS_PER_CHUNK)
        cdef Py_ssize_t n_blocks = (n_rows + ROWS_PER_BLOCK - 1) // ROWS_PER_BLOCK
        cdef long long[:, ::1] labels = np.empty((n_rows, k), dtype=np.int64)
        cdef float[:, ::1] best = np.empty((n_rows, k), dtype=np.float32)
        cdef double[::1] largest = np.zeros(n_rows, dtype=np.float64)
        cdef double[::1] total = np.zeros(n_rows, dtype=np.float64)
        cdef float[:, ::1] hidden = np.empty((threads * ROWS_PER_BLOCK, width), dtype=np.float32)
        cdef float[:, ::1] scores = np.empty((threads * ROWS_PER_BLOCK, chunk), dtype=np.float32)
        cdef Py_ssize_t[:, ::1] filled = np.zeros((threads, ROWS_PER_BLOCK), dtype=np.intp)
        cdef const Layer *output = &self.layers[self.n_layers - 1]
        cdef Py_ssize_t block, first, count, r, c, start, stop, j, base, last_offset = self.hidden_offsets[self.n_layers - 2]
        cdef int tid
        cdef double chunk_max
        if n_rows > 0:
            with nogil, parallel(num_threads=threads):
                for block in prange(n_blocks, schedule="dynamic", chunksize=1):
                    tid = threadid()
                    base = tid * ROWS_PER_BLOCK
                    first = block * ROWS_PER_BLOCK
                    count = min(ROWS_PER_BLOCK, n_rows - first)
                    for r in range(count):
                        forward_hidden(self.layers, self.n_layers, &rows, first + r, &hidden[base + r, 0], self.hidden_offsets)
                        filled[tid, r] = 0
                        largest[first + r] = -INFINITY
                        total[first + r] = 0.0
                    for c in range((n_out + chunk - 1) // chunk):
                        start = c * chunk
                        stop = min(start + chunk, n_out)
                        for j in range(start, stop):
                            for r in range(count):
                                scores[base + r, j - start] = output.biases[j] + vec_dot(
                                    output.weights + j * output.row_stride, &hidden[base + r, last_offset], output.n_in)
                        for r in range(count):
                            for j in range(start, stop):
                                filled[tid, r] = insert_top_k(scores[base + r, j - start], j, k, filled[tid, r],
                                                              &labels[first + r, 0], &best[first + r, 0])
                            if with_log_normaliser:
                                # running log-sum-exp: rescale the total when the maximum grows
                                chunk_max = best[first + r, 0]
                                if chunk_max > largest[first + r]:
                                    total[first + r] = total[first + r] * exp(largest[first + r] - chunk_max)
                                    largest[first + r] = chunk_max
                                for j in range(stop - start):
                                    total[first + r] += exp(scores[base + r, j] - largest[first + r])
        if with_log_normaliser:
            return np.asarray(labels), np.asarray(best), np.asarray(largest) + np.log(np.asarray(total))
        return np.asarray(labels), np.asarray(best)

    def top_k_sampled(self, X, Py_ssize_t k, int n_threads=1, Py_ssize_t max_candidates=0, always=None):
        """Like ``top_k``, but scoring only neurons the hash tables return for each row: the
        ``max_candidates`` met in the most tables (0: all of them), padded with the lowest
        other ids when fewer than k come back. The cost no longer grows with the number of
        outputs. ``always``: neuron ids scored for every row besides (for instance the most
        frequent labels, whose large weights hashing by direction alone can miss). Scores
        are exact for the neurons scored; the log-normaliser returned is the log-sum-exp over
        those neurons only."""
        if self.sampler is None:
            raise ValueError("this network has no hash tables over its output layer")
        cdef NeuronSampler sampler = self.sampler
        cdef InputRows rows = bind_input_rows(X, self.n_features)
        cdef Py_ssize_t n_out = self.n_outputs, width = max(self.hidden_total, 1)
        if not 1 <= k <= n_out:
            raise ValueError(f"k must be in [1, {n_out}], got {k}")
        cdef int[::1] always_ids = np.unique(np.asarray([] if always is None else always, dtype=np.int32))
        cdef Py_ssize_t n_always = always_ids.shape[0]
        if n_always and (always_ids[0] < 0 or always_ids[n_always - 1] >= n_out):
            raise ValueError(f"always-scored ids must lie in [0, {n_out})")
        cdef const int *always_ptr = &always_ids[0] if n_always else NULL
        cdef Py_ssize_t met_capacity = max(sampler.n_tables_times_capacity() + n_always, k)
        cdef Py_ssize_t keep = met_capacity if max_candidates <= 0 else max(k, max_candidates)
        cdef int most_hits = <int> sampler.family.n_tables
        cdef Py_ssize_t threads = max(1, min(n_threads, rows.n_rows))
        cdef long long[:, ::1] labels = np.empty((rows.n_rows, k), dtype=np.int64)
        cdef float[:, ::1] best = np.empty((rows.n_rows, k), dtype=np.float32)
        cdef float[:, ::1] hidden = np.empty((threads, width), dtype=np.float32)
        cdef float[:, ::1] scores = np.empty((threads, min(keep + n_always, met_capacity)), dtype=np.float32)
        cdef int[:, ::1] met = np.empty((threads, met_capacity), dtype=np.int32)
        cdef int[:, ::1] hits = np.empty((threads, met_capacity), dtype=np.int32)
        cdef int[:, ::1] histogram = np.empty((threads, most_hits + 2), dtype=np.int32)
        cdef Py_ssize_t n_slots = 2
        while n_slots < 2 * met_capacity:
            n_slots *= 2
        cdef int[:, ::1] slots = np.empty((threads, n_slots), dtype=np.int32)
        cdef Py_ssize_t row_slots
        cdef double[::1] log_normaliser = np.zeros(rows.n_rows, dtype=np.float64)
        cdef const Layer *output = &self.layers[self.n_layers - 1]
        cdef Py_ssize_t i, j, count
        cdef int tid
        cdef float *last_hidden
        if rows.n_rows == 0:
            return np.asarray(labels), np.asarray(best), np.asarray(log_normaliser)
        with nogil, parallel(num_threads=threads):
            for i in prange(rows.n_rows, schedule="static"):
                tid = threadid()
                forward_hidden(self.layers, self.n_layers, &rows, i, &hidden[tid, 0], self.hidden_offsets)
                last_hidden = &hidden[tid, 0] + self.hidden_offsets[self.n_layers - 2]
                count = sampler.collect(last_hidden, &met[tid, 0], met_capacity - n_always)
                row_slots = 2
                while row_slots < 2 * (count + n_always):
                    row_slots = row_slots * 2
                count = rank_and_pad(&met[tid, 0], &hits[tid, 0], count, keep, k, always_ptr, n_always,
                                     &slots[tid, 0], row_slots, &histogram[tid, 0], most_hits)
                score_neurons(output, last_hidden, &met[tid, 0], count, &scores[tid, 0])
                select_top_k(&scores[tid, 0], count, k, &labels[i, 0], &best[i, 0])
                log_normaliser[i] = log_sum_exp(&scores[tid, 0], count, best[i, 0])
                for j in range(k):
                    labels[i, j] = met[tid, labels[i, j]]
        return np.asarray(labels), np.asarray(best), np.asarray(log_normaliser)
