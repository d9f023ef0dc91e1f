"""AdamState: Adam's moments and step count for a Network, and the layout they share with
its weights.

Moments are updated lazily (as ``torch.optim.SparseAdam``): a row's moments change only in
the steps that touch it; bias correction uses the global step count. Each weight row is
stored followed by its two moment rows, one block of memory per row (``lay_out``): a sparse
update then streams one contiguous block instead of three distant rows, which is what limits
its speed. The layout is checked before every step, so weights swapped into the network
between steps (a callback, a loader, model averaging) are laid out again, never misread.
"""
import numpy as np

cimport numpy as cnp
from libc.math cimport sqrt

from sparsenet.engine._network cimport Network
from sparsenet.engine._settings import AdamSettings

cnp.import_array()


def interleaved_block(Py_ssize_t n_rows, Py_ssize_t width):
    """Uninitialised storage of a layer of n_rows weight rows of ``width`` values and their
    moments: shape (n_rows, 3, width), each weight row followed by its two moment rows."""
    return np.empty((n_rows, 3, width), dtype=np.float32)


def interleaved_views(block):
    """(weights, first moments, second moments) of an interleaved block."""
    return block[:, 0], block[:, 1], block[:, 2]


def is_interleaved(weights, first_moment, second_moment):
    """True when the three arrays are the views interleaved_views makes of one block."""
    if first_moment is None or second_moment is None or weights.base is None:
        return False
    if not (first_moment.base is weights.base and second_moment.base is weights.base and weights.flags.writeable):
        return False
    width = weights.shape[1]
    start = weights.__array_interface__["data"][0]
    return (weights.strides == first_moment.strides == second_moment.strides == (12 * width, 4)
            and first_moment.__array_interface__["data"][0] == start + 4 * width
            and second_moment.__array_interface__["data"][0] == start + 8 * width
            and weights.shape == first_moment.shape == second_moment.shape)


cdef class AdamState:
    """Adam's state for a network: first and second moments of every weight and bias, and
    the number of steps taken.

    Parameters
    ----------
    weight_m, weight_v : list of ndarray or None
        Moments of each layer's weights (None: zeros).
    bias_m, bias_v : list of ndarray
        Moments of each layer's biases.
    step : int
        Steps taken so far.
    """

    def __cinit__(self, list weight_m, list weight_v, list bias_m, list bias_v, long long step=0):
        self.weight_m, self.weight_v = weight_m, weight_v
        self.bias_m, self.bias_v = bias_m, bias_v
        self.step = step
        self.settings = None
        self.learning_rate = 0.0
        self.laid_out = None

    @classmethod
    def zeros_for(cls, Network network):
        """Zero moments for ``network`` (laid out at the first step)."""
        return cls(None, None, [np.zeros_like(b) for b in network.biases],
                   [np.zeros_like(b) for b in network.biases])

    def __reduce__(self):
        return (AdamState, (self.weight_m, self.weight_v, self.bias_m, self.bias_v, self.step))

    def configure(self, settings):
        """The AdamSettings of the next steps."""
        if not isinstance(settings, AdamSettings):
            raise TypeError(f"settings must be AdamSettings, got {type(settings).__name__}")
        self.settings = settings
        self.learning_rate, self.beta_1, self.beta_2 = settings.learning_rate, settings.beta_1, settings.beta_2
        # the floor is a float32 in the step: below float32's smallest normal it would round
        # to zero, and a row without gradient would divide 0 by 0
        self.epsilon, self.l2 = max(settings.epsilon, float(np.finfo(np.float32).tiny)), settings.l2

    def set_learning_rate(self, double learning_rate):
        """Change the step size between steps (for a schedule); the moments are kept."""
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {learning_rate}")
        self.learning_rate = learning_rate

    def lay_out(self, Network network):
        """Make every weight matrix of ``network`` a view interleaved with its moments (a
        copy only where it is not one already: the first step, or weights swapped in since),
        and every bias and moment array writeable float32."""
        if self.weight_m is None:
            self.weight_m = [None] * network.n_layers
            self.weight_v = [None] * network.n_layers
        for l, weights in enumerate(network.weights):
            m, v = self.weight_m[l], self.weight_v[l]
            if is_interleaved(weights, m, v):
                continue
            for moment in (m, v):
                if moment is not None and moment.shape != weights.shape:
                    raise ValueError(f"Adam's moments of layer {l} have shape {moment.shape}, "
                                     f"the weights {weights.shape}")
            new_weights, new_m, new_v = interleaved_views(interleaved_block(*weights.shape))
            new_weights[...] = weights
            new_m[...] = 0.0 if m is None else m
            new_v[...] = 0.0 if v is None else v
            network.set_weights(l, new_weights)
            self.weight_m[l], self.weight_v[l] = new_m, new_v
        network.make_writeable()
        for l, biases in enumerate(network.biases):
            if self.bias_m[l].shape != biases.shape or self.bias_v[l].shape != biases.shape:
                raise ValueError(f"Adam's bias moments of layer {l} do not match its {biases.shape[0]} biases")
        self.bias_m = [np.require(a, np.float32, ["C", "W"]) for a in self.bias_m]
        self.bias_v = [np.require(a, np.float32, ["C", "W"]) for a in self.bias_v]
        self.laid_out = network.weights + network.biases

    cdef void ensure_laid_out(self, object network) except *:
        """lay_out, unless the network holds the very arrays of the last lay_out (the check
        before every step: a comparison of object identities)."""
        cdef Network net = network
        cdef list arrays = net.weights + net.biases
        cdef Py_ssize_t i
        if self.laid_out is not None and len(arrays) == len(self.laid_out):
            for i in range(len(arrays)):
                if arrays[i] is not self.laid_out[i]:
                    break
            else:
                return
        self.lay_out(net)

    cdef AdamStep begin_step(self):
        """Count one more step; its coefficients, bias correction included."""
        cdef AdamStep step
        cdef double step_size
        if self.settings is None:
            raise RuntimeError("configure() the AdamState before training")
        self.step += 1
        step.beta_1, step.beta_2, step.epsilon, step.l2 = self.beta_1, self.beta_2, self.epsilon, self.l2
        step_size = self.learning_rate * sqrt(1.0 - self.beta_2 ** self.step) \
            / (1.0 - self.beta_1 ** self.step)
        step.step_size = <float> step_size
        return step
