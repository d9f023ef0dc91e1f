# The network's weights and its forward pass, shared by prediction (_network.pyx) and
# training (_trainer.pyx).
from sparsenet.engine._input_rows cimport InputRows

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

cdef struct LayerStack:
    # the network as the kernels read it; hidden layer l's activations sit at
    # hidden_offsets[l] of a sample's hidden_total floats
    Layer *layers
    Py_ssize_t n_layers
    Py_ssize_t *hidden_offsets
    Py_ssize_t hidden_total        # activations, then the scratch of a sampled hidden layer
    # a sampled hidden layer (0: none): inference keeps its `hidden_keep` highest activations
    # (the neurons its tables approximate in training), zeroing the rest
    Py_ssize_t sampled_hidden
    Py_ssize_t hidden_keep
    Py_ssize_t scratch_offset

cdef class BoundLayers:
    # a LayerStack over the network's arrays of one moment, valid while this object lives:
    # it holds references to every array it points into
    cdef LayerStack stack
    cdef list arrays

cdef void forward_hidden(const LayerStack *net, const InputRows *X, Py_ssize_t row,
                         float *hidden) noexcept nogil
cdef void forward_input_layer(const LayerStack *net, const InputRows *X, Py_ssize_t row,
                              float *hidden) noexcept nogil
cdef void forward_dense_layer(const LayerStack *net, Py_ssize_t l, float *hidden) noexcept nogil
cdef void forward_active(const LayerStack *net, Py_ssize_t l, float *hidden, const int *neurons,
                         Py_ssize_t count) noexcept nogil

cdef void score_neurons(const Layer *layer, const float *inputs, const int *neurons,
                        Py_ssize_t count, float *scores) noexcept nogil

cdef class Network:
    cdef readonly list weights
    cdef readonly list biases
    cdef readonly list samplers        # per layer: a LayerSampler, or None (dense)
    # inference through a sampled hidden layer: all its activations (True) or only the
    # sampler's min_active highest (False, the default: what training computes)
    cdef public bint dense_hidden_inference
    cdef readonly Py_ssize_t n_layers
    cpdef BoundLayers bind(self)
