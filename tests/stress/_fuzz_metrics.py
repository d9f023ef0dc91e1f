"""Fuzzing sparsenet.metrics: indicator matrices dense, boolean and sparse (duplicates,
explicit zeros, rows and labels without any 1), predictions as scores (ties, infinities,
sparse rows) or as ranked label indices, and inputs that must be refused.

Properties: every metric is a finite number in [0, 1]; it does not depend on the form of
y_true (dense, boolean, CSR, CSC, COO, duplicates summed, explicit zeros) nor on whether
scores or their top-k label indices are passed; a perfect ranking scores what the
definitions say; k that is not a positive integer (True included), a y_true that is not 0/1,
NaN scores and mismatched shapes are refused with a clear ValueError/TypeError.
"""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from sparsenet.metrics import ndcg_at_k, precision_at_k, psp_at_k, recall_at_k, top_k_labels

from _common import attempt, counted, stress_settings

METRICS = {"precision": precision_at_k, "recall": recall_at_k, "ndcg": ndcg_at_k, "psp": psp_at_k}


@st.composite
def indicators(draw):
    """A 0/1 indicator matrix (n_rows x n_labels, int), some rows and labels empty (its
    cells come from a drawn seed: drawing each would cost more than the example)."""
    n_rows, n_labels = draw(st.integers(1, 12)), draw(st.integers(1, 9))
    density = draw(st.sampled_from([0.0, 0.1, 0.4, 1.0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return (rng.random((n_rows, n_labels)) < density).astype(int)


def forms_of(Y):
    """The same indicator in the forms y_true may take."""
    coo = sparse.coo_matrix(Y)
    # the same ones, each stored as two entries 1 and 0 of one cell, plus explicit zeros
    doubled = sparse.coo_matrix((np.concatenate([coo.data, np.zeros(coo.nnz), np.zeros(1)]),
                                 (np.concatenate([coo.row, coo.row, [0]]), np.concatenate([coo.col, coo.col, [0]]))),
                                shape=Y.shape)
    return {"dense": Y, "bool": Y.astype(bool), "csr": sparse.csr_matrix(Y), "csc": sparse.csc_matrix(Y),
            "coo": coo, "duplicates": doubled.tocsr(), "csr_array": sparse.csr_array(Y)}


@st.composite
def scores_for(draw, Y):
    """A float score matrix for Y: a few drawn values (so ties), infinities, or a sparse
    matrix, placed by a drawn seed."""
    values = st.one_of(st.floats(-5, 5), st.sampled_from([0.0, 1.0, np.inf, -np.inf, 1e308, -1e-320]))
    pool = np.array(draw(st.lists(values, min_size=1, max_size=8)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scores = pool[rng.integers(0, len(pool), size=Y.shape)]
    return sparse.csr_matrix(scores) if draw(st.booleans()) else scores


@stress_settings(500)
@given(data=st.data(), Y=indicators())
@counted
def fuzz_metric_values(data, Y):
    k = data.draw(st.integers(1, Y.shape[1]), label="k")
    scores = data.draw(scores_for(Y), label="scores")
    ranked = top_k_labels(scores, k)
    # scores of only 0s and 1s are read as an indicator of predicted labels (documented):
    # its 0s are never predictions, so it ranks differently from its top-k labels
    values = scores.data if sparse.issparse(scores) else scores
    indicator_like = bool(np.isin(values, (0.0, 1.0)).all())
    assert ranked.shape == (Y.shape[0], k) and ((ranked >= -1) & (ranked < Y.shape[1])).all()
    for name, metric in METRICS.items():
        results = {form: metric(y_true, scores, k) for form, y_true in forms_of(Y).items()}
        first = results["dense"]
        assert np.isfinite(first) and 0.0 <= first <= 1.0 + 1e-12, f"{name}@{k} = {first}"
        same = all(np.isclose(value, first) for value in results.values())
        assert same, f"{name}@{k} depends on y_true's form: {results}"
        if not indicator_like and (k < Y.shape[1] or Y.shape[1] > 2):
            # (k = n_labels <= 2 columns of 0/1 indices could be an indicator: refused, as documented)
            assert np.isclose(metric(Y, ranked, k), first), f"{name}@{k} differs between scores and their top-k labels"


@stress_settings(1000)
@given(data=st.data(), Y=indicators())
@counted
def fuzz_perfect_ranking(data, Y):
    """Scores that put every true label above every other: the definitions' best values."""
    k = data.draw(st.integers(1, Y.shape[1]), label="k")
    noise = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed")).uniform(0, 0.49, Y.shape)
    scores = Y + noise
    n_true = Y.sum(axis=1)
    labelled = n_true > 0
    assert np.isclose(precision_at_k(Y, scores, k), np.mean(np.minimum(n_true, k)) / k)
    expected_recall = np.mean(np.minimum(n_true, k)[labelled] / n_true[labelled]) if labelled.any() else 0.0
    assert np.isclose(recall_at_k(Y, scores, k), expected_recall)
    assert np.isclose(ndcg_at_k(Y, scores, k), labelled.mean()), "a perfect ranking's nDCG is not 1 on labelled rows"
    if labelled.any() and k >= n_true.max():
        # every true label in the top k: as good as the oracle (which orders them by propensity)
        assert np.isclose(psp_at_k(Y, scores, k), 1.0)


BAD_K = [0, -1, True, False, 1.5, "2", None]


@stress_settings(1000)
@given(data=st.data(), Y=indicators(), metric=st.sampled_from(sorted(METRICS)),
       flaw=st.sampled_from(["k", "k_too_large", "y_values", "nan_scores", "rows", "columns"]))
@counted
def fuzz_metric_refusals(data, Y, metric, flaw):
    k = min(2, Y.shape[1])
    scores = np.linspace(0, 1, Y.size).reshape(Y.shape)
    y_true = Y
    if flaw == "k":
        k = data.draw(st.sampled_from(BAD_K), label="bad k")
    elif flaw == "k_too_large":
        k = Y.shape[1] + data.draw(st.integers(1, 5))
    elif flaw == "y_values":
        y_true = Y.copy()
        y_true[data.draw(st.integers(0, Y.shape[0] - 1)), 0] = data.draw(st.sampled_from([-1, 2, 7]))
    elif flaw == "nan_scores":
        scores[data.draw(st.integers(0, Y.shape[0] - 1)), 0] = np.nan
    elif flaw == "rows":
        scores = np.vstack([scores, scores[:1]])
    else:
        scores = np.hstack([scores, scores[:, :1]])
    _, error = attempt(METRICS[metric], y_true, scores, k)
    assert error is not None, f"{metric}_at_k accepted {flaw}"
