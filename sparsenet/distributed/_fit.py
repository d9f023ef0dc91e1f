"""``fit_distributed``: a SparseMLPClassifier or a UDTClassifier trained data-parallel over
partitions of rows."""
import numbers

from sparsenet.distributed._executors import DaskExecutor, LocalExecutor
from sparsenet.distributed._rounds import LEARNING_RATE_SCALINGS
from sparsenet.distributed._sources import partition_sources
from sparsenet.distributed._training import train_on_sources
from sparsenet.distributed._udt_fit import fit_udt_distributed
from sparsenet.mlp import SparseMLPClassifier
from sparsenet.udt import UDTClassifier


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

    A UDTClassifier reads raw columns: its featurizer learns the column types and numeric
    bins from a sample of rows of every partition (every row, up to 20,000 in all), and
    the texts' features and document frequencies from all rows; each partition is then
    featurized where it lives and its network trained as above.

    Parameters
    ----------
    estimator : SparseMLPClassifier or UDTClassifier
        Its parameters are used; it is fitted in place (from scratch) and returned.
    X : dask array, dask DataFrame or list of (X, y) partitions
        The training rows: a dask collection (partitioned by rows; y a dask collection of
        the same row partitions), or a list of in-memory (X, y) pairs with ``y=None``.
        For a UDTClassifier each partition's X is what its ``fit`` takes (a DataFrame, a
        list of texts, an array of columns), the same columns in every partition.
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
    estimator : SparseMLPClassifier or UDTClassifier
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

    Raw text and table columns, through a UDTClassifier:

    >>> from sparsenet import UDTClassifier
    >>> texts, labels = ["refund not received", "cannot log in"] * 100, ["billing", "account"] * 100
    >>> udt = fit_distributed(UDTClassifier(random_state=0), [(texts[:100], labels[:100]),
    ...                                                        (texts[100:], labels[100:])])
    >>> udt.predict(["where is my refund"])
    array(['billing'], dtype='<U7')
    """
    if not isinstance(estimator, (SparseMLPClassifier, UDTClassifier)):
        raise TypeError(f"fit_distributed trains a SparseMLPClassifier or a UDTClassifier, got "
                        f"{type(estimator).__name__}")
    if isinstance(rounds_per_epoch, bool) or not isinstance(rounds_per_epoch, numbers.Integral) \
            or rounds_per_epoch < 1:
        raise ValueError(f"rounds_per_epoch must be a positive integer, got {rounds_per_epoch!r}")
    if learning_rate_scaling not in LEARNING_RATE_SCALINGS:
        raise ValueError(f"learning_rate_scaling must be one of {sorted(LEARNING_RATE_SCALINGS)}, "
                         f"got {learning_rate_scaling!r}")
    estimator._validate_params()
    executor = LocalExecutor() if client is None else DaskExecutor(client)
    rounds = dict(rounds_per_epoch=rounds_per_epoch, learning_rate_scaling=learning_rate_scaling)
    if isinstance(estimator, UDTClassifier):
        # raw columns: the partitions stay DataFrames, their names and dtypes kept
        return fit_udt_distributed(estimator, executor, partition_sources(X, y, client, frames=True), **rounds)
    return train_on_sources(estimator, executor, partition_sources(X, y, client), **rounds)
