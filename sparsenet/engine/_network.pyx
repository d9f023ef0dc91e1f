"""Network: the weights of a ReLU MLP with a linear output layer, and its parallel forward
pass (scores, exact and sparse top-k).

The weights live in NumPy arrays (so the network pickles and inspects like any array). No
C pointer to them is kept across calls: each call binds a ``BoundLayers`` that holds the
arrays it points into, so swapping a layer's weights (``set_weights``) can never leave a
kernel reading freed memory, not even one running on another thread.
"""
import numpy as np

cimport numpy as cnp
from cython.parallel cimport parallel, prange, threadid
from libc.float cimport FLT_MAX
from libc.math cimport INFINITY, exp, fabsf
from libc.stdint cimport uint8_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memset

from sparsenet.engine._finite_scores import refuse_non_finite_rows
from sparsenet.engine._input_rows cimport InputRows, bind_input_rows
from sparsenet.engine._weight_layout import layer_shape, row_major_float32
from sparsenet.engine._ranking cimport insert_top_k, log_sum_exp, rank_and_pad, select_top_k
from sparsenet.native._array_passes import copy_values
from sparsenet.native._vector_ops cimport vec_dot, vec_relu, vec_weighted_row_sum
from sparsenet.sampling._active_sets cimport LayerSampler
from sparsenet.sampling._hash_tables cimport HashTables

cnp.import_array()


cdef void forward_input_layer(const LayerStack *net, const InputRows *X, Py_ssize_t row,
                              float *hidden) noexcept nogil:
    """The first hidden layer's activations of one input row, to hidden[:width]."""
    cdef const Layer *layer = &net.layers[0]
    cdef long long start
    if X.indices != NULL:
        start = X.indptr[row]
        vec_weighted_row_sum(hidden, layer.biases, layer.n_out, X.data + start, 1, layer.weights,
                             layer.row_stride, X.indices + start, X.indptr[row + 1] - start)
    else:
        vec_weighted_row_sum(hidden, layer.biases, layer.n_out, X.data + row * X.n_features, 1,
                             layer.weights, layer.row_stride, NULL, X.n_features)
    vec_relu(hidden, layer.n_out)


cdef void forward_dense_layer(const LayerStack *net, Py_ssize_t l, float *hidden) noexcept nogil:
    """Hidden layer l (l >= 1) from layer l - 1, every neuron."""
    cdef const Layer *layer = &net.layers[l]
    score_neurons(layer, hidden + net.hidden_offsets[l - 1], NULL, layer.n_out, hidden + net.hidden_offsets[l])
    vec_relu(hidden + net.hidden_offsets[l], layer.n_out)


cdef void forward_active(const LayerStack *net, Py_ssize_t l, float *hidden, const int *neurons,
                         Py_ssize_t count) noexcept nogil:
    """Hidden layer l (l >= 1) from layer l - 1, only `neurons`: the others are zero."""
    cdef const Layer *layer = &net.layers[l]
    cdef float *out = hidden + net.hidden_offsets[l]
    cdef const float *inputs = hidden + net.hidden_offsets[l - 1]
    cdef Py_ssize_t k, neuron
    cdef float value
    memset(out, 0, layer.n_out * sizeof(float))
    for k in range(count):
        neuron = neurons[k]
        value = layer.biases[neuron] + vec_dot(layer.weights + neuron * layer.row_stride, inputs, layer.n_in)
        out[neuron] = value if value > 0 else 0


cdef float kth_largest(float *values, Py_ssize_t n, Py_ssize_t k) noexcept nogil:
    """The k-th largest of values[:n] (1 <= k <= n), which it reorders: Hoare's selection
    with the middle element as pivot, linear on average."""
    cdef Py_ssize_t low = 0, high = n - 1, i, j, target = k - 1
    cdef float pivot, t
    while low < high:
        pivot = values[low + (high - low) // 2]
        i, j = low, high
        while i <= j:
            while values[i] > pivot:
                i += 1
            while values[j] < pivot:
                j -= 1
            if i <= j:
                t = values[i]
                values[i] = values[j]
                values[j] = t
                i += 1
                j -= 1
        if target <= j:
            high = j
        elif target >= i:
            low = i
        else:
            break
    return values[target]


cdef void keep_highest(float *values, Py_ssize_t n, Py_ssize_t k, float *scratch) noexcept nogil:
    """Zero all but the k highest of values[:n] (ties at the k-th value are all kept)."""
    cdef Py_ssize_t i
    cdef float threshold
    if k >= n:
        return
    memcpy(scratch, values, n * sizeof(float))
    threshold = kth_largest(scratch, n, k)
    for i in range(n):
        if values[i] < threshold:
            values[i] = 0


cdef void forward_hidden(const LayerStack *net, const InputRows *X, Py_ssize_t row,
                         float *hidden) noexcept nogil:
    """Forward one input row through the hidden layers; activations go to `hidden` (which
    holds net.hidden_total floats). A sampled hidden layer keeps its hidden_keep highest
    activations."""
    cdef Py_ssize_t l
    forward_input_layer(net, X, row, hidden)
    for l in range(1, net.n_layers - 1):
        forward_dense_layer(net, l, hidden)
        if l == net.sampled_hidden and net.hidden_keep > 0:
            keep_highest(hidden + net.hidden_offsets[l], net.layers[l].n_out, net.hidden_keep,
                         hidden + net.scratch_offset)


cdef void score_neurons(const Layer *layer, const float *inputs, const int *neurons,
                        Py_ssize_t count, float *scores) noexcept nogil:
    """scores[k] = bias + weights . inputs of neuron neurons[k] (of neuron k when NULL)."""
    cdef Py_ssize_t k, neuron
    for k in range(count):
        neuron = neurons[k] if neurons != NULL else k
        scores[k] = layer.biases[neuron] + vec_dot(layer.weights + neuron * layer.row_stride, inputs, layer.n_in)


# ------------------------------------------------------------------ one row

# A service answers one row at a time: these paths score it on the calling thread, into
# arrays made without typed memoryviews, whose setup cost more than the arithmetic.

cdef object one_row_scores(object X, const LayerStack *net, const InputRows *rows, Py_ssize_t k,
                           Py_ssize_t n_out, Py_ssize_t width):
    """A single input row's logits (k=0: as ``Network.logits``) or top k (labels, scores:
    as ``Network.top_k`` without the log-normaliser)."""
    cdef cnp.npy_intp dims[2]
    dims[0], dims[1] = 1, k if k > 0 else n_out
    cdef cnp.ndarray scores = cnp.PyArray_EMPTY(2, dims, cnp.NPY_FLOAT32, 0)
    cdef cnp.ndarray labels = cnp.PyArray_EMPTY(2, dims, cnp.NPY_INT64, 0) if k > 0 else None
    cdef float *scores_ptr = <float *> cnp.PyArray_DATA(scores)
    cdef long long *labels_ptr = <long long *> cnp.PyArray_DATA(labels) if k > 0 else NULL
    cdef const Layer *output = &net.layers[net.n_layers - 1]
    cdef Py_ssize_t j, filled = 0
    cdef float score
    cdef bint finite = True
    cdef float *hidden = <float *> malloc(width * sizeof(float))
    if hidden == NULL:
        raise MemoryError()
    cdef const float *last = hidden + net.hidden_offsets[net.n_layers - 2]
    with nogil:
        forward_hidden(net, rows, 0, hidden)
        for j in range(n_out):
            score = output.biases[j] + vec_dot(output.weights + j * output.row_stride, last, output.n_in)
            if not fabsf(score) <= FLT_MAX:  # NaN fails the comparison too
                finite = False
            if k > 0:
                filled = insert_top_k(score, j, k, filled, labels_ptr, scores_ptr)
            else:
                scores_ptr[j] = score
    free(hidden)
    if not finite:
        refuse_non_finite_rows(X, [False])
    return (labels, scores) if k > 0 else scores


cdef class BoundLayers:
    """The C view of a network's layers at one moment (see Network.bind)."""

    def __cinit__(self):
        self.stack.layers = NULL
        self.stack.hidden_offsets = NULL

    def __dealloc__(self):
        free(self.stack.layers)
        free(self.stack.hidden_offsets)


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
    samplers : list of LayerSampler or None, default=None
        One slot per layer: the sampler that chooses which of the layer's neurons a training
        sample computes, or None for a dense layer: the output layer, and at most one
        hidden layer after the first (see ``set_sampler``).
    """

    def __cinit__(self, list weights, list biases, list samplers=None):
        if len(weights) < 2 or len(weights) != len(biases):
            raise ValueError("a network needs at least two layers, with one bias vector each")
        weights = [row_major_float32(w) for w in weights]
        biases = [np.ascontiguousarray(b, dtype=np.float32) for b in biases]
        for l, (w, b) in enumerate(zip(weights, biases)):
            if w.ndim != 2 or b.ndim != 1:
                raise ValueError(f"layer {l}: weights must be 2-D and biases 1-D")
            n_in, n_out = layer_shape(w, l)
            if l > 0 and n_in != layer_shape(weights[l - 1], l - 1)[1]:
                raise ValueError(f"layer {l} takes {n_in} inputs but layer {l - 1} gives "
                                 f"{layer_shape(weights[l - 1], l - 1)[1]}")
            if b.shape[0] != n_out or n_in < 1 or n_out < 1:
                raise ValueError(f"layer {l}: inconsistent or empty shapes")
        self.weights, self.biases, self.n_layers = weights, biases, len(weights)
        self.samplers = [None] * self.n_layers
        for l, sampler in enumerate(samplers or []):
            if sampler is not None:
                self.set_sampler(sampler, l)

    def __reduce__(self):
        return (Network, (self.weights, self.biases, self.samplers))

    cpdef BoundLayers bind(self):
        """The layers as the kernels read them, for one call: the returned object keeps
        every array it points into alive, whatever later replaces them here."""
        cdef BoundLayers bound = BoundLayers()
        cdef Py_ssize_t l
        cdef cnp.ndarray w, b
        bound.arrays = self.weights + self.biases
        bound.stack.layers = <Layer *> malloc(self.n_layers * sizeof(Layer))
        bound.stack.hidden_offsets = <Py_ssize_t *> malloc(self.n_layers * sizeof(Py_ssize_t))
        if bound.stack.layers == NULL or bound.stack.hidden_offsets == NULL:
            raise MemoryError()
        bound.stack.n_layers = self.n_layers
        bound.stack.hidden_total = 0
        for l in range(self.n_layers):
            w, b = self.weights[l], self.biases[l]
            bound.stack.layers[l].weights = <float *> cnp.PyArray_DATA(w)
            bound.stack.layers[l].biases = <float *> cnp.PyArray_DATA(b)
            bound.stack.layers[l].n_in, bound.stack.layers[l].n_out = layer_shape(w, l)
            bound.stack.layers[l].row_stride = w.strides[0] // 4
            bound.stack.hidden_offsets[l] = bound.stack.hidden_total
            if l < self.n_layers - 1:
                bound.stack.hidden_total += bound.stack.layers[l].n_out
        bound.stack.scratch_offset = bound.stack.hidden_total
        bound.stack.sampled_hidden = self.sampled_hidden_layer
        bound.stack.hidden_keep = 0
        if bound.stack.sampled_hidden > 0:
            if not self.dense_hidden_inference:
                bound.stack.hidden_keep = (<LayerSampler> self.samplers[bound.stack.sampled_hidden]).min_active
            bound.stack.hidden_total += bound.stack.layers[bound.stack.sampled_hidden].n_out
        return bound

    def set_sampler(self, sampler, Py_ssize_t layer=-1):
        """Put a LayerSampler in a layer's slot (None: the layer is dense). The output layer
        (the default) can be sampled, and one hidden layer after the first (the first reads
        the sparse input, stored feature-major): a hidden layer's sampler takes all its
        neurons from the tables (``lsh_share=1``), as it has no labels to share."""
        if layer < 0:
            layer += self.n_layers
        if not 0 <= layer < self.n_layers:
            raise IndexError(f"layer {layer} outside the network's {self.n_layers} layers")
        if sampler is not None:
            if not isinstance(sampler, LayerSampler):
                raise TypeError("sampler must be a LayerSampler or None")
            if layer == 0:
                raise ValueError("the first hidden layer cannot be sampled: it reads the input")
            hidden = self.sampled_hidden_layer
            if layer < self.n_layers - 1:
                if hidden not in (0, layer):
                    raise ValueError(f"layer {hidden} is sampled already: one hidden layer can be sampled")
                if (<LayerSampler> sampler).shared_room != 0:
                    raise ValueError("a hidden layer's sampler must take its neurons from the tables (lsh_share=1)")
            n_in, n_out = layer_shape(self.weights[layer], layer)
            if sampler.n_neurons != n_out or sampler.tables.family.dimension != n_in:
                raise ValueError(f"the sampler does not match layer {layer}'s shape ({n_out} neurons of {n_in} inputs)")
        self.samplers[layer] = sampler

    @property
    def sampled_hidden_layer(self):
        """The index of the sampled hidden layer, 0 when every hidden layer is dense."""
        for l in range(1, self.n_layers - 1):
            if self.samplers[l] is not None:
                return l
        return 0

    @property
    def output_sampler(self):
        """The output layer's sampler, or None when it is dense."""
        return self.samplers[self.n_layers - 1]

    def set_weights(self, Py_ssize_t layer, object weights):
        """Swap in a weight matrix of the same shape (e.g. a view into interleaved storage)."""
        weights = row_major_float32(weights)
        if weights.shape != self.weights[layer].shape:
            raise ValueError(f"layer {layer} weights must keep shape {self.weights[layer].shape}")
        self.weights[layer] = weights

    @property
    def n_features(self):
        return self.weights[0].shape[0]

    @property
    def n_outputs(self):
        return self.weights[self.n_layers - 1].shape[0]

    @property
    def hidden_sizes(self):
        return tuple(layer_shape(w, l)[1] for l, w in enumerate(self.weights[:self.n_layers - 1]))

    def copy(self, int n_threads=1):
        """A deep copy of the weights (the samplers are shared): used to keep the best
        weights seen during early stopping. The copy is written by ``n_threads`` threads,
        so its new pages are first touched in parallel."""
        weights = [np.empty_like(w) for w in self.weights]
        biases = [np.empty_like(b) for b in self.biases]
        for to, from_ in zip(weights + biases, self.weights + self.biases):
            copy_values(to, from_, n_threads)
        return Network(weights, biases, self.samplers)

    def make_writeable(self):
        """Copy any read-only array (e.g. one loaded from a memory map) so training can write."""
        self.weights = [a if a.flags.writeable else a.copy() for a in self.weights]
        self.biases = [a if a.flags.writeable else a.copy() for a in self.biases]

    def logits(self, X, int n_threads=1):
        """Output scores before the softmax, shape ``(n_samples, n_outputs)``, float32."""
        cdef BoundLayers bound = self.bind()
        cdef const LayerStack *net = &bound.stack
        cdef const Layer *output = &net.layers[net.n_layers - 1]
        cdef InputRows rows = bind_input_rows(X, self.n_features)
        cdef Py_ssize_t n_out = self.n_outputs, width = max(net.hidden_total, 1)
        cdef Py_ssize_t last_offset = net.hidden_offsets[net.n_layers - 2]
        if rows.n_rows == 1:
            return one_row_scores(X, net, &rows, 0, n_out, width)
        cdef float[:, ::1] scores = np.empty((rows.n_rows, n_out), dtype=np.float32)
        cdef float[:, ::1] scratch = np.empty((max(n_threads, 1), width), dtype=np.float32)
        cdef Py_ssize_t i
        if rows.n_rows == 0:
            return np.asarray(scores)
        with nogil, parallel(num_threads=n_threads):
            for i in prange(rows.n_rows, schedule="static"):
                forward_hidden(net, &rows, i, &scratch[threadid(), 0])
                score_neurons(output, &scratch[threadid(), last_offset], NULL, n_out, &scores[i, 0])
        result = np.asarray(scores)
        refuse_non_finite_rows(X, np.isfinite(result).all(axis=1))
        return result

    def top_k(self, X, Py_ssize_t k, int n_threads=1, bint with_log_normaliser=False):
        """The k highest-scoring outputs of each row, best first, and their scores.

        With ``with_log_normaliser``, also each row's log-sum-exp of all scores, so the
        caller can turn scores into softmax probabilities. Rows are scored in blocks: each
        output neuron's weights are read once per block of rows rather than once per row,
        which is what bounds an exact scan of a large output layer. Memory stays at
        ``n_samples * k`` plus small per-thread blocks, whatever the number of outputs.
        """
        cdef BoundLayers bound = self.bind()
        cdef const LayerStack *net = &bound.stack
        cdef InputRows rows = bind_input_rows(X, self.n_features)
        cdef Py_ssize_t n_out = self.n_outputs, width = max(net.hidden_total, 1)
        if not 1 <= k <= n_out:
            raise ValueError(f"k must be in [1, {n_out}], got {k}")
        if rows.n_rows == 1 and not with_log_normaliser:
            return one_row_scores(X, net, &rows, k, n_out, width)
        cdef Py_ssize_t n_rows = rows.n_rows, threads = max(n_threads, 1)
        cdef Py_ssize_t chunk = min(n_out, NEURONS_PER_CHUNK)
        cdef Py_ssize_t n_blocks = (n_rows + ROWS_PER_BLOCK - 1) // ROWS_PER_BLOCK
        cdef long long[:, ::1] labels = np.empty((n_rows, k), dtype=np.int64)
        cdef float[:, ::1] best = np.empty((n_rows, k), dtype=np.float32)
        cdef double[::1] largest = np.zeros(n_rows, dtype=np.float64)
        cdef double[::1] total = np.zeros(n_rows, dtype=np.float64)
        cdef unsigned char[::1] finite = np.ones(n_rows, dtype=np.uint8)
        cdef float[:, ::1] hidden = np.empty((threads * ROWS_PER_BLOCK, width), dtype=np.float32)
        cdef float[:, ::1] scores = np.empty((threads * ROWS_PER_BLOCK, chunk), dtype=np.float32)
        cdef Py_ssize_t[:, ::1] filled = np.zeros((threads, ROWS_PER_BLOCK), dtype=np.intp)
        cdef const Layer *output = &net.layers[net.n_layers - 1]
        cdef Py_ssize_t block, first, count, r, c, start, stop, j, base, last_offset = net.hidden_offsets[net.n_layers - 2]
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
                        forward_hidden(net, &rows, first + r, &hidden[base + r, 0])
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
                                # NaN fails the comparison too
                                if not fabsf(scores[base + r, j - start]) <= FLT_MAX:
                                    finite[first + r] = 0
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
        refuse_non_finite_rows(X, np.asarray(finite))
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
        # this call's references: a training call may replace the sampler, or the sampler its
        # tables, meanwhile
        sampler = self.samplers[self.n_layers - 1]
        if sampler is None:
            raise ValueError("this network has no hash tables over its output layer")
        cdef HashTables tables = (<LayerSampler> sampler).tables
        cdef BoundLayers bound = self.bind()
        cdef const LayerStack *net = &bound.stack
        cdef InputRows rows = bind_input_rows(X, self.n_features)
        cdef Py_ssize_t n_out = self.n_outputs, width = max(net.hidden_total, 1)
        if not 1 <= k <= n_out:
            raise ValueError(f"k must be in [1, {n_out}], got {k}")
        cdef int[::1] always_ids = np.unique(np.asarray([] if always is None else always, dtype=np.int32))
        cdef Py_ssize_t n_always = always_ids.shape[0]
        if n_always and (always_ids[0] < 0 or always_ids[n_always - 1] >= n_out):
            raise ValueError(f"always-scored ids must lie in [0, {n_out})")
        cdef const int *always_ptr = &always_ids[0] if n_always else NULL
        cdef Py_ssize_t met_capacity = max(tables.most_members() + n_always, k)
        cdef Py_ssize_t keep = met_capacity if max_candidates <= 0 else max(k, max_candidates)
        cdef int most_hits = <int> tables.family.n_tables
        # held here: a rebuild meanwhile installs new arrays, and these must outlive the loop
        cdef cnp.ndarray neuron_range = tables.neuron_range, count_priority = tables.count_priority
        cdef const uint8_t *range_ptr = <const uint8_t *> cnp.PyArray_DATA(neuron_range)
        cdef const int *priority_ptr = <const int *> cnp.PyArray_DATA(count_priority)
        cdef Py_ssize_t threads = max(1, min(n_threads, rows.n_rows))
        cdef long long[:, ::1] labels = np.empty((rows.n_rows, k), dtype=np.int64)
        cdef float[:, ::1] best = np.empty((rows.n_rows, k), dtype=np.float32)
        cdef float[:, ::1] hidden = np.empty((threads, width), dtype=np.float32)
        cdef float[:, ::1] scores = np.empty((threads, min(keep + n_always, met_capacity)), dtype=np.float32)
        cdef int[:, ::1] met = np.empty((threads, met_capacity), dtype=np.int32)
        cdef int[:, ::1] hits = np.empty((threads, met_capacity), dtype=np.int32)
        cdef int[:, ::1] histogram = np.empty((threads, tables.most_priority + 2), dtype=np.int32)
        cdef Py_ssize_t n_slots = 2
        while n_slots < 2 * met_capacity:
            n_slots *= 2
        cdef int[:, ::1] slots = np.empty((threads, n_slots), dtype=np.int32)
        cdef Py_ssize_t row_slots
        cdef double[::1] log_normaliser = np.zeros(rows.n_rows, dtype=np.float64)
        cdef unsigned char[::1] finite = np.ones(rows.n_rows, dtype=np.uint8)
        cdef const Layer *output = &net.layers[net.n_layers - 1]
        cdef Py_ssize_t i, j, count
        cdef int tid
        cdef float *last_hidden
        if rows.n_rows == 0:
            return np.asarray(labels), np.asarray(best), np.asarray(log_normaliser)
        with nogil, parallel(num_threads=threads):
            for i in prange(rows.n_rows, schedule="static"):
                tid = threadid()
                forward_hidden(net, &rows, i, &hidden[tid, 0])
                last_hidden = &hidden[tid, 0] + net.hidden_offsets[net.n_layers - 2]
                count = tables.bucket_members(last_hidden, &met[tid, 0], met_capacity - n_always)
                row_slots = 2
                while row_slots < 2 * (count + n_always):
                    row_slots = row_slots * 2
                count = rank_and_pad(&met[tid, 0], &hits[tid, 0], count, keep, k, always_ptr, n_always,
                                     &slots[tid, 0], row_slots, &histogram[tid, 0], most_hits, range_ptr,
                                     priority_ptr, tables.most_priority)
                score_neurons(output, last_hidden, &met[tid, 0], count, &scores[tid, 0])
                for j in range(count):
                    if not fabsf(scores[tid, j]) <= FLT_MAX:
                        finite[i] = 0
                select_top_k(&scores[tid, 0], count, k, &labels[i, 0], &best[i, 0])
                log_normaliser[i] = log_sum_exp(&scores[tid, 0], count, best[i, 0])
                for j in range(k):
                    labels[i, j] = met[tid, labels[i, j]]
        refuse_non_finite_rows(X, np.asarray(finite))
        return np.asarray(labels), np.asarray(best), np.asarray(log_normaliser)

    def table_candidates(self, X, Py_ssize_t max_candidates, int n_threads=1):
        """The output neurons the hash tables rank highest for each row of X: up to
        ``max_candidates`` of those met in the most tables, with no padding and in no
        particular order. Returns an int32 array of shape (n_rows, max_candidates), -1 past
        a row's candidates. For diagnostics: how many of the neurons that score best the
        tables find."""
        sampler = self.samplers[self.n_layers - 1]
        if sampler is None:
            raise ValueError("this network has no hash tables over its output layer")
        if max_candidates < 1:
            raise ValueError(f"max_candidates must be at least 1, got {max_candidates}")
        cdef HashTables tables = (<LayerSampler> sampler).tables
        cdef BoundLayers bound = self.bind()
        cdef const LayerStack *net = &bound.stack
        cdef InputRows rows = bind_input_rows(X, self.n_features)
        cdef Py_ssize_t met_capacity = max(tables.most_members(), max_candidates), n_slots = 2
        while n_slots < 2 * met_capacity:
            n_slots *= 2
        cdef int most_hits = <int> tables.family.n_tables
        # held here: a rebuild meanwhile installs new arrays, and these must outlive the loop
        cdef cnp.ndarray neuron_range = tables.neuron_range, count_priority = tables.count_priority
        cdef const uint8_t *range_ptr = <const uint8_t *> cnp.PyArray_DATA(neuron_range)
        cdef const int *priority_ptr = <const int *> cnp.PyArray_DATA(count_priority)
        cdef Py_ssize_t threads = max(1, min(n_threads, rows.n_rows)), i, count, row_slots
        cdef int[:, ::1] found = np.full((rows.n_rows, max_candidates), -1, dtype=np.int32)
        cdef float[:, ::1] hidden = np.empty((threads, max(net.hidden_total, 1)), dtype=np.float32)
        cdef int[:, ::1] met = np.empty((threads, met_capacity), dtype=np.int32)
        cdef int[:, ::1] hits = np.empty((threads, met_capacity), dtype=np.int32)
        cdef int[:, ::1] histogram = np.empty((threads, tables.most_priority + 2), dtype=np.int32)
        cdef int[:, ::1] slots = np.empty((threads, n_slots), dtype=np.int32)
        cdef int tid
        if rows.n_rows == 0:
            return np.asarray(found)
        with nogil, parallel(num_threads=threads):
            for i in prange(rows.n_rows, schedule="static"):
                tid = threadid()
                forward_hidden(net, &rows, i, &hidden[tid, 0])
                count = tables.bucket_members(&hidden[tid, 0] + net.hidden_offsets[net.n_layers - 2],
                                              &met[tid, 0], met_capacity)
                row_slots = 2
                while row_slots < 2 * count:
                    row_slots = row_slots * 2
                count = rank_and_pad(&met[tid, 0], &hits[tid, 0], count, max_candidates, 0, NULL, 0,
                                     &slots[tid, 0], row_slots, &histogram[tid, 0], most_hits, range_ptr,
                                     priority_ptr, tables.most_priority)
                memcpy(&found[i, 0], &met[tid, 0], min(count, max_candidates) * sizeof(int))
        return np.asarray(found)
