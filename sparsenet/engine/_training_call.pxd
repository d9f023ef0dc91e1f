# The state of one training call: its settings, the per-batch scratch every sample writes
# its own slot of, and the bound data set. Trainer (engine/_trainer.pyx) is the step.
from sparsenet.engine._adam cimport AdamState, AdamStep
from sparsenet.engine._batch_groups cimport BatchGroups
from sparsenet.engine._hidden_sampling cimport HiddenLayerSampling
from sparsenet.engine._input_rows cimport InputRows
from sparsenet.engine._losses cimport LossKind
from sparsenet.engine._network cimport BoundLayers, Layer, LayerStack, Network
from sparsenet.sampling._active_sets cimport LayerSampler

# SN_BLOCK (16) samples score the output neurons they all compute together: each such weight
# row is read once per block (16 last hidden layers of 128 floats: 8 KB, in L1 with the row).
# A thread takes a span of up to MAX_SPAN_BLOCKS blocks at once, NEURON_CHUNK neurons at a
# time, so that a large layer's weights come from memory once for all of them
cdef enum:
    MAX_SPAN_BLOCKS = 4
    NEURON_CHUNK = 256
    UPDATE_PREFETCH_AHEAD = 4


cdef class TrainingCall:
    cdef readonly Network network
    cdef readonly AdamState adam
    cdef LayerSampler sampler          # the output layer's, None for a dense layer
    cdef HiddenLayerSampling hidden    # a sampled hidden layer's step, None when all are dense
    cdef LossKind loss
    cdef int n_threads
    cdef Py_ssize_t batch_capacity, n_outputs, active_capacity
    cdef double[3] phase_totals       # wall-clock seconds spent in each phase (PHASES)
    # dropout on the last hidden layer: the share of its activations a step zeroes (as a
    # threshold on 16 random bits), the factor on the others, the seed of the masks and
    # the current step's seed drawn from it
    cdef unsigned int dropout_threshold
    cdef float dropout_scale
    cdef unsigned long long dropout_seed, step_dropout_seed
    # the step's view of the network and of Adam's bias moments (valid during a step only)
    cdef BoundLayers bound
    cdef const LayerStack *net
    cdef const Layer *layers
    cdef Py_ssize_t n_layers
    cdef const Py_ssize_t *hidden_offsets
    cdef float **bias_m
    cdef float **bias_v
    cdef AdamStep step_coefficients
    # per-batch scratch: each sample owns one slot of these
    cdef float[:, ::1] activations     # (batch, hidden_total)
    cdef float[:, ::1] errors          # (batch, hidden_total): back-propagated dLoss/dz
    cdef float[:, ::1] output_errors   # (batch, active_capacity): scores, then dLoss/dscores
    cdef int[:, ::1] active_neurons    # (batch, active_capacity): a sampled layer's own neurons
    cdef int[:, ::1] label_slots       # (batch, most labels): where each label sits among the outputs
    cdef long long[::1] output_starts, output_stops
    cdef long long[::1] input_starts, input_stops
    cdef double[::1] sample_losses
    cdef float[:, ::1] row_gradients   # (n_threads, longest row): gradient rows of a thread
    cdef float[:, ::1] span_lanes      # (n_threads, ...): a span's last hidden layers and errors, transposed
    cdef BatchGroups input_groups, output_groups
    # the bound data set
    cdef object X_ref, y_indptr_ref, y_indices_ref
    cdef InputRows X
    cdef const long long *y_indptr
    cdef const int *y_indices
