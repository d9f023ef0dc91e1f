# The network's weights and its forward pass, shared by prediction (_network.pyx) and
# training (_trainer.pyx).
from sparsenet.engine._sampling cimport NeuronSampler

cdef struct Layer:
    # Layer 0 ("input layer") stores weights feature-major, shape (n_in, n_out), so a sparse
    # input row reads only the rows of its nonzero features. Every later layer stores them
    # neuron-major, shape (n_out, n_in), so one neuron is one contiguous row: the unit that
    # sampling picks and that Adam updates.
    # Rows may lie further apart than their length (row_stride >= row length): the trainer
    # keeps each weight row next to its Adam moments, one block of memory per row.
    float *weights
    float *biases
    Py_ssize_t n_in
    Py_ssize_t n_out
    Py_ssize_t row_stride

cdef struct InputRows:
    # float32 rows, either CSR (indices and indptr set) or dense C-contiguous (both NULL)
    const float *data
    const int *indices
    const long long *indptr
    Py_ssize_t n_rows
    Py_ssize_t n_features

cdef InputRows bind_input_rows(object X, Py_ssize_t n_features) except *

cdef void forward_hidden(const Layer *layers, Py_ssize_t n_layers, const InputRows *X,
                         Py_ssize_t row, float *hidden, const Py_ssize_t *hidden_offsets) noexcept nogil

cdef void score_neurons(const Layer *layer, const float *inputs, const int *neurons,
                        Py_ssize_t count, float *scores) noexcept nogil

cdef class Network:
    cdef readonly list weights
    cdef readonly list biases
    cdef Layer *layers
    cdef Py_ssize_t n_layers
    cdef Py_ssize_t *hidden_offsets
    cdef readonly Py_ssize_t hidden_total
    cdef readonly object sampler       # NeuronSampler over the output layer, or None (dense)
    cdef void _bind_pointers(self) except *
    cpdef set_weights(self, Py_ssize_t layer, object weights)
