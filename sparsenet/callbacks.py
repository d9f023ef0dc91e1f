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
    """What an epoch did: what ``on_epoch_end`` receives as ``info``.

    Parameters
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
    sampling : dict or None, default=None
        For a sampled output layer, the diagnostics of ``sampling_stats_`` so far.

    Examples
    --------
    >>> from sparsenet.callbacks import EpochInfo
    >>> info = EpochInfo(epoch=3, loss=0.21, validation_score=0.9, seconds=1.5, learning_rate=1e-3)
    >>> info.epoch, info.sampling is None
    (3, True)
    """

    epoch: int
    loss: float
    validation_score: float | None
    seconds: float
    learning_rate: float
    sampling: dict | None = None


class Callback:
    """Base class of callbacks: override what you need (all do nothing here).

    See Also
    --------
    Checkpoint : Saves the model every few epochs.
    ProgressBar : What ``verbose=1`` shows.

    Examples
    --------
    A callback that stops training once the training loss is low enough:

    >>> from sklearn.datasets import make_classification
    >>> from sparsenet import SparseMLPClassifier
    >>> from sparsenet.callbacks import Callback
    >>> class StopAtLoss(Callback):
    ...     def __init__(self, threshold):
    ...         self.threshold = threshold
    ...     def on_epoch_end(self, estimator, info):
    ...         return info.loss < self.threshold
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = SparseMLPClassifier((16,), max_iter=50, callbacks=[StopAtLoss(1.0)], random_state=0)
    >>> clf.fit(X, y).n_iter_
    9

    A callback can be tried without training, on an :class:`EpochInfo` made by hand:

    >>> from sparsenet.callbacks import EpochInfo
    >>> StopAtLoss(1.0).on_epoch_end(None, EpochInfo(epoch=1, loss=0.5, validation_score=None, seconds=0.1,
    ...                                              learning_rate=1e-3))
    True
    """

    def on_epoch_begin(self, estimator, epoch, n_rows):
        """Called before each epoch.

        Parameters
        ----------
        estimator : SparseMLPClassifier or UDTClassifier
            The model being trained.
        epoch : int
            The epoch's number, counted over the model's life (``partial_fit`` and
            ``warm_start`` continue the count).
        n_rows : int
            Rows the epoch trains on.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sparsenet import SparseMLPClassifier
        >>> from sparsenet.callbacks import Callback
        >>> class Announce(Callback):
        ...     def on_epoch_begin(self, estimator, epoch, n_rows):
        ...         print(f"epoch {epoch}: {n_rows} rows")
        >>> X, y = make_classification(n_samples=200, random_state=0)
        >>> clf = SparseMLPClassifier((16,), max_iter=2, callbacks=[Announce()], random_state=0).fit(X, y)
        epoch 1: 200 rows
        epoch 2: 200 rows
        >>> clf = clf.partial_fit(X[:50], y[:50])
        epoch 3: 50 rows
        """

    def on_batch_end(self, estimator, rows_done, loss):
        """Called after each batch (a callback that does not override it costs nothing per batch).

        Parameters
        ----------
        estimator : SparseMLPClassifier or UDTClassifier
            The model being trained.
        rows_done : int
            Rows of the epoch trained so far, this batch included.
        loss : float
            Mean training loss of those rows.

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sparsenet import SparseMLPClassifier
        >>> from sparsenet.callbacks import Callback
        >>> class RowsDone(Callback):
        ...     def __init__(self):
        ...         self.rows = []
        ...     def on_batch_end(self, estimator, rows_done, loss):
        ...         self.rows.append(rows_done)
        >>> X, y = make_classification(n_samples=200, random_state=0)
        >>> rows = RowsDone()
        >>> clf = SparseMLPClassifier((16,), max_iter=2, batch_size=50, callbacks=[rows], random_state=0)
        >>> clf = clf.fit(X, y)
        >>> rows.rows
        [50, 100, 150, 200, 50, 100, 150, 200]
        """

    def on_epoch_end(self, estimator, info):
        """Called after each epoch; return True to stop training.

        Parameters
        ----------
        estimator : SparseMLPClassifier or UDTClassifier
            The model being trained.
        info : EpochInfo
            The epoch's loss, validation score, time, step size and sampling diagnostics.

        Returns
        -------
        stop : bool
            True stops training after this epoch (the model is then fitted as usual, and
            ``on_train_end`` gets the reason "callback").

        Examples
        --------
        Stop once the validation score reaches a target (early stopping holds out the rows
        it is computed on):

        >>> from sklearn.datasets import make_classification
        >>> from sparsenet import SparseMLPClassifier
        >>> from sparsenet.callbacks import Callback
        >>> class StopAtScore(Callback):
        ...     def on_epoch_end(self, estimator, info):
        ...         return info.validation_score >= 0.7
        >>> X, y = make_classification(n_samples=500, random_state=0)
        >>> clf = SparseMLPClassifier((16,), max_iter=50, early_stopping=True, callbacks=[StopAtScore()],
        ...                           random_state=0).fit(X, y)
        >>> clf.n_iter_, clf.validation_scores_[-1]
        (15, 0.7)
        """
        return False

    def on_train_end(self, estimator, reason):
        """Called after the last epoch of a ``fit`` or ``partial_fit`` call.

        Parameters
        ----------
        estimator : SparseMLPClassifier or UDTClassifier
            The model trained.
        reason : str
            Why training ended: "max_iter" (every planned epoch ran), "converged" (the
            training loss stopped improving), "early_stopping" (the validation score
            stopped improving), "callback" (a callback asked to stop) or "interrupted"
            (Ctrl-C).

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sparsenet import SparseMLPClassifier
        >>> from sparsenet.callbacks import Callback
        >>> class Why(Callback):
        ...     def on_train_end(self, estimator, reason):
        ...         print(f"stopped after {estimator.n_iter_} epochs: {reason}")
        >>> X, y = make_classification(n_samples=200, random_state=0)
        >>> clf = SparseMLPClassifier((16,), max_iter=3, callbacks=[Why()], random_state=0).fit(X, y)
        stopped after 3 epochs: max_iter
        """


def epoch_summary(info):
    """One line about an epoch: loss, validation score, time and sampling diagnostics.

    The line :class:`ProgressPrinter` prints and the "sparsenet" logger records.

    Parameters
    ----------
    info : EpochInfo
        The epoch.

    Returns
    -------
    str
        The summary line.

    Examples
    --------
    >>> from sparsenet.callbacks import EpochInfo, epoch_summary
    >>> epoch_summary(EpochInfo(epoch=3, loss=0.25, validation_score=0.9, seconds=1.5, learning_rate=1e-3))
    'Iteration 3, loss = 0.25000000, validation score = 0.900000, 1.50 s'
    """
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
    """Why training stopped early, as a sentence.

    Parameters
    ----------
    estimator : SparseMLPClassifier
        The model trained (its ``tol`` and ``n_iter_no_change`` are quoted).
    reason : str
        The ``reason`` of :meth:`Callback.on_train_end`.

    Returns
    -------
    str or None
        The sentence for "converged" and "early_stopping", else None.

    Examples
    --------
    >>> from sparsenet import SparseMLPClassifier
    >>> from sparsenet.callbacks import stopping_summary
    >>> stopping_summary(SparseMLPClassifier(n_iter_no_change=5), "early_stopping")
    'Validation score did not improve more than tol=0.0001 for 5 consecutive epochs. Stopping.'
    >>> stopping_summary(SparseMLPClassifier(), "max_iter") is None
    True
    """
    if reason in ("converged", "early_stopping"):
        what = "Validation score" if reason == "early_stopping" else "Training loss"
        return (f"{what} did not improve more than tol={estimator.tol} for "
                f"{estimator.n_iter_no_change} consecutive epochs. Stopping.")
    return None


class ProgressPrinter(Callback):
    """Print the loss, validation score and sampling diagnostics after every epoch.

    What ``verbose=2`` adds to the bar; the lines are those of :func:`epoch_summary`, and a
    last one says why training stopped early.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sparsenet import SparseMLPClassifier
    >>> from sparsenet.callbacks import ProgressPrinter
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = SparseMLPClassifier((16,), max_iter=2, callbacks=[ProgressPrinter()], random_state=0).fit(X, y)
    Iteration 1, loss = 1.3840..., ... s
    Iteration 2, loss = 1.3348..., ... s
    """

    def on_epoch_end(self, estimator, info):
        print(epoch_summary(info))
        return False

    def on_train_end(self, estimator, reason):
        summary = stopping_summary(getattr(estimator, "classifier_", estimator), reason)
        if summary is not None:
            print(summary)


class ProgressBar(Callback):
    """A live tqdm progress bar per epoch: what ``verbose=1`` shows.

    The bar shows rows/s and the loss so far; at the end of the epoch, the validation score
    and, for a sampled output layer, the tables' recall of the true labels. ``tqdm.auto``
    picks a notebook widget where one can be drawn.

    Parameters
    ----------
    file : file-like, default=None
        Where the bar is drawn (None: standard error).
    mininterval : float, default=0.2
        Least seconds between redraws.

    Examples
    --------
    A bar written to a log file instead of the terminal, redrawn at most once a second:

    >>> import io
    >>> from sklearn.datasets import make_classification
    >>> from sparsenet import SparseMLPClassifier
    >>> from sparsenet.callbacks import ProgressBar
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> log = io.StringIO()
    >>> clf = SparseMLPClassifier((16,), max_iter=2, callbacks=[ProgressBar(file=log, mininterval=1.0)],
    ...                           random_state=0).fit(X, y)
    >>> "epoch 2" in log.getvalue()
    True
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
    """Save the model every ``every`` epochs with its ``save`` method.

    The file is replaced only once the new one is whole, so a crash mid-save keeps the
    previous checkpoint.

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
