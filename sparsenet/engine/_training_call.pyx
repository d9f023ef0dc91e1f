"""TrainingCall: what one training call on a Network sets up before its steps run: Adam's
settings, the loss, the per-batch scratch (each sample writes only its own slot), the
samplers' per-call state and the bound data set, validated once. Trainer
(engine/_trainer.pyx) adds the step itself.
"""
import numpy as np

cimport numpy as cnp
from libc.stdlib cimport free, malloc

from sparsenet.engine._adam cimport AdamState
from sparsenet.engine._batch_groups cimport BatchGroups
from sparsenet.engine._hidden_sampling cimport HiddenLayerSampling
from sparsenet.engine._input_rows cimport bind_input_rows
from sparsenet.engine._input_rows import checked_labels
from sparsenet.engine._losses cimport BINARY_LOSS, SOFTMAX_LOSS
from sparsenet.engine._network cimport Network
from sparsenet.engine._settings import LOSSES
from sparsenet.native._aligned import cache_line_rows
from sparsenet.native._random cimport DROPOUT, stream
from sparsenet.native._vector_ops cimport SN_BLOCK

cnp.import_array()

# the phases of a step, for TrainingCall.phase_seconds
PHASES = ("forward_backward", "update_input_layer", "update_later_layers")


cdef class TrainingCall:
    """The settings, scratch and bound data of one training call on ``network`` (trained
    in place); Adam's state lives in ``adam`` (it outlives the call)."""

    def __cinit__(self, Network network, AdamState adam):
        self.network, self.adam = network, adam
        self.phase_totals[:] = [0.0, 0.0, 0.0]
        self.n_threads = 1
        self.batch_capacity = 0
        self.dropout_threshold, self.dropout_scale, self.dropout_seed = 0, 1.0, 0
        self.n_layers = network.n_layers
        self.bias_m = <float **> malloc(self.n_layers * sizeof(float *))
        self.bias_v = <float **> malloc(self.n_layers * sizeof(float *))
        if self.bias_m == NULL or self.bias_v == NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self.bias_m)
        free(self.bias_v)

    def configure(self, adam_settings, str loss, Py_ssize_t batch_size, int n_threads):
        """Set the step's settings and allocate the scratch for batches of up to batch_size
        rows. ``adam_settings``: an AdamSettings; ``loss``: "softmax" (the outputs share one
        softmax) or "binary" (every output its own sigmoid, trained against whether its
        label is present). The output sampler's plan (if any) came with it."""
        if batch_size < 1 or n_threads < 1:
            raise ValueError("batch_size and n_threads must be positive")
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        cdef Network net = self.network
        self.adam.configure(adam_settings)
        self.adam.lay_out(net)
        self.loss = BINARY_LOSS if loss == "binary" else SOFTMAX_LOSS
        self.n_threads = n_threads
        self.sampler = net.output_sampler
        self.n_outputs = net.n_outputs
        if self.sampler is not None:  # builds the tables before the first step
            self.sampler.rebuild_if_due(net.weights[net.n_layers - 1], net.biases[net.n_layers - 1], self.adam.step,
                                        n_threads)
        sizes = [net.weights[0].shape[1]] + [w.shape[1] for w in net.weights[1:]]
        l = net.sampled_hidden_layer
        self.hidden = None if l == 0 else HiddenLayerSampling(l, net.samplers[l], batch_size, n_threads)
        if l:
            self.hidden.sampler.rebuild_if_due(net.weights[l], net.biases[l], self.adam.step, n_threads)
        # the bound network's width: inference through a sampled hidden layer needs scratch
        hidden_total = net.bind().stack.hidden_total
        # room for four neurons' gradient rows (or one input-layer row)
        longest_row = max([sizes[0]] + [4 * width for width in sizes[1:]])
        self.batch_capacity = batch_size
        # rows written by different threads: each on cache lines of its own
        self.activations = cache_line_rows(batch_size, hidden_total)
        self.errors = cache_line_rows(batch_size, hidden_total)
        self.sample_losses = np.zeros(batch_size, dtype=np.float64)
        self.input_starts = np.zeros(batch_size, dtype=np.int64)
        self.input_stops = np.zeros(batch_size, dtype=np.int64)
        self.output_starts = np.zeros(batch_size, dtype=np.int64)
        self.output_stops = np.zeros(batch_size, dtype=np.int64)
        self.row_gradients = cache_line_rows(n_threads, longest_row)
        self.span_lanes = cache_line_rows(n_threads, 2 * MAX_SPAN_BLOCKS * SN_BLOCK * sizes[len(sizes) - 1])

    def set_learning_rate(self, double learning_rate):
        """Change the step size between steps (for a schedule); the moments are kept."""
        self.adam.set_learning_rate(learning_rate)

    def set_dropout(self, double rate, unsigned long long seed):
        """Zero each activation of the last hidden layer with probability ``rate`` in every
        training step and scale the others by ``1 / (1 - rate)`` (inverted dropout: inference
        uses all activations unchanged). A step's masks depend on ``seed``, the step number and
        the row only, so they are the same for any thread count. ``rate`` 0 turns it off."""
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout rate must lie in [0, 1), got {rate}")
        # rates are applied in steps of 1/65536 (16 random bits per activation); one in
        # 65536 activations is kept even at a rate that rounds to 1
        self.dropout_threshold = <unsigned int> min(round(rate * 65536.0), 65535)
        self.dropout_scale = 65536.0 / (65536.0 - self.dropout_threshold)
        self.dropout_seed = stream(seed, DROPOUT)

    @property
    def dropout_rate(self):
        """The dropout rate the steps apply (``rate`` of set_dropout, to 1/65536)."""
        return self.dropout_threshold / 65536.0

    def bind(self, X, y_indptr, y_indices):
        """Attach a data set: X (checked against the network) and its labels as CSR
        (indptr, indices).

        Everything a batch reads is validated here, once, so that `train_batch` only needs to
        check its row ids.
        """
        cdef Network net = self.network
        cdef Py_ssize_t n_rows, capacity
        if self.batch_capacity == 0:
            raise RuntimeError("configure() must be called before bind()")
        self.X = bind_input_rows(X, net.n_features)
        n_rows = self.X.n_rows
        y_indptr, y_indices = checked_labels(y_indptr, y_indices, n_rows, net.n_outputs)
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
        most_labels = int(np.diff(y_indptr).max()) if n_rows else 0
        if self.sampler is None:
            self.active_capacity = self.n_outputs
        else:
            self.sampler.prepare(self.n_threads, most_labels,
                                 np.bincount(y_indices, minlength=self.n_outputs) / max(n_rows, 1))
            self.active_capacity = self.sampler.active_capacity
            self.output_groups = BatchGroups(self.n_outputs, self.batch_capacity * self.active_capacity)
            self.active_neurons = np.zeros((self.batch_capacity, self.active_capacity), dtype=np.int32)
            self.label_slots = np.zeros((self.batch_capacity, max(1, most_labels)), dtype=np.int32)
        self.output_errors = np.zeros((self.batch_capacity, self.active_capacity), dtype=np.float32)

    def release(self):
        """Drop the bound data set and the scratch (the optimiser state stays)."""
        self.X_ref = self.y_indptr_ref = self.y_indices_ref = None
        self.X.n_rows = 0
        self.batch_capacity = 0
        self.activations = self.errors = self.output_errors = None
        self.active_neurons = self.label_slots = None
        self.row_gradients = self.span_lanes = None
        self.sample_losses = None
        self.input_groups = self.output_groups = None
        for sampler in (self.sampler, None if self.hidden is None else self.hidden.sampler):
            if sampler is not None:
                sampler.release()
        self.hidden = None

    def use_threads(self, int n_threads):
        """Run the next steps on n_threads threads, from 1 to the number configured (the
        per-thread scratch): results do not depend on it, only the time."""
        if not 1 <= n_threads <= self.row_gradients.shape[0]:
            raise ValueError(f"n_threads must lie in [1, {self.row_gradients.shape[0]}], got {n_threads}")
        self.n_threads = n_threads


    @property
    def phase_seconds(self):
        """Wall-clock seconds spent in each phase of the steps so far (since construction)."""
        return {name: self.phase_totals[i] for i, name in enumerate(PHASES)}

    @property
    def sampling_stats(self):
        """The output sampler's diagnostics of this training call (None for a dense layer)."""
        return None if self.sampler is None else self.sampler.diagnostics

    @property
    def hidden_sampling_stats(self):
        """The sampled hidden layer's diagnostics of this training call (None without one)."""
        return None if self.hidden is None else self.hidden.sampler.diagnostics

