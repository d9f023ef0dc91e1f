"""Callbacks of a UDTClassifier see the UDTClassifier, not the network inside it."""
import copy


class SeenFromOutside:
    """Forwards a callback's hooks from the inner SparseMLPClassifier's training, with the
    UDTClassifier in the middle of being trained (featurizer, network and column map as
    they stand) as the estimator: a Checkpoint then saves a model that reads raw columns."""

    def __init__(self, callback, outer, featurizer, columns):
        self.callback, self.outer, self.featurizer, self.columns = callback, outer, featurizer, columns
        self._view = None

    def _outer_now(self, inner):
        view = copy.copy(self.outer)
        view.featurizer_, view.classifier_, view._columns = self.featurizer, inner, self.columns
        view._copy_fitted_attributes()
        self._view = view
        return view

    def _forward(self, hook, estimator, *args):
        method = getattr(self.callback, hook, None)
        if method is None:
            return False
        return method(self._outer_now(estimator), *args)

    def on_epoch_begin(self, estimator, epoch, n_rows):
        return self._forward("on_epoch_begin", estimator, epoch, n_rows)

    def on_batch_end(self, estimator, rows_done, loss):
        method = getattr(self.callback, "on_batch_end", None)
        if method is not None:  # every batch: the view of the epoch's start will do
            method(self._view if self._view is not None else self._outer_now(estimator), rows_done, loss)

    def on_epoch_end(self, estimator, info):
        return self._forward("on_epoch_end", estimator, info)

    def on_train_end(self, estimator, reason):
        self._forward("on_train_end", estimator, reason)
        self._view = None

    def __getstate__(self):
        return {**self.__dict__, "_view": None}


def seen_from_outside(callbacks, outer, featurizer, columns):
    """``callbacks`` wrapped for ``outer`` (None stays None)."""
    if not callbacks:
        return callbacks
    return [SeenFromOutside(callback, outer, featurizer, columns) for callback in callbacks]
