"""Hash tables over a layer's neurons: locality, determinism, capacity, and safety at extremes."""
import pickle

import numpy as np
import pytest

from sparsenet.sampling._hash_families import HashFamily
from sparsenet.sampling._hash_tables import HashTables


@pytest.mark.parametrize("kind", ["dwta", "simhash"])
def test_near_neighbour_is_retrieved_more_often_than_a_random_neuron(kind):
    near_hits = random_hits = 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        weights = rng.normal(size=(500, 32)).astype(np.float32)
        query = np.maximum(weights[0] + 0.3 * rng.normal(size=32), 0).astype(np.float32)
        sampler = HashTables(HashFamily(kind, 32, 16, 4 if kind == "dwta" else 6, 10, seed), 500, 64)
        sampler.build(weights)
        found = set(sampler.query(query).tolist())
        near_hits += 0 in found
        random_hits += int(rng.integers(1, 500)) in found
    assert near_hits > 2 * max(random_hits, 1)
    assert near_hits >= 20


@pytest.mark.parametrize("kind", ["dwta", "simhash"])
def test_builds_are_deterministic_and_pickle(kind):
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(300, 16)).astype(np.float32)

    def built(seed):
        sampler = HashTables(HashFamily(kind, 16, 6, 3, 6, seed), 300, 8)
        sampler.build(weights, n_threads=2)
        return sampler

    a, b, c = built(5), built(5), built(6)
    np.testing.assert_array_equal(a.members, b.members)
    np.testing.assert_array_equal(a.bucket_starts, b.bucket_starts)
    assert not np.array_equal(a.members, c.members)
    one_thread = HashTables(HashFamily(kind, 16, 6, 3, 6, 5), 300, 8)
    one_thread.build(weights, n_threads=1)
    np.testing.assert_array_equal(one_thread.members, a.members)
    restored = pickle.loads(pickle.dumps(a))
    query = np.abs(weights[3])
    np.testing.assert_array_equal(restored.query(query), a.query(query))


def test_buckets_respect_capacity():
    weights = np.ones((1000, 8), dtype=np.float32)  # every neuron hashes to one bucket
    sampler = HashTables(HashFamily("simhash", 8, 4, 4, 4, 0), 1000, 16)
    sampler.build(weights)
    sizes = np.diff(sampler.bucket_starts, axis=1)
    assert sizes.max() == 16
    assert len(sampler.query(np.ones(8, dtype=np.float32))) <= 4 * 16


@pytest.mark.parametrize(
    "kind, dimension, n_tables, hashes, range_bits, capacity, n_neurons",
    [
        ("dwta", 1, 1, 1, 1, 1, 1),
        ("dwta", 3, 2, 20, 8, 1000, 50),
        ("dwta", 128, 200, 8, 1, 1, 70),
        ("simhash", 1, 1, 1, 1, 1, 1),
        ("simhash", 5, 3, 20, 11, 3, 400),
        ("dwta", 16, 2, 8, 22, 2, 1_000_000),
        ("simhash", 257, 100, 2, 2, 100000, 30),
    ],
)
def test_extreme_settings_stay_in_bounds(kind, dimension, n_tables, hashes, range_bits, capacity, n_neurons):
    rng = np.random.default_rng(0)
    family = HashFamily(kind, dimension, n_tables, hashes, range_bits, 3)
    sampler = HashTables(family, n_neurons, capacity)
    for weights in (rng.normal(size=(n_neurons, dimension)), np.zeros((n_neurons, dimension))):
        sampler.build(weights.astype(np.float32), n_threads=2)
        assert sampler.members.min() >= 0 and sampler.members.max() < n_neurons
        for query in (np.zeros(dimension), rng.normal(size=dimension), np.full(dimension, np.inf)):
            found = sampler.query(query.astype(np.float32))
            assert len(found) == len(set(found.tolist())) <= n_neurons
            assert found.size == 0 or (found.min() >= 0 and found.max() < n_neurons)
    assert family.hash_rows(np.zeros((2, dimension))).max() < family.n_buckets


def test_invalid_settings_are_refused():
    with pytest.raises(ValueError, match="dwta"):
        HashFamily("minhash", 8, 2, 2, 4, 0)
    with pytest.raises(ValueError, match="range_bits"):
        HashFamily("dwta", 8, 2, 2, 25, 0)
    with pytest.raises(ValueError, match="positive"):
        HashFamily("dwta", 0, 2, 2, 4, 0)
    sampler = HashTables(HashFamily("dwta", 8, 2, 2, 4, 0), 10, 4)
    with pytest.raises(ValueError, match="weights"):
        sampler.build(np.zeros((10, 7), dtype=np.float32))
    with pytest.raises(ValueError, match="values"):
        sampler.query(np.zeros(9, dtype=np.float32))
    with pytest.raises(ValueError, match="range_bits <= 9"):
        HashTables(HashFamily("dwta", 8, 2, 4, 12, 0), 100, 4)
    with pytest.raises(ValueError, match="malformed"):
        HashTables(HashFamily("dwta", 8, 2, 2, 4, 0), 10, 4,
                      np.zeros((2, 17), dtype=np.int32), np.full((2, 10), 99, dtype=np.int32))


def test_table_builds_put_each_neuron_in_its_query_bucket():
    # the build hashes 8 neurons at a time from their transpose, a query one vector at a
    # time: both must give a neuron the same bucket, or queries would miss it
    rng = np.random.default_rng(1)
    weights = rng.standard_normal((203, 16)).astype(np.float32)
    weights[rng.random(weights.shape) < 0.4] = 0.0  # empty bins: densification
    sampler = HashTables(HashFamily("dwta", 16, 6, 3, 9, 7), 203, 203)
    sampler.build(weights)
    for neuron in range(0, 203, 7):
        assert neuron in sampler.query(weights[neuron]).tolist()
