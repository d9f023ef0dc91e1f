"""AdamTrainer: one optimisation step of a Network on a batch of rows, without the GIL.

A step has two parallel phases, so no two threads ever write the same memory:

1. over the samples of the batch, then over blocks of SN_BLOCK samples: forward, the output
   loss (softmax or binary cross-entropy), back-propagation of the errors; each sample
   writes only its own slot of the batch scratch;
2. over the weight rows that the batch touched: the row's gradient is summed from the
   samples' slots, then Adam updates the row at once. Untouched rows (the features absent
   from the batch) are not visited at all: this is what makes wide sparse inputs cheap.

Because every sum runs in a fixed order, results are bit-identical for any thread count.
"""
import numpy as np

cimport numpy as cnp
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport expf, fabsf, log, sqrt
from libc.stdlib cimport free, malloc
from libc.string cimport memset

from sparsenet.engine._batch_groups cimport BatchGroups
from sparsenet.engine._network cimport InputRows, Layer, Network, bind_input_rows, forward_hidden, score_neurons
from sparsenet.engine._random cimport draw, mix64, uniform_symmetric
from sparsenet.engine._sampling cimport NeuronSampler
from sparsenet.lsh._hashing cimport HashFamily
from sparsenet.engine._vector_ops cimport (
    SN_BLOCK,
    block_backprop,
    block_backprop_generic,
    block_scores,
    block_scores_generic,
    gradient_rows4,
    gradient_rows4_generic,
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


# SN_BLOCK (16) samples score the output neurons they all compute together: each such weight
# row is read once per block (16 last hidden layers of 128 floats: 8 KB, in L1 with the row).
# A thread takes up to MAX_SUB_BLOCKS blocks at once, NEURON_CHUNK neurons at a time, so that
# a large layer's weights come from memory once for all of them, not once per block
cdef enum:
    MAX_SUB_BLOCKS = 4
    NEURON_CHUNK = 256

# a sample's own padding draws from another stream than the step's shared padding
cdef unsigned long long PADDING_STREAM = 0x5DEECE66DULL

# the phases of a step, for AdamTrainer.phase_seconds
PHASES = ("forward_backward", "update_input_layer", "update_later_layers")


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


def block_products(hidden, weights, biases, ids, errors, bint generic=False):
    """The block kernels of the training step on one block of samples, for tests.

    Returns ``(scores, back_errors)``: ``scores[i, k] = biases[ids[k]] + weights[ids[k]] @
    hidden[i]`` and ``back_errors[i] = sum_k errors[i, k] * weights[ids[k]]``, for up to
    SN_BLOCK rows of ``hidden``; ``ids`` None means every neuron in order. ``generic`` runs
    the portable kernels instead of the AVX2 ones.
    """
    cdef float[:, ::1] h = np.ascontiguousarray(hidden, dtype=np.float32)
    cdef float[:, ::1] w = np.ascontiguousarray(weights, dtype=np.float32)
    cdef float[::1] b = np.ascontiguousarray(biases, dtype=np.float32)
    cdef Py_ssize_t count = h.shape[0], n_in = h.shape[1], i, j
    id_array = None if ids is None else np.ascontiguousarray(ids, dtype=np.int32)
    cdef Py_ssize_t n_neurons = w.shape[0] if id_array is None else id_array.shape[0]
    if not 1 <= count <= SN_BLOCK or n_in == 0 or w.shape[1] != n_in or b.shape[0] != w.shape[0]:
        raise ValueError(f"need 1 to {SN_BLOCK} non-empty rows of hidden and matching weights and biases")
    if id_array is not None and n_neurons and (id_array.min() < 0 or id_array.max() >= w.shape[0]):
        raise ValueError("ids out of range")
    cdef float[:, ::1] e = np.ascontiguousarray(errors, dtype=np.float32)
    if e.shape[0] != count or e.shape[1] != n_neurons:
        raise ValueError("errors must have shape (rows of hidden, number of neurons)")
    if n_neurons == 0:
        return np.zeros((count, 0), dtype=np.float32), np.zeros((count, n_in), dtype=np.float32)
    cdef int[::1] id_view = id_array if id_array is not None else np.zeros(1, dtype=np.int32)
    cdef const int *id_pointer = NULL if id_array is None else &id_view[0]
    cdef float[:, ::1] scores = np.zeros((count, n_neurons), dtype=np.float32)
    cdef float[::1] hidden_t = np.zeros(SN_BLOCK * n_in, dtype=np.float32)
    cdef float[::1] errors_t = np.zeros(SN_BLOCK * n_in, dtype=np.float32)
    for i in range(count):
        for j in range(n_in):
            hidden_t[j * SN_BLOCK + i] = h[i, j]
    if generic:
        block_scores_generic(&scores[0, 0], scores.shape[1], count, &hidden_t[0], n_in, &w[0, 0], n_in, &b[0],
                             id_pointer, n_neurons)
        block_backprop_generic(&errors_t[0], count, n_in, &e[0, 0], e.shape[1], &w[0, 0], n_in, id_pointer, n_neurons)
    else:
        block_scores(&scores[0, 0], scores.shape[1], count, &hidden_t[0], n_in, &w[0, 0], n_in, &b[0],
                     id_pointer, n_neurons)
        block_backprop(&errors_t[0], count, n_in, &e[0, 0], e.shape[1], &w[0, 0], n_in, id_pointer, n_neurons)
    back = np.asarray(errors_t).reshape(n_in, SN_BLOCK)[:, :count].T.copy()
    return np.asarray(scores), back


def gradient_products(coefficients, rows, bint generic=False):
    """The update's four-neuron gradient kernel, for tests: ``coefficients.T @ rows`` for
    ``coefficients`` of shape (count, 1 to 4) and ``rows`` of shape (count, n), summed in
    order over the count. ``generic`` runs the portable kernel instead of the AVX2 one."""
    cdef float[:, ::1] c = np.ascontiguousarray(coefficients, dtype=np.float32)
    cdef float[:, ::1] x = np.ascontiguousarray(rows, dtype=np.float32)
    cdef Py_ssize_t count = c.shape[0], n_out_rows = c.shape[1], n = x.shape[1]
    if not 1 <= n_out_rows <= 4 or x.shape[0] != count or count == 0 or n == 0:
        raise ValueError("need coefficients (count, 1 to 4) and rows (count, n), both non-empty")
    cdef float[:, ::1] out = np.zeros((n_out_rows, n), dtype=np.float32)
    if generic:
        gradient_rows4_generic(&out[0, 0], n, n_out_rows, &c[0, 0], n_out_rows, &x[0, 0], n, count)
    else:
        gradient_rows4(&out[0, 0], n, n_out_rows, &c[0, 0], n_out_rows, &x[0, 0], n, count)
    return np.asarray(out)


cdef class AdamTrainer:
    """Adam state (first and second moments, step count) for a Network, and the kernels that
    train it. Moments are updated lazily: a row's moments change only when the row is touched.

    When the network has a sampler over its output layer, each sample computes only its
    active neurons: those most of its hash buckets return (up to ``lsh_share`` of
    ``min_active``), its true labels (always), the other labels of its batch, and
    pseudo-random padding up to ``min_active`` when those run short. The tables are rebuilt from the current
    weights every ``rebuild_interval`` steps, the interval growing by ``rebuild_growth`` after
    each rebuild; every ``redraw_every`` rebuilds the hash functions themselves are redrawn.

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
    cdef Py_ssize_t n_outputs
    # hyper-parameters
    cdef float learning_rate, beta_1, beta_2, epsilon, l2
    cdef bint binary_loss              # one sigmoid cross-entropy per output, not one softmax
    cdef int n_threads
    cdef Py_ssize_t batch_capacity
    # output sampling (sampler is None for a dense output layer)
    cdef NeuronSampler sampler
    cdef Py_ssize_t min_active, active_capacity
    cdef readonly double rebuild_interval
    cdef double rebuild_growth, max_rebuild_interval
    cdef long long redraw_every
    cdef Py_ssize_t lsh_room           # most neurons a sample takes from the tables
    cdef int[::1] shared_ids           # the step's shared neurons: the batch's labels, then padding
    cdef int[::1] shared_mark          # (n_outputs,): position in shared_ids + 1; 0 outside (and between steps)
    cdef Py_ssize_t n_shared, shared_room
    cdef int[:, ::1] label_slots       # (batch, most labels): where each label sits in its sample's outputs
    cdef readonly long long next_rebuild
    cdef double rebuild_seconds
    cdef long long samples_seen
    # per-batch scratch: each sample owns one slot of these
    cdef float[:, ::1] activations     # (batch, hidden_total)
    cdef float[:, ::1] errors          # (batch, hidden_total): back-propagated dLoss/dz
    cdef float[:, ::1] output_errors   # (batch, active_capacity): probabilities, then dLoss/dlogits
    cdef int[:, ::1] active_neurons    # (batch, active_capacity): the neurons of output_errors
    cdef long long[::1] output_starts, output_stops
    cdef long long[::1] input_starts, input_stops
    cdef double[::1] sample_losses
    cdef float[:, ::1] row_gradients   # (n_threads, longest row): one gradient row per thread
    cdef float[:, ::1] block_lanes     # (n_threads, 2 * MAX_SUB_BLOCKS * SN_BLOCK * last hidden width):
                                       # a span's last hidden layers and their errors, transposed
    cdef int[:, ::1] positions         # (n_threads, n_outputs): where a neuron sits in the active set
    cdef int[:, ::1] ranking_scratch   # (n_threads, sampler.ranking_scratch_size)
    cdef long long[:, ::1] counters    # (n_threads, 3): labels seen, found by the tables, active
    cdef double[::1] sampling_seconds  # (n_threads,)
    cdef BatchGroups input_groups, output_groups
    # the bound data set
    cdef object X_ref, y_indptr_ref, y_indices_ref
    cdef InputRows X
    cdef const long long *y_indptr
    cdef const int *y_indices

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
        self.binary_loss = False
        self.batch_capacity = 0
        self.next_rebuild = 0
        self.rebuild_interval, self.rebuild_growth, self.max_rebuild_interval = 50.0, 1.1, 5000.0
        self.redraw_every = 0
        self.rebuild_seconds = 0.0
        self.lsh_room = 0
        self.n_shared = self.shared_room = 0

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
                  float l2, Py_ssize_t batch_size, int n_threads, Py_ssize_t min_active=0,
                  double rebuild_interval=50.0, double rebuild_growth=1.1,
                  double max_rebuild_interval=5000.0, long long redraw_every=0,
                  double lsh_share=0.1, bint binary_loss=False):
        """Set hyper-parameters and allocate the scratch for batches of up to batch_size rows.

        ``binary_loss`` trains every output as its own sigmoid against whether the label is
        present (binary cross-entropy summed over the computed outputs); otherwise the
        outputs share one softmax.

        The sampling arguments matter only when the network has a sampler: ``min_active``
        neurons at least per sample, tables rebuilt every ``rebuild_interval`` steps (growing
        by ``rebuild_growth`` up to ``max_rebuild_interval``), hash functions redrawn every
        ``redraw_every`` rebuilds (0: never), the tables supplying up to ``lsh_share`` of
        the minimum.
        """
        cdef Network net = self.network
        if batch_size < 1 or n_threads < 1 or rebuild_interval < 1 or rebuild_growth < 1:
            raise ValueError("batch_size, n_threads and rebuild_interval must be positive, rebuild_growth >= 1")
        if not 0.0 <= lsh_share <= 1.0:
            raise ValueError(f"lsh_share must lie in [0, 1], got {lsh_share}")
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
        self.n_outputs = net.n_outputs
        self.learning_rate, self.beta_1, self.beta_2 = learning_rate, beta_1, beta_2
        self.epsilon, self.l2 = epsilon, l2
        self.binary_loss = binary_loss
        self.n_threads = n_threads
        self.sampler = net.sampler
        self.min_active = min(max(min_active, 0), self.n_outputs)
        self.lsh_room = <Py_ssize_t> (lsh_share * self.min_active + 0.5)
        self.shared_room = max(0, self.min_active - self.lsh_room)
        self.n_shared = 0
        if self.sampler is not None:
            self.shared_ids = np.zeros(max(1, self.shared_room), dtype=np.int32)
            self.shared_mark = np.zeros(self.n_outputs, dtype=np.int32)
        self.rebuild_interval, self.rebuild_growth = rebuild_interval, rebuild_growth
        self.max_rebuild_interval, self.redraw_every = max_rebuild_interval, redraw_every
        if self.sampler is not None and self.sampler.n_builds == 0:
            self._rebuild_tables()
        # room for four neurons' gradient rows (or one input-layer row)
        longest_row = max([net.layers[0].n_out] + [4 * net.layers[l].n_in for l in range(1, net.n_layers)])
        self.batch_capacity = batch_size
        self.activations = np.zeros((batch_size, net.hidden_total), dtype=np.float32)
        self.errors = np.zeros((batch_size, net.hidden_total), dtype=np.float32)
        self.sample_losses = np.zeros(batch_size, dtype=np.float64)
        self.input_starts = np.zeros(batch_size, dtype=np.int64)
        self.input_stops = np.zeros(batch_size, dtype=np.int64)
        self.output_starts = np.zeros(batch_size, dtype=np.int64)
        self.output_stops = np.zeros(batch_size, dtype=np.int64)
        self.row_gradients = np.zeros((n_threads, longest_row), dtype=np.float32)
        self.block_lanes = np.zeros((n_threads, 2 * MAX_SUB_BLOCKS * SN_BLOCK * net.layers[net.n_layers - 1].n_in),
                                    dtype=np.float32)
        self.counters = np.zeros((n_threads, 3), dtype=np.int64)
        self.samples_seen = 0
        self.sampling_seconds = np.zeros(n_threads, dtype=np.float64)
        self.positions = np.zeros((n_threads, self.n_outputs if self.sampler is not None else 1), dtype=np.int32)
        self.ranking_scratch = np.zeros((n_threads, self.sampler.ranking_scratch_size if self.sampler is not None else 1),
                                        dtype=np.int32)

    def set_learning_rate(self, float learning_rate):
        """Change the step size between steps (for a schedule); the moments are kept."""
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {learning_rate}")
        self.learning_rate = learning_rate

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
        # room for the grouped batch: at most the nonzeros of the batch_capacity fullest rows
        fullest = min(self.batch_capacity, n_rows)
        if self.X.indices != NULL:
            row_nnz = np.diff(X.indptr)
            capacity = int(np.partition(row_nnz, n_rows - fullest)[n_rows - fullest:].sum()) if fullest else 0
        else:
            capacity = self.batch_capacity * net.n_features
        self.input_groups = BatchGroups(net.n_features, capacity)
        # output active sets: dense, or sampled with room for twice the minimum plus the labels
        if self.sampler is None:
            self.active_capacity = self.n_outputs
        else:
            most_labels = int(np.diff(y_indptr).max()) if n_rows else 0
            self.active_capacity = min(self.n_outputs, 2 * max(self.min_active, 1) + most_labels)
        self.output_errors = np.zeros((self.batch_capacity, self.active_capacity), dtype=np.float32)
        self.active_neurons = np.zeros((self.batch_capacity, self.active_capacity), dtype=np.int32)
        if self.sampler is not None:
            self.output_groups = BatchGroups(self.n_outputs, self.batch_capacity * self.active_capacity)
            self.label_slots = np.zeros((self.batch_capacity, max(1, most_labels)), dtype=np.int32)

    def release(self):
        """Drop the bound data set and the scratch (the optimiser state stays)."""
        self.X_ref = self.y_indptr_ref = self.y_indices_ref = None
        self.X.n_rows = 0
        self.batch_capacity = 0
        self.activations = self.errors = self.output_errors = None
        self.active_neurons = None
        self.row_gradients = None
        self.block_lanes = None
        self.sample_losses = None
        self.positions = None
        self.ranking_scratch = None
        self.label_slots = None
        self.shared_ids = self.shared_mark = None
        self.n_shared = 0
        self.input_groups = self.output_groups = None

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
        self.samples_seen += n
        cdef double step_size = self.learning_rate * sqrt(1.0 - self.beta_2 ** self.step) \
            / (1.0 - self.beta_1 ** self.step)
        cdef Py_ssize_t s
        cdef double total = 0.0
        cdef double[4] clock
        with nogil:
            clock[0] = now()
            if self.sampler is not None:
                self._choose_shared(&batch[0], n)
            self._forward_backward(&batch[0], n)
            clock[1] = now()
            self._update_input_layer(n, <float> step_size)
            clock[2] = now()
            self._update_neuron_layers(n, <float> step_size)
            if self.sampler is not None:
                self._mark_shared(False)
            clock[3] = now()
            for s in range(3):
                self.phase_totals[s] += clock[s + 1] - clock[s]
            for s in range(n):
                total += self.sample_losses[s]
        if self.sampler is not None and self.step >= self.next_rebuild:
            self._rebuild_tables()
        return total

    cdef void _choose_shared(self, const long long *batch, Py_ssize_t n) noexcept nogil:
        """The step's shared neurons, computed for every sample of the batch: the batch's
        distinct labels in batch order, then pseudo-random padding (drawn from the step, so
        reruns repeat it), up to shared_room. They stay marked until the step ends."""
        cdef int *mark = &self.shared_mark[0]
        cdef Py_ssize_t s, q, count = 0, attempt = 0, room = self.shared_room
        cdef int label, candidate
        for s in range(n):
            if count >= room:
                break
            for q in range(self.y_indptr[batch[s]], self.y_indptr[batch[s] + 1]):
                label = self.y_indices[q]
                if count < room and mark[label] == 0:
                    self.shared_ids[count] = label
                    count += 1
                    mark[label] = <int> count
        while count < room and attempt < 8 * self.min_active:
            candidate = <int> (draw(mix64(<unsigned long long> self.step), <unsigned long long> attempt)
                               % <unsigned long long> self.n_outputs)
            attempt += 1
            if mark[candidate] == 0:
                self.shared_ids[count] = candidate
                count += 1
                mark[candidate] = <int> count
        self.n_shared = count

    cdef void _mark_shared(self, bint on) noexcept nogil:
        """Set (or clear) the marks of the current shared neurons."""
        cdef Py_ssize_t k
        for k in range(self.n_shared):
            self.shared_mark[self.shared_ids[k]] = <int> (k + 1) if on else 0

    def active_sets(self, rows):
        """The output neurons each of ``rows`` (of the bound data set) would train on at the
        current step, one array per row, the shared negatives being the last batch's labels:
        for inspection and tests (sampled layers only)."""
        if self.sampler is None:
            raise ValueError("the output layer is dense: every neuron is active")
        if self.X_ref is None:
            raise RuntimeError("bind() a data set first")
        cdef long long[::1] ids = np.ascontiguousarray(rows, dtype=np.int64)
        if ids.shape[0] and (np.min(ids) < 0 or np.max(ids) >= self.X.n_rows):
            raise ValueError(f"row ids must lie in [0, {self.X.n_rows})")
        sets = []
        cdef Py_ssize_t i, count
        cdef float *hidden = &self.activations[0, 0]
        shared = np.asarray(self.shared_ids[:self.n_shared]).copy()
        self._mark_shared(True)
        try:
            for i in range(ids.shape[0]):
                forward_hidden(self.layers, self.n_layers, &self.X, ids[i], hidden, self.hidden_offsets)
                count = self._select_extra(0, ids[i], hidden + self.hidden_offsets[self.n_layers - 2], 0)
                sets.append(np.concatenate([shared, np.asarray(self.active_neurons[0, self.n_shared:count])]))
        finally:
            self._mark_shared(False)
        return sets

    def _rebuild_tables(self):
        """Rehash the output neurons into the tables (new hash functions every redraw_every
        rebuilds) and schedule the next rebuild."""
        cdef Network net = self.network
        cdef NeuronSampler sampler = self.sampler
        started = now()
        if self.redraw_every > 0 and sampler.n_builds > 0 and sampler.n_builds % self.redraw_every == 0:
            family = sampler.family
            fresh = HashFamily(family.kind, family.dimension, family.n_tables, family.hashes_per_table,
                               family.range_bits, draw(family.seed, <unsigned long long> sampler.n_builds))
            sampler = NeuronSampler(fresh, sampler.n_neurons, sampler.bucket_capacity,
                                    n_builds=sampler.n_builds)
            net.set_sampler(sampler)
            self.sampler = sampler
        sampler.build(net.weights[net.n_layers - 1], self.n_threads)
        if sampler.n_builds > 1:
            self.rebuild_interval = min(self.rebuild_interval * self.rebuild_growth, self.max_rebuild_interval)
        self.next_rebuild = self.step + <long long> self.rebuild_interval
        self.rebuild_seconds += now() - started

    @property
    def phase_seconds(self):
        """Wall-clock seconds spent in each phase of the steps so far (since construction)."""
        return {name: self.phase_totals[i] for i, name in enumerate(PHASES)}

    @property
    def sampling_stats(self):
        """Output sampling diagnostics since the last configure(): how often the hash tables
        returned a true label before it was forced in (LSH recall), the mean active-set size,
        seconds spent querying the tables (summed over threads) and rebuilding them (None
        for a dense output layer)."""
        if self.sampler is None or self.counters is None:
            return None
        totals = np.asarray(self.counters).sum(axis=0)
        return {
            "labels_seen": int(totals[0]),
            "lsh_recall": float(totals[1] / totals[0]) if totals[0] else float("nan"),
            "mean_active": float(totals[2] / self.samples_seen) if self.samples_seen else float("nan"),
            "table_builds": int(self.sampler.n_builds),
            "query_thread_seconds": float(np.asarray(self.sampling_seconds).sum()),
            "rebuild_seconds": self.rebuild_seconds,
        }

    cdef void _forward_backward(self, const long long *batch, Py_ssize_t n) noexcept nogil:
        """Phase 1 over the samples; meanwhile the first thread groups the batch's input
        features (serial work hidden behind the parallel work).

        Two passes: each sample goes through the hidden layers (and on a sampled layer
        selects and scores its own neurons: tables, labels); then blocks of SN_BLOCK samples
        score the neurons they all compute (every neuron of a dense layer, the step's
        shared ones of a sampled layer) together, so that each of those weight rows is read
        once per block instead of once per sample, and finish the loss and
        back-propagation."""
        cdef Py_ssize_t s, span, n_blocks = (n + SN_BLOCK - 1) // SN_BLOCK
        # blocks per thread's span: as many as keep two spans for every thread (results do
        # not depend on it: every sum runs in the same order whatever the span)
        cdef Py_ssize_t span_blocks = max(1, min(<Py_ssize_t> MAX_SUB_BLOCKS, n_blocks // (2 * self.n_threads)))
        cdef Py_ssize_t span_size = span_blocks * SN_BLOCK, n_spans = (n + span_size - 1) // span_size
        with parallel(num_threads=self.n_threads):
            if threadid() == 0:
                self._group_input(batch, n)
            # dynamic: the other threads take more samples while the first one groups
            for s in prange(n, schedule="dynamic", chunksize=4):
                self._select_and_score(s, batch[s], threadid())
            for span in prange(n_spans, schedule="dynamic", chunksize=1):
                self._block(batch, span * span_size, min(span_size, n - span * span_size), threadid())

    cdef void _group_input(self, const long long *batch, Py_ssize_t n) noexcept nogil:
        cdef Py_ssize_t s
        cdef long long row
        for s in range(n):
            row = batch[s]
            if self.X.indices != NULL:
                self.input_starts[s], self.input_stops[s] = self.X.indptr[row], self.X.indptr[row + 1]
            else:
                self.input_starts[s], self.input_stops[s] = row * self.X.n_features, (row + 1) * self.X.n_features
        self.input_groups.group(n, &self.input_starts[0], &self.input_stops[0], self.X.indices, self.X.data)

    cdef Py_ssize_t _select_extra(self, Py_ssize_t slot, Py_ssize_t row, const float *last_hidden,
                                  int tid) noexcept nogil:
        """The sample's own active neurons, after the n_shared shared ones of its slot: those
        the tables rank highest (up to lsh_room) and its labels (forced), none of them
        shared. Records where each label sits in label_slots; returns the slot's count.
        The shared neurons must be marked; the thread's positions are left all zero."""
        cdef int *active = &self.active_neurons[slot, 0]
        cdef int *positions = &self.positions[tid, 0]
        cdef int *mark = &self.shared_mark[0]
        cdef long long first_label = self.y_indptr[row]
        cdef Py_ssize_t n_labels = self.y_indptr[row + 1] - first_label, q, k, write
        cdef Py_ssize_t capacity = self.active_capacity, n_shared = self.n_shared, n_active, room
        cdef Py_ssize_t target = min(self.min_active, capacity), attempt = 0
        cdef long long retrieved = 0
        cdef int label, neuron, position, candidate
        cdef double started = now()
        # hard negatives: the neurons most tables return, a small share only (more of them
        # slowed learning in every measurement: they are near the input, but so far from
        # the right labels that their gradients mostly add noise)
        # ask for enough that lsh_room remain once the shared ones are dropped (those are
        # computed for the whole batch); the labels keep their room
        room = min(capacity - n_shared - min(n_labels, capacity - n_shared), self.lsh_room + n_shared)
        n_active = self.sampler.gather_ranked(last_hidden, positions, &self.ranking_scratch[tid, 0],
                                              active, n_shared, n_shared + room)
        for q in range(n_labels):
            position = positions[self.y_indices[first_label + q]]
            if 0 < position <= n_shared + self.lsh_room:
                retrieved += 1
        write = n_shared
        for k in range(n_shared, n_active):
            neuron = active[k]
            if mark[neuron] > 0 or write - n_shared >= self.lsh_room:
                positions[neuron] = 0
            else:
                active[write] = neuron
                write += 1
                positions[neuron] = <int> write
        n_active = write
        for q in range(n_labels):
            label = self.y_indices[first_label + q]
            if mark[label] > 0:
                position = mark[label] - 1
            elif positions[label] > 0:
                position = positions[label] - 1
            elif n_active < capacity:
                active[n_active] = label
                n_active += 1
                positions[label] = <int> n_active
                position = <int> (n_active - 1)
            else:
                position = -1
            self.label_slots[slot, q] = position
        # padding when the tables returned too few: pseudo-random neurons, drawn from the
        # step (another stream than the shared padding), so reruns repeat them
        while n_active < target and attempt < 8 * self.min_active:
            candidate = <int> (draw(mix64(<unsigned long long> self.step) ^ PADDING_STREAM, <unsigned long long> attempt)
                               % <unsigned long long> self.n_outputs)
            attempt += 1
            if mark[candidate] == 0 and positions[candidate] == 0:
                active[n_active] = candidate
                n_active += 1
                positions[candidate] = <int> n_active
        for k in range(n_shared, n_active):
            positions[active[k]] = 0
        self.counters[tid, 0] += n_labels
        self.counters[tid, 1] += retrieved
        self.counters[tid, 2] += n_active
        self.sampling_seconds[tid] += now() - started
        return n_active

    cdef void _select_and_score(self, Py_ssize_t slot, Py_ssize_t row, int tid) noexcept nogil:
        """Forward one row through the hidden layers; on a sampled layer, also select its
        own output neurons and score them (the others are scored by _block)."""
        cdef Py_ssize_t n_shared = self.n_shared, n_active
        cdef float *hidden = &self.activations[slot, 0]
        cdef const float *last_hidden = hidden + self.hidden_offsets[self.n_layers - 2]
        forward_hidden(self.layers, self.n_layers, &self.X, row, hidden, self.hidden_offsets)
        if self.sampler is None:
            return
        n_active = self._select_extra(slot, row, last_hidden, tid)
        score_neurons(&self.layers[self.n_layers - 1], last_hidden, &self.active_neurons[slot, n_shared],
                      n_active - n_shared, &self.output_errors[slot, n_shared])
        # phase 2 groups only the sample's own neurons; the shared ones are updated as a block
        self.output_starts[slot] = slot * self.active_capacity + n_shared
        self.output_stops[slot] = slot * self.active_capacity + n_active

    cdef void _block(self, const long long *batch, Py_ssize_t first, Py_ssize_t count, int tid) noexcept nogil:
        """Samples first .. first + count - 1 (at most MAX_SUB_BLOCKS blocks of SN_BLOCK):
        score the neurons every sample computes (all of a dense output layer; the step's
        shared ones of a sampled layer), the loss, then back-propagate. The block kernels
        run over the transposed last hidden layers of SN_BLOCK samples, each weight read
        once for them; the neurons go by chunks of NEURON_CHUNK, every block of the span
        taking a chunk while its weights are still in the cache. The samples' own neurons
        (sampled layers) were scored by _select_and_score."""
        cdef const Layer *output = &self.layers[self.n_layers - 1]
        cdef Py_ssize_t n_in = output.n_in, last = self.hidden_offsets[self.n_layers - 2]
        cdef bint dense = self.sampler is None
        cdef Py_ssize_t i, j, n_common = self.n_outputs if dense else self.n_shared, n_active
        cdef Py_ssize_t n_blocks = (count + SN_BLOCK - 1) // SN_BLOCK, b, size, start, chunk, lanes = SN_BLOCK * n_in
        cdef Py_ssize_t out_stride = self.output_errors.shape[1], c
        cdef Py_ssize_t n_chunks = (n_common + NEURON_CHUNK - 1) // NEURON_CHUNK
        cdef const int *ids
        cdef const float *weights
        cdef const float *biases
        cdef float *hidden_t = &self.block_lanes[tid, 0]
        cdef float *errors_t = hidden_t + MAX_SUB_BLOCKS * lanes
        cdef float *previous
        # lanes past the span's samples must be zeros (they are scored, never read back)
        memset(hidden_t, 0, n_blocks * lanes * sizeof(float))
        memset(errors_t, 0, n_blocks * lanes * sizeof(float))
        for i in range(count):
            for j in range(n_in):
                hidden_t[(i // SN_BLOCK) * lanes + j * SN_BLOCK + i % SN_BLOCK] = self.activations[first + i, last + j]
        for c in range(n_chunks):
            start = c * NEURON_CHUNK
            chunk = min(NEURON_CHUNK, n_common - start)
            # a dense layer's neurons are its rows in order; a sampled layer's shared ones are listed
            ids = NULL if dense else &self.shared_ids[start]
            weights = output.weights + (start * output.row_stride if dense else 0)
            biases = output.biases + (start if dense else 0)
            for b in range(n_blocks):
                size = min(SN_BLOCK, count - b * SN_BLOCK)
                block_scores(&self.output_errors[first + b * SN_BLOCK, start], out_stride, size,
                             hidden_t + b * lanes, n_in, weights, output.row_stride, biases, ids, chunk)
        for i in range(first, first + count):
            n_active = self._n_computed(i)
            self.sample_losses[i] = self._output_errors(&self.output_errors[i, 0], n_active, batch[i],
                                                        NULL if dense else &self.label_slots[i, 0])
        for c in range(n_chunks):
            start = c * NEURON_CHUNK
            chunk = min(NEURON_CHUNK, n_common - start)
            ids = NULL if dense else &self.shared_ids[start]
            weights = output.weights + (start * output.row_stride if dense else 0)
            for b in range(n_blocks):
                size = min(SN_BLOCK, count - b * SN_BLOCK)
                block_backprop(errors_t + b * lanes, size, n_in, &self.output_errors[first + b * SN_BLOCK, start],
                               out_stride, weights, output.row_stride, ids, chunk)
        for i in range(count):
            previous = &self.errors[first + i, last]
            for j in range(n_in):
                previous[j] = errors_t[(i // SN_BLOCK) * lanes + j * SN_BLOCK + i % SN_BLOCK]
        for i in range(first, first + count):
            n_active = self._n_computed(i)
            previous = &self.errors[i, last]
            if n_active > n_common:
                vec_weighted_row_sum(previous, previous, n_in, &self.output_errors[i, n_common], 1,
                                     output.weights, output.row_stride, &self.active_neurons[i, n_common],
                                     n_active - n_common)
            vec_relu_backward(previous, &self.activations[i, last], n_in)
            self._backprop_hidden(i)

    cdef inline Py_ssize_t _n_computed(self, Py_ssize_t slot) noexcept nogil:
        """Output neurons the slot's sample computes: all of a dense layer; the shared ones
        and its own of a sampled layer."""
        if self.sampler is None:
            return self.n_outputs
        return self.output_stops[slot] - slot * self.active_capacity

    cdef inline double _output_errors(self, float *output, Py_ssize_t n_active, Py_ssize_t row,
                                      const int *label_positions) noexcept nogil:
        """The loss of the scores output[:n_active]; output becomes dLoss/dlogits."""
        if self.binary_loss:
            return self._binary_errors(output, n_active, row, label_positions)
        return self._softmax_errors(output, n_active, row, label_positions)

    cdef double _binary_errors(self, float *output, Py_ssize_t n_active, Py_ssize_t row,
                               const int *label_positions) noexcept nogil:
        """Binary cross-entropy of each score output[:n_active] against whether it is one of
        the row's labels (at label_positions; -1: not computed), summed; output becomes
        dLoss/dlogits = sigmoid(score) - target. Uncomputed outputs add nothing."""
        cdef long long first_label = self.y_indptr[row]
        cdef Py_ssize_t n_labels = self.y_indptr[row + 1] - first_label, k, q
        cdef double loss = 0.0, product = 1.0
        cdef float score, e
        cdef int position
        # -log(sigmoid(score)) = softplus(score) - score: the labels' scores first
        for q in range(n_labels):
            position = label_positions[q] if label_positions != NULL else self.y_indices[first_label + q]
            if position >= 0:
                loss -= output[position]
        for k in range(n_active):
            score = output[k]
            # softplus(score) = max(score, 0) + log(1 + e) and the sigmoid, with
            # e = exp(-|score|) in (0, 1], without overflow for scores of either sign; the
            # logarithms are taken of products of 64 factors (each at most 2, so at most
            # 2**64): one log per 64 outputs (log1pf each took 15 % of a Delicious step)
            e = expf(-fabsf(score))
            if score > 0:
                loss += score
            product *= 1.0 + <double> e
            if k % 64 == 63:
                loss += log(product)
                product = 1.0
            output[k] = 1.0 / (1.0 + e) if score >= 0 else e / (1.0 + e)
        loss += log(product)
        for q in range(n_labels):
            position = label_positions[q] if label_positions != NULL else self.y_indices[first_label + q]
            if position >= 0:
                output[position] -= 1.0
        return loss

    cdef double _softmax_errors(self, float *output, Py_ssize_t n_active, Py_ssize_t row,
                                const int *label_positions) noexcept nogil:
        """Softmax cross-entropy of the scores output[:n_active] against the row's labels
        (at label_positions; -1: not computed); output becomes dLoss/dlogits. Multi-label
        rows spread the target mass evenly over their labels; a row without labels has no
        loss and no gradient."""
        cdef long long first_label = self.y_indptr[row]
        cdef Py_ssize_t n_labels = self.y_indptr[row + 1] - first_label, k, q
        cdef float scale
        cdef double largest, normaliser = 0.0, loss = 0.0, share
        cdef int position
        if n_labels == 0:
            memset(output, 0, n_active * sizeof(float))
            return 0.0
        largest = output[0]
        for k in range(1, n_active):
            if output[k] > largest:
                largest = output[k]
        # one exponential per neuron, in single precision: on a sampled layer of thousands
        # of active neurons the exponentials were a third of the forward pass
        for k in range(n_active):
            output[k] = expf(output[k] - <float> largest)
            normaliser += output[k]
        share = 1.0 / n_labels
        for q in range(n_labels):
            position = label_positions[q] if label_positions != NULL else self.y_indices[first_label + q]
            if position >= 0:
                loss += share * (log(normaliser) - log(output[position]))
        # one division, then a product per neuron (cheaper than a division each)
        scale = <float> (1.0 / normaliser)
        for k in range(n_active):
            output[k] = output[k] * scale
        for q in range(n_labels):
            position = label_positions[q] if label_positions != NULL else self.y_indices[first_label + q]
            if position >= 0:
                output[position] -= <float> share
        return loss

    cdef void _backprop_hidden(self, Py_ssize_t slot) noexcept nogil:
        """Back-propagate the slot's errors from the last hidden layer down to the first."""
        cdef Py_ssize_t l
        cdef const Layer *layer
        cdef float *errors = &self.errors[slot, 0]
        cdef float *hidden = &self.activations[slot, 0]
        for l in range(self.n_layers - 2, 0, -1):
            layer = &self.layers[l]
            vec_weighted_row_sum(errors + self.hidden_offsets[l - 1], NULL, layer.n_in,
                                 errors + self.hidden_offsets[l], 1, layer.weights, layer.row_stride,
                                 NULL, layer.n_out)
            vec_relu_backward(errors + self.hidden_offsets[l - 1], hidden + self.hidden_offsets[l - 1], layer.n_in)

    cdef void _update_input_layer(self, Py_ssize_t n, float step_size) noexcept nogil:
        """Adam on each input feature touched by the batch, and on the first layer's biases.
        Meanwhile the first thread groups a sampled output layer's active neurons."""
        cdef Py_ssize_t width = self.layers[0].n_out, g
        cdef long long first, offset
        cdef float inv_batch = 1.0 / n, one = 1.0
        cdef float *gradient
        with parallel(num_threads=self.n_threads):
            if threadid() == 0 and self.sampler is not None:
                self.output_groups.group(n, &self.output_starts[0], &self.output_stops[0],
                                         &self.active_neurons[0, 0], &self.output_errors[0, 0])
            for g in prange(self.input_groups.n_groups, schedule="dynamic", chunksize=64):
                gradient = &self.row_gradients[threadid(), 0]
                first = self.input_groups.group_start[g]
                vec_weighted_row_sum(gradient, NULL, width, &self.input_groups.entry_value[first], 1,
                                     &self.errors[0, 0], self.errors.shape[1],
                                     &self.input_groups.entry_sample[first], self.input_groups.group_start[g + 1] - first)
                offset = self.input_groups.ids[g] * self.layers[0].row_stride
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
        """Adam on the neurons (rows) of the later layers: a row's gradient is the sum over
        samples of the neuron's error times the previous layer's activations. Dense layers
        visit every neuron; a sampled output layer only the neurons some sample activated.
        Neurons every sample computed (all of a dense layer, the shared ones of a sampled
        layer) are done four at a time, each activation read serving the four."""
        cdef Py_ssize_t l, n_in, n_out, n_own, n_common, n_units, unit, first, count, r, s
        cdef float inv_batch = 1.0 / n
        cdef float bias_gradient
        cdef float *gradient
        cdef const float *errors
        cdef Py_ssize_t errors_stride, activations_stride = self.activations.shape[1]
        cdef const float *inputs
        cdef bint sampled
        cdef Py_ssize_t neuron
        for l in range(1, self.n_layers):
            n_in, n_out = self.layers[l].n_in, self.layers[l].n_out
            inputs = &self.activations[0, 0] + self.hidden_offsets[l - 1]
            sampled = l == self.n_layers - 1 and self.sampler is not None
            if l == self.n_layers - 1:
                errors, errors_stride = &self.output_errors[0, 0], self.output_errors.shape[1]
            else:
                errors = &self.errors[0, 0] + self.hidden_offsets[l]
                errors_stride = self.errors.shape[1]
            # a sampled layer: the neurons samples chose themselves (grouped), then the
            # step's shared neurons, which every sample of the batch computed
            n_own = self.output_groups.n_groups if sampled else 0
            n_common = self.n_shared if sampled else n_out
            n_units = n_own + (n_common + 3) // 4
            with parallel(num_threads=self.n_threads):
                for unit in prange(n_units, schedule="dynamic", chunksize=4):
                    gradient = &self.row_gradients[threadid(), 0]
                    if unit < n_own:
                        first = self.output_groups.group_start[unit]
                        count = self.output_groups.group_start[unit + 1] - first
                        vec_weighted_row_sum(gradient, NULL, n_in, &self.output_groups.entry_value[first], 1,
                                             inputs, activations_stride, &self.output_groups.entry_sample[first], count)
                        bias_gradient = 0.0
                        for s in range(count):
                            bias_gradient = bias_gradient + self.output_groups.entry_value[first + s]
                        self._adam_on_neuron(l, self.output_groups.ids[unit], gradient, bias_gradient,
                                             inv_batch, step_size)
                    else:
                        first = 4 * (unit - n_own)
                        count = min(4, n_common - first)
                        gradient_rows4(gradient, n_in, count, errors + first, errors_stride,
                                       inputs, activations_stride, n)
                        for r in range(count):
                            bias_gradient = 0.0
                            for s in range(n):
                                bias_gradient = bias_gradient + errors[s * errors_stride + first + r]
                            neuron = self.shared_ids[first + r] if sampled else first + r
                            self._adam_on_neuron(l, neuron, gradient + r * n_in, bias_gradient,
                                                 inv_batch, step_size)

    cdef inline void _adam_on_neuron(self, Py_ssize_t l, Py_ssize_t neuron, const float *gradient,
                                     float bias_gradient, float inv_batch, float step_size) noexcept nogil:
        """Adam on one neuron's weight row and bias from their batch-summed gradients."""
        cdef Py_ssize_t n_in = self.layers[l].n_in, offset = neuron * self.layers[l].row_stride
        vec_adam_step(self.layers[l].weights + offset, self.weight_m_ptr[l] + offset,
                      self.weight_v_ptr[l] + offset, gradient, n_in, inv_batch,
                      self.l2, step_size, self.beta_1, self.beta_2, self.epsilon)
        vec_adam_step(self.layers[l].biases + neuron, self.bias_m_ptr[l] + neuron,
                      self.bias_v_ptr[l] + neuron, &bias_gradient, 1, inv_batch, 0.0,
                      step_size, self.beta_1, self.beta_2, self.epsilon)
