"""A parameter block's rows as a round moves them: a row's value, first moment and second
moment together, as one (rows, 3, width) array.

A trained layer keeps each weight row beside its two moment rows in one block of memory,
so taking or putting a set of rows copies one contiguous run per row; the biases, whose
three arrays lie apart, are stacked into the same shape.
"""
import numpy as np

from sparsenet.engine._adam import is_interleaved


class RowBlock:
    """The rows of (values, first moments, second moments), three 2-D arrays of one shape."""

    def __init__(self, values, first_moments, second_moments):
        self.arrays = (values, first_moments, second_moments)
        self.n_rows, self.width = values.shape
        self.base = interleaved_base(values, first_moments, second_moments)
        self.interleaved = self.base is not None

    def take(self, rows):
        """The rows ``rows`` as a new (len(rows), 3, width) float32 array."""
        if self.interleaved:
            return np.take(self.base, rows, axis=0)
        taken = np.empty((len(rows), 3, self.width), dtype=np.float32)
        for k, array in enumerate(self.arrays):
            taken[:, k] = array[rows]
        return taken

    def put(self, rows, rows_values):
        """Write the (len(rows), 3, width) ``rows_values`` into the rows ``rows``."""
        if self.interleaved:
            self.base[rows] = rows_values
            return
        for k, array in enumerate(self.arrays):
            array[rows] = rows_values[:, k]


def interleaved_base(values, first_moments, second_moments):
    """The C-contiguous (rows, 3, width) block whose views the three arrays are, or None
    when they do not live in one."""
    base = values.base
    if (is_interleaved(values, first_moments, second_moments)
            and base.shape == (values.shape[0], 3, values.shape[1]) and base.flags.c_contiguous):
        return base
    return None


def parameter_blocks(network, adam):
    """The trained arrays as RowBlocks with one row per weight row or bias, in a fixed
    order: every layer's weights, then its biases (as columns of one value)."""
    blocks = []
    for l in range(network.n_layers):
        blocks.append(RowBlock(network.weights[l], adam.weight_m[l], adam.weight_v[l]))
        blocks.append(RowBlock(*(a.reshape(-1, 1) for a in (network.biases[l], adam.bias_m[l], adam.bias_v[l]))))
    return blocks
