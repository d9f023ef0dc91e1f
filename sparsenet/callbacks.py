"""Callbacks: code of yours that runs after every epoch of ``fit`` and ``partial_fit``.

Pass a list of them as ``callbacks=`` to :class:`~sparsenet.SparseMLPClassifier` or
:class:`~sparsenet.UDTClassifier`. Each gets ``on_epoch_end(estimator, info)`` after every
epoch, with an :class:`EpochInfo`; returning True stops training after that epoch (the model
is then fitted as usual). ``on_train_end(estimator, reason)`` follows the last epoch of a
call. ``verbose=True`` is the :class:`ProgressPrinter` callback.

Examples
--------
>>> from sklearn.datasets import make_classification
>>> from sparsenet import SparseMLPClassifier
>>> from sparsenet.callbacks import Callback
>>> class LossHistory(Callback):
...     def __init__(self):
...         self.losses = []
...     def on_epoch_end(self, estimator, info):
...         self.losses.append(info.loss)
...         return info.loss < 0.05          # stop once the loss is this low
>>> X, y = make_classification(n_samples=300, random_state=0)
>>> history = LossHistory()
>>> clf = SparseMLPClassifier((16,), max_iter=20, callbacks=[history], random_state=0).fit(X, y)
>>> len(history.losses) == clf.n_iter_
True
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class EpochInfo:
    """What an epoch did.

    Attributes
    ----------
    epoch : int
        Epochs run so far by the model (``n_iter_``), this one included.
    loss : float
        Mean training loss per row of the epoch.
    validation_score : float or None
        Score on the held-out rows, with early stopping (accuracy, or precision@1 for
        multi-label targets).
    seconds : float
        Wall-clock time of the epoch.
    learning_rate : float
        Adam's step size at the end of the epoch.
    sampling : dict or None
        For a sampled output layer, the diagnostics of ``sampling_stats_`` so far.
    """

    epoch: int
    loss: float
    validation_score: float | None
    seconds: float
    learning_rate: float
    sampling: dict | None = None


class Callback:
    """Base class of callbacks: override what you need (both do nothing here)."""

    def on_epoch_end(self, estimator, info):
        """After each epoch; return True to stop training."""
        return False

    def on_train_end(self, estimator, reason):
        """After the last epoch of a ``fit`` or ``partial_fit`` call. ``reason`` is
        "max_iter" (every planned epoch ran), "converged" (the training loss stopped
        improving), "early_stopping" (the validation score stopped improving), "callback"
        (a callback asked to stop) or "interrupted" (Ctrl-C)."""


class ProgressPrinter(Callback):
    """Print the loss (and validation score, sampling diagnostics) after every epoch: what
    ``verbose=True`` does."""

    def on_epoch_end(self, estimator, info):
        score = "" if info.validation_score is None else f", validation score = {info.validation_score:.6f}"
        sampling = ""
        if info.sampling is not None:
            stats = info.sampling
            sampling = (f", LSH recall {stats['lsh_recall']:.3f}, {stats['mean_active']:.0f} active outputs, "
                        f"{stats['table_builds']} table builds ({stats['rebuild_seconds']:.1f} s)")
            if "inference_recall_at_10" in stats:
                sampling += (f", tables find {stats['training_recall_at_10']:.0%} of the top 10 in "
                             f"{stats['training_candidates']} and {stats['inference_recall_at_10']:.0%} in "
                             f"{stats['inference_candidates']} candidates")
        print(f"Iteration {info.epoch}, loss = {info.loss:.8f}{score}, {info.seconds:.2f} s{sampling}")
        return False

    def on_train_end(self, estimator, reason):
        if reason in ("converged", "early_stopping"):
            what = "Validation score" if reason == "early_stopping" else "Training loss"
            print(f"{what} did not improve more than tol={estimator.tol} for "
                  f"{estimator.n_iter_no_change} consecutive epochs. Stopping.")
