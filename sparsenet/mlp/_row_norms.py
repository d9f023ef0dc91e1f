"""Input rows rescaled to one l2 norm (``input_norm="l2"``), so that a bag of words or tags
with many nonzeros does not reach the hidden layer louder than a short one.

The common norm is the root mean square of the training rows' norms: the data's overall
scale (which sets how fast the first layer learns) is kept and only the rows' relative
lengths change, which ``sklearn.preprocessing.normalize`` (every row at norm 1) does not
offer. Rows whose norms are already equal (TF-IDF, one-hot tables) are left as they are, at
no cost.
"""
from typing import NamedTuple

import numpy as np
from scipy import sparse

from sparsenet.mlp._inputs import csr_of, flush_denormals

# norms within this relative spread of their root mean square count as equal
EQUAL_NORMS_TOLERANCE = 1e-4


def fitted_row_norm(input_norm, X):
    """The norm every row of an engine-ready X is rescaled to, or None to use rows as given.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1, 0, 0, 0], [1, 1, 1, 1]], dtype=np.float32)
    >>> float(fitted_row_norm("l2", X))  # sqrt of the mean squared norm, (1 + 4) / 2
    1.5811388300841898
    >>> fitted_row_norm("l2", X[[1, 1]]) is None  # equal norms: rows used as given
    True
    """
    if input_norm is None:
        return None
    return agreed_row_norm(input_norm, [row_norm_stats(X)])


class NormStats(NamedTuple):
    """What the common norm needs of a block of rows: the sum of its nonempty rows' squared
    norms, their count, and their smallest and largest norm."""

    squares: float
    count: int
    smallest: float
    largest: float


def row_norm_stats(X):
    """The NormStats of an engine-ready X (one partition of a distributed fit, or all rows)."""
    norms = row_norms(X)
    norms = norms[norms > 0]
    if norms.size == 0:
        return NormStats(0.0, 0, 0.0, 0.0)
    return NormStats(float(np.sum(norms * norms)), int(norms.size), float(norms.min()), float(norms.max()))


def agreed_row_norm(input_norm, stats):
    """The common norm of every block of rows whose NormStats are ``stats``, or None."""
    if input_norm is None:
        return None
    count = sum(block.count for block in stats)
    if count == 0:
        return None
    target = float(np.sqrt(sum(block.squares for block in stats) / count))
    largest = max(block.largest for block in stats)
    smallest = min(block.smallest for block in stats if block.count)
    if target > float(np.finfo(np.float32).max):
        raise ValueError(f"the rows of X have l2 norms up to {largest:.3g}, beyond float32's range, so "
                         f"input_norm={input_norm!r} cannot rescale them: scale X down, or use input_norm=None")
    if largest - target <= EQUAL_NORMS_TOLERANCE * target and target - smallest <= EQUAL_NORMS_TOLERANCE * target:
        return None
    return target


def row_norms(X):
    """Each row's l2 norm, in float64 (a float32 square could overflow)."""
    if sparse.issparse(X):
        sums = np.zeros(X.shape[0])
        filled = np.diff(X.indptr) > 0
        # reduceat over the nonempty rows' starts only: an empty row's start may be the end
        sums[filled] = np.add.reduceat(np.square(X.data, dtype=np.float64), X.indptr[:-1][filled])
        return np.sqrt(sums)
    return np.sqrt(np.einsum("ij,ij->i", X, X, dtype=np.float64))


def rescaled_rows(X, norm):
    """An engine-ready X with every nonzero row at l2 norm ``norm``; X itself when ``norm``
    is None. Empty rows stay empty."""
    if norm is None:
        return X
    norms = row_norms(X)
    factors = np.divide(norm, norms, out=np.zeros_like(norms), where=norms > 0)
    if sparse.issparse(X):
        counts = np.diff(X.indptr)
        data = X.data * np.repeat(factors, counts)
        return flush_denormals(csr_of(X.shape, data, X.indices, X.indptr))
    return flush_denormals(np.ascontiguousarray(X * factors[:, None], dtype=np.float32))
