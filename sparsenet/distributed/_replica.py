"""One replica's share of a round: a copy of the model trains on some batches of the
partition it lives beside, then reports the rows of its weights and Adam moments that
changed and how often it touched each, which is all the driver needs to average.

Everything here is plain NumPy and the engine's Trainer: a worker process runs it as it is,
and so do the tests without a cluster.
"""
import math
import threading
from typing import NamedTuple

import numpy as np
from scipy import sparse

from sparsenet.distributed._row_blocks import parameter_blocks
from sparsenet.mlp._training_loop import new_trainer, validation_hits
from sparsenet.native._row_tallies import count_feature_batches
from sparsenet.native._openmp import resolve_n_threads


class BlockUpdate(NamedTuple):
    """The changed rows of one parameter block (a layer's weights or biases): their values
    and Adam moments as a (rows, 3, width) array, and how many of the replica's steps
    touched each row."""

    rows: np.ndarray
    touches: np.ndarray
    values: np.ndarray


class ReplicaUpdate(NamedTuple):
    """What a replica reports after a round: one BlockUpdate per parameter block (in the
    order of ``parameter_blocks``), its summed loss, and its steps and rows trained. A loss
    that is not finite stopped the replica at that step."""

    blocks: list
    loss: float
    n_steps: int
    n_rows: int


# replicas in one process take turns: one trains the shared arrays in place and puts them
# back before the next starts (and private copies need not be made at once)
IN_PLACE = threading.Lock()


def train_replica(shipped, partition, batches, rates=None, in_place=False):
    """Train the round's model (a ShippedModel, which stays as it is) on the ``batches``
    (row ids of ``partition``; ``rates``: a step size for each, or None for the model's)
    and report what changed as a ReplicaUpdate.

    A replica trains a private copy of the model; ``in_place`` (in one process, where
    nothing else reads the model meanwhile) trains the shipped arrays themselves and puts
    back the rows it changed afterwards, from a copy of the rows the batches can reach."""
    with IN_PLACE:
        model = shipped.over_arrays() if in_place else shipped.private_copy()
        if not in_place:
            return train_and_report(model, partition, batches, rates)
        blocks = parameter_blocks(model.network_, model._adam)
        watched = watched_rows(blocks, input_touches(partition.X, batches))
        saved = [block.take(rows) for block, rows in zip(blocks, watched)]
        try:
            return train_and_report(model, partition, batches, rates)
        finally:
            for block, rows, old in zip(blocks, watched, saved):
                block.put(rows, old)


def train_and_report(model, partition, batches, rates=None):
    """Train ``model`` (whose arrays are the replica's own) on the ``batches`` of
    ``partition`` in place and report the rows it changed as a ReplicaUpdate."""
    X, targets = partition
    n_threads = resolve_n_threads(model.n_jobs)
    feature_touches = input_touches(X, batches)
    blocks = parameter_blocks(model.network_, model._adam)
    watched = watched_rows(blocks, feature_touches)
    # the input layer's rows of a sparse X are reported as the batches touched them, unseen
    before = [None if index == 0 and feature_touches is not None else block.take(rows)
              for index, (block, rows) in enumerate(zip(blocks, watched))]
    trained = model.network_.weights + model.network_.biases
    loss, n_steps, n_rows = train_batches(model, X, targets, batches, n_threads, rates)
    if any(a is not b for a, b in zip(trained, model.network_.weights + model.network_.biases)):
        # a guard: the comparison below would see no change and report none
        raise RuntimeError("the replica's steps trained copies of its arrays")
    updates = []
    for block, rows, old in zip(blocks, watched, before):
        now = block.take(rows)
        if old is None:
            # every step updates the rows of its batch's features
            updates.append(BlockUpdate(rows, feature_touches[rows], now))
            continue
        changed = np.any((now != old).reshape(len(rows), -1), axis=1)
        touches = np.full(int(changed.sum()), max(n_steps, 1), dtype=np.int64)
        updates.append(BlockUpdate(rows[changed], touches, now[changed]))
    return ReplicaUpdate(updates, loss, n_steps, n_rows)


def train_batches(model, X, targets, batches, n_threads, rates=None):
    """One engine step per batch (at the step size ``rates`` gives it, if any), stopping at
    a loss that is not finite: (summed loss, steps, rows trained)."""
    trainer = new_trainer(model, max(len(batch) for batch in batches), n_threads)
    trainer.bind(X, targets.indptr, targets.indices)
    loss, n_steps, n_rows = 0.0, 0, 0
    try:
        for b, batch in enumerate(batches):
            if rates is not None:
                trainer.set_learning_rate(rates[b])
            batch_loss = trainer.train_batch(batch)
            loss += batch_loss
            if not math.isfinite(batch_loss):
                break
            n_steps += 1
            n_rows += len(batch)
    finally:
        trainer.release()
    return loss, n_steps, n_rows


def input_touches(X, batches):
    """For a sparse X: in how many of the batches each input feature occurs (the steps that
    update its weight row); None for a dense X, whose every feature each step updates."""
    if not sparse.issparse(X):
        return None
    rows = np.concatenate([np.asarray(batch, dtype=np.int64) for batch in batches])
    bounds = np.cumsum([0] + [len(batch) for batch in batches], dtype=np.int64)
    return count_feature_batches(X.indptr, X.indices, rows, bounds, X.shape[1])


def watched_rows(blocks, feature_touches):
    """The rows of each parameter block a round may change: the features the batches hold
    in the input layer's weights, every row elsewhere."""
    rows = [np.arange(block.n_rows) for block in blocks]
    if feature_touches is not None:
        rows[0] = np.flatnonzero(feature_touches)
    return rows


def held_out_hits(shipped, validation, n_threads=1):
    """How many of a partition's held-out rows (X, targets) the round's model ranks a label
    of first."""
    return validation_hits(shipped.over_arrays(), validation, n_threads)
