"""How a network holds its layers' weights: the first layer feature-major, every later
layer neuron-major, rows contiguous float32 (possibly spaced apart, as views of
interleaved storage)."""
import numpy as np


def layer_shape(weights, layer):
    """(n_in, n_out) of a layer's weight matrix in the engine's layout."""
    return (weights.shape[0], weights.shape[1]) if layer == 0 else (weights.shape[1], weights.shape[0])


def row_major_float32(array):
    """The array itself when its rows are contiguous float32 (the rows may be spaced
    further apart, as in a view of interleaved storage), else a C-contiguous copy."""
    array = np.asarray(array)
    if array.ndim == 2 and array.dtype == np.float32 and array.strides[1] == 4 \
            and array.strides[0] % 4 == 0 and array.strides[0] >= 4 * array.shape[1]:
        return array
    return np.ascontiguousarray(array, dtype=np.float32)
