"""Whole-array passes of the training loop: the finiteness check and the in-place copy,
split across threads, must agree with NumPy wherever the odd value sits."""
import numpy as np
import pytest

from sparsenet.native._array_passes import CHUNK_SIZE, all_finite, copy_values


@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
def test_one_non_finite_value_anywhere_is_found(n_threads, value):
    weights = np.random.default_rng(0).normal(size=(3 * CHUNK_SIZE + 17,)).astype(np.float32)
    assert all_finite(weights, n_threads)
    for position in [0, CHUNK_SIZE - 1, CHUNK_SIZE, 2 * CHUNK_SIZE + 5, weights.size - 1]:
        spoiled = weights.copy()
        spoiled[position] = value
        assert not all_finite(spoiled, n_threads), position


def test_the_largest_finite_floats_and_subnormals_are_finite():
    tiny = np.float32(np.finfo(np.float32).smallest_subnormal)
    edge = np.array([np.finfo(np.float32).max, -np.finfo(np.float32).max, tiny, -0.0], dtype=np.float32)
    assert all_finite(edge, 2)
    assert all_finite(np.zeros((0, 4), dtype=np.float32), 2)


def test_other_layouts_and_dtypes_fall_back_to_numpy():
    matrix = np.ones((50, 40), dtype=np.float32)
    matrix[7, 4] = np.nan
    assert not all_finite(matrix[:, ::2], 2) and all_finite(matrix[:, 1::2], 2)
    assert not all_finite(np.array([1.0, np.inf]), 2)


@pytest.mark.parametrize("n_threads", [1, 2])
def test_copy_values_copies_every_value_in_place(n_threads):
    source = np.random.default_rng(1).normal(size=(CHUNK_SIZE // 64 + 3, 130)).astype(np.float32)
    destination = np.zeros_like(source)
    copy_values(destination, source, n_threads)
    assert np.array_equal(destination, source)
    strided = np.zeros((source.shape[0], 260), dtype=np.float32)[:, ::2]
    copy_values(strided, source, n_threads)
    assert np.array_equal(strided, source)


def test_copy_values_refuses_another_shape_or_dtype():
    with pytest.raises(ValueError, match="shape"):
        copy_values(np.zeros(4, np.float32), np.zeros(5, np.float32))
    with pytest.raises(ValueError, match="dtype"):
        copy_values(np.zeros(4, np.float32), np.zeros(4, np.float64))


@pytest.mark.parametrize("n_threads", [1, 2])
def test_rows_interleaved_with_other_arrays_are_checked_and_copied(n_threads):
    # a layer's weights are a view of rows interleaved with Adam's two moments
    block = np.zeros((CHUNK_SIZE // 32 + 5, 3, 64), dtype=np.float32)
    weights, moment = block[:, 0, :], block[:, 1, :]
    moment[3, 7] = np.nan   # not the weights' business
    assert all_finite(weights, n_threads)
    weights[-1, -1] = np.inf
    assert not all_finite(weights, n_threads)
    source = np.random.default_rng(2).normal(size=weights.shape).astype(np.float32)
    copy_values(weights, source, n_threads)
    assert np.array_equal(weights, source) and np.isnan(block[3, 1, 7]) and not block[:, 2, :].any()
