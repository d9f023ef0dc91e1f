"""Ranking metrics, checked against values worked out by hand."""
import math

import numpy as np
import pytest
from scipy import sparse

from sparsenet.metrics import (
    label_propensities,
    ndcg_at_k,
    precision_at_k,
    psp_at_k,
    recall_at_k,
    top_k_labels,
)

METRICS = (precision_at_k, recall_at_k, ndcg_at_k, psp_at_k)
Y = np.array([[1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]])
TOP = np.array([[2, 1, 0], [0, 1, 3], [3, 2, 1]])


@pytest.mark.parametrize("as_sparse", [False, True])
def test_precision_recall_ndcg_by_hand(as_sparse):
    y_true = sparse.csr_matrix(Y) if as_sparse else Y
    # row 0: hit, miss, hit; row 1: miss, hit, miss; row 2: no labels
    assert precision_at_k(y_true, TOP, k=1) == pytest.approx((1 + 0 + 0) / 3)
    assert precision_at_k(y_true, TOP, k=3) == pytest.approx((2 / 3 + 1 / 3 + 0) / 3)
    assert recall_at_k(y_true, TOP, k=1) == pytest.approx((1 / 2 + 0) / 2)
    assert recall_at_k(y_true, TOP, k=3) == pytest.approx((2 / 2 + 1 / 1) / 2)
    row0 = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    row1 = (1 / math.log2(3)) / 1.0
    assert ndcg_at_k(y_true, TOP, k=3) == pytest.approx((row0 + row1 + 0) / 3)


def test_scores_and_top_k_give_the_same_answer():
    scores = np.array([[0.1, 0.5, 0.9, 0.0], [0.8, 0.7, 0.0, 0.1], [0.0, 0.2, 0.3, 0.4]])
    np.testing.assert_array_equal(top_k_labels(scores, 3), TOP)
    np.testing.assert_array_equal(top_k_labels(sparse.csr_matrix(scores), 3), TOP)
    for metric in (precision_at_k, recall_at_k, ndcg_at_k, psp_at_k):
        assert metric(Y, scores, k=2) == pytest.approx(metric(Y, TOP, k=2))
        assert metric(Y, sparse.csr_matrix(scores), k=2) == pytest.approx(metric(Y, TOP, k=2))


def test_psp_weighs_rare_labels_and_is_one_for_an_oracle():
    propensities = np.array([0.5, 0.25, 0.1, 1.0])
    # row 0's oracle ranks label 2 (1/0.1 = 10) before label 0 (2); row 1's: label 1 (4)
    assert psp_at_k(Y, np.array([[2], [1], [0]]), k=1, propensities=propensities) == pytest.approx(1.0)
    assert psp_at_k(Y, np.array([[0], [1], [0]]), k=1, propensities=propensities) == pytest.approx((2 + 4) / (10 + 4))


def test_label_propensities_formula():
    Y_train = sparse.csr_matrix(np.array([[1, 0], [1, 0], [1, 1], [1, 0]]))
    A, B = 0.55, 1.5
    c = (math.log(4) - 1) * (B + 1) ** A
    expected = [1 / (1 + c * math.exp(-A * math.log(n + B))) for n in (4, 1)]
    np.testing.assert_allclose(label_propensities(Y_train), expected)


def test_bad_arguments():
    with pytest.raises(ValueError, match="k must be"):
        precision_at_k(Y, TOP, k=0)
    with pytest.raises(ValueError, match="fewer than k"):
        precision_at_k(Y, TOP, k=4)
    with pytest.raises(ValueError, match="rows"):
        precision_at_k(Y, TOP[:2], k=1)
    with pytest.raises(ValueError, match="shape"):
        precision_at_k(Y, np.zeros((3, 5)), k=1)
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        precision_at_k(Y, TOP + 2, k=1)


# a multi-label predict's 0/1 indicator: row 0 predicts label 2 (true), row 1 label 1 (true),
# row 2 label 0 (no true label); read as label indices its first column would be 0, 0, 1
PREDICTED = np.array([[0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0]])


@pytest.mark.parametrize("as_type", [np.int64, bool, np.float64, sparse.csr_matrix])
def test_indicator_predictions_are_predicted_labels_not_indices(as_type):
    y_pred = as_type(PREDICTED) if as_type is sparse.csr_matrix else PREDICTED.astype(as_type)
    assert precision_at_k(Y, y_pred, k=1) == pytest.approx(2 / 3)
    for metric in METRICS:
        assert metric(Y, y_pred, k=1) == pytest.approx(metric(Y, np.array([[2], [1], [0]]), k=1))


def test_indicator_zeros_are_never_predictions():
    # rows predict nothing, then label 1 only: label 0 (true) must not come in as a tie
    y_true = np.array([[1, 0, 0], [1, 1, 0]])
    y_pred = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    assert precision_at_k(y_true, y_pred, k=2) == pytest.approx((0 + 1 / 2) / 2)
    # a zero stored in a sparse indicator is not a prediction either
    stored_zero = sparse.csr_matrix((np.array([0, 1]), np.array([0, 1]), np.array([0, 1, 2])), shape=(2, 3))
    assert precision_at_k(y_true, stored_zero, k=1) == pytest.approx((0 + 1) / 2)
    assert precision_at_k(y_true, stored_zero.astype(bool), k=1) == pytest.approx((0 + 1) / 2)


def test_integer_zero_one_predictions_with_two_labels_are_ambiguous():
    y_true = np.array([[1, 0], [0, 1]])
    # indices [[1], [0]] or the indicator of labels 0 and 1: no rule can tell
    with pytest.raises(ValueError, match=r"astype\(bool\)"):
        precision_at_k(y_true, np.array([[1, 0], [0, 1]]), k=1)
    with pytest.raises(ValueError, match="label indices or an indicator"):
        precision_at_k(y_true[:, :1], np.array([[0], [0]]), k=1)
    assert precision_at_k(y_true, np.array([[1, 0], [0, 1]], dtype=bool), k=1) == 1.0
    assert precision_at_k(y_true, np.array([[1], [0]]), k=1) == 0.0
    assert precision_at_k(y_true, np.array([[1, 0], [0, 1]]).astype(float), k=1) == 1.0


@pytest.mark.parametrize("bad, found", [(Y * 2 - 1, r"\[-1\]"), (Y * 2, r"\[2\]"), (np.where(Y, np.nan, 0), "nan")])
def test_y_true_must_be_a_zero_one_indicator(bad, found):
    for y_true in (bad, sparse.csr_matrix(bad)):
        for metric in METRICS:
            with pytest.raises(ValueError, match=f"0/1.*{found}"):
                metric(y_true, TOP, k=1)
        with pytest.raises(ValueError, match=f"0/1.*{found}"):
            label_propensities(y_true)
    assert precision_at_k(Y.astype(bool), TOP, k=1) == precision_at_k(Y, TOP, k=1)


def test_explicit_zeros_in_y_true_are_not_labels():
    # row 0 stores label 0 as 1 and label 1 as an explicit 0
    y_true = sparse.csr_matrix((np.array([1, 0]), np.array([0, 1]), np.array([0, 2])), shape=(1, 3))
    assert recall_at_k(y_true, np.array([[0]]), k=1) == 1.0
    assert ndcg_at_k(y_true, np.array([[0, 1]]), k=2) == 1.0
    assert y_true.nnz == 2  # the caller's matrix is left as it was


def test_empty_inputs_raise():
    for metric in METRICS:
        with pytest.raises(ValueError, match="y_true has no rows"):
            metric(np.zeros((0, 4)), np.zeros((0, 1), dtype=int), k=1)
        with pytest.raises(ValueError, match="y_true has no rows"):
            metric(sparse.csr_matrix((0, 4)), sparse.csr_matrix((0, 4)), k=1)
        with pytest.raises(ValueError, match="no labels"):
            metric(np.zeros((3, 0)), np.zeros((3, 0)), k=1)
    with pytest.raises(ValueError, match="y_train has no rows"):
        label_propensities(np.zeros((0, 4)))


@pytest.mark.parametrize("bad", [0.0, -0.5, np.nan, np.inf])
def test_psp_refuses_propensities_that_are_not_positive_and_finite(bad):
    with pytest.raises(ValueError, match=f"label 1 has {bad}"):
        psp_at_k(Y, TOP, k=1, propensities=[0.5, bad, 0.1, 1.0])


def test_label_propensities_are_always_positive_and_finite():
    # with fewer than 3 rows the formula's C is not positive: every label gets 1
    np.testing.assert_array_equal(label_propensities(Y[:1]), np.ones(4))
    np.testing.assert_array_equal(label_propensities(Y[:2]), np.ones(4))
    p = label_propensities(Y, A=0.5, B=0.4)
    assert np.all((p > 0) & (p <= 1))
    assert np.isfinite(psp_at_k(Y[:2], TOP[:2], k=2))
    with pytest.raises(ValueError, match="B must be"):
        label_propensities(Y, B=0)  # a label never seen would get a propensity of 0
    with pytest.raises(ValueError, match="A must be"):
        label_propensities(Y, A=-1)
    with pytest.raises(ValueError, match="propensities must be positive"):
        label_propensities(Y, A=1e4)  # overflows


@pytest.mark.parametrize("k, error", [(0, ValueError), (-1, ValueError), (True, TypeError), (1.0, TypeError), ("2", TypeError)])
def test_k_must_be_a_positive_integer(k, error):
    with pytest.raises(error, match="k must be a positive integer"):
        top_k_labels(Y, k)
    for metric in METRICS:
        with pytest.raises(error, match="k must be a positive integer"):
            metric(Y, TOP, k=k)
    assert precision_at_k(Y, TOP, k=np.int64(1)) == precision_at_k(Y, TOP, k=1)


def test_k_beyond_the_labels():
    with pytest.raises(ValueError, match="k=5 is more than the 4 labels"):
        precision_at_k(Y, np.zeros((3, 4)), k=5)
    # top_k_labels keeps its (n_samples, k) shape, padding with -1 as for sparse rows
    np.testing.assert_array_equal(top_k_labels(np.array([[0.2, 0.9]]), 3), [[1, 0, -1]])


def test_top_k_labels_of_boolean_and_unsummed_sparse_scores():
    np.testing.assert_array_equal(top_k_labels(sparse.csr_matrix(np.eye(2, dtype=bool)), 2), [[0, -1], [1, -1]])
    # label 1 stored twice (0.5 + 0.1) is one label, ranked after label 2
    twice = sparse.csr_matrix((np.array([0.5, 0.1, 0.7]), np.array([1, 1, 2]), np.array([0, 3])), shape=(1, 3))
    np.testing.assert_array_equal(top_k_labels(twice, 3), [[2, 1, -1]])


def test_inconsistent_predictions_raise():
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(2, 3\)"):
        precision_at_k(Y, TOP[:2], k=1)
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(4, 4\)"):
        precision_at_k(Y, sparse.csr_matrix(np.ones((4, 4))), k=1)
    with pytest.raises(ValueError, match="lists label 1 twice"):
        recall_at_k(Y, np.array([[0, 1, 1], [1, 0, 3], [2, 3, 1]]), k=3)
    for scores in (np.full((3, 4), np.nan), sparse.csr_matrix(np.where(Y, np.nan, 0.0))):
        with pytest.raises(ValueError, match="NaN"):
            precision_at_k(Y, scores, k=1)
    with pytest.raises(ValueError, match="NaN"):
        top_k_labels(np.array([[0.1, np.nan]]), 1)
    with pytest.raises(ValueError, match="2-D"):
        precision_at_k(Y[0], TOP[:1], k=1)  # a 1-D y_true is not one row
    with pytest.raises(ValueError, match="2-D"):
        precision_at_k(Y, TOP[:, 0], k=1)
    with pytest.raises(ValueError, match="must hold numbers"):
        precision_at_k(Y, TOP.astype(str), k=1)


def test_one_row_one_label_and_rows_without_predictions():
    """scipy's fancy indexing misread these index arrays (a NumPy truth-value error)."""
    assert precision_at_k(np.array([[0]]), np.array([[0.0]]), k=1) == 0.0
    assert precision_at_k(np.array([[1]]), np.array([[0.5]]), k=1) == 1.0
    assert precision_at_k(np.array([[1, 0], [0, 1]]), np.array([[-1], [1]]), k=1) == 0.5
