"""Which rows a fit holds out: for early stopping's validation score and for calibration.

The split is a few NumPy passes over the labels, not scikit-learn's ``train_test_split``,
whose checks cost a small fit (thousands of rows, tens of milliseconds) several
milliseconds on one core. Only the held-out rows are copied: training reads the others of
the bound data set by their ids.
"""
import math

import numpy as np

from sparsenet.mlp._inputs import take_rows


def split_validation(model, X, targets):
    """A held-out share ``model.validation_fraction`` of the rows, drawn from ``model._rng``:
    (training row ids, (X_validation, targets_validation)), the ids sorted.

    Class labels are stratified (each class gives its share of held-out rows and keeps at
    least one training row) where every class has two rows and both parts have room for
    every class; multi-label targets are split at random."""
    labels = None if model._targets.multilabel else targets.indices
    train_rows, validation_rows = held_out_rows(X.shape[0], model.validation_fraction, model._rng, labels)
    return train_rows, (take_rows(X, validation_rows), targets.take(validation_rows))


def held_out_rows(n_rows, fraction, rng, labels=None):
    """(training ids, held-out ids), both sorted: ``ceil(fraction * n_rows)`` rows held out,
    stratified by ``labels`` (one class per row) when they allow it.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.array([0] * 8 + [1] * 12)
    >>> train, held = held_out_rows(20, 0.25, np.random.RandomState(0), labels)
    >>> len(train), len(held), np.bincount(labels[held]).tolist()
    (15, 5, [2, 3])
    """
    n_held = math.ceil(fraction * n_rows)
    if n_held >= n_rows:
        raise ValueError(f"validation_fraction={fraction} of {n_rows} rows leaves no row to train on; "
                         "use a smaller validation_fraction or more rows")
    held = np.zeros(n_rows, dtype=bool)
    if labels is not None and stratifiable(labels, n_held, n_rows):
        held[stratified_picks(labels, fraction, n_held, rng)] = True
    else:
        held[rng.permutation(n_rows)[:n_held]] = True
    return np.flatnonzero(~held), np.flatnonzero(held)


def stratifiable(labels, n_held, n_rows):
    """Whether every class has two rows and both parts have room for one row of each."""
    counts = np.bincount(labels)
    present = counts[counts > 0]
    return present.min() >= 2 and min(n_held, n_rows - n_held) >= present.size


def stratified_picks(labels, fraction, n_held, rng):
    """Row ids to hold out: each class its ``fraction`` of rows rounded down, and the rows
    still missing from ``n_held`` one each from the classes whose rounding lost most (ties
    in random order); never a class's last training row. Within a class the rows are
    chosen at random."""
    classes, class_of_row, counts = np.unique(labels, return_inverse=True, return_counts=True)
    quota = np.floor(fraction * counts).astype(np.int64)
    quota = np.minimum(quota, counts - 1)
    lost = fraction * counts - quota
    # classes with room for one more held-out row, largest rounding loss first, ties shuffled
    shuffled = rng.permutation(classes.size)
    by_loss = shuffled[np.argsort(-lost[shuffled], kind="stable")]
    eligible = by_loss[quota[by_loss] + 1 <= counts[by_loss] - 1]
    quota[eligible[: max(n_held - int(quota.sum()), 0)]] += 1
    # rows in random order, then grouped by class: a row's rank in its class is random
    order = rng.permutation(labels.size)
    order = order[np.argsort(class_of_row[order], kind="stable")]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(labels.size) - starts[class_of_row[order]]
    return order[rank < quota[class_of_row[order]]]
