# The output losses of a training step, as small inline functions: each turns a sample's
# computed output scores into the loss and, in place, into dLoss/dscores.
#
# A sample's labels are labels[:n_labels]; label_positions[q] is where labels[q] sits among
# the computed outputs (-1: not computed), or NULL when the outputs are the whole layer in
# order (a dense layer: a label's position is the label itself).
from libc.math cimport expf, fabsf, log
from libc.string cimport memset

cdef enum LossKind:
    SOFTMAX_LOSS = 0   # one softmax over the outputs, cross-entropy against the labels
    BINARY_LOSS = 1    # one sigmoid per output, binary cross-entropy against label presence


cdef inline int label_position(const int *labels, const int *label_positions, Py_ssize_t q) noexcept nogil:
    return label_positions[q] if label_positions != NULL else labels[q]


cdef inline double softmax_errors(float *output, Py_ssize_t n_active, const int *labels,
                                  Py_ssize_t n_labels, const int *label_positions) noexcept nogil:
    """Softmax cross-entropy of output[:n_active] against the labels; a multi-label row
    spreads the target mass evenly over its labels; a row without labels has no loss and
    no gradient."""
    cdef Py_ssize_t k, q
    cdef float scale
    cdef double largest, normaliser = 0.0, share, label_margins = 0.0, labels_share = 0.0
    cdef int position
    if n_labels == 0:
        memset(output, 0, n_active * sizeof(float))
        return 0.0
    largest = output[0]
    for k in range(1, n_active):
        if output[k] > largest:
            largest = output[k]
    share = 1.0 / n_labels
    # -log p(label) = log(normaliser) - (score - largest), from the score itself: the log of
    # its exponential would be -inf once a wrong class leads by more than about 104
    for q in range(n_labels):
        position = label_position(labels, label_positions, q)
        if position >= 0:
            label_margins += share * (output[position] - largest)
            labels_share += share
    # one exponential per neuron, in single precision: on a sampled layer of thousands of
    # active neurons the exponentials were a third of the forward pass
    for k in range(n_active):
        output[k] = expf(output[k] - <float> largest)
        normaliser += output[k]
    # one division, then a product per neuron (cheaper than a division each)
    scale = <float> (1.0 / normaliser)
    for k in range(n_active):
        output[k] = output[k] * scale
    for q in range(n_labels):
        position = label_position(labels, label_positions, q)
        if position >= 0:
            output[position] -= <float> share
    return labels_share * log(normaliser) - label_margins


cdef inline double binary_errors(float *output, Py_ssize_t n_active, const int *labels,
                                 Py_ssize_t n_labels, const int *label_positions) noexcept nogil:
    """Binary cross-entropy of each output[k] against whether it is one of the labels,
    summed; output becomes sigmoid(score) - target. Uncomputed outputs add nothing."""
    cdef Py_ssize_t k, q
    cdef double loss = 0.0, product = 1.0
    cdef float score, e
    cdef int position
    # -log(sigmoid(score)) = softplus(score) - score: the labels' scores first
    for q in range(n_labels):
        position = label_position(labels, label_positions, q)
        if position >= 0:
            loss -= output[position]
    for k in range(n_active):
        score = output[k]
        # softplus(score) = max(score, 0) + log(1 + e) and the sigmoid, with e =
        # exp(-|score|) in (0, 1], without overflow for scores of either sign; the logarithms
        # are taken of products of 64 factors (each at most 2, so at most 2**64): one log
        # per 64 outputs (log1pf each took 15 % of a Delicious step)
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
        position = label_position(labels, label_positions, q)
        if position >= 0:
            output[position] -= 1.0
    return loss


cdef inline void add_negative_offsets(float *output, const float *offsets, Py_ssize_t n_offsets,
                                      const int *label_positions, Py_ssize_t n_labels) noexcept nogil:
    """The sampled-softmax correction: output[k] += offsets[k] for k < n_offsets, except at
    the sample's own labels (positives are not sampled: they are always computed)."""
    cdef Py_ssize_t k, q
    cdef int position
    for k in range(n_offsets):
        output[k] += offsets[k]
    for q in range(n_labels):
        position = label_positions[q]
        if 0 <= position < n_offsets:
            output[position] -= offsets[position]


cdef inline double loss_and_errors(LossKind loss, float *output, Py_ssize_t n_active, const int *labels,
                                   Py_ssize_t n_labels, const int *label_positions) noexcept nogil:
    """The sample's loss; output[:n_active] becomes dLoss/dscores."""
    if loss == BINARY_LOSS:
        return binary_errors(output, n_active, labels, n_labels, label_positions)
    return softmax_errors(output, n_active, labels, n_labels, label_positions)
