"""Batch prediction over a dask collection: the fitted model answers one partition per task.

The model is put into the graph once, as one key every task depends on, so each worker
receives it once however many partitions it answers. Results are lazy dask arrays with one
block per partition of the input (row counts unknown until computed where the input's are).
"""
import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_is_fitted

from sparsenet.distributed._sources import is_dask_collection
from sparsenet.mlp._outputs import checked_top_k_arguments


def predict(estimator, X):
    """Predicted labels of every row of a dask collection, partition by partition.

    Parameters
    ----------
    estimator : fitted SparseMLPClassifier or UDTClassifier
        Any fitted estimator with ``predict`` works the same way.
    X : dask array or dask DataFrame
        Rows partitioned as the user likes (a 2-D array is given one column chunk).

    Returns
    -------
    y : dask array of shape (n_samples,), or (n_samples, n_labels) for a multi-label model
        Lazy: ``.compute()`` runs the partitions where the cluster holds them. A model
        fitted on a sparse indicator y answers in scipy.sparse CSR blocks, as its
        ``predict`` does (``.compute()`` then stacks them into one CSR matrix).

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn.datasets import make_classification
    >>> from sparsenet import SparseMLPClassifier
    >>> from sparsenet.distributed import predict
    >>> X, y = make_classification(n_samples=400, random_state=0)
    >>> clf = SparseMLPClassifier((32,), max_iter=20, random_state=0).fit(X, y)
    >>> labels = predict(clf, da.from_array(X, chunks=100))
    >>> bool((labels.compute() == clf.predict(X)).all())
    True
    """
    check_is_fitted(estimator)
    targets = getattr(estimator, "_targets", None)
    if getattr(targets, "multilabel", False):  # an indicator row per sample
        output = ((len(estimator.classes_),), np.dtype(np.int64))
        keep_sparse = bool(getattr(targets, "sparse_targets", False))
    else:
        output, keep_sparse = ((), np.asarray(estimator.classes_).dtype), False
    return _partitionwise(estimator, X, "predict", {}, [output], keep_sparse=keep_sparse)[0]


def predict_proba(estimator, X):
    """Class probabilities of every row of a dask collection, partition by partition.

    Each block is (rows of its partition) x n_classes: for large label spaces prefer
    :func:`predict_topk`, whose blocks hold k columns.

    Returns
    -------
    proba : dask array of shape (n_samples, n_classes)

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn.datasets import make_classification
    >>> from sparsenet import SparseMLPClassifier
    >>> from sparsenet.distributed import predict_proba
    >>> X, y = make_classification(n_samples=400, random_state=0)
    >>> clf = SparseMLPClassifier((32,), max_iter=20, random_state=0).fit(X, y)
    >>> predict_proba(clf, da.from_array(X, chunks=100)).compute().shape
    (400, 2)
    """
    check_is_fitted(estimator)
    return _partitionwise(estimator, X, "predict_proba", {},
                          [((len(estimator.classes_),), np.dtype(np.float64))])[0]


def predict_topk(estimator, X, k=5, return_scores=False, exact=False):
    """The ``k`` highest-ranked labels of every row of a dask collection (and their
    probabilities with ``return_scores``), partition by partition, as the estimator's
    ``predict_topk``; each partition is computed once even when both are returned.

    Returns
    -------
    labels : dask array of shape (n_samples, k)
    probabilities : dask array of shape (n_samples, k), only if ``return_scores``

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn.datasets import make_classification
    >>> from sparsenet import SparseMLPClassifier
    >>> from sparsenet.distributed import predict_topk
    >>> X, y = make_classification(n_samples=400, n_classes=4, n_informative=6, random_state=0)
    >>> clf = SparseMLPClassifier((32,), max_iter=20, random_state=0).fit(X, y)
    >>> labels, scores = predict_topk(clf, da.from_array(X, chunks=100), k=2, return_scores=True)
    >>> labels.shape, bool((labels.compute() == clf.predict_topk(X, k=2)).all())
    ((400, 2), True)
    """
    check_is_fitted(estimator)
    # the estimator's own checks, run now rather than in a worker at compute time
    k, return_scores, exact = checked_top_k_arguments(k, len(estimator.classes_), return_scores, exact)
    labels = ((k,), np.asarray(estimator.classes_).dtype)
    outputs = [labels, ((k,), np.dtype(np.float64))] if return_scores else [labels]
    arrays = _partitionwise(estimator, X, "predict_topk", {"k": k, "return_scores": return_scores, "exact": exact},
                            outputs)
    return tuple(arrays) if return_scores else arrays[0]


def _partitionwise(estimator, X, method, kwargs, outputs, keep_sparse=False):
    """One lazy dask array per entry of ``outputs`` ((trailing shape, dtype) pairs), block i
    being ``estimator.<method>(partition i, **kwargs)`` (output j of it when it returns
    several); CSR blocks with ``keep_sparse``, else NumPy ones."""
    if not is_dask_collection(X):
        raise TypeError(f"{method} here takes a dask array or DataFrame (call estimator.{method} on in-memory "
                        f"data); got {type(X).__name__}")
    import dask
    import dask.array as da

    blocks, row_counts = _row_partitions(X)
    model = dask.delayed(estimator, pure=True, traverse=False)
    answers = [dask.delayed(_answer, pure=True)(model, method, block, kwargs, len(outputs), keep_sparse)
               for block in blocks]
    arrays = []
    for j, (trailing, dtype) in enumerate(outputs):
        meta = sparse.csr_matrix((0, *trailing), dtype=dtype) if keep_sparse else np.empty((0, *trailing), dtype)
        parts = [da.from_delayed(answer[j], shape=(rows, *trailing), dtype=dtype, meta=meta)
                 for answer, rows in zip(answers, row_counts)]
        arrays.append(da.concatenate(parts, axis=0) if len(parts) > 1 else parts[0])
    return arrays


def _row_partitions(X):
    """(delayed row partitions, their row counts, NaN where unknown) of a dask collection."""
    if not hasattr(X, "chunks"):  # a DataFrame or Series: row counts unknown until computed
        return list(X.to_delayed()), [np.nan] * X.npartitions
    if X.ndim not in (1, 2):
        raise ValueError(f"X must be 2-D (rows of features), got {X.ndim} dimensions")
    if X.ndim == 2:
        X = X.rechunk({1: -1})  # a row's features in one block
    return list(X.to_delayed().ravel()), list(X.chunks[0])


def _answer(estimator, method, block, kwargs, n_outputs, keep_sparse):
    answer = getattr(estimator, method)(block, **kwargs)
    parts = (answer,) if n_outputs == 1 else tuple(answer)
    if keep_sparse:
        return tuple(sparse.csr_matrix(part) for part in parts)
    return tuple(part.toarray() if sparse.issparse(part) else np.asarray(part) for part in parts)
