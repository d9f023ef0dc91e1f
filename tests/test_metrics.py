"""Ranking metrics, checked against values worked out by hand."""
import math

import numpy as np
import pytest
from scipy import sparse

from sparsenet.metrics import label_propensities, ndcg_at_k, precision_at_k, psp_at_k, recall_at_k, top_k_labels

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
