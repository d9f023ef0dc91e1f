"""The row tallies of data-parallel training: touch-weighted row sums and per-feature batch
counts, against plain NumPy, and their refusal of indices outside the arrays."""
import numpy as np
import pytest
from scipy import sparse

from sparsenet.native._row_tallies import accumulate_weighted_rows, count_feature_batches


@pytest.mark.parametrize("n_threads", [1, 2])
def test_weighted_rows_match_numpy_and_skip_the_rows_marked_minus_one(n_threads):
    rng = np.random.default_rng(0)
    total, weights = rng.normal(size=(50, 7)), rng.uniform(size=50)
    expected_total, expected_weights = total.copy(), weights.copy()
    targets = rng.permutation(50)[:40].astype(np.int64)
    targets[::5] = -1
    touches = rng.integers(1, 9, size=40).astype(np.int64)
    values = rng.normal(size=(40, 7)).astype(np.float32)
    for i, target in enumerate(targets):
        if target >= 0:
            expected_total[target] += touches[i] * values[i].astype(np.float64)
            expected_weights[target] += touches[i]
    accumulate_weighted_rows(total, weights, targets, touches, values, n_threads)
    np.testing.assert_array_equal(total, expected_total)
    np.testing.assert_array_equal(weights, expected_weights)


def test_weighted_rows_refuse_targets_outside_total_or_repeated_and_mismatched_shapes():
    total, weights = np.zeros((3, 2)), np.zeros(3)
    values, touches = np.ones((2, 2), dtype=np.float32), np.ones(2, dtype=np.int64)
    for bad in ([0, 3], [-2, 0]):
        with pytest.raises(ValueError, match="outside the 3 rows"):
            accumulate_weighted_rows(total, weights, np.array(bad), touches, values)
    with pytest.raises(ValueError, match="occurs twice"):
        accumulate_weighted_rows(total, weights, np.array([1, 1]), touches, values)
    with pytest.raises(ValueError, match="same length"):
        accumulate_weighted_rows(total, weights, np.array([0, 1, 2]), touches, values)
    with pytest.raises(ValueError, match="columns"):
        accumulate_weighted_rows(total, weights, np.array([0, 1]), touches, np.ones((2, 3), dtype=np.float32))
    assert not total.any() and not weights.any()


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_feature_batch_counts_match_numpy(index_dtype):
    X = sparse.random(200, 60, density=0.1, random_state=0, format="csr")
    X.indices, X.indptr = X.indices.astype(index_dtype), X.indptr.astype(index_dtype)
    rng = np.random.default_rng(1)
    batches = np.array_split(rng.permutation(200)[:150], 7)
    expected = np.zeros(60, dtype=np.int64)
    for batch in batches:
        expected[np.unique(X[batch].indices)] += 1
    rows = np.concatenate(batches).astype(np.int64)
    bounds = np.cumsum([0] + [len(b) for b in batches]).astype(np.int64)
    np.testing.assert_array_equal(count_feature_batches(X.indptr, X.indices, rows, bounds, 60), expected)


def test_feature_batch_counts_refuse_rows_features_and_bounds_outside_the_matrix():
    X = sparse.csr_matrix(np.eye(4))
    one = np.array([0, 1], dtype=np.int64)
    with pytest.raises(ValueError, match="row 4 is outside"):
        count_feature_batches(X.indptr, X.indices, np.array([0, 4]), one * 2, 4)
    with pytest.raises(ValueError, match="feature 3 in row 3 is outside the 3 columns"):
        count_feature_batches(X.indptr, X.indices, np.array([3]), one, 3)
    with pytest.raises(ValueError, match="bounds"):
        count_feature_batches(X.indptr, X.indices, np.array([0, 1]), np.array([0, 1]), 4)
    broken = X.indptr.copy()
    broken[2] = 99
    with pytest.raises(ValueError, match="inconsistent"):
        count_feature_batches(broken, X.indices, np.array([1]), one, 4)
