"""Tallies over rows for data-parallel training: touch-weighted sums of replicas' rows, and in
how many batches each feature of a sparse X occurs.

NumPy's fancy-indexed ``total[slots] += weights * values`` copies every gathered row twice
and casts it once more; on a round of a wide sparse model that was several times the cost
of the training itself. Both kernels check every index before touching memory.
"""
import numpy as np

cimport numpy as cnp
from cython.parallel cimport prange

cnp.import_array()

ctypedef fused index_t:
    int
    long long

ctypedef fused pointer_t:
    int
    long long


def accumulate_weighted_rows(double[:, ::1] total, double[::1] weights, const long long[::1] targets,
                             const long long[::1] touches, const float[:, ::1] values, int n_threads=1):
    """Add ``touches[i] * values[i]`` to row ``targets[i]`` of ``total`` and ``touches[i]``
    to ``weights[targets[i]]``, for every i whose target is not -1.

    The targets (other than -1) must be distinct, so that rows are summed in parallel with
    one writer each: the sums then do not depend on the thread count.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsenet.native._row_tallies import accumulate_weighted_rows
    >>> total, weights = np.zeros((2, 3)), np.zeros(2)
    >>> values = np.ones((3, 3), dtype=np.float32)
    >>> accumulate_weighted_rows(total, weights, np.array([1, -1, 0]), np.array([2, 5, 1]), values)
    >>> total[:, 0].tolist(), weights.tolist()
    ([1.0, 2.0], [1.0, 2.0])
    """
    cdef Py_ssize_t n = targets.shape[0], width = total.shape[1], i, j, target
    cdef double touch
    if touches.shape[0] != n or values.shape[0] != n:
        raise ValueError(f"targets, touches and values must have the same length, got {n}, "
                         f"{touches.shape[0]} and {values.shape[0]}")
    if values.shape[1] != width or weights.shape[0] != total.shape[0]:
        raise ValueError(f"values have {values.shape[1]} columns and weights {weights.shape[0]} rows; total is "
                         f"{total.shape[0]} x {width}")
    seen = np.zeros(total.shape[0], dtype=np.uint8)
    cdef unsigned char[::1] marks = seen
    for i in range(n):
        target = targets[i]
        if target == -1:
            continue
        if target < 0 or target >= total.shape[0]:
            raise ValueError(f"target {target} at {i} is outside the {total.shape[0]} rows of total")
        if marks[target]:
            raise ValueError(f"target {target} occurs twice")
        marks[target] = 1
    for i in prange(n, nogil=True, num_threads=max(n_threads, 1), schedule="static"):
        target = targets[i]
        if target == -1:
            continue
        touch = <double> touches[i]
        weights[target] += touch
        for j in range(width):
            total[target, j] += touch * values[i, j]


def count_feature_batches(const pointer_t[::1] indptr, const index_t[::1] indices, const long long[::1] rows,
                          const long long[::1] bounds, Py_ssize_t n_features):
    """In how many batches each feature occurs: batch b is the rows ``rows[bounds[b]:bounds[b +
    1]]`` of the CSR matrix (``indptr``, ``indices``) of ``n_features`` columns.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> from sparsenet.native._row_tallies import count_feature_batches
    >>> X = sparse.csr_matrix(np.array([[1, 0, 1], [1, 1, 0], [0, 0, 1]]))
    >>> count_feature_batches(X.indptr, X.indices, np.array([0, 1, 2]), np.array([0, 2, 3]), 3).tolist()
    [1, 1, 2]
    """
    cdef Py_ssize_t n_rows = indptr.shape[0] - 1, n_indices = indices.shape[0], b, k, k2, row, start, end, feature
    counts = np.zeros(n_features, dtype=np.int64)
    last = np.full(n_features, -1, dtype=np.int64)
    cdef long long[::1] count_view = counts, last_batch = last
    if n_rows < 0:
        raise ValueError("indptr must hold at least one entry")
    if bounds.shape[0] < 1 or bounds[0] != 0 or bounds[bounds.shape[0] - 1] != rows.shape[0]:
        raise ValueError(f"bounds must run from 0 to the {rows.shape[0]} rows")
    for b in range(bounds.shape[0] - 1):
        if bounds[b + 1] < bounds[b]:
            raise ValueError(f"bounds must not decrease (at {b})")
        for k in range(bounds[b], bounds[b + 1]):
            row = rows[k]
            if row < 0 or row >= n_rows:
                raise ValueError(f"row {row} is outside the matrix's {n_rows} rows")
            start, end = indptr[row], indptr[row + 1]
            if start < 0 or end < start or end > n_indices:
                raise ValueError(f"indptr of row {row} is inconsistent ({start}, {end}; {n_indices} indices)")
            for k2 in range(start, end):
                feature = indices[k2]
                if feature < 0 or feature >= n_features:
                    raise ValueError(f"feature {feature} in row {row} is outside the {n_features} columns")
                if last_batch[feature] != b:
                    last_batch[feature] = b
                    count_view[feature] += 1
    return counts
