"""AdamTrainer: one optimisation step of a Network on a batch of rows, without the GIL.

A step has two parallel phases, so no two threads ever write the same memory:

1. over the samples of the batch: forward, softmax cross-entropy, back-propagation of the
   errors; each sample writes only its own slot of the batch scratch;
2. over the weight rows that the batch touched: the row's gradient is summed from the
   samples' slots, then Adam updates the row at once. Untouched rows (the features absent
   from the batch) are not visited at all: this is what makes wide sparse inputs cheap.

Because every sum runs in a fixed order, results are bit-identical for any thread count.
"""
import numpy as np

cimport numpy as cnp
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport exp, log, sqrt
from libc.stdlib cimport free, malloc, qsort
from libc.string cimport memset

from sparsenet.engine._network cimport InputRows, Layer, Network, bind_input_rows, forward_sample
from sparsenet.engine._vector_ops cimport (
    vec_adam_step,
    vec_relu_backward,
    vec_weighted_row_sum,
)

cnp.import_array()


cdef extern from "<time.h>" nogil:
    cdef struct timespec:
        long tv_sec
        long tv_nsec
    int clock_gettime(int clock_id, timespec *tp)
    int CLOCK_MONOTONIC


cdef inline double now() noexcept nogil:
    cdef timespec t
    clock_gettime(CLOCK_MONOTONIC, &t)
    return t.tv_sec + 1e-9 * t.tv_nsec


# the phases of a step, for AdamTrainer.phase_seconds
PHASES = ("forward_backward", "update_input_layer", "update_later_layers")


cdef inline unsigned long long mix64(unsigned long long x) noexcept nogil:
    """SplitMix64's finaliser: a counter-based generator, so a value depends only on its
    index and the seed, never on which thread draws it."""
    x += 0x9E3779B97F4A7C15ULL
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL
    return x ^ (x >> 31)


cdef inline float uniform_symmetric(unsigned long long seed, unsigned long long index, float bound) noexcept nogil:
    """A float32 uniform on [-bound, bound) from 24 random bits."""
    return (<float> (mix64(seed ^ mix64(index)) >> 40) * <float> (1.0 / 16777216.0) * 2.0 - 1.0) * bound


def new_glorot_network(list layer_sizes, unsigned long long seed, int n_threads=1):
    """A Network with Glorot-uniform weights and biases (as MLPClassifier draws them) and
    its AdamTrainer with zero moments, written straight into the interleaved layout.

    The draws are counter-based and parallel: the same seed gives the same network for any
    thread count, and initialising tens of millions of weights stays a small part of fit.
    """
    cdef Py_ssize_t l, r, k, n_rows, width
    cdef float bound
    cdef float *block_data
    cdef unsigned long long layer_seed
    weights, biases, weight_m, weight_v = [], [], [], []
    for l in range(len(layer_sizes) - 1):
        fan_in, fan_out = layer_sizes[l], layer_sizes[l + 1]
        n_rows, width = (fan_in, fan_out) if l == 0 else (fan_out, fan_in)
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        layer_seed = mix64(seed + 2 * l)
        block = np.empty((n_rows, 3, width), dtype=np.float32)
        block_data = <float *> cnp.PyArray_DATA(block)
        with nogil, parallel(num_threads=max(n_threads, 1)):
            for r in prange(n_rows, schedule="static"):
                for k in range(width):
                    block_data[r * 3 * width + k] = uniform_symmetric(layer_seed, r * width + k, bound)
                memset(block_data + r * 3 * width + width, 0, 2 * width * sizeof(float))
        layer_seed = mix64(seed + 2 * l + 1)
        biases.append(np.array([uniform_symmetric(layer_seed, k, bound) for k in range(fan_out)],
                               dtype=np.float32))
        weights.append(block[:, 0])
        weight_m.append(block[:, 1])
        weight_v.append(block[:, 2])
    return AdamTrainer(Network(weights, biases), weight_m, weight_v)


cdef int compare_ints(const void *a, const void *b) noexcept nogil:
    cdef int x = (<const int *> a)[0], y = (<const int *> b)[0]
    return (x > y) - (x < y)


cdef class AdamTrainer:
    """Adam state (first and second moments, step count) for a Network, and the kernels that
    train it. Moments are updated lazily: a row's moments change only when the row is touched.

    Parameters
    ----------
    network : Network
        The network to train, in place.
    """
    cdef readonly Network network
    cdef readonly list weight_m, weight_v, bias_m, bias_v
    cdef readonly long long step
    cdef double[3] phase_totals       # wall-clock seconds spent in each phase (PHASES)
    cdef float **weight_m_ptr
    cdef float **weight_v_ptr
    cdef float **bias_m_ptr
    cdef float **bias_v_ptr
    # the network's C view, cached so nogil code never touches the Python object
    cdef Layer *layers
    cdef Py_ssize_t n_layers
    cdef Py_ssize_t *hidden_offsets
    # hyper-parameters
    cdef float learning_rate, beta_1, beta_2, epsilon, l2
    cdef int n_threads
    cdef Py_ssize_t batch_capacity
    # per-batch scratch: each sample owns one slot of these
    cdef float[:, ::1] activations     # (batch, hidden_total)
    cdef float[:, ::1] errors          # (batch, hidden_total): back-propagated dLoss/dz
    cdef float[:, ::1] output_errors   # (batch, n_outputs): probabilities, then dLoss/dlogits
    cdef double[::1] sample_losses
    cdef float[:, ::1] row_gradients   # (n_threads, longest row): one gradient row per thread
    # the bound data set
    cdef object X_ref, y_indptr_ref, y_indices_ref
    cdef InputRows X
    cdef const long long *y_indptr
    cdef const int *y_indices
    # batch transposed by input feature, for the input layer's gradient (phase 2)
    cdef int[::1] feature_slot          # feature -> position in touched_features, -1 if absent
    cdef int[::1] touched_features
    cdef long long[::1] feature_entries_start
    cdef int[::1] entry_sample
    cdef float[::1] entry_value

    def __cinit__(self, Network network, list weight_m=None, list weight_v=None,
                  list bias_m=None, list bias_v=None, long long step=0):
        self.weight_m_ptr = self.weight_v_ptr = self.bias_m_ptr = self.bias_v_ptr = NULL
        self.network = network
        # weight moments are placed next to their weights by configure(); until then they
        # are kept as given (None: zeros)
        self.weight_m, self.weight_v = weight_m, weight_v
        zeros = lambda arrays: [np.zeros_like(a) for a in arrays]
        self.bias_m = zeros(network.biases) if bias_m is None else bias_m
        self.bias_v = zeros(network.biases) if bias_v is None else bias_v
        self.step = step
        self.phase_totals[:] = [0.0, 0.0, 0.0]
        self.n_threads = 1
        self.batch_capacity = 0

    def __dealloc__(self):
        free(self.weight_m_ptr)
        free(self.weight_v_ptr)
        free(self.bias_m_ptr)
        free(self.bias_v_ptr)

    def __reduce__(self):
        # scratch and bound data are transient: only the optimiser state travels
        return (AdamTrainer, (self.network, self.weight_m, self.weight_v,
                              self.bias_m, self.bias_v, self.step))

    cdef float **_pointers(self, list arrays, list like) except NULL:
        cdef Py_ssize_t l, n = len(like)
        cdef float **pointers = <float **> malloc(n * sizeof(float *))
        if pointers == NULL:
            raise MemoryError()
        for l in range(n):
            if arrays[l].shape != like[l].shape or arrays[l].strides != like[l].strides \
                    or arrays[l].dtype != np.float32 or not arrays[l].flags.writeable:
                free(pointers)
                raise ValueError("optimiser state does not match the network's layout")
            pointers[l] = <float *> cnp.PyArray_DATA(arrays[l])
        return pointers

    def _interleave_weights_with_moments(self):
        """Store each weight row followed by its two Adam moment rows, one block of memory
        per row: a sparse update then streams one contiguous block instead of three distant
        rows, which is what limits its speed."""
        cdef Network net = self.network
        weight_m, weight_v = [], []
        for l, weights in enumerate(net.weights):
            m = None if self.weight_m is None else self.weight_m[l]
            v = None if self.weight_v is None else self.weight_v[l]
            if m is not None and v is not None and weights.base is not None \
                    and m.base is weights.base and v.base is weights.base:
                weight_m.append(m)
                weight_v.append(v)
                continue
            for moment in (m, v):
                if moment is not None and moment.shape != weights.shape:
                    raise ValueError("optimiser state does not match the network's shapes")
            block = np.empty((weights.shape[0], 3, weights.shape[1]), dtype=np.float32)
            block[:, 0] = weights
            block[:, 1] = 0.0 if m is None else m
            block[:, 2] = 0.0 if v is None else v
            net.set_weights(l, block[:, 0])
            weight_m.append(block[:, 1])
            weight_v.append(block[:, 2])
        self.weight_m, self.weight_v = weight_m, weight_v

    def configure(self, *, float learning_rate, float beta_1, float beta_2, float epsilon,
                  float l2, Py_ssize_t batch_size, int n_threads):
        """Set hyper-parameters and allocate the scratch for batches of up to batch_size rows."""
        cdef Network net = self.network
        net.make_writeable()
        self._interleave_weights_with_moments()
        self.bias_m = [np.require(a, np.float32, ["C", "W"]) for a in self.bias_m]
        self.bias_v = [np.require(a, np.float32, ["C", "W"]) for a in self.bias_v]
        free(self.weight_m_ptr); self.weight_m_ptr = NULL
        free(self.weight_v_ptr); self.weight_v_ptr = NULL
        free(self.bias_m_ptr); self.bias_m_ptr = NULL
        free(self.bias_v_ptr); self.bias_v_ptr = NULL
        self.weight_m_ptr = self._pointers(self.weight_m, net.weights)
        self.weight_v_ptr = self._pointers(self.weight_v, net.weights)
        self.bias_m_ptr = self._pointers(self.bias_m, net.biases)
        self.bias_v_ptr = self._pointers(self.bias_v, net.biases)
        self.layers, self.n_layers, self.hidden_offsets = net.layers, net.n_layers, net.hidden_offsets
        self.learning_rate, self.beta_1, self.beta_2 = learning_rate, beta_1, beta_2
        self.epsilon, self.l2 = epsilon, l2
        self.n_threads = max(n_threads, 1)
        longest_row = max([net.layers[0].n_out] + [net.layers[l].n_in for l in range(1, net.n_layers)])
        if batch_size != self.batch_capacity or self.row_gradients is None \
                or self.row_gradients.shape[0] != self.n_threads:
            self.batch_capacity = batch_size
            self.activations = np.zeros((batch_size, net.hidden_total), dtype=np.float32)
            self.errors = np.zeros((batch_size, net.hidden_total), dtype=np.float32)
            self.output_errors = np.zeros((batch_size, net.n_outputs), dtype=np.float32)
            self.sample_losses = np.zeros(batch_size, dtype=np.float64)
            self.row_gradients = np.zeros((self.n_threads, longest_row), dtype=np.float32)

    def bind(self, X, y_indptr, y_indices):
        """Attach a data set: X (checked by the network) and its labels as CSR (indptr, indices).

        Everything a batch reads is validated here, once, so that `train_batch` only needs to
        check its row ids.
        """
        cdef Network net = self.network
        cdef Py_ssize_t n_rows, capacity
        if self.batch_capacity == 0:
            raise RuntimeError("configure() must be called before bind()")
        self.X = bind_input_rows(X, net.n_features)
        n_rows = self.X.n_rows
        y_indptr = np.ascontiguousarray(y_indptr, dtype=np.int64)
        y_indices = np.ascontiguousarray(y_indices, dtype=np.int32)
        if y_indptr.shape != (n_rows + 1,) or y_indptr[0] != 0 or y_indptr[n_rows] > y_indices.shape[0] \
                or np.any(np.diff(y_indptr) < 0):
            raise ValueError("labels do not match X: malformed label indptr")
        used = y_indices[:y_indptr[n_rows]]
        if used.shape[0] and (used.min() < 0 or used.max() >= net.n_outputs):
            raise ValueError(f"label ids must lie in [0, {net.n_outputs})")
        self.X_ref, self.y_indptr_ref, self.y_indices_ref = X, y_indptr, y_indices
        self.y_indptr = <const long long *> cnp.PyArray_DATA(y_indptr)
        self.y_indices = <const int *> cnp.PyArray_DATA(y_indices)
        # room for the transposed batch: at most the nonzeros of the batch_capacity fullest rows
        if self.X.indices != NULL:
            row_nnz = np.diff(X.indptr)
            fullest = min(self.batch_capacity, n_rows)
            capacity = int(np.partition(row_nnz, n_rows - fullest)[n_rows - fullest:].sum()) if fullest else 0
        else:
            capacity = self.batch_capacity * net.n_features
        capacity = max(capacity, 1)
        if self.feature_slot is None or self.feature_slot.shape[0] != net.n_features:
            self.feature_slot = np.full(net.n_features, -1, dtype=np.int32)
        if self.entry_sample is None or self.entry_sample.shape[0] < capacity:
            touched = min(capacity, net.n_features)
            self.touched_features = np.empty(touched, dtype=np.int32)
            self.feature_entries_start = np.empty(touched + 1, dtype=np.int64)
            self.entry_sample = np.empty(capacity, dtype=np.int32)
            self.entry_value = np.empty(capacity, dtype=np.float32)

    def release(self):
        """Drop the bound data set and the scratch (the optimiser state stays)."""
        self.X_ref = self.y_indptr_ref = self.y_indices_ref = None
        self.X.n_rows = 0
        self.batch_capacity = 0
        self.activations = self.errors = self.output_errors = None
        self.row_gradients = None
        self.sample_losses = None
        self.feature_slot = self.touched_features = None
        self.feature_entries_start = None
        self.entry_sample = None
        self.entry_value = None

    def train_batch(self, rows):
        """One Adam step on the rows ``rows`` of the bound data set; returns their summed loss."""
        cdef long long[::1] batch = np.ascontiguousarray(rows, dtype=np.int64)
        cdef Py_ssize_t n = batch.shape[0]
        if n == 0:
            return 0.0
        if n > self.batch_capacity:
            raise ValueError(f"batch of {n} rows exceeds the configured {self.batch_capacity}")
        if self.X_ref is None:
            raise RuntimeError("bind() a data set before training")
        if np.min(batch) < 0 or np.max(batch) >= self.X.n_rows:
            raise ValueError(f"row ids must lie in [0, {self.X.n_rows})")
        self.step += 1
        cdef double step_size = self.learning_rate * sqrt(1.0 - self.beta_2 ** self.step) \
            / (1.0 - self.beta_1 ** self.step)
        cdef Py_ssize_t n_touched
        cdef double total = 0.0
        cdef Py_ssize_t s
        cdef double[4] clock
        with nogil:
            clock[0] = now()
            n_touched = self._forward_backward(&batch[0], n)
            clock[1] = now()
            self._update_input_layer(n, n_touched, <float> step_size)
            clock[2] = now()
            self._update_neuron_layers(n, <float> step_size)
            clock[3] = now()
            for s in range(3):
                self.phase_totals[s] += clock[s + 1] - clock[s]
            for s in range(n):
                total += self.sample_losses[s]
        return total

    @property
    def phase_seconds(self):
        """Wall-clock seconds spent in each phase of the steps so far (since construction)."""
        return {name: self.phase_totals[i] for i, name in enumerate(PHASES)}

    cdef Py_ssize_t _transpose_input(self, const long long *batch, Py_ssize_t n) noexcept nogil:
        """Group the batch's nonzeros by feature, features in increasing order: touched_features,
        and for each its entries (sample slot, value) in slot order. Serial, O(nnz of the batch).

        Increasing feature order makes the input layer's update walk its weight rows forwards
        through memory, which the hardware prefetcher and the TLB reward."""
        cdef Py_ssize_t s, p, j, start, stop, n_features = self.X.n_features
        cdef Py_ssize_t n_touched = 0, running = 0, count
        cdef int feature, position
        cdef float value
        cdef int *slot = &self.feature_slot[0]
        # pass 1: count the entries of each feature (slot[f] is -1 for an absent feature)
        for s in range(n):
            start, stop = self._row_span(batch[s])
            for p in range(start, stop):
                if self.X.indices != NULL:
                    feature = self.X.indices[p]
                elif self.X.data[p] != 0:
                    feature = <int> (p - start)
                else:
                    continue
                if slot[feature] < 0:
                    slot[feature] = 0
                    self.touched_features[n_touched] = feature
                    n_touched += 1
                slot[feature] += 1
        if n_features <= 32 * n_touched:
            # a dense enough batch: one linear scan of the marks beats a comparison sort
            n_touched = 0
            for feature in range(n_features):
                if slot[feature] >= 0:
                    self.touched_features[n_touched] = feature
                    n_touched += 1
        else:
            qsort(&self.touched_features[0], n_touched, sizeof(int), compare_ints)
        # pass 2: each feature's block starts where the previous one ends; slot becomes a cursor
        for j in range(n_touched):
            feature = self.touched_features[j]
            count = slot[feature]
            self.feature_entries_start[j] = running
            slot[feature] = <int> running
            running += count
        self.feature_entries_start[n_touched] = running
        # pass 3: fill the blocks in slot order
        for s in range(n):
            start, stop = self._row_span(batch[s])
            for p in range(start, stop):
                value = self.X.data[p]
                if self.X.indices != NULL:
                    feature = self.X.indices[p]
                elif value != 0:
                    feature = <int> (p - start)
                else:
                    continue
                position = slot[feature]
                self.entry_sample[position] = <int> s
                self.entry_value[position] = value
                slot[feature] = position + 1
        for j in range(n_touched):
            slot[self.touched_features[j]] = -1
        return n_touched

    cdef inline (Py_ssize_t, Py_ssize_t) _row_span(self, long long row) noexcept nogil:
        """Positions of a row's values in X.data (CSR or dense)."""
        if self.X.indices != NULL:
            return self.X.indptr[row], self.X.indptr[row + 1]
        return row * self.X.n_features, (row + 1) * self.X.n_features

    cdef Py_ssize_t _forward_backward(self, const long long *batch, Py_ssize_t n) noexcept nogil:
        """Phase 1 over the samples; meanwhile the first thread transposes the batch (serial
        work hidden behind the parallel work). Returns the number of touched features."""
        cdef Py_ssize_t s
        cdef Py_ssize_t[1] n_touched
        with parallel(num_threads=self.n_threads):
            if threadid() == 0:
                n_touched[0] = self._transpose_input(batch, n)
            # dynamic: the other threads take more samples while the first one transposes
            for s in prange(n, schedule="dynamic", chunksize=4):
                self.sample_losses[s] = self._forward_backward_sample(s, batch[s])
        return n_touched[0]

    cdef double _forward_backward_sample(self, Py_ssize_t slot, Py_ssize_t row) noexcept nogil:
        """Forward one row, softmax cross-entropy against its labels, back-propagate the errors.

        Multi-label rows spread the target mass evenly over their labels; a row without labels
        contributes no loss and no gradient.
        """
        cdef Py_ssize_t n_layers = self.n_layers, l, k, q
        cdef Py_ssize_t n_out = self.layers[n_layers - 1].n_out
        cdef float *hidden = &self.activations[slot, 0]
        cdef float *errors = &self.errors[slot, 0]
        cdef float *output = &self.output_errors[slot, 0]
        cdef const Layer *layer
        cdef float *layer_errors
        cdef float *previous_errors
        cdef long long first_label = self.y_indptr[row]
        cdef Py_ssize_t n_labels = self.y_indptr[row + 1] - first_label
        cdef double largest, normaliser = 0.0, loss = 0.0, share
        forward_sample(self.layers, n_layers, &self.X, row, hidden, self.hidden_offsets, output)
        if n_labels == 0:
            memset(output, 0, n_out * sizeof(float))
            loss = 0.0
        else:
            largest = output[0]
            for k in range(1, n_out):
                if output[k] > largest:
                    largest = output[k]
            for k in range(n_out):
                normaliser += exp(output[k] - largest)
            share = 1.0 / n_labels
            for q in range(n_labels):
                loss += share * (largest + log(normaliser) - output[self.y_indices[first_label + q]])
            for k in range(n_out):
                output[k] = <float> (exp(output[k] - largest) / normaliser)
            for q in range(n_labels):
                output[self.y_indices[first_label + q]] -= <float> share
        for l in range(n_layers - 1, 0, -1):
            layer = &self.layers[l]
            layer_errors = output if l == n_layers - 1 else errors + self.hidden_offsets[l]
            previous_errors = errors + self.hidden_offsets[l - 1]
            vec_weighted_row_sum(previous_errors, NULL, layer.n_in, layer_errors, 1,
                                 layer.weights, layer.row_stride, NULL, layer.n_out)
            vec_relu_backward(previous_errors, hidden + self.hidden_offsets[l - 1], layer.n_in)
        return loss

    cdef void _update_input_layer(self, Py_ssize_t n, Py_ssize_t n_touched, float step_size) noexcept nogil:
        """Adam on each input feature touched by the batch, and on the first layer's biases."""
        cdef Py_ssize_t width = self.layers[0].n_out, t
        cdef long long first, offset
        cdef float inv_batch = 1.0 / n, one = 1.0
        cdef float *gradient
        with parallel(num_threads=self.n_threads):
            for t in prange(n_touched, schedule="dynamic", chunksize=64):
                gradient = &self.row_gradients[threadid(), 0]
                first = self.feature_entries_start[t]
                vec_weighted_row_sum(gradient, NULL, width, &self.entry_value[first], 1,
                                     &self.errors[0, 0], self.errors.shape[1],
                                     &self.entry_sample[first], self.feature_entries_start[t + 1] - first)
                offset = self.touched_features[t] * self.layers[0].row_stride
                vec_adam_step(self.layers[0].weights + offset,
                              self.weight_m_ptr[0] + offset,
                              self.weight_v_ptr[0] + offset,
                              gradient, width, inv_batch, self.l2, step_size,
                              self.beta_1, self.beta_2, self.epsilon)
        gradient = &self.row_gradients[0, 0]
        vec_weighted_row_sum(gradient, NULL, width, &one, 0, &self.errors[0, 0],
                             self.errors.shape[1], NULL, n)
        vec_adam_step(self.layers[0].biases, self.bias_m_ptr[0], self.bias_v_ptr[0], gradient,
                      width, inv_batch, 0.0, step_size, self.beta_1, self.beta_2, self.epsilon)

    cdef void _update_neuron_layers(self, Py_ssize_t n, float step_size) noexcept nogil:
        """Adam on every neuron (row) of the later layers: gradient = sum over samples of the
        neuron's error times the previous layer's activations."""
        cdef Py_ssize_t l, k, s, n_in, n_out, offset
        cdef float inv_batch = 1.0 / n
        cdef float bias_gradient
        cdef float *gradient
        cdef const float *errors
        cdef Py_ssize_t errors_stride
        cdef const float *inputs
        for l in range(1, self.n_layers):
            n_in, n_out = self.layers[l].n_in, self.layers[l].n_out
            inputs = &self.activations[0, 0] + self.hidden_offsets[l - 1]
            if l == self.n_layers - 1:
                errors, errors_stride = &self.output_errors[0, 0], self.output_errors.shape[1]
            else:
                errors = &self.errors[0, 0] + self.hidden_offsets[l]
                errors_stride = self.errors.shape[1]
            with parallel(num_threads=self.n_threads):
                for k in prange(n_out, schedule="static"):
                    gradient = &self.row_gradients[threadid(), 0]
                    vec_weighted_row_sum(gradient, NULL, n_in, errors + k, errors_stride,
                                         inputs, self.activations.shape[1], NULL, n)
                    bias_gradient = 0.0
                    for s in range(n):
                        bias_gradient = bias_gradient + errors[s * errors_stride + k]
                    offset = k * self.layers[l].row_stride
                    vec_adam_step(self.layers[l].weights + offset, self.weight_m_ptr[l] + offset,
                                  self.weight_v_ptr[l] + offset, gradient, n_in, inv_batch,
                                  self.l2, step_size, self.beta_1, self.beta_2, self.epsilon)
                    vec_adam_step(self.layers[l].biases + k, self.bias_m_ptr[l] + k,
                                  self.bias_v_ptr[l] + k, &bias_gradient, 1, inv_batch, 0.0,
                                  step_size, self.beta_1, self.beta_2, self.epsilon)
