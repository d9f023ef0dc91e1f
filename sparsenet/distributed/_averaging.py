"""The driver's half of a round: the replicas' changed rows averaged into the model.

A row's new weights and moments are the mean of the replicas that changed it, each weighted
by how many of its steps touched the row; rows no replica changed keep the value every
replica started from. Sums run in float64 in the replicas' fixed order (one thread per
row), so the result depends neither on which replica finished first nor on the threads.
"""
import numpy as np

from sparsenet.distributed._row_blocks import parameter_blocks
from sparsenet.engine._adam import AdamState
from sparsenet.native._row_tallies import accumulate_weighted_rows


def average_into(model, updates, n_threads=1):
    """Write the touch-weighted mean of the ReplicaUpdates ``updates`` into ``model``'s
    weights and Adam moments (in place), and advance Adam's step count by the most steps any
    replica took. Returns the rows written, one sorted array per parameter block."""
    written = []
    for index, block in enumerate(parameter_blocks(model.network_, model._adam)):
        parts = [update.blocks[index] for update in updates if update.blocks[index].rows.size]
        if not parts:
            written.append(np.zeros(0, dtype=np.int64))
            continue
        rows, slot, owners = np.unique(np.concatenate([part.rows for part in parts]), return_inverse=True,
                                       return_counts=True)
        written.append(rows)
        shared = owners > 1
        position = np.where(shared, np.cumsum(shared) - 1, -1)
        total = np.zeros((int(shared.sum()), 3 * block.width), dtype=np.float64)
        weights = np.zeros(total.shape[0], dtype=np.float64)
        start = 0
        for part in parts:
            where = slot[start:start + part.rows.size]
            start += part.rows.size
            # a row only one replica changed takes that replica's values as they are
            own = ~shared[where]
            block.put(part.rows[own], part.values[own])
            if total.shape[0]:
                accumulate_weighted_rows(total, weights, position[where], part.touches.astype(np.int64, copy=False),
                                         part.values.reshape(part.rows.size, -1), n_threads)
        if total.shape[0]:
            means = (total / weights[:, None]).astype(np.float32)
            block.put(rows[shared], means.reshape(-1, 3, block.width))
    adam = model._adam
    steps = max((update.n_steps for update in updates), default=0)
    model._adam = AdamState(adam.weight_m, adam.weight_v, adam.bias_m, adam.bias_v, adam.step + steps)
    return written
