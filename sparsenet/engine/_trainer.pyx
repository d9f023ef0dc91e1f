"""Trainer: one optimisation step of a Network on a batch of rows, without the GIL.

A step has two parallel phases, so no two threads ever write the same memory (the words
slot, block, span, shared and own neurons are defined in docs/engine.md):

1. over the samples of the batch, then over spans of blocks: forward, the output loss
   (engine/_losses.pxd), back-propagation of the errors; each sample writes only its own
   slot of the batch scratch;
2. over the weight rows that the batch touched: the row's gradient is summed from the
   samples' slots, then Adam updates the row at once (engine/_adam.pxd). Untouched rows (the
   features absent from the batch) are not visited at all: this is what makes wide sparse
   inputs cheap.

Which output neurons a sample computes is the output layer's sampler's business
(sampling/_active_sets.pyx); a dense output layer has none. A sampled hidden layer's part of
the step is engine/_hidden_sampling.pyx's. Because every sum runs in a fixed order, results
are bit-identical for any thread count. The call's settings and scratch are TrainingCall's
(engine/_training_call.pyx).

The trainer keeps no pointer into the network or the optimiser state between steps: each
step binds the current arrays first, so weights swapped between steps are never misread.
"""
import numpy as np

cimport numpy as cnp
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport isfinite
from libc.string cimport memset

from sparsenet.engine._adam cimport adam_on_row, adam_on_vector
from sparsenet.engine._losses cimport SOFTMAX_LOSS, add_negative_offsets, loss_and_errors
from sparsenet.engine._network cimport Layer, Network, forward_hidden, score_neurons
from sparsenet.engine._training_call cimport MAX_SPAN_BLOCKS, NEURON_CHUNK, UPDATE_PREFETCH_AHEAD, TrainingCall
from sparsenet.native._openmp cimport sn_barrier
from sparsenet.native._random cimport draw
from sparsenet.native._timing cimport now
from sparsenet.native._vector_ops cimport (
    SN_BLOCK,
    block_backprop,
    block_scores,
    gradient_rows4,
    prefetch_for_writing,
    vec_relu_backward,
    vec_weighted_row_sum,
)

cnp.import_array()


cdef class Trainer(TrainingCall):
    """One training call on ``network`` (trained in place; its layers' samplers, if any,
    choose each sample's active neurons) and its step. Adam's state lives in ``adam`` (it
    outlives the trainer)."""

    cdef void _bind_step(self) except *:
        """Point the step at the network's current arrays and Adam's (laid out first)."""
        cdef Py_ssize_t l
        self.adam.ensure_laid_out(self.network)
        self.bound = self.network.bind()
        self.net = &self.bound.stack
        if self.net.hidden_total > self.activations.shape[1] or \
                self.net.sampled_hidden != (0 if self.hidden is None else self.hidden.layer):
            raise RuntimeError("the network's samplers changed since configure()")
        self.layers, self.hidden_offsets = self.net.layers, self.net.hidden_offsets
        for l in range(self.n_layers):
            self.bias_m[l] = <float *> cnp.PyArray_DATA(self.adam.bias_m[l])
            self.bias_v[l] = <float *> cnp.PyArray_DATA(self.adam.bias_v[l])

    cdef void _unbind_step(self) noexcept:
        self.bound = None
        self.net = NULL
        self.layers = NULL
        self.hidden_offsets = NULL

    def train_batch(self, rows):
        """One Adam step on the rows ``rows`` of the bound data set; returns their summed loss.
        A loss that is not finite (divergence, or inputs that overflow) updates nothing."""
        cdef long long[::1] batch = np.ascontiguousarray(rows, dtype=np.int64)
        cdef Py_ssize_t n = batch.shape[0], s
        if n == 0:
            return 0.0
        if n > self.batch_capacity:
            raise ValueError(f"batch of {n} rows exceeds the configured {self.batch_capacity}")
        if self.X_ref is None:
            raise RuntimeError("bind() a data set before training")
        for s in range(n):
            if not 0 <= batch[s] < self.X.n_rows:
                raise ValueError(f"row ids must lie in [0, {self.X.n_rows}), got {batch[s]}")
        self._bind_step()
        self.step_coefficients = self.adam.begin_step()
        cdef long long step = self.adam.step
        # the seed of this step's dropout masks, indexed by row (see _drop_last_hidden)
        self.step_dropout_seed = draw(self.dropout_seed, <unsigned long long> step)
        cdef double total = 0.0
        cdef double[4] clock
        try:
            with nogil:
                clock[0] = now()
                if self.sampler is not None:
                    self.sampler.choose_shared(self.y_indptr, self.y_indices, &batch[0], n, step)
                self._forward_backward(&batch[0], n)
                for s in range(n):
                    total += self.sample_losses[s]
                clock[1] = clock[2] = clock[3] = now()
                if isfinite(total):
                    self._update_input_layer(n)
                    clock[2] = now()
                    self._update_neuron_layers(n)
                    clock[3] = now()
                if self.sampler is not None:
                    self.sampler.mark_shared(False)
                for s in range(3):
                    self.phase_totals[s] += clock[s + 1] - clock[s]
        finally:
            self._unbind_step()
        if not isfinite(total):
            self.adam.step -= 1
            return total
        if self.sampler is not None:
            self.sampler.rebuild_if_due(self.network.weights[self.n_layers - 1], self.network.biases[self.n_layers - 1],
                                        step, self.n_threads)
        if self.hidden is not None:
            self.hidden.sampler.rebuild_if_due(self.network.weights[self.hidden.layer],
                                               self.network.biases[self.hidden.layer], step, self.n_threads)
        return total

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
        cdef Py_ssize_t i, count, n_shared = self.sampler.n_shared
        cdef float *hidden = &self.activations[0, 0]
        cdef long long row
        shared = np.asarray(self.sampler.shared_ids[:n_shared]).copy()
        self._bind_step()
        self.sampler.mark_shared(True)
        try:
            for i in range(ids.shape[0]):
                row = ids[i]
                forward_hidden(self.net, &self.X, row, hidden)
                count = self.sampler.select_own(
                    &self.active_neurons[0, 0], &self.y_indices[self.y_indptr[row]],
                    self.y_indptr[row + 1] - self.y_indptr[row], hidden + self.hidden_offsets[self.n_layers - 2],
                    &self.label_slots[0, 0], self.adam.step, row, 0)
                sets.append(np.concatenate([shared, np.asarray(self.active_neurons[0, n_shared:count])]))
        finally:
            self.sampler.mark_shared(False)
            self._unbind_step()
        return sets

    cdef void _forward_backward(self, const long long *batch, Py_ssize_t n) noexcept nogil:
        """Phase 1 over the samples; meanwhile one thread groups the batch's input features
        (serial work hidden behind the parallel work).

        Two passes: each sample goes through the hidden layers (and on a sampled layer
        selects and scores its own neurons); then spans of blocks score the neurons every
        sample computes (every neuron of a dense layer, the step's shared ones of a sampled
        layer) together, so that each of those weight rows is read once per block instead
        of once per sample, and finish the loss and back-propagation."""
        cdef Py_ssize_t s, span, n_blocks = (n + SN_BLOCK - 1) // SN_BLOCK
        # blocks per span: as many as keep two spans for every thread (results do not
        # depend on it: every sum runs in the same order whatever the span)
        cdef Py_ssize_t span_blocks = max(1, min(<Py_ssize_t> MAX_SPAN_BLOCKS, n_blocks // (2 * self.n_threads)))
        cdef Py_ssize_t span_size = span_blocks * SN_BLOCK, n_spans = (n + span_size - 1) // span_size
        with parallel(num_threads=self.n_threads):
            # the grouping is the loop's first item, so that the other threads take more
            # samples meanwhile (a serial `if threadid() == 0` first kept them waiting)
            for s in prange(n + 1, schedule="dynamic", chunksize=1):
                if s == 0:
                    self.input_groups.group_rows(&self.X, batch, n, &self.input_starts[0], &self.input_stops[0])
                else:
                    self._forward_and_own_scores(s - 1, batch[s - 1], threadid())
            # a span reads the activations of all its samples: every sample must be done
            sn_barrier()
            for span in prange(n_spans, schedule="dynamic", chunksize=1):
                self._span(batch, span * span_size, min(span_size, n - span * span_size), threadid())

    cdef void _forward_and_own_scores(self, Py_ssize_t slot, Py_ssize_t row, int tid) noexcept nogil:
        """Forward one row through the hidden layers; on a sampled layer, also select its
        own output neurons and score them (the shared ones are scored by _span)."""
        cdef Py_ssize_t n_shared, n_active
        cdef float *hidden = &self.activations[slot, 0]
        cdef float *last_hidden = hidden + self.hidden_offsets[self.n_layers - 2]
        if self.hidden is None:
            forward_hidden(self.net, &self.X, row, hidden)
        else:
            self.hidden.forward(self.net, &self.X, row, hidden, slot, self.adam.step, tid)
        if self.sampler is None:
            self._drop_last_hidden(last_hidden, row)
            return
        n_shared = self.sampler.n_shared
        # the tables are queried with every activation; the scores see the dropped ones
        n_active = self.sampler.select_own(&self.active_neurons[slot, 0], &self.y_indices[self.y_indptr[row]],
                                           self.y_indptr[row + 1] - self.y_indptr[row], last_hidden,
                                           &self.label_slots[slot, 0], self.adam.step, row, tid)
        self._drop_last_hidden(last_hidden, row)
        # pointers, not indexing: n_shared may equal the row's length (no own neurons)
        score_neurons(&self.layers[self.n_layers - 1], last_hidden, &self.active_neurons[slot, 0] + n_shared,
                      n_active - n_shared, &self.output_errors[slot, 0] + n_shared)
        # phase 2 groups only the sample's own neurons; the shared ones are updated as a block
        self.output_starts[slot] = slot * self.active_capacity + n_shared
        self.output_stops[slot] = slot * self.active_capacity + n_active

    cdef void _drop_last_hidden(self, float *activations, long long row) noexcept nogil:
        """Dropout on one sample's last hidden layer: each activation zeroed when its 16
        random bits fall below the threshold, the others scaled. A 64-bit draw serves four
        activations; draws are indexed by the row, so a mask never depends on the thread."""
        if self.dropout_threshold == 0:
            return
        cdef Py_ssize_t width = self.layers[self.n_layers - 1].n_in, j
        cdef Py_ssize_t n_draws = (width + 3) // 4
        cdef unsigned long long bits = 0
        for j in range(width):
            if j % 4 == 0:
                bits = draw(self.step_dropout_seed, <unsigned long long> row * n_draws + j // 4)
            if (bits & 0xFFFF) < self.dropout_threshold:
                activations[j] = 0.0
            else:
                activations[j] *= self.dropout_scale
            bits >>= 16

    cdef inline void _dropout_backward(self, float *errors, Py_ssize_t width) noexcept nogil:
        """The kept activations' scale on their errors (a dropped one's error is already
        zero: its activation is, and the ReLU's gradient with it)."""
        cdef Py_ssize_t j
        if self.dropout_threshold == 0:
            return
        for j in range(width):
            errors[j] *= self.dropout_scale

    cdef inline Py_ssize_t _active_count(self, Py_ssize_t slot) noexcept nogil:
        """Output neurons the slot's sample computes: all of a dense layer; the shared ones
        and its own of a sampled layer."""
        if self.sampler is None:
            return self.n_outputs
        return self.output_stops[slot] - slot * self.active_capacity

    cdef void _span(self, const long long *batch, Py_ssize_t first, Py_ssize_t count, int tid) noexcept nogil:
        """Slots first .. first + count - 1 (at most MAX_SPAN_BLOCKS blocks): score the
        neurons every sample computes (a dense layer's, or the shared ones), the loss, then
        back-propagate. Block kernels read each weight once for SN_BLOCK samples, by chunks
        of NEURON_CHUNK neurons that every block takes while they are in the cache."""
        cdef const Layer *output = &self.layers[self.n_layers - 1]
        cdef Py_ssize_t n_in = output.n_in, last = self.hidden_offsets[self.n_layers - 2]
        cdef bint dense = self.sampler is None
        cdef Py_ssize_t i, j, n_common = self.n_outputs if dense else self.sampler.n_shared, n_active
        cdef Py_ssize_t n_blocks = (count + SN_BLOCK - 1) // SN_BLOCK, b, size, start, chunk, lanes = SN_BLOCK * n_in
        cdef Py_ssize_t out_stride = self.output_errors.shape[1], c
        cdef Py_ssize_t n_chunks = (n_common + NEURON_CHUNK - 1) // NEURON_CHUNK
        cdef const int *ids
        cdef const float *weights
        cdef const float *biases
        cdef float *hidden_t = &self.span_lanes[tid, 0]
        cdef float *errors_t = hidden_t + MAX_SPAN_BLOCKS * lanes
        cdef float *previous
        cdef long long row
        if dense and self.hidden is not None and self.hidden.layer == self.n_layers - 2:
            self._span_from_sampled_hidden(batch, first, count)
            return
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
            ids = NULL if dense else &self.sampler.shared_ids[start]
            weights = output.weights + (start * output.row_stride if dense else 0)
            biases = output.biases + (start if dense else 0)
            for b in range(n_blocks):
                size = min(SN_BLOCK, count - b * SN_BLOCK)
                block_scores(&self.output_errors[first + b * SN_BLOCK, start], out_stride, size,
                             hidden_t + b * lanes, n_in, weights, output.row_stride, biases, ids, chunk)
        cdef const float *offsets = NULL if dense or self.loss != SOFTMAX_LOSS else self.sampler.negative_offsets()
        for i in range(first, first + count):
            row = batch[i]
            if offsets != NULL:
                add_negative_offsets(&self.output_errors[i, 0], offsets, n_common, &self.label_slots[i, 0],
                                     self.y_indptr[row + 1] - self.y_indptr[row])
            self.sample_losses[i] = loss_and_errors(
                self.loss, &self.output_errors[i, 0], self._active_count(i),
                &self.y_indices[self.y_indptr[row]], self.y_indptr[row + 1] - self.y_indptr[row],
                NULL if dense else &self.label_slots[i, 0])
        for c in range(n_chunks):
            start = c * NEURON_CHUNK
            chunk = min(NEURON_CHUNK, n_common - start)
            ids = NULL if dense else &self.sampler.shared_ids[start]
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
            n_active = self._active_count(i)
            previous = &self.errors[i, last]
            if n_active > n_common:
                vec_weighted_row_sum(previous, previous, n_in, &self.output_errors[i, n_common], 1,
                                     output.weights, output.row_stride, &self.active_neurons[i, n_common],
                                     n_active - n_common)
            vec_relu_backward(previous, &self.activations[i, last], n_in)
            self._dropout_backward(previous, n_in)
            self._backprop_hidden(i)

    cdef void _span_from_sampled_hidden(self, const long long *batch, Py_ssize_t first, Py_ssize_t count) noexcept nogil:
        """_span for a dense output layer over a sampled last hidden layer: each sample reads
        only its active neurons (sets differ by sample, so the block kernels do not apply)."""
        cdef Py_ssize_t i, last = self.hidden_offsets[self.n_layers - 2]
        cdef long long row
        for i in range(first, first + count):
            row = batch[i]
            self.hidden.score_dense_layer(self.net, i, &self.activations[i, 0], &self.output_errors[i, 0])
            self.sample_losses[i] = loss_and_errors(
                self.loss, &self.output_errors[i, 0], self.n_outputs, &self.y_indices[self.y_indptr[row]],
                self.y_indptr[row + 1] - self.y_indptr[row], NULL)
            self.hidden.backprop_dense_layer(self.net, i, &self.output_errors[i, 0], &self.errors[i, 0])
            vec_relu_backward(&self.errors[i, last], &self.activations[i, last], self.layers[self.n_layers - 1].n_in)
            self._dropout_backward(&self.errors[i, last], self.layers[self.n_layers - 1].n_in)
            self._backprop_hidden(i)

    cdef void _backprop_hidden(self, Py_ssize_t slot) noexcept nogil:
        """Back-propagate the slot's errors from the last hidden layer down to the first."""
        cdef Py_ssize_t l
        cdef const Layer *layer
        cdef float *errors = &self.errors[slot, 0]
        cdef float *hidden = &self.activations[slot, 0]
        for l in range(self.n_layers - 2, 0, -1):
            layer = &self.layers[l]
            if self.hidden is not None and l == self.hidden.layer:
                self.hidden.backprop(self.net, slot, errors)
            else:
                vec_weighted_row_sum(errors + self.hidden_offsets[l - 1], NULL, layer.n_in,
                                     errors + self.hidden_offsets[l], 1, layer.weights, layer.row_stride,
                                     NULL, layer.n_out)
            vec_relu_backward(errors + self.hidden_offsets[l - 1], hidden + self.hidden_offsets[l - 1], layer.n_in)

    cdef void _update_input_layer(self, Py_ssize_t n) noexcept nogil:
        """Adam on each input feature touched by the batch, and on the first layer's biases.

        Without sampled layers the features are split between the threads in fixed
        contiguous ranges (the groups come sorted by feature): a thread then mostly updates
        rows it updated in earlier steps, still in its own cache. Handing rows out on demand
        instead made two threads slower than one on small batches, each step moving
        recently written rows between the cores. With a sampled layer, item 0 of an on-demand
        loop groups its own neurons (serial) while the other threads update."""
        cdef const Layer *layer = &self.layers[0]
        cdef Py_ssize_t width = layer.n_out, g, item
        cdef float inv_batch = 1.0 / n, one = 1.0
        cdef float *gradient
        if self.sampler is None and self.hidden is None:
            with parallel(num_threads=self.n_threads):
                for g in prange(self.input_groups.n_groups, schedule="static"):
                    self._update_feature_row(layer, g, inv_batch, threadid())
        else:
            with parallel(num_threads=self.n_threads):
                for item in prange(self.input_groups.n_groups + 1, schedule="dynamic", chunksize=64):
                    if item == 0:
                        if self.sampler is not None:
                            self.output_groups.group(n, &self.output_starts[0], &self.output_stops[0],
                                                     &self.active_neurons[0, 0], &self.output_errors[0, 0])
                        if self.hidden is not None:
                            self.hidden.group(n)
                    else:
                        self._update_feature_row(layer, item - 1, inv_batch, threadid())
        gradient = &self.row_gradients[0, 0]
        vec_weighted_row_sum(gradient, NULL, width, &one, 0, &self.errors[0, 0],
                             self.errors.shape[1], NULL, n)
        adam_on_vector(layer.biases, self.bias_m[0], self.bias_v[0], width, gradient, inv_batch,
                       &self.step_coefficients)

    cdef inline void _update_feature_row(self, const Layer *layer, Py_ssize_t g, float inv_batch,
                                         int tid) noexcept nogil:
        """Adam on the input-layer row of feature group g: its gradient summed from the
        group's entries (sample, value) times the samples' first-layer errors."""
        cdef Py_ssize_t width = layer.n_out
        cdef long long first = self.input_groups.group_start[g]
        cdef float *gradient = &self.row_gradients[tid, 0]
        if g + UPDATE_PREFETCH_AHEAD < self.input_groups.n_groups:
            # a feature's row and its moments, a few groups ahead: scattered rows
            # otherwise wait for memory one after the other
            prefetch_for_writing(layer.weights + self.input_groups.ids[g + UPDATE_PREFETCH_AHEAD] * layer.row_stride,
                                 3 * width)
        vec_weighted_row_sum(gradient, NULL, width, &self.input_groups.entry_value[first], 1,
                             &self.errors[0, 0], self.errors.shape[1],
                             &self.input_groups.entry_sample[first], self.input_groups.group_start[g + 1] - first)
        adam_on_row(layer.weights + self.input_groups.ids[g] * layer.row_stride, width, gradient,
                    inv_batch, True, &self.step_coefficients)

    cdef void _update_neuron_layers(self, Py_ssize_t n) noexcept nogil:
        """Adam on the neurons (rows) of the later layers: a row's gradient is the sum over
        samples of the neuron's error times the previous layer's activations. Dense layers
        visit every neuron; a sampled output layer only the neurons some sample computed.
        Neurons every sample computed (all of a dense layer, the shared ones of a sampled
        layer) are done four at a time, each activation read serving the four."""
        cdef Py_ssize_t l, n_in, n_out, n_own, n_common, n_units, unit, first, count, r, s
        cdef float inv_batch = 1.0 / n
        cdef float bias_gradient
        cdef float *gradient
        cdef const float *errors
        cdef Py_ssize_t errors_stride, activations_stride = self.activations.shape[1]
        cdef const float *inputs
        cdef bint sampled, sparse_inputs
        cdef Py_ssize_t neuron
        cdef const int *group_ids
        cdef const long long *group_start
        cdef const int *entry_sample
        cdef const float *entry_value
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
            # step's shared neurons, which every sample of the batch computed (a sampled
            # hidden layer has only its own)
            n_own, n_common = 0, n_out
            if sampled:
                n_own, n_common = self.output_groups.n_groups, self.sampler.n_shared
                group_ids, group_start = &self.output_groups.ids[0], &self.output_groups.group_start[0]
                entry_sample, entry_value = &self.output_groups.entry_sample[0], &self.output_groups.entry_value[0]
            elif self.hidden is not None and l == self.hidden.layer:
                n_own, n_common = self.hidden.groups.n_groups, 0
                group_ids, group_start = &self.hidden.groups.ids[0], &self.hidden.groups.group_start[0]
                entry_sample, entry_value = &self.hidden.groups.entry_sample[0], &self.hidden.groups.entry_value[0]
            n_units = n_own + (n_common + 3) // 4
            # inputs from a sampled hidden layer: zero but at each sample's active neurons
            sparse_inputs = self.hidden is not None and l == self.hidden.layer + 1
            with parallel(num_threads=self.n_threads):
                for unit in prange(n_units, schedule="dynamic", chunksize=4):
                    gradient = &self.row_gradients[threadid(), 0]
                    if unit < n_own:
                        first = group_start[unit]
                        count = group_start[unit + 1] - first
                        vec_weighted_row_sum(gradient, NULL, n_in, entry_value + first, 1,
                                             inputs, activations_stride, entry_sample + first, count)
                        bias_gradient = 0.0
                        for s in range(count):
                            bias_gradient = bias_gradient + entry_value[first + s]
                        self._adam_on_neuron(l, group_ids[unit], gradient, bias_gradient, inv_batch)
                    else:
                        first = 4 * (unit - n_own)
                        count = min(4, n_common - first)
                        if sparse_inputs:
                            self.hidden.gradient_rows(gradient, n_in, first, count, errors, errors_stride,
                                                      inputs, activations_stride, n)
                        else:
                            gradient_rows4(gradient, n_in, count, errors + first, errors_stride,
                                           inputs, activations_stride, n)
                        for r in range(count):
                            bias_gradient = 0.0
                            for s in range(n):
                                bias_gradient = bias_gradient + errors[s * errors_stride + first + r]
                            neuron = self.sampler.shared_ids[first + r] if sampled else first + r
                            self._adam_on_neuron(l, neuron, gradient + r * n_in, bias_gradient, inv_batch)

    cdef inline void _adam_on_neuron(self, Py_ssize_t l, Py_ssize_t neuron, const float *gradient,
                                     float bias_gradient, float inv_batch) noexcept nogil:
        """Adam on one neuron's weight row and bias from their batch-summed gradients."""
        cdef const Layer *layer = &self.layers[l]
        adam_on_row(layer.weights + neuron * layer.row_stride, layer.n_in, gradient, inv_batch, True,
                    &self.step_coefficients)
        adam_on_vector(layer.biases + neuron, self.bias_m[l] + neuron, self.bias_v[l] + neuron, 1,
                       &bias_gradient, inv_batch, &self.step_coefficients)
