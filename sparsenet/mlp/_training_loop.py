"""The epoch loop of ``fit`` and ``partial_fit``: batches in Python, one engine step each.

Keeping the loop in Python keeps everything around a step cheap to change and safe: the
learning-rate schedule, the stopping rules (training loss, or a held-out validation score
with the best weights kept), callbacks after every epoch, and Ctrl-C, which stops after
the batch in progress and leaves a usable model.
"""
import logging
import math
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sparsenet.callbacks import EpochInfo, ProgressBar, ProgressPrinter, epoch_summary, stopping_summary
from sparsenet.engine._trainer import Trainer
from sparsenet.mlp._holdout import split_validation
from sparsenet.mlp._inputs import take_rows
from sparsenet.mlp._outputs import SPARSE_INFERENCE_CANDIDATES
from sparsenet.mlp._parameters import adam_settings, batch_size_for
from sparsenet.mlp._retrieval import probe_rows, retrieval_stats
from sparsenet.mlp._thread_choice import ThreadChooser
from sparsenet.native._array_passes import all_finite, copy_values
from sparsenet.native._openmp import resolve_n_threads

logger = logging.getLogger("sparsenet")

# the linear schedule's last batches keep this share of the step size (not zero: a zero step
# would waste them)
MIN_DECAY = 1e-3


def run_epochs(model, X, targets, *, epochs, use_early_stopping, schedule="constant", rows=None, held_out=None):
    """Train ``model`` (a SparseMLPClassifier with its network) for up to ``epochs`` epochs on
    the ``rows`` of X and its EncodedTargets (all of them by default), updating its history
    (``loss_curve_``, ``n_iter_``, ``t_``, the stopping state) as it goes. Early stopping
    scores the ``held_out`` (X, targets) when the caller already set rows aside (for
    calibration), else holds out its own.

    The trainer reads the rows of X by their ids: holding rows out copies only the held-out
    ones, never the training part."""
    validation = None
    if use_early_stopping:
        if held_out is None:
            rows, held_out = split_validation(model, X, targets)
        validation = held_out
        if model.validation_scores_ is None:
            model.validation_scores_ = []
            model.best_validation_score_ = -np.inf
        model.best_loss_ = None
    rows = np.arange(X.shape[0]) if rows is None else np.array(rows, dtype=np.int64)
    n_rows = rows.shape[0]
    batch_size = batch_size_for(model.batch_size, n_rows)
    n_threads = resolve_n_threads(model.n_jobs)
    if use_early_stopping:
        model._best_network = model.network_.copy(n_threads)
    trainer = new_trainer(model, batch_size, n_threads)
    chooser, running_on = ThreadChooser(n_threads), n_threads
    trainer.bind(X, targets.indptr, targets.indices)
    callbacks = list(model.callbacks or []) + progress_callbacks(model.verbose)
    batch_hooks = [callback.on_batch_end for callback in callbacks if hasattr(callback, "on_batch_end")]
    model.interrupted_ = False
    probe = take_rows(X, rows[probe_rows(n_rows, model.network_.n_outputs)]) if model.network_.output_sampler is not None else None
    retrieval = {}
    if not hasattr(model, "retrieval_curve_"):  # a model pickled before the attribute existed
        model.retrieval_curve_ = []
    first_epoch = model.n_iter_
    learning_rate = model.learning_rate
    reason = "max_iter"
    try:
        for _ in range(epochs):
            started = time.perf_counter()
            for callback in callbacks:
                if hasattr(callback, "on_epoch_begin"):
                    callback.on_epoch_begin(model, model.n_iter_ + 1, n_rows)
            if model.shuffle:
                model._rng.shuffle(rows)
            total_loss = 0.0
            for start in range(0, n_rows, batch_size):
                batch = rows[start : start + batch_size]
                if schedule == "linear":
                    done = (model.n_iter_ - first_epoch) * n_rows + start
                    learning_rate = model.learning_rate * max(MIN_DECAY, 1 - done / (epochs * n_rows))
                    trainer.set_learning_rate(learning_rate)
                threads = chooser.next_count()
                if threads != running_on:
                    trainer.use_threads(threads)
                    running_on = threads
                step_started = time.perf_counter()
                batch_loss = trainer.train_batch(batch)
                chooser.record(threads, time.perf_counter() - step_started, batch.shape[0])
                if not math.isfinite(batch_loss):
                    raise_diverged(model, X, learning_rate, f"batch {start // batch_size + 1} of "
                                   f"{-(-n_rows // batch_size)}: the loss is no longer finite. The model keeps "
                                   "the weights of the last step whose loss was finite")
                total_loss += batch_loss
                model.t_ += batch.shape[0]
                for hook in batch_hooks:
                    hook(model, start + batch.shape[0], total_loss / (start + batch.shape[0]))
            if not weights_finite(model.network_, running_on):
                # a step of finite loss can still overflow the update (a learning rate near
                # float32's range): checked once an epoch, a pass over the weights
                raise_diverged(model, X, learning_rate, "the weights are no longer finite, so the model "
                               "cannot answer (fit again with warm_start=False)")
            model.n_iter_ += 1
            model.loss_curve_.append(total_loss / n_rows)
            score = None if validation is None else validation_score(model, validation, chooser.best)
            stop = stopping_reason(model, score, chooser.best)
            seconds = time.perf_counter() - started
            sampling = trainer.sampling_stats
            if probe is not None:
                sampler = model.network_.output_sampler
                retrieval = retrieval_stats(model.network_, probe, sampler.lsh_room, SPARSE_INFERENCE_CANDIDATES,
                                            chooser.best)
                model.retrieval_curve_.append(retrieval)
                sampling.update(retrieval)
            info = EpochInfo(model.n_iter_, model.loss_curve_[-1],
                             model.validation_scores_[-1] if validation is not None else None,
                             seconds, learning_rate, sampling)
            logger.info("%s", epoch_summary(info))
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
        reason = "interrupted"
        mark_interrupted(model, "batch")
    finally:
        stats = trainer.sampling_stats
        if stats is not None:
            stats.update(retrieval)
            stats.update({f"{phase}_seconds": seconds for phase, seconds in trainer.phase_seconds.items()})
        model.sampling_stats_ = stats
        trainer.release()
    if use_early_stopping and not model.interrupted_:
        restore_best_network(model, chooser.best)
    if probe is not None and not model.interrupted_:
        refresh_output_tables(model, probe, chooser.best)
    if stopping_summary(model, reason) is not None:
        logger.info("%s", stopping_summary(model, reason))
    for callback in callbacks:
        callback.on_train_end(model, reason)


def warn_not_converged(model):
    """The warning of a fit that ran all its epochs without meeting a stopping rule."""
    warnings.warn(f"Stochastic optimizer: maximum iterations ({model.max_iter}) reached and the "
                  "optimization hasn't converged yet.", ConvergenceWarning)


def mark_interrupted(model, unit):
    """Ctrl-C during training: the model keeps the weights of the last completed ``unit``
    (a batch, or a round of a distributed fit)."""
    model.interrupted_ = True
    warnings.warn(f"fit interrupted (KeyboardInterrupt) during epoch {model.n_iter_ + 1}; the model keeps "
                  f"the weights of the last completed {unit} and can be used or trained further.", UserWarning)


def progress_callbacks(verbose):
    """What ``verbose`` shows: 1 a bar per epoch, 2 also a line per epoch (lines only when
    tqdm cannot be imported)."""
    if not verbose:
        return []
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return [ProgressPrinter()]
    return [ProgressBar()] + ([ProgressPrinter()] if verbose >= 2 else [])


class TrainingDiverged(ValueError):
    """A training step's loss was not finite: the learning rate is too large for the data,
    or the inputs overflow the network."""


def weights_finite(network, n_threads):
    """Whether every weight and bias is finite (no temporary as large as the weights)."""
    return all(all_finite(array, n_threads) for array in network.weights + network.biases)


def raise_diverged(model, X, learning_rate, what):
    """Raise TrainingDiverged in the current epoch; ``what`` says what went wrong."""
    values = X.data if hasattr(X, "indptr") else X
    largest = float(np.max(np.abs(values))) if values.size else 0.0
    raise TrainingDiverged(
        f"training diverged in epoch {model.n_iter_ + 1}, {what}. Try a "
        f"smaller learning_rate (now {learning_rate:g}), or scale the features (the largest |value| in "
        f"X is {largest:.3g})."
    )


def new_trainer(model, batch_size, n_threads):
    """A Trainer for the model's network and Adam state, configured from its parameters."""
    sampler = model.network_.output_sampler
    if sampler is not None:
        sampler.restart_schedule(model.rebuild_interval, model.rebuild_growth, model.redraw_hashes_every)
        # set for each training call, like the schedule (its one owner); a model pickled
        # before the parameter existed trained without the correction
        sampler.corrects = bool(getattr(model, "sampling_correction", False))
    trainer = Trainer(model.network_, model._adam)
    trainer.configure(adam_settings(model), "binary" if model._binary_outputs else "softmax", batch_size, n_threads)
    if model.dropout > 0:
        # a model saved before dropout existed has no seed of its own for it
        trainer.set_dropout(model.dropout, getattr(model, "_dropout_seed", 0))
    return trainer


def validation_score(model, validation, n_threads):
    """Precision@1 on the held-out rows (accuracy for class labels), by the inference
    predict_topk uses by default: sparse for a sampled layer."""
    return validation_hits(model, validation, n_threads) / validation[0].shape[0]


def validation_hits(model, validation, n_threads):
    """How many of the held-out (X, targets) rows have their top-ranked label among their labels."""
    X_val, targets_val = validation
    if X_val.shape[0] == 0:
        return 0
    predicted = model._top_k(X_val, 1, n_threads, exact=False)[0][:, 0]
    label_rows = np.repeat(np.arange(X_val.shape[0]), np.diff(targets_val.indptr))
    hit_rows = label_rows[predicted[label_rows] == targets_val.indices]
    return int(np.unique(hit_rows).size)


def stopping_reason(model, score, n_threads):
    """Book-keeping after an epoch, from the held-out ``score`` with early stopping (None
    without): "early_stopping" or "converged" when training should stop (no improvement for
    n_iter_no_change epochs), else None."""
    if score is not None:
        model.validation_scores_.append(score)
        if score > model.best_validation_score_:
            keep_best_network(model, n_threads)
        improved = score >= model.best_validation_score_ + model.tol
        model.best_validation_score_ = max(model.best_validation_score_, score)
    else:
        loss = model.loss_curve_[-1]
        # None after a fit with early stopping: the loss rule starts afresh
        best = np.inf if model.best_loss_ is None else model.best_loss_
        improved = loss <= best - model.tol
        model.best_loss_ = min(best, loss)
    model._no_improvement_count = 0 if improved else model._no_improvement_count + 1
    if model._no_improvement_count > model.n_iter_no_change:
        model._no_improvement_count = 0
        return "early_stopping" if score is not None else "converged"
    return None


def refresh_output_tables(model, probe, n_threads):
    """Rebuild the output layer's tables from the final weights (the schedule's last build
    may be thousands of steps old, or of weights that early stopping discarded), so that
    sparse inference ranks with tables of the model it answers for; the retrieval entries
    of ``sampling_stats_`` then measure those tables."""
    network = model.network_
    network.output_sampler.rebuild(network.weights[-1], network.biases[-1], n_threads)
    if model.sampling_stats_ is not None:
        model.sampling_stats_.update(retrieval_stats(network, probe, network.output_sampler.lsh_room,
                                                     SPARSE_INFERENCE_CANDIDATES, n_threads))
        model.sampling_stats_["table_builds"] = int(network.output_sampler.tables.n_builds)


def keep_best_network(model, n_threads):
    """Copy the network's weights into the kept best ones, in place (a fresh copy each
    epoch would page in new memory every time)."""
    copy_weights(model._best_network, model.network_, n_threads)


def restore_best_network(model, n_threads=1):
    """Copy the best weights seen during early stopping back into the network."""
    copy_weights(model.network_, model._best_network, n_threads)
    del model._best_network


def copy_weights(destination, source, n_threads):
    """Copy every weight and bias of the Network ``source`` into ``destination``'s arrays."""
    for to, from_ in zip(destination.weights + destination.biases, source.weights + source.biases):
        copy_values(to, from_, n_threads)
