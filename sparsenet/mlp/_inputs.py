"""X into the layouts the engine reads: checked once, at the estimator's boundary."""
from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn.utils.validation import validate_data


def check_features(estimator, X, *, reset):
    """Validate X and convert it to what the engine reads.

    Dense input becomes a C-contiguous float32 array; every scipy.sparse format becomes CSR
    with float32 data, int32 column indices and int64 row pointers. NaN/inf, empty input,
    non-numeric values, a wrong feature count (when ``reset=False``) and malformed sparse
    structure raise a ``ValueError`` that names the problem.
    """
    if sparse.issparse(X):
        # before scipy converts X: its C conversions trust the structure they are given
        check_sparse_structure(X) if X.format == "csr" else check_other_sparse_structure(X)
    try:
        X = validate_data(
            estimator, X, accept_sparse="csr", dtype=np.float32, order="C", reset=reset,
            accept_large_sparse=True,
        )
    except OverflowError as error:
        # an object array holding a Python int beyond any float
        raise ValueError(f"X holds a value too large for dtype('float32') ({error})") from None
    except ValueError as error:
        if "could not convert" in str(error) or "string" in str(error).lower():
            raise ValueError(
                f"X must be numeric, but it holds strings ({error}). For raw text, vectorise "
                "it first (e.g. sklearn's HashingVectorizer) or use sparsenet.UDTClassifier."
            ) from error
        raise
    if sparse.issparse(X):
        X = csr_for_engine(X)
    return flush_denormals(X)


# values checked at once for denormals (bounds the temporaries on a large X)
CHECK_CHUNK = 1 << 20


def has_denormals(values):
    """Whether a float32 array holds a nonzero value smaller than the smallest normal one."""
    magnitude = np.abs(values)
    return bool(((magnitude < np.finfo(np.float32).tiny) & (magnitude > 0)).any())


def flush_denormals(X):
    """X with its denormal values (below float32's smallest normal, 1.2e-38, in magnitude)
    set to zero: arithmetic on them is up to a hundred times slower on x86, and they carry
    nothing a network can use. X itself is returned when it holds none (the common case)."""
    values = X.data if sparse.issparse(X) else X
    flat = values.reshape(-1)
    # in chunks, so that the check's temporaries stay small (one array for a single row)
    chunks = (flat,) if flat.size <= CHECK_CHUNK else np.array_split(flat, flat.size // CHECK_CHUNK)
    if not any(has_denormals(chunk) for chunk in chunks):
        return X
    values = np.where(np.abs(values) < np.finfo(np.float32).tiny, np.float32(0), values)
    if sparse.issparse(X):
        return csr_of(X.shape, values, X.indices, X.indptr)
    return values


class EngineRows(NamedTuple):
    """Rows a sparsenet featurizer built in the engine's layout (float32 CSR with int32
    indices and int64 row pointers, finite values): prediction takes them as they are,
    skipping the checks user input needs (the engine still checks the structure)."""

    matrix: sparse.csr_matrix


# Up to this many CSR rows, prediction validates X itself instead of through scikit-learn's
# general validate_data (a third of a millisecond): the same checks, for online serving.
FEW_ROWS = 16


def check_few_csr_rows(estimator, X):
    """The engine-ready form of a small CSR X at predict time, or None when X is not one
    (the caller then takes the general path). Checks what validate_data would: the feature
    count, a numeric dtype, finite values and a sound structure."""
    if not (sparse.issparse(X) and X.format == "csr" and 1 <= X.shape[0] <= FEW_ROWS):
        return None
    if X.dtype.kind not in "fiub" or hasattr(estimator, "feature_names_in_"):
        return None
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    check_sparse_structure(X)
    X = csr_for_engine(X)
    # after the cast: float64 values beyond float32's range become infinite there
    if not np.isfinite(X.data).all():
        raise ValueError("Input X contains NaN, infinity or a value too large for dtype('float32').")
    return flush_denormals(X)


def check_sparse_structure(X):
    """Reject a hand-built CSR whose indices or row pointers are out of range, before any
    other code reads them."""
    n_rows, n_features = X.shape
    indptr, indices = np.asarray(X.indptr), np.asarray(X.indices)
    if indptr.shape[0] != n_rows + 1 or indptr[0] != 0 or indptr[n_rows] > indices.shape[0]:
        raise ValueError(
            f"malformed sparse X: indptr has {indptr.shape[0]} entries from {indptr[:1]} to "
            f"{indptr[-1:]}, expected {n_rows + 1} entries from 0 to at most {indices.shape[0]}"
        )
    if np.any(np.diff(indptr) < 0):
        raise ValueError("malformed sparse X: indptr decreases")
    used = indices[: indptr[n_rows]]
    if used.size and (used.min() < 0 or used.max() >= n_features):
        bad = np.flatnonzero((used < 0) | (used >= n_features))[0]
        row = int(np.searchsorted(indptr, bad, side="right") - 1)
        raise ValueError(
            f"malformed sparse X: row {row} has column index {used[bad]}, outside "
            f"[0, {n_features}) for a matrix with {n_features} columns"
        )


def check_other_sparse_structure(X):
    """Reject a CSC, BSR or COO matrix whose stored structure points outside its shape
    (scipy's own full check for the compressed formats, the bounds of COO's coordinates)."""
    if X.format in ("csc", "bsr"):
        try:
            X.check_format(full_check=True)
        except (ValueError, IndexError, TypeError) as error:
            raise ValueError(f"malformed sparse X ({X.format}): {error}") from None
    elif X.format == "coo":
        row, col = np.asarray(X.row), np.asarray(X.col)
        n_rows, n_features = X.shape
        if not (row.shape == col.shape == np.shape(X.data)) or row.ndim != 1:
            raise ValueError(f"malformed sparse X (coo): {row.size} row and {col.size} column indices "
                             f"for {np.size(X.data)} values")
        if row.size and (row.min() < 0 or row.max() >= n_rows or col.min() < 0 or col.max() >= n_features):
            raise ValueError(f"malformed sparse X (coo): an index lies outside the shape {X.shape}")


def csr_for_engine(X):
    """CSR with float32 data, int32 indices and int64 indptr, all contiguous (copies only
    what needs converting). The structure is not checked here: the callers check user input
    once, and the engine checks again before any kernel reads it."""
    X = sparse.csr_matrix(X) if not isinstance(X, sparse.csr_matrix) else X
    if X.shape[1] > np.iinfo(np.int32).max:
        raise ValueError(f"at most {np.iinfo(np.int32).max} features are supported, got {X.shape[1]}")
    return csr_of(X.shape, X.data, X.indices, X.indptr)


def csr_of(shape, data, indices, indptr):
    """A CSR matrix of exactly the engine's dtypes (scipy's constructors may narrow indptr)."""
    with np.errstate(over="ignore"):  # values beyond float32 become inf, refused by the callers
        data = np.ascontiguousarray(data, dtype=np.float32)
    return assembled_csr(shape, data, np.ascontiguousarray(indices, dtype=np.int32),
                         np.ascontiguousarray(indptr, dtype=np.int64))


def _assemble_unchecked(shape, data, indices, indptr):
    # the state scipy's constructor leaves in a csr_matrix, set directly
    matrix = object.__new__(sparse.csr_matrix)
    matrix.__dict__.update(_shape=(int(shape[0]), int(shape[1])), maxprint=_MAXPRINT, data=data, indices=indices,
                           indptr=indptr)
    return matrix


def _assemble_checked(shape, data, indices, indptr):
    matrix = sparse.csr_matrix(shape, dtype=data.dtype)
    matrix.data, matrix.indices, matrix.indptr = data, indices, indptr
    return matrix


def _unchecked_assembly_works():
    """Whether this scipy keeps a CSR matrix's state exactly where _assemble_unchecked puts it."""
    try:
        if set(sparse.csr_matrix((1, 1), dtype=np.float32).__dict__) != {"_shape", "maxprint", "data", "indices",
                                                                          "indptr"}:
            return False
        data, indices, indptr = np.array([2.0, 3.0], np.float32), np.array([1, 0], np.int32), np.array([0, 1, 2])
        fast = _assemble_unchecked((2, 3), data, indices, indptr)
        fast.check_format(full_check=True)
        return fast.shape == (2, 3) and np.array_equal(fast.toarray(), [[0, 2, 0], [3, 0, 0]]) \
            and (fast @ np.ones(3, np.float32)).tolist() == [2.0, 3.0]
    except Exception:
        return False


_MAXPRINT = getattr(sparse.csr_matrix((1, 1)), "maxprint", 50)
# scipy's constructor checks and converts for 15-20 us, as much as a single-row prediction
# should cost in all: rows whose structure is known sound are assembled directly
_ASSEMBLE = _assemble_unchecked if _unchecked_assembly_works() else _assemble_checked


def assembled_csr(shape, data, indices, indptr):
    """A csr_matrix over the given arrays as they are (no copy, no conversion, no check): for
    structures sound by construction or checked by the caller (the engine checks again
    before any kernel reads them)."""
    return _ASSEMBLE(shape, data, indices, indptr)


def take_rows(X, rows):
    """Rows of an engine-ready X, still engine-ready (scipy may narrow index dtypes)."""
    subset = X[rows]
    return csr_for_engine(subset) if sparse.issparse(subset) else np.ascontiguousarray(subset)
