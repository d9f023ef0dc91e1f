"""Ranking metrics for multi-label and extreme classification.

Each metric takes

- ``y_true``, the true labels: a 0/1 (or boolean) indicator matrix of shape (n_samples,
  n_labels), dense or scipy.sparse (kept sparse). Any other value, such as the -1 of a -1/1
  encoding, raises ValueError, and so does a matrix without rows or columns.
- ``y_pred``, the predictions, in one of three forms:

  - label indices, best first: an integer array of shape (n_samples, >= k), -1 for "no
    label" (the output of ``predict_topk`` for a model fitted on an indicator matrix). Only
    the first k columns are read; a label may not appear twice among them.
  - scores: a float array or a sparse matrix of shape (n_samples, n_labels). Higher scores
    rank first, ties go to the lower label index, a label missing from a sparse row ranks
    below every stored one, and NaN raises ValueError.
  - an indicator of predicted labels (the output of a multi-label ``predict``): a boolean
    array, or a dense or sparse matrix of shape (n_samples, n_labels) that holds only 0 and 1.
    Its 1s are the predicted labels, taken in label order (pass scores to rank them), and its
    0s are never predictions, so a row with fewer than k labels just scores fewer hits.

  An integer array of shape (n_samples, n_labels) that holds only 0 and 1 is read as an
  indicator: with 3 labels or more, such rows cannot be rankings (they would repeat a label).
  With 1 or 2 labels it could be either, so it raises ValueError; pass an indicator as
  booleans (``y_pred.astype(bool)``), scores as floats, or label indices in fewer columns
  than there are labels (``y_pred[:, :k]``).
- ``k``: a positive integer (``True`` is refused), at most n_labels.

Definitions follow the Extreme Classification Repository: precision@k, nDCG@k and
propensity-scored precision@k (Jain, Prabhu and Varma, KDD 2016), normalised by the best
ranking achievable for each row.
"""
from numbers import Integral, Real

import numpy as np
from scipy import sparse

__all__ = ["label_propensities", "ndcg_at_k", "precision_at_k", "psp_at_k", "recall_at_k", "top_k_labels"]


def _check_k(k):
    """k as an int; refuses bools, which are ints to Python but surely a slip here."""
    if isinstance(k, bool) or not isinstance(k, Integral):
        raise TypeError(f"k must be a positive integer, got {k!r}")
    if k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    return int(k)


def _as_2d(values, name):
    """values as a 2-D numeric ndarray or sparse matrix (sparse inputs stay sparse)."""
    if not sparse.issparse(values):
        values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {values.shape}")
    if values.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {values.dtype}")
    return values


def _check_y_true(y_true, name="y_true"):
    """y_true as a CSR indicator whose stored entries are exactly its true labels."""
    y_true = _as_2d(y_true, name)
    if y_true.shape[0] == 0:
        raise ValueError(f"{name} has no rows")
    if y_true.shape[1] == 0:
        raise ValueError(f"{name} has no labels (0 columns)")
    # a copy, since the two clean-ups below work in place and the caller's matrix must not change
    Y = sparse.csr_matrix(y_true, copy=True)
    Y.sum_duplicates()
    bad = np.unique(Y.data[(Y.data != 0) & (Y.data != 1)]).tolist()
    if bad:
        more = " and others" if len(bad) > 5 else ""
        raise ValueError(f"{name} must be a 0/1 (or boolean) indicator matrix, found the values {bad[:5]}{more}")
    # explicit zeros would otherwise count as true labels in recall, nDCG and PSP
    Y.eliminate_zeros()
    return Y


def _check_not_nan(scores, name):
    values = scores.data if sparse.issparse(scores) else scores
    if np.isnan(values).any():
        raise ValueError(f"{name} holds NaN scores, which cannot be ranked")


def top_k_labels(y_score, k):
    """Label indices of the k highest scores of each row, best first (ties: lower index).

    Parameters
    ----------
    y_score : array-like or sparse matrix of shape (n_samples, n_labels)
        Scores; NaN raises ValueError. A label missing from a sparse row is never returned.
    k : int
        Labels per row, a positive integer.

    Returns
    -------
    ndarray of shape (n_samples, k), int64
        Label indices, best first; -1 where a row has fewer than k labels (stored ones for
        a sparse row).

    See Also
    --------
    precision_at_k : Reads these rankings (or the scores themselves).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> from sparsenet.metrics import top_k_labels
    >>> top_k_labels(np.array([[0.1, 0.7, 0.2], [0.5, 0.5, 0.0]]), 2)
    array([[1, 2],
           [0, 1]])
    >>> top_k_labels(sparse.csr_matrix([[0.0, 0.3, 0.0]]), 2)
    array([[ 1, -1]])
    """
    k = _check_k(k)
    y_score = _as_2d(y_score, "y_score")
    n_samples = y_score.shape[0]
    labels = np.full((n_samples, k), -1, dtype=np.int64)
    if sparse.issparse(y_score):
        # float: a boolean matrix cannot be negated below; copy: sum_duplicates works in place
        scores = sparse.csr_matrix(y_score, dtype=np.float64, copy=True)
        scores.sum_duplicates()
        _check_not_nan(scores, "y_score")
        for row in range(n_samples):
            start, stop = scores.indptr[row], scores.indptr[row + 1]
            columns, values = scores.indices[start:stop], scores.data[start:stop]
            order = np.lexsort((columns, -values))[:k]
            labels[row, : len(order)] = columns[order]
        return labels
    scores = np.asarray(y_score, dtype=np.float64)
    _check_not_nan(scores, "y_score")
    # stable sort of negated scores keeps the lower index first on ties
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    labels[:, : top.shape[1]] = top
    return labels


def _only_zeros_and_ones(y_pred):
    values = y_pred.data if sparse.issparse(y_pred) else y_pred
    return bool(np.all((values == 0) | (values == 1)))


def _checked_indices(y_pred, n_labels, k):
    """The first k columns of an integer y_pred read as label indices, checked."""
    if y_pred.shape[1] < k:
        raise ValueError(f"y_pred holds {y_pred.shape[1]} labels per row, fewer than k={k}")
    ranked = y_pred[:, :k].astype(np.int64)
    if ranked.max() >= n_labels or ranked.min() < -1:
        raise ValueError(f"label indices in y_pred must lie in [0, {n_labels}) (or -1 for none); "
                         "an integer y_pred is read as label indices, so pass scores as floats")
    # a repeated label would count its hit twice (recall could pass 1)
    ordered = np.sort(ranked, axis=1)
    repeated = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)
    if repeated.any():
        row = int(np.flatnonzero(repeated.any(axis=1))[0])
        raise ValueError(f"row {row} of y_pred lists label {ordered[row, 1:][repeated[row]][0]} twice "
                         f"among its first k={k} label indices")
    return ranked


def _ranked_labels(y_pred, shape, k):
    """The (n_samples, k) label indices that y_pred ranks first, -1 for none (rules above)."""
    n_samples, n_labels = shape
    y_pred = _as_2d(y_pred, "y_pred")
    if y_pred.shape[0] != n_samples:
        raise ValueError(f"y_true has shape {shape} but y_pred has shape {y_pred.shape}: "
                         "they need the same number of rows")
    dense_integers = not sparse.issparse(y_pred) and y_pred.dtype.kind in "iu"
    if dense_integers and not (y_pred.shape[1] == n_labels and _only_zeros_and_ones(y_pred)):
        return _checked_indices(y_pred, n_labels, k)
    if y_pred.shape[1] != n_labels:
        raise ValueError(f"y_pred scores must have shape ({n_samples}, {n_labels}), got {y_pred.shape}")
    if dense_integers and n_labels <= 2:
        raise ValueError(
            f"y_pred is an integer 0/1 array of shape {y_pred.shape}: with {n_labels} label(s) it could "
            "be label indices or an indicator. Pass an indicator as booleans (y_pred.astype(bool)), "
            "scores as floats, or label indices in fewer columns than labels (y_pred[:, :k])")
    _check_not_nan(y_pred, "y_pred")
    if _only_zeros_and_ones(y_pred):
        # an indicator: its zeros are not predictions, so drop them as a sparse matrix's absent entries
        indicator = sparse.csr_matrix(y_pred, dtype=np.float64, copy=True)
        indicator.eliminate_zeros()
        return top_k_labels(indicator, k)
    return top_k_labels(y_pred, k)


def _hits(y_true, y_pred, k):
    """(Y as CSR, ranked labels (n, k), hit matrix (n, k) of 0/1) for the metrics below."""
    k = _check_k(k)
    Y = _check_y_true(y_true)
    n_samples, n_labels = Y.shape
    if k > n_labels:
        raise ValueError(f"k={k} is more than the {n_labels} labels of y_true")
    ranked = _ranked_labels(y_pred, Y.shape, k)
    rows = np.repeat(np.arange(n_samples), k)
    labels = ranked.ravel()
    valid = labels >= 0
    # look the (row, label) pairs up among Y's stored ones by a combined key: scipy's fancy
    # indexing misreads empty or single-element index arrays
    stored = Y.copy()
    stored.eliminate_zeros()
    true_keys = np.repeat(np.arange(n_samples, dtype=np.int64), np.diff(stored.indptr)) * n_labels + stored.indices
    hits = np.zeros(labels.shape[0])
    hits[valid] = np.isin(rows[valid].astype(np.int64) * n_labels + labels[valid], true_keys)
    return Y, ranked, hits.reshape(ranked.shape)


def precision_at_k(y_true, y_pred, k=5):
    """Mean over rows of (true labels among the top k) / k.

    Parameters
    ----------
    y_true : array-like or sparse matrix of shape (n_samples, n_labels)
        0/1 indicator of the true labels.
    y_pred : array-like or sparse matrix
        Label indices (n_samples, >= k), scores or a 0/1 indicator (n_samples, n_labels);
        see the module docstring for how each is told apart.
    k : int, default=5
        Positive, at most n_labels.

    Returns
    -------
    float
        Precision@k in [0, 1].

    See Also
    --------
    recall_at_k, ndcg_at_k, psp_at_k : The other ranking metrics, with the same arguments.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenet.metrics import precision_at_k
    >>> y_true = np.array([[1, 0, 1], [0, 1, 0]])
    >>> precision_at_k(y_true, np.array([[2, 1], [0, 1]]), k=2)
    0.5

    A multi-label ``predict`` gives a 0/1 indicator; its labels are taken in label order:

    >>> precision_at_k(y_true, np.array([[1, 0, 0], [0, 1, 1]]), k=1)
    1.0

    A multi-label model's ``predict_topk`` gives the label indices, best first:

    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sparsenet import SparseMLPClassifier
    >>> X, Y = make_multilabel_classification(n_samples=300, n_classes=8, random_state=0)
    >>> clf = SparseMLPClassifier((32,), max_iter=30, random_state=0).fit(X[:200], Y[:200])
    >>> round(precision_at_k(Y[200:], clf.predict_topk(X[200:], k=3), k=3), 2)
    0.38
    """
    _, _, hits = _hits(y_true, y_pred, k)
    return float(hits.sum(axis=1).mean() / k)


def recall_at_k(y_true, y_pred, k=5):
    """Mean over rows with at least one true label of (true labels in the top k) / (true labels).

    Parameters
    ----------
    y_true : array-like or sparse matrix of shape (n_samples, n_labels)
        0/1 indicator of the true labels.
    y_pred : array-like or sparse matrix
        Label indices (n_samples, >= k), scores or a 0/1 indicator (n_samples, n_labels),
        as for :func:`precision_at_k`.
    k : int, default=5
        Positive, at most n_labels.

    Returns
    -------
    float
        Recall@k in [0, 1]; 0.0 when no row has a true label.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenet.metrics import recall_at_k
    >>> recall_at_k(np.array([[1, 0, 1], [0, 0, 0]]), np.array([[2], [0]]), k=1)
    0.5
    """
    Y, _, hits = _hits(y_true, y_pred, k)
    n_true = np.diff(Y.indptr)
    labelled = n_true > 0
    if not labelled.any():
        return 0.0
    return float((hits.sum(axis=1)[labelled] / n_true[labelled]).mean())


def ndcg_at_k(y_true, y_pred, k=5):
    """Normalised discounted cumulative gain at k, averaged over rows.

    Each row scores DCG@k / ideal DCG@k, with gains 1 / log2(rank + 1); rows without a true
    label count as 0.

    Parameters
    ----------
    y_true, y_pred, k
        As for :func:`recall_at_k` (true-label indicator; predicted indices, scores or
        indicator; a positive k, at most n_labels).

    Returns
    -------
    float
        The mean nDCG@k, in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenet.metrics import ndcg_at_k
    >>> ndcg_at_k(np.array([[1, 0, 0]]), np.array([[1, 0]]), k=2)  # (1 / log2(3)) / 1
    0.6309...
    """
    Y, _, hits = _hits(y_true, y_pred, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = hits @ discounts
    ideal_counts = np.minimum(np.diff(Y.indptr), k)
    ideal = np.concatenate([[0.0], np.cumsum(discounts)])[ideal_counts]
    return float(np.divide(dcg, ideal, out=np.zeros_like(dcg), where=ideal > 0).mean())


def label_propensities(y_train, A=0.55, B=1.5):
    """Propensity of each label, from its count in the training labels.

    p_l = 1 / (1 + C exp(-A log(N_l + B))) with C = (log N - 1)(B + 1)^A, from the label
    counts N_l of an indicator matrix of N rows. The Extreme Classification Repository uses A=0.55, B=1.5 by default (Amazon: 0.6, 2.6;
    Wikipedia: 0.5, 0.4). With fewer than 3 rows (log N <= 1) C would not be positive and
    the formula would leave (0, 1]; every label then gets propensity 1.

    Parameters
    ----------
    y_train : array-like or sparse matrix of shape (n_samples, n_labels)
        0/1 indicator of the training labels.
    A : float, default=0.55
        Finite and >= 0 (a negative A would call frequent labels rare).
    B : float, default=1.5
        Finite and > 0 (B = 0 would give a label never seen a propensity of 0).

    Returns
    -------
    ndarray of shape (n_labels,)
        Propensities in (0, 1], growing with the label's count.

    See Also
    --------
    psp_at_k : Weighs each hit by the inverse of these propensities.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenet.metrics import label_propensities
    >>> label_propensities(np.array([[1, 0], [1, 0], [1, 1], [1, 0]])).round(3)
    array([0.8  , 0.721])
    """
    if not isinstance(A, Real) or not np.isfinite(A) or A < 0:
        raise ValueError(f"A must be a finite number >= 0, got {A!r}")
    if not isinstance(B, Real) or not np.isfinite(B) or B <= 0:
        raise ValueError(f"B must be a finite number > 0, got {B!r}")
    Y = _check_y_true(y_train, "y_train")
    counts = np.bincount(Y.indices, minlength=Y.shape[1])
    with np.errstate(over="ignore", invalid="ignore"):
        c = max(np.log(Y.shape[0]) - 1.0, 0.0) * np.float64(B + 1.0) ** A
        p = 1.0 / (1.0 + c * np.exp(-A * np.log(counts + B)))
    # only extreme A and B get here, by overflow
    bad = np.flatnonzero(~(np.isfinite(p) & (p > 0)))
    if bad.size:
        raise ValueError(f"A={A!r} and B={B!r} give label {bad[0]} the propensity {p[bad[0]]}; "
                         "propensities must be positive and finite")
    return p


def psp_at_k(y_true, y_pred, k=5, propensities=None, A=0.55, B=1.5):
    """Propensity-scored precision@k, normalised by the best achievable ranking.

    Each hit counts 1 / p_l, so rare labels weigh more; the sum over all rows is divided by
    the same sum for an oracle that ranks each row's true labels by 1 / p_l (0.0 when no row
    has a true label).

    Parameters
    ----------
    y_true, y_pred, k
        As for :func:`recall_at_k`.
    propensities : array of shape (n_labels,), default=None
        Label propensities, positive and finite, e.g. ``label_propensities(Y_train)``; by
        default computed from ``y_true`` with A and B.
    A, B : float, default=0.55, 1.5
        Passed to :func:`label_propensities` when ``propensities`` is None.

    Returns
    -------
    float
        PSP@k in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenet.metrics import psp_at_k
    >>> y_true = np.array([[1, 0, 1], [0, 1, 0]])
    >>> psp_at_k(y_true, np.array([[0], [1]]), k=1, propensities=np.array([0.5, 0.5, 0.1]))
    0.333...
    """
    Y, ranked, hits = _hits(y_true, y_pred, k)
    if propensities is None:
        p = label_propensities(Y, A, B)
    else:
        p = np.asarray(propensities, dtype=np.float64)
        if p.shape != (Y.shape[1],):
            raise ValueError(f"propensities must have shape ({Y.shape[1]},), got {p.shape}")
        bad = np.flatnonzero(~(np.isfinite(p) & (p > 0)))
        if bad.size:
            raise ValueError(f"propensities must be positive and finite, label {bad[0]} has {p[bad[0]]}")
    inverse = 1.0 / p
    gained = (hits * np.where(ranked >= 0, inverse[np.maximum(ranked, 0)], 0.0)).sum()
    best = 0.0
    for row in range(Y.shape[0]):
        labels = Y.indices[Y.indptr[row] : Y.indptr[row + 1]]
        best += np.sort(inverse[labels])[::-1][:k].sum()
    return float(gained / best) if best > 0 else 0.0
