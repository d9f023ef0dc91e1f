"""Callbacks: code of yours that runs after every epoch of ``fit`` and ``partial_fit``.

Pass a list of them as ``callbacks=`` to :class:`~sparsenet.SparseMLPClassifier` or
:class:`~sparsenet.UDTClassifier`. Each gets ``on_epoch_end(estimator, info)`` after every
epoch, with an :class:`EpochInfo`; returning True stops training after that epoch (the model
is then fitted as usual). ``on_train_end(estimator, reason)`` follows the last epoch of a
call. Two optional hooks follow the epoch as it runs: ``on_epoch_begin(estimator, epoch,
n_rows)`` and ``on_batch_end(estimator, rows_done, loss)`` (a callback without them costs
nothing per batch). For a UDTClassifier, ``estimator`` is the UDTClassifier itself.

``verbose=1`` is the :class:`ProgressBar` (a tqdm bar per epoch, in terminals and
notebooks), ``verbose=2`` adds the :class:`ProgressPrinter` (a line per epoch).
:class:`Checkpoint` saves the model every few epochs. Epoch summaries also go to the
``logging`` logger "sparsenet" at level INFO.

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
    """Base class of callbacks: override what you need (all do nothing here)."""

    def on_epoch_begin(self, estimator, epoch, n_rows):
        """Before epoch number ``epoch`` (counted over the model's life) of ``n_rows`` rows."""

    def on_batch_end(self, estimator, rows_done, loss):
        """After each batch: ``rows_done`` rows of the epoch so far, ``loss`` their mean loss."""

    def on_epoch_end(self, estimator, info):
        """After each epoch; return True to stop training."""
        return False

    def on_train_end(self, estimator, reason):
        """After the last epoch of a ``fit`` or ``partial_fit`` call. ``reason`` is
        "max_iter" (every planned epoch ran), "converged" (the training loss stopped
        improving), "early_stopping" (the validation score stopped improving), "callback"
        (a callback asked to stop) or "interrupted" (Ctrl-C)."""


def epoch_summary(info):
    """One line about an epoch: loss, validation score, time and sampling diagnostics."""
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
    return f"Iteration {info.epoch}, loss = {info.loss:.8f}{score}, {info.seconds:.2f} s{sampling}"


def stopping_summary(estimator, reason):
    """Why training stopped early, as a sentence (None when it ran every epoch)."""
    if reason in ("converged", "early_stopping"):
        what = "Validation score" if reason == "early_stopping" else "Training loss"
        return (f"{what} did not improve more than tol={estimator.tol} for "
                f"{estimator.n_iter_no_change} consecutive epochs. Stopping.")
    return None


class ProgressPrinter(Callback):
    """Print the loss (and validation score, sampling diagnostics) after every epoch: what
    ``verbose=2`` adds to the bar."""

    def on_epoch_end(self, estimator, info):
        print(epoch_summary(info))
        return False

    def on_train_end(self, estimator, reason):
        summary = stopping_summary(getattr(estimator, "classifier_", estimator), reason)
        if summary is not None:
            print(summary)


class ProgressBar(Callback):
    """A live tqdm bar per epoch (rows/s, loss so far; at the end of the epoch the
    validation score and, for a sampled output layer, the tables' recall of the true
    labels): what ``verbose=1`` shows. ``tqdm.auto`` picks a notebook widget where one can
    be drawn.

    Parameters
    ----------
    file : file-like, default=None
        Where the bar is drawn (None: standard error).
    mininterval : float, default=0.2
        Least seconds between redraws.
    """

    def __init__(self, file=None, mininterval=0.2):
        self.file, self.mininterval = file, mininterval
        self._bar = None

    def on_epoch_begin(self, estimator, epoch, n_rows):
        from tqdm.auto import tqdm

        self._close()
        self._bar = tqdm(total=n_rows, desc=f"epoch {epoch}", unit="rows", unit_scale=True, leave=True,
                         file=self.file, mininterval=self.mininterval, dynamic_ncols=True)

    def on_batch_end(self, estimator, rows_done, loss):
        if self._bar is not None:
            self._bar.set_postfix_str(f"loss {loss:.4f}", refresh=False)
            self._bar.update(rows_done - self._bar.n)

    def on_epoch_end(self, estimator, info):
        if self._bar is not None:
            parts = [f"loss {info.loss:.4f}"]
            if info.validation_score is not None:
                parts.append(f"validation {info.validation_score:.4f}")
            if info.sampling is not None:
                parts.append(f"LSH recall {info.sampling['lsh_recall']:.3f}")
            self._bar.set_postfix_str(", ".join(parts), refresh=True)
        self._close()
        return False

    def on_train_end(self, estimator, reason):
        self._close()

    def _close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __getstate__(self):
        # a bar is live only inside fit
        return {**self.__dict__, "_bar": None}


class Checkpoint(Callback):
    """Save the model every ``every`` epochs with its ``save`` method (the file is replaced
    only once the new one is whole, so a crash mid-save keeps the previous checkpoint).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; ``{epoch}`` in it is replaced by the epoch number (one file per
        checkpoint), otherwise each checkpoint replaces the last.
    every : int, default=1
        Epochs between checkpoints.
    optimizer_state : bool, default=True
        Store Adam's moments, so that training can resume exactly.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import make_classification
    >>> import sparsenet
    >>> from sparsenet.callbacks import Checkpoint
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "epoch{epoch}.spn")
    >>> clf = sparsenet.SparseMLPClassifier((16,), max_iter=4, random_state=0,
    ...                                     callbacks=[Checkpoint(path, every=2)]).fit(X, y)
    >>> sorted(os.listdir(os.path.dirname(path)))
    ['epoch2.spn', 'epoch4.spn']
    >>> sparsenet.load(path.format(epoch=4)).n_iter_
    4
    """

    def __init__(self, path, every=1, optimizer_state=True):
        if int(every) != every or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        self.path, self.every, self.optimizer_state = path, int(every), optimizer_state

    def on_epoch_end(self, estimator, info):
        if info.epoch % self.every == 0:
            estimator.save(str(self.path).replace("{epoch}", str(info.epoch)), optimizer_state=self.optimizer_state)
        return False
