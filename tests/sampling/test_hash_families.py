"""Hash families: similar vectors share buckets more often than dissimilar ones."""
import numpy as np
import pytest

from sparsenet.sampling._hash_families import HashFamily


def relu_vectors(rng, n, dimension):
    return np.maximum(rng.normal(size=(n, dimension)), 0).astype(np.float32)


@pytest.mark.parametrize("kind", ["dwta", "simhash", "mips"])
def test_similar_vectors_share_buckets_more_than_dissimilar(kind):
    rng = np.random.default_rng(0)
    family = HashFamily(kind, 64, 50, 2 if kind == "dwta" else 6, 12, 1)
    base = relu_vectors(rng, 200, 64)
    near = np.maximum(base + 0.1 * rng.normal(size=base.shape), 0).astype(np.float32)
    far = relu_vectors(rng, 200, 64)
    codes_base, codes_near, codes_far = family.hash_rows(base), family.hash_rows(near), family.hash_rows(far)
    assert (codes_base == codes_near).mean() > 2 * (codes_base == codes_far).mean()
    assert codes_base.max() < family.n_buckets


def test_simhash_functions_are_unchanged_by_the_mips_family():
    # "mips" adds the bias and norm coordinates to SimHash's projections; the projections
    # over the vector itself are the same draws, so "simhash" models keep their tables
    simhash, mips = HashFamily("simhash", 20, 4, 5, 5, 3), HashFamily("mips", 20, 4, 5, 5, 3)
    np.testing.assert_array_equal(simhash.coordinates, mips.coordinates)
    np.testing.assert_array_equal(simhash.signs, mips.signs)
    assert not simhash.tail.any()
    np.testing.assert_allclose(np.abs(mips.tail), 1 / np.sqrt(3), rtol=1e-6)
