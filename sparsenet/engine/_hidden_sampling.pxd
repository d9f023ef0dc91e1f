# A sampled hidden layer's part of a training step: which of its neurons each sample computes,
# their errors, and the batch's neurons grouped for the update.
from sparsenet.engine._batch_groups cimport BatchGroups
from sparsenet.engine._input_rows cimport InputRows
from sparsenet.engine._network cimport LayerStack
from sparsenet.sampling._active_sets cimport LayerSampler

cdef class HiddenLayerSampling:
    cdef readonly Py_ssize_t layer
    cdef readonly LayerSampler sampler
    cdef Py_ssize_t capacity
    cdef int[:, ::1] active              # (batch, capacity): each slot's active neurons
    cdef float[:, ::1] active_errors     # (batch, capacity): their errors, in the same order
    cdef long long[::1] starts, stops    # slot s's entries of the flattened arrays
    cdef BatchGroups groups

    cdef void forward(self, const LayerStack *net, const InputRows *X, Py_ssize_t row, float *hidden,
                      Py_ssize_t slot, long long step, int tid) noexcept nogil
    cdef void backprop(self, const LayerStack *net, Py_ssize_t slot, float *errors) noexcept nogil
    cdef Py_ssize_t group(self, Py_ssize_t n) noexcept nogil
    cdef void score_dense_layer(self, const LayerStack *net, Py_ssize_t slot, const float *hidden,
                                float *scores) noexcept nogil
    cdef void backprop_dense_layer(self, const LayerStack *net, Py_ssize_t slot, const float *layer_errors,
                                   float *errors) noexcept nogil
    cdef void gradient_rows(self, float *gradient, Py_ssize_t n_in, Py_ssize_t first_row, Py_ssize_t n_rows,
                            const float *errors, Py_ssize_t errors_stride, const float *activations,
                            Py_ssize_t activations_stride, Py_ssize_t n) noexcept nogil
