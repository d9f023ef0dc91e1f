"""A new network and its optimiser state: Glorot-uniform weights, zero Adam moments."""
import numpy as np

cimport numpy as cnp
from cython.parallel cimport parallel, prange
from libc.string cimport memset

from sparsenet.engine._adam import AdamState, interleaved_block, interleaved_views
from sparsenet.engine._network import Network
from sparsenet.native._random cimport mix64, uniform_symmetric

cnp.import_array()


def glorot_network(list layer_sizes, unsigned long long seed, int n_threads=1):
    """A Network with Glorot-uniform weights and biases (as MLPClassifier draws them), and
    its AdamState with zero moments, written straight into Adam's interleaved layout.

    The draws are counter-based and parallel: the same seed gives the same network for any
    thread count, and initialising tens of millions of weights stays a small part of fit.
    Returns ``(network, adam_state)``.
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
        block = interleaved_block(n_rows, width)
        block_data = <float *> cnp.PyArray_DATA(block)
        # written in parallel: the threads, not a serial zero fill, first touch the pages
        with nogil, parallel(num_threads=max(n_threads, 1)):
            for r in prange(n_rows, schedule="static"):
                for k in range(width):
                    block_data[r * 3 * width + k] = uniform_symmetric(layer_seed, r * width + k, bound)
                memset(block_data + r * 3 * width + width, 0, 2 * width * sizeof(float))
        layer_seed = mix64(seed + 2 * l + 1)
        biases.append(np.array([uniform_symmetric(layer_seed, k, bound) for k in range(fan_out)],
                               dtype=np.float32))
        layer_weights, first_moment, second_moment = interleaved_views(block)
        weights.append(layer_weights)
        weight_m.append(first_moment)
        weight_v.append(second_moment)
    network = Network(weights, biases)
    return network, AdamState(weight_m, weight_v, [np.zeros_like(b) for b in biases],
                              [np.zeros_like(b) for b in biases])
