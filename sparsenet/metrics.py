"""Ranking metrics for multi-label and extreme classification.

Each metric takes the true labels as an indicator matrix (dense or scipy.sparse, kept sparse)
and the predictions as either

- an integer array of shape (n_samples, >= k): label indices, best first (the output of
  ``predict_topk`` for a model fitted on an indicator matrix), or
- a float score matrix of shape (n_samples, n_labels), dense or sparse (a label missing from
  a sparse row scores below every stored one).

Definitions follow the Extreme Classification Repository: precision@k, nDCG@k and
propensity-scored precision@k (Jain, Prabhu and Varma, KDD 2016), normalised by the best
ranking achievable for each row.
"""
import numpy as np
from scipy import sparse

__all__ = ["precision_at_k", "recall_at_k", "ndcg_at_k", "psp_at_k", "label_propensities", "top_k_labels"]


def top_k_labels(y_score, k):
    """Label indices of the k highest scores of each row, best first (ties: lower index).

    Parameters
    ----------
    y_score : array-like or sparse matrix of shape (n_samples, n_labels)
    k : int

    Returns
    -------
    labels : ndarray of shape (n_samples, k), int64
        -1 where a sparse row has fewer than k stored scores.
    """
    if sparse.issparse(y_score):
        scores = sparse.csr_matrix(y_score)
        labels = np.full((scores.shape[0], k), -1, dtype=np.int64)
        for row in range(scores.shape[0]):
            start, stop = scores.indptr[row], scores.indptr[row + 1]
            columns, values = scores.indices[start:stop], scores.data[start:stop]
            order = np.lexsort((columns, -values))[:k]
            labels[row, : len(order)] = columns[order]
        return labels
    scores = np.asarray(y_score, dtype=np.float64)
    k = min(k, scores.shape[1])
    # stable sort of negated scores keeps the lower index first on ties
    return np.argsort(-scores, axis=1, kind="stable")[:, :k].astype(np.int64)


def _hits(y_true, y_pred, k):
    """(Y as CSR, ranked labels (n, k), hit matrix (n, k) of 0/1) for the metrics below."""
    Y = sparse.csr_matrix(y_true)
    n_samples, n_labels = Y.shape
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    y_pred_array = None if sparse.issparse(y_pred) else np.asarray(y_pred)
    if y_pred_array is not None and y_pred_array.ndim == 2 and np.issubdtype(y_pred_array.dtype, np.integer):
        if y_pred_array.shape[1] < k:
            raise ValueError(f"y_pred holds {y_pred_array.shape[1]} labels per row, fewer than k={k}")
        ranked = y_pred_array[:, :k].astype(np.int64)
        if ranked.size and (ranked.max() >= n_labels or ranked.min() < -1):
            raise ValueError(f"label indices in y_pred must lie in [0, {n_labels}) (or -1 for none)")
    else:
        scores = y_pred if sparse.issparse(y_pred) else y_pred_array
        if scores.ndim != 2 or scores.shape[1] != n_labels:
            raise ValueError(f"y_pred scores must have shape (n_samples, {n_labels}), got {scores.shape}")
        ranked = top_k_labels(scores, k)
    if ranked.shape[0] != n_samples:
        raise ValueError(f"y_true has {n_samples} rows but y_pred has {ranked.shape[0]}")
    Y.sum_duplicates()
    rows = np.repeat(np.arange(n_samples), ranked.shape[1])
    labels = ranked.ravel()
    valid = labels >= 0
    hits = np.zeros(labels.shape[0])
    hits[valid] = (np.asarray(Y[rows[valid], labels[valid]]).ravel() != 0)
    return Y, ranked, hits.reshape(ranked.shape)


def precision_at_k(y_true, y_pred, k=5):
    """Mean over rows of (true labels among the top k) / k.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenet.metrics import precision_at_k
    >>> y_true = np.array([[1, 0, 1], [0, 1, 0]])
    >>> precision_at_k(y_true, np.array([[2, 1], [0, 1]]), k=2)
    0.5
    """
    _, _, hits = _hits(y_true, y_pred, k)
    return float(hits.sum(axis=1).mean() / k)


def recall_at_k(y_true, y_pred, k=5):
    """Mean over rows with at least one true label of (true labels in the top k) / (true labels)."""
    Y, _, hits = _hits(y_true, y_pred, k)
    n_true = np.diff(Y.indptr)
    labelled = n_true > 0
    if not labelled.any():
        return 0.0
    return float((hits.sum(axis=1)[labelled] / n_true[labelled]).mean())


def ndcg_at_k(y_true, y_pred, k=5):
    """Mean over rows of DCG@k / ideal DCG@k, gains 1 / log2(rank + 1); rows without a true
    label count as 0."""
    Y, _, hits = _hits(y_true, y_pred, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = hits @ discounts[: hits.shape[1]]
    ideal_counts = np.minimum(np.diff(Y.indptr), k)
    ideal = np.concatenate([[0.0], np.cumsum(discounts)])[ideal_counts]
    return float(np.divide(dcg, ideal, out=np.zeros_like(dcg), where=ideal > 0).mean())


def label_propensities(y_train, A=0.55, B=1.5):
    """Propensity of each label, p_l = 1 / (1 + C exp(-A log(N_l + B))) with
    C = (log N - 1)(B + 1)^A, from the label counts N_l of an indicator matrix of N rows.

    The Extreme Classification Repository uses A=0.55, B=1.5 by default (Amazon: 0.6, 2.6;
    Wikipedia: 0.5, 0.4).
    """
    Y = sparse.csr_matrix(y_train)
    n = Y.shape[0]
    counts = np.asarray((Y != 0).sum(axis=0)).ravel()
    c = (np.log(n) - 1.0) * (B + 1.0) ** A
    return 1.0 / (1.0 + c * np.exp(-A * np.log(counts + B)))


def psp_at_k(y_true, y_pred, k=5, propensities=None, A=0.55, B=1.5):
    """Propensity-scored precision@k, normalised by the best achievable ranking.

    Each hit counts 1 / p_l, so rare labels weigh more; the sum over all rows is divided by
    the same sum for an oracle that ranks each row's true labels by 1 / p_l.

    Parameters
    ----------
    propensities : array of shape (n_labels,), default=None
        Label propensities, e.g. ``label_propensities(Y_train)``; by default computed from
        ``y_true`` with A and B.
    """
    Y, ranked, hits = _hits(y_true, y_pred, k)
    p = label_propensities(Y, A, B) if propensities is None else np.asarray(propensities, dtype=np.float64)
    if p.shape != (Y.shape[1],):
        raise ValueError(f"propensities must have shape ({Y.shape[1]},), got {p.shape}")
    inverse = 1.0 / p
    gained = (hits * np.where(ranked >= 0, inverse[np.maximum(ranked, 0)], 0.0)).sum()
    best = 0.0
    for row in range(Y.shape[0]):
        labels = Y.indices[Y.indptr[row] : Y.indptr[row + 1]]
        best += np.sort(inverse[labels])[::-1][:k].sum()
    return float(gained / best) if best > 0 else 0.0
