"""The native kernels on their own: block scoring and back-propagation, the four-neuron
gradient kernel, the DWTA winners of table builds and the row sorts of the text kernel,
each against NumPy and its portable twin."""
import numpy as np
import pytest

from sparsenet.native._kernel_probes import block_products, dwta_winners, gradient_products, row_sort, signed_sums


@pytest.mark.parametrize("count", [1, 7, 16])
@pytest.mark.parametrize("with_ids", [False, True])
def test_block_kernels_match_numpy_and_each_other(count, with_ids):

    rng = np.random.default_rng(count)
    # widths that are not multiples of the vector or unroll sizes
    n_in, n_neurons = 37, 23
    hidden = rng.normal(size=(count, n_in)).astype(np.float32)
    weights = rng.normal(size=(n_neurons, n_in)).astype(np.float32)
    biases = rng.normal(size=n_neurons).astype(np.float32)
    ids = rng.choice(n_neurons, size=10, replace=False).astype(np.int32) if with_ids else None
    chosen = ids if with_ids else np.arange(n_neurons)
    errors = rng.normal(size=(count, len(chosen))).astype(np.float32)
    scores, back = block_products(hidden, weights, biases, ids, errors)
    h64, w64 = hidden.astype(np.float64), weights[chosen].astype(np.float64)
    np.testing.assert_allclose(scores, biases[chosen] + h64 @ w64.T, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(back, errors.astype(np.float64) @ w64, rtol=1e-4, atol=1e-4)
    # the portable kernels round exactly as the vector ones (same order, fused multiply-adds)
    generic_scores, generic_back = block_products(hidden, weights, biases, ids, errors, generic=True)
    np.testing.assert_array_equal(generic_scores, scores)
    np.testing.assert_array_equal(generic_back, back)


def test_block_kernels_refuse_out_of_range_ids():

    hidden, weights, biases = np.ones((2, 3)), np.ones((4, 3)), np.ones(4)
    with pytest.raises(ValueError, match="ids out of range"):
        block_products(hidden, weights, biases, np.array([0, 4]), np.ones((2, 2)))
    with pytest.raises(ValueError, match="rows of hidden"):
        block_products(np.ones((17, 3)), weights, biases, None, np.ones((17, 4)))


@pytest.mark.parametrize("n_out_rows", [1, 3, 4])
def test_gradient_kernel_matches_numpy_and_its_portable_twin(n_out_rows):

    rng = np.random.default_rng(n_out_rows)
    coefficients = rng.normal(size=(29, n_out_rows)).astype(np.float32)
    rows = rng.normal(size=(29, 41)).astype(np.float32)  # 41: two vector chunks and a tail
    out = gradient_products(coefficients, rows)
    np.testing.assert_allclose(out, coefficients.astype(np.float64).T @ rows, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(gradient_products(coefficients, rows, generic=True), out)
    with pytest.raises(ValueError, match="1 to 4"):
        gradient_products(np.ones((3, 5)), np.ones((3, 2)))


def reference_winners(x, bins):
    """Position of each bin's largest positive value (first on ties), -1 when none."""
    winners = []
    for coordinates in bins:
        values = x[coordinates]
        positive = np.where(np.isnan(values), 0.0, values)
        winners.append(int(np.argmax(positive)) if positive.max() > 0 else -1)
    return winners


def test_dwta_winners_of_table_builds_match_the_reference():

    rng = np.random.default_rng(0)
    for trial in range(300):
        dimension, n_rows = int(rng.integers(8, 200)), int(rng.integers(1, 9))
        # few distinct values: many ties; zeros, negatives, NaN and infinities
        rows = rng.choice(np.array([-2.0, -0.0, 0.0, 0.5, 1.0, 1.0, 3.0, np.nan, np.inf, -np.inf], dtype=np.float32),
                          size=(n_rows, dimension))
        if trial % 3 == 0:
            rows = rng.standard_normal((n_rows, dimension)).astype(np.float32)
        bins = np.stack([rng.choice(dimension, 8, replace=False) for _ in range(int(rng.integers(1, 9)))])
        expected = [reference_winners(row, bins) for row in rows]
        assert dwta_winners(rows, bins).tolist() == expected
        assert dwta_winners(rows, bins, generic=True).tolist() == expected
    with pytest.raises(ValueError, match="outside"):
        dwta_winners(np.ones((1, 8)), np.array([[0, 1, 2, 3, 4, 5, 6, 8]]))


@pytest.mark.parametrize("depth_budget", [-1, 0, 1, 64])
@pytest.mark.parametrize("values", [
    np.arange(1000)[::-1], np.zeros(500), np.tile([3, 1, 2], 300), np.r_[np.arange(400), np.arange(400)],
    np.random.default_rng(2).integers(0, 2**31 - 1, size=2000), np.random.default_rng(3).integers(0, 40, 777),
    np.array([5]), np.array([], dtype=int),
])
def test_row_sorts(values, depth_budget):
    # -1: bucket sort; 0: heapsort (the quicksort's fallback); else quicksort
    values = np.asarray(values, dtype=np.int32)
    assert np.array_equal(row_sort(values, depth_budget), np.sort(values))


def test_signed_sums_of_table_builds_equal_a_one_row_loop_bit_for_bit():
    # SimHash keys are hashed 8 rows at a time and queries one at a time: the sums must agree
    # exactly, or a neuron could miss its own query's bucket
    rng = np.random.default_rng(0)
    for trial in range(200):
        dimension, n_rows, m = int(rng.integers(1, 200)), int(rng.integers(1, 9)), int(rng.integers(1, 80))
        rows = (rng.standard_normal((n_rows, dimension)) * 10.0 ** rng.integers(-3, 4)).astype(np.float32)
        coordinates = rng.integers(0, dimension, m)
        signs = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), m)
        expected = []
        for row in rows:
            total = np.float32(0)
            for j in range(m):
                total = np.float32(total + signs[j] * row[coordinates[j]])
            expected.append(total)
        assert signed_sums(rows, coordinates, signs).tolist() == expected
        assert signed_sums(rows, coordinates, signs, generic=True).tolist() == expected
    with pytest.raises(ValueError, match="outside"):
        signed_sums(np.ones((1, 8)), np.array([8]), np.array([1.0]))
