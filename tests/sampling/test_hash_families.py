"""Hash families: similar vectors share buckets more often than dissimilar ones."""
import numpy as np
import pytest

from sparsenet.sampling._hash_families import HashFamily


def relu_vectors(rng, n, dimension):
    return np.maximum(rng.normal(size=(n, dimension)), 0).astype(np.float32)


@pytest.mark.parametrize("kind", ["dwta", "simhash"])
def test_similar_vectors_share_buckets_more_than_dissimilar(kind):
    rng = np.random.default_rng(0)
    family = HashFamily(kind, 64, 50, 2 if kind == "dwta" else 6, 12, 1)
    base = relu_vectors(rng, 200, 64)
    near = np.maximum(base + 0.1 * rng.normal(size=base.shape), 0).astype(np.float32)
    far = relu_vectors(rng, 200, 64)
    codes_base, codes_near, codes_far = family.hash_rows(base), family.hash_rows(near), family.hash_rows(far)
    assert (codes_base == codes_near).mean() > 2 * (codes_base == codes_far).mean()
    assert codes_base.max() < family.n_buckets
