"""``fit_distributed``: a SparseMLPClassifier trained data-parallel over partitions of rows."""
import numbers

from sparsenet.distributed._executors import DaskExecutor, LocalExecutor
from sparsenet.distributed._partitions import (
    prepare_partition,
    summarize_partition,
    survey_partition,
    target_encoder_of,
)
from sparsenet.distributed._rounds import LEARNING_RATE_SCALINGS, train_rounds
from sparsenet.distributed._sources import partition_sources
from sparsenet.mlp import SparseMLPClassifier
from sparsenet.mlp._initial_state import start_training_state
from sparsenet.mlp._label_frequencies import add_label_counts, start_from_counts
from sparsenet.mlp._parameters import early_stopping_on


def fit_distributed(estimator, X, y=None, *, client=None, rounds_per_epoch=4, learning_rate_scaling="linear"):
    """Fit ``estimator`` data-parallel: one replica per partition of the rows, averaged
    after every round.

    Every replica starts a round from the same model and trains it on its next share of
    batches from its own partition; the driver then averages the replicas (weights and Adam
    moments, each row weighted by how many of a replica's steps touched it) and starts the
    next round from the average. Epochs, early stopping (a held-out share of every
    partition, the best epoch's weights kept), callbacks and Ctrl-C behave as in ``fit``.
    The same ``random_state`` and the same partitions give the same model; with one
    partition it is the model ``fit`` trains.

    Parameters
    ----------
    estimator : SparseMLPClassifier
        Its parameters are used; it is fitted in place (from scratch) and returned.
    X : dask array, dask DataFrame or list of (X, y) partitions
        The training rows: a dask collection (partitioned by rows; y a dask collection of
        the same row partitions), or a list of in-memory (X, y) pairs with ``y=None``.
    y : dask array, dask Series or None
        The targets of a dask X: class labels or a multi-label indicator.
    client : distributed.Client or None, default=None
        Where the replicas run; None trains them one after the other in this process.
    rounds_per_epoch : int, default=4
        Averaging rounds per epoch.
    learning_rate_scaling : {"linear", "sqrt", "none"}, default="linear"
        The replicas' step size: the estimator's ``learning_rate`` times the number of
        replicas k ("linear"), times the square root of k, or as it is. Averaging k
        replicas moves a weight all of them train about as far as one replica does, so
        without scaling an epoch makes about a k-th of the single machine's progress on
        dense layers (see the user guide's measurements).

    Returns
    -------
    estimator : SparseMLPClassifier
        Fitted, as after ``fit``: it pickles, saves and predicts on one machine.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sparsenet import SparseMLPClassifier
    >>> from sparsenet.distributed import fit_distributed
    >>> X, y = make_classification(n_samples=600, random_state=0)
    >>> parts = [(X[:300], y[:300]), (X[300:], y[300:])]
    >>> clf = fit_distributed(SparseMLPClassifier((32,), max_iter=20, random_state=0), parts)
    >>> clf.score(X, y) > 0.8
    True
    """
    if not isinstance(estimator, SparseMLPClassifier):
        raise TypeError(f"fit_distributed trains a SparseMLPClassifier, got {type(estimator).__name__}")
    if isinstance(rounds_per_epoch, bool) or not isinstance(rounds_per_epoch, numbers.Integral) \
            or rounds_per_epoch < 1:
        raise ValueError(f"rounds_per_epoch must be a positive integer, got {rounds_per_epoch!r}")
    if learning_rate_scaling not in LEARNING_RATE_SCALINGS:
        raise ValueError(f"learning_rate_scaling must be one of {sorted(LEARNING_RATE_SCALINGS)}, "
                         f"got {learning_rate_scaling!r}")
    estimator._validate_params()
    executor = LocalExecutor() if client is None else DaskExecutor(client)
    sources = partition_sources(X, y, client)
    surveys = executor.run(survey_source, [(source,) for source in sources])
    n_features = {survey.n_features for survey in surveys}
    if len(n_features) > 1:
        raise ValueError(f"the partitions have different feature counts: {sorted(n_features)}")
    n_features = n_features.pop()
    encoder = target_encoder_of(surveys)
    # an unfitted estimator of the same class checks each partition's X (not a clone:
    # callbacks may hold what cannot be pickled)
    template = type(estimator)()
    partitions = executor.place(prepare_source, [(template, n_features, encoder, source) for source in sources])
    summaries = executor.run(summarize_partition,
                             [(part, encoder.n_classes, encoder.multilabel) for part in partitions])
    for attribute in ("feature_names_in_",):
        estimator.__dict__.pop(attribute, None)
    estimator.n_features_in_ = n_features
    start_training_state(estimator, n_features, encoder)
    n_rows = sum(summary.n_rows for summary in summaries)
    counts = sum(summary.label_counts for summary in summaries)
    start_from_counts(estimator, counts, n_rows)
    add_label_counts(estimator, counts)
    train_rounds(estimator, executor, partitions, summaries, epochs=estimator.max_iter,
                 use_early_stopping=early_stopping_on(estimator.early_stopping, n_rows),
                 rounds_per_epoch=rounds_per_epoch, learning_rate_scaling=learning_rate_scaling)
    return estimator


def survey_source(source):
    X, y = source
    return survey_partition(X, y)


def prepare_source(template, n_features, encoder, source):
    X, y = source
    return prepare_partition(template, n_features, encoder, X, y)
