"""The driver's half of a round: the replicas' changed rows averaged into the model.

A row's new weights and moments are the mean of the replicas that changed it, each weighted
by how many of its steps touched the row; rows no replica changed keep the value every
replica started from. Sums run in float64 in the replicas' fixed order, so the result does
not depend on which replica finished first.
"""
import numpy as np

from sparsenet.distributed._replica import parameter_blocks
from sparsenet.engine._adam import AdamState


def average_into(model, updates):
    """Write the touch-weighted mean of the ReplicaUpdates ``updates`` into ``model``'s
    weights and Adam moments (in place), and advance Adam's step count by the most steps any
    replica took. Returns the rows written, one sorted array per parameter block."""
    blocks = parameter_blocks(model.network_, model._adam)
    written = []
    for index, arrays in enumerate(blocks):
        parts = [update.blocks[index] for update in updates if update.blocks[index].rows.size]
        if not parts:
            written.append(np.zeros(0, dtype=np.int64))
            continue
        rows, slot, owners = np.unique(np.concatenate([part.rows for part in parts]), return_inverse=True,
                                       return_counts=True)
        written.append(rows)
        shared = owners > 1
        # a row only one replica changed takes that replica's values as they are
        start = 0
        for part in parts:
            where = slot[start:start + part.rows.size]
            start += part.rows.size
            own = ~shared[where]
            for array, values in zip(arrays, (part.values, part.first_moments, part.second_moments)):
                array[part.rows[own]] = values[own]
        if not shared.any():
            continue
        shared_rows = rows[shared]
        position = np.cumsum(shared) - 1
        weights = np.zeros(shared_rows.size, dtype=np.float64)
        sums = [np.zeros((shared_rows.size, arrays[0].shape[1]), dtype=np.float64) for _ in arrays]
        start = 0
        for part in parts:
            where = slot[start:start + part.rows.size]
            start += part.rows.size
            keep = shared[where]
            at = position[where[keep]]
            touches = part.touches[keep]
            weights[at] += touches
            for total, values in zip(sums, (part.values, part.first_moments, part.second_moments)):
                total[at] += touches[:, None] * values[keep].astype(np.float64)
        for array, total in zip(arrays, sums):
            array[shared_rows] = (total / weights[:, None]).astype(np.float32)
    adam = model._adam
    steps = max((update.n_steps for update in updates), default=0)
    model._adam = AdamState(adam.weight_m, adam.weight_v, adam.bias_m, adam.bias_v, adam.step + steps)
    return written
