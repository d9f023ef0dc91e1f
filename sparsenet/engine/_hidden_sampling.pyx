"""HiddenLayerSampling: a training step through a sampled hidden layer.

A hidden layer after the first can be sampled as SLIDE and BOLT do: each sample hashes the
previous layer's activations, computes only the neurons its tables return (padding up to
the sampler's ``min_active``), and leaves the others at zero. Its errors then exist only on
those neurons (the ReLU's backward pass zeroes the rest), so the back-propagation to the
layer below reads only their weight rows, and the update visits only the neurons some sample
of the batch computed. Inference (``Network.forward_hidden``) keeps the layer's
``min_active`` highest activations instead: the neurons the tables approximate.

A sampled hidden layer has no labels: its sampler takes all of a sample's neurons from the
tables (``lsh_share=1``), never shared ones.

When the sampled layer is the last hidden one and the output layer is dense, the output
layer reads only the active neurons too (``score_dense_layer``, ``backprop_dense_layer``,
``gradient_rows``): without that, scoring the outputs from a wide layer of mostly zeros
would cost as much as the dense network.
"""
import numpy as np

from sparsenet.engine._batch_groups cimport BatchGroups
from sparsenet.engine._input_rows cimport InputRows
from sparsenet.engine._network cimport Layer, LayerStack, forward_active, forward_dense_layer, forward_input_layer
from libc.string cimport memset

from sparsenet.native._vector_ops cimport vec_weighted_row_sum
from sparsenet.sampling._active_sets cimport LayerSampler


cdef class HiddenLayerSampling:
    """The scratch of one training call through hidden layer ``layer`` sampled by
    ``sampler``, for batches of up to ``batch_capacity`` rows on ``n_threads`` threads."""

    def __cinit__(self, Py_ssize_t layer, LayerSampler sampler, Py_ssize_t batch_capacity, int n_threads):
        if sampler.shared_room != 0:
            raise ValueError("a hidden layer's sampler must take its neurons from the tables (lsh_share=1)")
        self.layer, self.sampler = layer, sampler
        sampler.prepare(n_threads, 0, None)
        self.capacity = max(1, sampler.active_capacity)
        self.active = np.zeros((batch_capacity, self.capacity), dtype=np.int32)
        self.active_errors = np.zeros((batch_capacity, self.capacity), dtype=np.float32)
        self.starts = np.arange(batch_capacity, dtype=np.int64) * self.capacity
        self.stops = self.starts.copy()
        self.groups = BatchGroups(sampler.n_neurons, batch_capacity * self.capacity)

    cdef void forward(self, const LayerStack *net, const InputRows *X, Py_ssize_t row, float *hidden,
                      Py_ssize_t slot, long long step, int tid) noexcept nogil:
        """Forward data row ``row`` (the batch's slot ``slot``) through the hidden layers,
        the sampled one computing only the neurons its sampler chooses."""
        cdef Py_ssize_t l, count
        forward_input_layer(net, X, row, hidden)
        for l in range(1, net.n_layers - 1):
            if l != self.layer:
                forward_dense_layer(net, l, hidden)
                continue
            count = self.sampler.select_own(&self.active[slot, 0], NULL, 0, hidden + net.hidden_offsets[l - 1],
                                            NULL, step, row, tid)
            self.stops[slot] = self.starts[slot] + count
            forward_active(net, l, hidden, &self.active[slot, 0], count)

    cdef void backprop(self, const LayerStack *net, Py_ssize_t slot, float *errors) noexcept nogil:
        """From the sampled layer's errors (its ReLU's backward pass done) to the layer
        below's, before that layer's ReLU: only the active neurons' rows are read."""
        cdef const Layer *layer = &net.layers[self.layer]
        cdef Py_ssize_t k, count = self.stops[slot] - self.starts[slot]
        cdef const float *own = errors + net.hidden_offsets[self.layer]
        for k in range(count):
            self.active_errors[slot, k] = own[self.active[slot, k]]
        vec_weighted_row_sum(errors + net.hidden_offsets[self.layer - 1], NULL, layer.n_in,
                             &self.active_errors[slot, 0], 1, layer.weights, layer.row_stride,
                             &self.active[slot, 0], count)

    cdef Py_ssize_t group(self, Py_ssize_t n) noexcept nogil:
        """Group the first n slots' active neurons (zero errors skipped) for the update."""
        return self.groups.group(n, &self.starts[0], &self.stops[0], &self.active[0, 0], &self.active_errors[0, 0])

    cdef void score_dense_layer(self, const LayerStack *net, Py_ssize_t slot, const float *hidden,
                                float *scores) noexcept nogil:
        """The output layer's scores of the slot's sample from its sampled last hidden layer
        (``hidden``: the sample's activations), reading only the active neurons' inputs."""
        cdef const Layer *layer = &net.layers[net.n_layers - 1]
        cdef const float *last = hidden + net.hidden_offsets[self.layer]
        cdef const int *ids = &self.active[slot, 0]
        cdef float *values = &self.active_errors[slot, 0]
        cdef Py_ssize_t k, o, count = self.stops[slot] - self.starts[slot]
        cdef const float *row
        cdef float total
        # the active values, compact (this slot's row of active_errors until backprop)
        for k in range(count):
            values[k] = last[ids[k]]
        for o in range(layer.n_out):
            row = layer.weights + o * layer.row_stride
            total = layer.biases[o]
            for k in range(count):
                total = total + row[ids[k]] * values[k]
            scores[o] = total

    cdef void backprop_dense_layer(self, const LayerStack *net, Py_ssize_t slot, const float *layer_errors,
                                   float *errors) noexcept nogil:
        """The sampled last hidden layer's errors (before its ReLU) from the output layer's
        (``layer_errors``); ``errors``: the sample's error row. Inactive neurons get zero."""
        cdef const Layer *layer = &net.layers[net.n_layers - 1]
        cdef float *own = errors + net.hidden_offsets[self.layer]
        cdef const int *ids = &self.active[slot, 0]
        cdef Py_ssize_t k, o, count = self.stops[slot] - self.starts[slot]
        cdef const float *row
        cdef float e
        memset(own, 0, layer.n_in * sizeof(float))
        for o in range(layer.n_out):
            e = layer_errors[o]
            if e == 0:
                continue
            row = layer.weights + o * layer.row_stride
            for k in range(count):
                own[ids[k]] += e * row[ids[k]]

    cdef void gradient_rows(self, float *gradient, Py_ssize_t n_in, Py_ssize_t first_row, Py_ssize_t n_rows,
                            const float *errors, Py_ssize_t errors_stride, const float *activations,
                            Py_ssize_t activations_stride, Py_ssize_t n) noexcept nogil:
        """Gradient rows first_row .. first_row + n_rows - 1 of the output layer (to
        gradient, n_in floats each) summed over the batch's n samples, whose inputs (the
        sampled layer's activations) are nonzero only at their active neurons."""
        cdef Py_ssize_t r, s, k, count
        cdef const int *ids
        cdef const float *inputs
        cdef float *out
        cdef float e
        memset(gradient, 0, n_rows * n_in * sizeof(float))
        for s in range(n):
            ids = &self.active[s, 0]
            count = self.stops[s] - self.starts[s]
            inputs = activations + s * activations_stride
            for r in range(n_rows):
                e = errors[s * errors_stride + first_row + r]
                if e == 0:
                    continue
                out = gradient + r * n_in
                for k in range(count):
                    out[ids[k]] += e * inputs[ids[k]]
