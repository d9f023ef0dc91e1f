"""Fuzzing X at prediction (and training) time: dense arrays of every dtype and container,
extreme values, every scipy.sparse format with duplicates, unsorted indices and explicit
zeros, and hand-built malformed sparse structures, which must be refused, never read.

Properties: NaN/inf (and values beyond float32) and wrong shapes are refused with a clear
ValueError by every method alike; ordinary values are answered, as check_answers says;
extreme finite values are answered or refused, never answered with NaN; a sparse X answers
as its dense equivalent does.
"""
from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from _common import attempt, counted, refusal_or_answers, refused_clearly, stress_settings
from _models import MODELS, N_FEATURES, tiny

FLOAT_DTYPES = ["float16", "float32", "float64"]
INT_DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
DTYPES = FLOAT_DTYPES + INT_DTYPES + ["bool", "object"]
# values the network must take: zero of both signs, denormals of float32, moderate numbers
ORDINARY = st.one_of(st.floats(-1e3, 1e3, width=32),
                     st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e-40, -1e-40, 1e-45, 1e-30, 1e-7]))
# finite but extreme: may be refused, may not come back as NaN
EXTREME = st.sampled_from([1e16, -1e18, 1e30, -1e30, 3e38, -3.4e38, 65504.0, 1e300, -1e300, 1.7e308])
NONFINITE = st.sampled_from([np.nan, np.inf, -np.inf])
# |x| above this (after the cast to float32) counts as extreme
EXTREME_FROM = 1e15
# object cells that are plainly numbers, and ones that are not or not quite
OBJECT_NUMBERS = st.one_of(st.integers(-1000, 1000), ORDINARY, st.booleans(),
                           st.builds(Fraction, st.integers(-9, 9), st.integers(1, 9)),
                           ORDINARY.map(np.float32), st.integers(-9, 9).map(np.int64))
OBJECT_HAZARDS = st.sampled_from([None, "abc", "", "1.5", " 2 ", float("nan"), 10**400, -(10**400), 1j, "inf"])
FORMATS = ["csr", "csc", "coo", "lil", "dok", "bsr", "dia", "csr_array", "coo_array"]
MODEL_NAMES = sorted(MODELS)


@st.composite
def cell_values(draw, dtype, n_cells):
    """A flat list of n_cells values for an array of ``dtype``, and its regime:
    "ordinary", "extreme" (some cells finite but huge) or "hazard" (NaN/inf, odd objects).
    Up to 12 values are drawn and repeated over the cells (drawing each of hundreds of
    cells would cost more than the example itself)."""
    if dtype == "bool":
        base = st.booleans()
    elif dtype in INT_DTYPES:
        info = np.iinfo(dtype)
        small = st.integers(max(info.min, -1000), min(info.max, 1000))
        base = st.one_of(small, small, st.sampled_from([info.min, info.max]))
    else:
        base = OBJECT_NUMBERS if dtype == "object" else ORDINARY
    pool = draw(st.lists(base, min_size=1, max_size=12))
    values = [pool[i % len(pool)] for i in range(n_cells)]
    regime = "ordinary" if dtype == "bool" or dtype in INT_DTYPES else \
        draw(st.sampled_from(["ordinary", "ordinary", "extreme", "hazard"]))
    if regime != "ordinary" and n_cells:
        special = OBJECT_HAZARDS if (dtype == "object" and regime == "hazard") else \
            (NONFINITE if regime == "hazard" else EXTREME)
        for _ in range(draw(st.integers(1, 3))):
            values[draw(st.integers(0, n_cells - 1))] = draw(special)
    return values, regime


def as_float32(values):
    """What the engine would read, where a value can be read as a number; None otherwise."""
    try:
        with np.errstate(all="ignore"):
            return np.array([float(v) for v in values], dtype=np.float64).astype(np.float32)
    except (ValueError, TypeError, OverflowError):
        return None


@st.composite
def dense_inputs(draw):
    """(X, n_rows, expectation): a dense X in some container, and "answer" (must be
    answered), "refuse" (must be refused) or "either" (answered validly or refused)."""
    dtype = draw(st.sampled_from(DTYPES))
    n_rows = draw(st.sampled_from([1, 2, 3, 7, 15, 16, 17, 20]))
    shape_kind = draw(st.sampled_from(["right"] * 6 + ["columns", "1d", "3d", "empty"]))
    n_cols = N_FEATURES if shape_kind != "columns" else draw(st.sampled_from([0, 1, 4, 6, 50]))
    values, regime = draw(cell_values(dtype, n_rows * n_cols))
    with np.errstate(all="ignore"):
        X = np.array(values, dtype=dtype).reshape(n_rows, n_cols)
    cast = as_float32(values) if dtype == "object" else X.astype(np.float32).ravel()
    if shape_kind != "right" or (cast is not None and not np.isfinite(cast).all()):
        expectation = "refuse"
    elif regime != "ordinary" or cast is None or (np.abs(cast) > EXTREME_FROM).any():
        expectation = "either"
    else:
        expectation = "answer"
    if shape_kind == "1d":
        X = X[0]
    elif shape_kind == "3d":
        X = X[:, :, None]
    elif shape_kind == "empty":
        X = X[:0]
    container = draw(st.sampled_from(["array", "fortran", "strided", "readonly", "list", "frame"]))
    if container == "fortran":
        X = np.asfortranarray(X)
    elif container == "strided" and X.ndim == 2:
        wide = np.repeat(X, 2, axis=1)  # every other column of a wider array: not contiguous
        X = wide[:, ::2]
    elif container == "readonly":
        X = X.copy()
        X.setflags(write=False)
    elif container == "list":
        X = X.tolist()
    elif container == "frame" and X.ndim == 2:
        X = pd.DataFrame(X, columns=draw(st.sampled_from([None, [f"f{j}" for j in range(X.shape[1])]])))
    return X, n_rows, expectation


def check_expectation(expectation, error, X):
    """Whether the outcome (error None: answered) is the one the input calls for."""
    if expectation == "answer":
        assert error is None, f"an acceptable X was refused: {error!r}"
    elif expectation == "refuse":
        assert error is not None, f"X should have been refused: {X!r}"
        refused_clearly(error)


@stress_settings(2000)
@given(case=dense_inputs(), name=st.sampled_from(MODEL_NAMES), k=st.integers(1, 5))
@counted
def fuzz_dense_X(case, name, k):
    X, n_rows, expectation = case
    fitted = MODELS[name]
    error = refusal_or_answers(fitted.model, X, n_rows, multilabel=fitted.multilabel,
                               sparse_targets=fitted.sparse_targets, k=k)
    check_expectation(expectation, error, X)


@st.composite
def sparse_inputs(draw):
    """(X in some scipy.sparse format, its dense float64 equivalent, expectation)."""
    n_rows = draw(st.sampled_from([1, 2, 5, 16, 17, 30]))
    n_cells = n_rows * N_FEATURES
    values, regime = draw(cell_values("float64", n_cells))
    # which cells are stored: every cell, none, or a drawn share of them (in a drawn pattern)
    density = draw(st.sampled_from([0.0, 0.2, 0.5, 1.0]))
    stride = draw(st.integers(1, 7))
    stored = (np.arange(n_cells) * stride) % 10 < density * 10
    dense = np.where(stored, np.array(values, dtype=np.float64), 0.0).reshape(n_rows, N_FEATURES)
    # (scipy.sparse itself refuses float16)
    dtype = draw(st.sampled_from(["float64", "float32", "int32", "int8", "uint64", "bool"]))
    with np.errstate(all="ignore"):
        typed = dense.astype(dtype)
    csr = sparse.csr_matrix(typed)
    layout = draw(st.sampled_from(["plain", "duplicates", "unsorted", "explicit_zeros", "int64_index"]))
    if layout != "plain" and csr.nnz:
        data, indices, indptr = csr.data.copy(), csr.indices.copy(), csr.indptr.copy()
        if layout == "duplicates":
            # every stored value split into two entries of the same cell (halves for floats)
            with np.errstate(all="ignore"):
                half = data / 2 if data.dtype.kind == "f" else data
                keep = data - half if data.dtype.kind == "f" else np.zeros_like(data)
            data = np.stack([half, keep], axis=1).ravel()
            indices, indptr = np.repeat(indices, 2), indptr * 2
        elif layout == "unsorted":
            order = np.concatenate([np.arange(a, b)[::-1] for a, b in zip(indptr[:-1], indptr[1:])])
            data, indices = data[order], indices[order]
        elif layout == "explicit_zeros":
            data = data.copy()
            data[:: 2] = 0
        else:
            indices, indptr = indices.astype(np.int64), indptr.astype(np.int64)
        csr = sparse.csr_matrix((data, indices, indptr), shape=csr.shape)
    expected = csr.toarray().astype(np.float64)
    cast = expected.astype(np.float32)
    form = draw(st.sampled_from(FORMATS))
    X = csr if form == "csr" else \
        sparse.coo_array(csr) if form == "coo_array" else \
        sparse.csr_array(csr) if form == "csr_array" else \
        csr.asformat(form, copy=True)
    if not np.isfinite(cast).all():
        expectation = "refuse"
    elif regime != "ordinary" or (np.abs(cast) > EXTREME_FROM).any():
        expectation = "either"
    else:
        expectation = "answer"
    return X, cast, expectation


@stress_settings(1200)
@given(case=sparse_inputs(), name=st.sampled_from(MODEL_NAMES), k=st.integers(1, 5))
@counted
def fuzz_sparse_X(case, name, k):
    X, dense, expectation = case
    fitted = MODELS[name]
    expected = fitted.model.predict_proba(dense) if expectation == "answer" else None
    error = refusal_or_answers(fitted.model, X, X.shape[0], multilabel=fitted.multilabel,
                               sparse_targets=fitted.sparse_targets, k=k, expected_proba=expected)
    check_expectation(expectation, error, X)


CSR_CORRUPTIONS = ["index_high", "index_negative", "indptr_decreasing", "indptr_short", "indptr_long",
                   "indptr_start", "indptr_end", "data_short", "data_long", "indices_short"]


@st.composite
def malformed_csr(draw):
    """A csr_matrix whose arrays were set by hand to a structure scipy would refuse to
    build (scipy only checks at construction): (X, corruption)."""
    n_rows = draw(st.integers(1, 20))
    nnz_per_row = draw(st.lists(st.integers(0, N_FEATURES), min_size=n_rows, max_size=n_rows))
    nnz_per_row[0] = max(1, nnz_per_row[0])  # at least one stored entry to corrupt
    indptr = np.concatenate([[0], np.cumsum(nnz_per_row)])
    nnz = int(indptr[-1])
    indices = np.concatenate([np.arange(n) for n in nnz_per_row])
    data = np.ones(nnz)
    wide = draw(st.booleans())
    index_type = np.int64 if wide else np.int32
    indices, indptr = indices.astype(index_type), indptr.astype(index_type)
    limit = np.iinfo(index_type).max
    kind = draw(st.sampled_from(CSR_CORRUPTIONS))
    where = draw(st.integers(0, nnz - 1))
    if kind == "index_high":
        indices[where] = draw(st.one_of(st.integers(N_FEATURES, N_FEATURES + 3), st.integers(N_FEATURES, limit)))
    elif kind == "index_negative":
        indices[where] = -draw(st.one_of(st.integers(1, 3), st.integers(1, limit)))
    elif kind == "indptr_decreasing":
        row = draw(st.integers(1, n_rows))
        indptr[row] = indptr[row - 1] - draw(st.integers(1, 5))
    elif kind == "indptr_short":
        indptr = indptr[: draw(st.integers(0, n_rows))]
    elif kind == "indptr_long":
        indptr = np.concatenate([indptr, np.full(draw(st.integers(1, 3)), nnz, dtype=index_type)])
    elif kind == "indptr_start":
        indptr[0] = draw(st.sampled_from([-1, 1, nnz, -(2**31) + 1]))
    elif kind == "indptr_end":
        indptr[-1] = nnz + draw(st.one_of(st.integers(1, 3), st.integers(1, 2**30)))
    elif kind == "data_short":
        data = data[: draw(st.integers(0, nnz - 1))]
    elif kind == "data_long":
        data = np.ones(nnz + draw(st.integers(1, 3)))
    else:
        indices = indices[: draw(st.integers(0, nnz - 1))]
    X = sparse.csr_matrix((n_rows, N_FEATURES), dtype=np.float64)
    X.data, X.indices, X.indptr = data, indices, indptr
    return X, kind


@stress_settings(2500)
@given(case=malformed_csr(), name=st.sampled_from(MODEL_NAMES),
       method=st.sampled_from(["predict_proba", "predict", "decision_function", "predict_log_proba",
                               "predict_topk", "fit", "partial_fit"]))
@counted
def fuzz_malformed_csr(case, name, method):
    X, kind = case
    if method in ("fit", "partial_fit"):
        model = tiny()
        y = np.arange(X.shape[0]) % 2
        call = (lambda: model.fit(X, y)) if method == "fit" else (lambda: model.partial_fit(X, y, classes=[0, 1]))
    else:
        call = (lambda: MODELS[name].model.predict_topk(X, 1)) if method == "predict_topk" else \
            (lambda: getattr(MODELS[name].model, method)(X))
    _, error = attempt(call)
    assert error is not None, f"malformed CSR ({kind}) was accepted by {method}"


@st.composite
def malformed_other(draw):
    """A CSC, COO or BSR matrix with an index outside its shape (or COO index arrays of the
    wrong length), set by hand after construction: (X, form)."""
    n_rows = draw(st.integers(1, 20))
    form = draw(st.sampled_from(["csc", "coo_row", "coo_col", "coo_length", "bsr"]))
    ones = np.ones((n_rows, N_FEATURES))
    X = sparse.csc_matrix(ones) if form == "csc" else \
        sparse.bsr_matrix(ones, blocksize=(1, 1)) if form == "bsr" else sparse.coo_matrix(ones)
    # the index arrays, and the size of the dimension they index
    field, size = {"csc": ("indices", n_rows), "bsr": ("indices", N_FEATURES),
                   "coo_row": ("row", n_rows), "coo_length": ("row", n_rows)}.get(form, ("col", N_FEATURES))
    values = getattr(X, field).copy()
    if form == "coo_length":
        values = values[: draw(st.integers(0, len(values) - 1))]
    else:
        beyond = draw(st.one_of(st.integers(0, 3), st.integers(0, 2**31 - 1 - size)))
        values[draw(st.integers(0, len(values) - 1))] = size + beyond if draw(st.booleans()) else -1 - beyond
    setattr(X, field, values)
    return X, form


@stress_settings(400)
@given(case=malformed_other(), name=st.sampled_from(MODEL_NAMES),
       method=st.sampled_from(["predict_proba", "predict", "fit"]))
@counted
def fuzz_malformed_other_formats(case, name, method):
    X, form = case
    if method == "fit":
        _, error = attempt(tiny().fit, X, np.arange(X.shape[0]) % 2)
    else:
        _, error = attempt(getattr(MODELS[name].model, method), X)
    assert error is not None, f"a {form} matrix with an index outside its shape was accepted by {method}"
