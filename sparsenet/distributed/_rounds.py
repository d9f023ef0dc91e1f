"""The driver's epoch loop of a distributed fit: rounds of replica training and averaging.

Each epoch every partition's training rows are shuffled (by the model's own random stream,
partition after partition) and cut into batches; an epoch is ``rounds_per_epoch`` rounds,
and in a round every replica trains a copy of the current model on its next share of
batches, after which the driver averages the replicas into the model. The rest is the
single-machine loop's: the loss curve, early stopping on a held-out share of every
partition (the best epoch's weights kept), callbacks, a clear error when training diverges,
and Ctrl-C, which stops after the round in progress and leaves the last averaged model.
"""
import math
import time

import numpy as np

from sparsenet.callbacks import EpochInfo
from sparsenet.distributed._averaging import average_into
from sparsenet.distributed._replica_copies import ShippedModel
from sparsenet.distributed._partitions import held_out_part
from sparsenet.mlp._holdout import held_out_rows
from sparsenet.mlp._parameters import batch_size_for
from sparsenet.mlp._training_loop import (
    MIN_DECAY,
    TrainingDiverged,
    mark_interrupted,
    progress_callbacks,
    restore_best_network,
    stopping_reason,
    warn_not_converged,
    weights_finite,
)
from sparsenet.native._openmp import resolve_n_threads


# how the replicas' step size grows with their number k: "linear" (k times the estimator's
# learning_rate), "sqrt" or "none"
LEARNING_RATE_SCALINGS = {"linear": lambda k: k, "sqrt": lambda k: k ** 0.5, "none": lambda k: 1}


def train_rounds(model, executor, partitions, summaries, *, epochs, use_early_stopping, rounds_per_epoch,
                 learning_rate_scaling="linear"):
    """Train ``model`` (set up for training, on the driver) on the prepared ``partitions``
    (handles of ``executor``; ``summaries`` their Summaries) for up to ``epochs`` epochs.

    Averaging k replicas moves a row that all of them train about as far as one replica
    moves it, so an epoch over k partitions takes about a k-th of the single machine's
    steps; with ``learning_rate_scaling="linear"`` the replicas step k times as far."""
    n_threads = resolve_n_threads(model.n_jobs)
    lay_out_blocks(model)
    rows = [np.arange(summary.n_rows) for summary in summaries]
    validation = None
    if use_early_stopping:
        splits = [held_out_rows(s.n_rows, model.validation_fraction, model._rng, s.row_labels) for s in summaries]
        rows = [train for train, _ in splits]
        validation = executor.place(held_out_part, [(part, held) for part, (_, held) in zip(partitions, splits)])
        n_validation = sum(held.size for _, held in splits)
        model.validation_scores_, model.best_validation_score_ = [], -np.inf
        model._best_network = model.network_.copy(n_threads)
        model.best_loss_ = None
    n_train = sum(r.size for r in rows)
    batch_size = batch_size_for(model.batch_size, n_train)
    callbacks = list(model.callbacks or []) + progress_callbacks(model.verbose)
    model.interrupted_ = False
    model.sampling_stats_ = None
    reason = "max_iter"
    first_epoch = model.n_iter_
    executor.start(model, partitions)
    try:
        for _ in range(epochs):
            started = time.perf_counter()
            for callback in callbacks:
                if hasattr(callback, "on_epoch_begin"):
                    callback.on_epoch_begin(model, model.n_iter_ + 1, n_train)
            batches = []
            for part_rows in rows:
                if model.shuffle:
                    model._rng.shuffle(part_rows)
                batches.append([part_rows[s:s + batch_size] for s in range(0, part_rows.size, batch_size)])
            most = max(len(b) for b in batches)
            per_round = max(1, math.ceil(most / rounds_per_epoch))
            total_loss, rows_done = 0.0, 0
            for first in range(0, most, per_round):
                shares = [(index, part_batches[first:first + per_round])
                          for index, part_batches in enumerate(batches) if part_batches[first:first + per_round]]
                step_size = model.learning_rate * LEARNING_RATE_SCALINGS[learning_rate_scaling](len(shares))
                done = (model.n_iter_ - first_epoch) * n_train + rows_done
                calls = [(index, share, decayed_rates(model, step_size, share, done, len(shares), epochs * n_train))
                         for index, share in shares]
                updates = executor.train(model, calls, step_size)
                loss = sum(update.loss for update in updates)
                if not math.isfinite(loss):
                    raise TrainingDiverged(
                        f"training diverged in epoch {model.n_iter_ + 1}: a replica's loss is no longer finite. "
                        f"Try a smaller learning_rate (now {model.learning_rate:g}) or scale the features; the "
                        "model keeps the weights of the last round whose loss was finite")
                written = average_into(model, updates, n_threads)
                executor.written(written, rebuild_tables_if_due(model, n_threads))
                total_loss += loss
                rows_done += sum(update.n_rows for update in updates)
                model.t_ += sum(update.n_rows for update in updates)
                for callback in callbacks:
                    if hasattr(callback, "on_batch_end"):
                        callback.on_batch_end(model, rows_done, total_loss / max(rows_done, 1))
            if not weights_finite(model.network_, n_threads):
                raise TrainingDiverged(f"training diverged in epoch {model.n_iter_ + 1}: the weights are no "
                                       "longer finite (fit again with a smaller learning_rate)")
            model.n_iter_ += 1
            model.loss_curve_.append(total_loss / n_train)
            score = None
            if validation is not None:
                hits = executor.validation_hits(model, validation)
                score = sum(hits) / max(n_validation, 1)
            stop = stopping_reason(model, score, n_threads)
            info = EpochInfo(model.n_iter_, model.loss_curve_[-1], score, time.perf_counter() - started,
                             model.learning_rate, None)
            if any([bool(callback.on_epoch_end(model, info)) for callback in callbacks]) and stop is None:
                stop = "callback"
            if stop is not None:
                reason = stop
                break
        else:
            if epochs > 1:
                warn_not_converged(model)
    except TrainingDiverged:
        if use_early_stopping:
            restore_best_network(model)
        raise
    except KeyboardInterrupt:
        executor.cancel()
        reason = "interrupted"
        mark_interrupted(model, "round")
    finally:
        executor.finish()
    if use_early_stopping and not model.interrupted_:
        restore_best_network(model, n_threads)
    elif use_early_stopping:
        del model._best_network
    refresh_tables(model, n_threads)
    for callback in callbacks:
        callback.on_train_end(model, reason)


def decayed_rates(model, step_size, share, done, n_replicas, total):
    """A replica's step size for each batch of its ``share`` under the "linear" schedule
    (None: the constant step size), as ``fit`` lowers it after every batch; ``done``: rows
    trained before the round, by every replica together, which step alongside this one."""
    if model.learning_rate_schedule != "linear":
        return None
    before = done + n_replicas * np.cumsum([0] + [len(batch) for batch in share[:-1]])
    return [step_size * max(MIN_DECAY, 1 - d / total) for d in before.tolist()]


def lay_out_blocks(model):
    """Keep each of the driver's weight rows beside its moment rows, as the replicas do, so
    that a round takes and puts whole rows in one copy each."""
    laid_out = ShippedModel(model).over_arrays()
    model.network_, model._adam = laid_out.network_, laid_out._adam


def rebuild_tables_if_due(model, n_threads):
    """Rebuild a sampled layer's tables from the averaged weights when its schedule says so
    (the replicas rebuilt their own copies on the same schedule during the round); whether
    any was rebuilt."""
    network, step = model.network_, model._adam.step
    rebuilt = False
    for l, sampler in enumerate(network.samplers):
        if sampler is not None:
            rebuilt = bool(sampler.rebuild_if_due(network.weights[l], network.biases[l], step, n_threads)) or rebuilt
    return rebuilt


def refresh_tables(model, n_threads):
    """Tables of the final weights, for sparse inference."""
    network = model.network_
    for l, sampler in enumerate(network.samplers):
        if sampler is not None:
            sampler.rebuild(network.weights[l], network.biases[l], n_threads)

