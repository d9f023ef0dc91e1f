"""Hash tables over a layer's neurons: locality, determinism, capacity, and safety at extremes."""
import pickle

import numpy as np
import pytest

from sparsenet.sampling._hash_families import HashFamily
from sparsenet.sampling._hash_tables import HashTables, count_priorities, norm_ranges_of


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


@pytest.mark.parametrize("kind", ["dwta", "simhash", "mips"])
def test_builds_are_deterministic_and_pickle(kind):
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(300, 16)).astype(np.float32)
    biases = rng.normal(size=300).astype(np.float32)

    def built(seed):
        sampler = HashTables(HashFamily(kind, 16, 6, 3, 6, seed), 300, 8)
        sampler.build(weights, n_threads=2, biases=biases)
        return sampler

    a, b, c = built(5), built(5), built(6)
    np.testing.assert_array_equal(a.members, b.members)
    np.testing.assert_array_equal(a.bucket_starts, b.bucket_starts)
    assert not np.array_equal(a.members, c.members)
    one_thread = HashTables(HashFamily(kind, 16, 6, 3, 6, 5), 300, 8)
    one_thread.build(weights, n_threads=1, biases=biases)
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
        ("mips", 1, 1, 1, 1, 1, 1),
        ("mips", 5, 3, 20, 11, 3, 400),
        ("mips", 130, 50, 6, 6, 8, 300),
    ],
)
def test_extreme_settings_stay_in_bounds(kind, dimension, n_tables, hashes, range_bits, capacity, n_neurons):
    rng = np.random.default_rng(0)
    family = HashFamily(kind, dimension, n_tables, hashes, range_bits, 3)
    sampler = HashTables(family, n_neurons, capacity)
    for weights in (rng.normal(size=(n_neurons, dimension)), np.zeros((n_neurons, dimension)),
                    np.where(rng.random((n_neurons, dimension)) < 0.1, np.inf, 1.0)):
        biases = np.where(rng.random(n_neurons) < 0.1, np.nan, rng.normal(size=n_neurons))
        sampler.build(weights.astype(np.float32), n_threads=2, biases=biases)
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


@pytest.mark.parametrize("kind", ["dwta", "simhash"])
def test_table_builds_put_each_neuron_in_its_query_bucket(kind):
    # the build hashes 8 neurons at a time from their transpose, a query one vector at a
    # time: both must give a neuron the same bucket, or queries would miss it (203 neurons:
    # the last block of 8 is partial)
    rng = np.random.default_rng(1)
    weights = rng.standard_normal((203, 16)).astype(np.float32)
    weights[rng.random(weights.shape) < 0.4] = 0.0  # empty bins: densification
    sampler = HashTables(HashFamily(kind, 16, 6, 3, 9, 7), 203, 203)
    sampler.build(weights)
    for neuron in range(0, 203, 7):
        assert neuron in sampler.query(weights[neuron]).tolist()


def test_mips_key_of_the_longest_row_with_bias_one_is_its_own_query():
    # the longest row's completion is 0, so with bias 1 its key [w, 1, 0] is the query of w:
    # the 8-row build and the one-vector query must put it in the same bucket of every table
    rng = np.random.default_rng(2)
    weights = rng.standard_normal((203, 16)).astype(np.float32)
    for longest in (5, 200):  # in a full block and in the partial last one
        scaled = weights.copy()
        scaled[longest] *= 3
        sampler = HashTables(HashFamily("mips", 16, 6, 4, 8, 3), 203, 203)
        sampler.build(scaled, biases=np.ones(203, dtype=np.float32))
        assert longest in sampler.query(scaled[longest]).tolist()


def top_scoring_found(kind, weights, biases, queries, candidates, seed, norm_ranges=1):
    """Mean share of each query's 10 best-scoring neurons (w . x + b) among its candidates."""
    tables = HashTables(HashFamily(kind, weights.shape[1], 50, 6, 6, seed), weights.shape[0], 10_000,
                        norm_ranges=norm_ranges)
    tables.build(weights, biases=biases)
    best = np.argsort(-(queries @ weights.T + biases), axis=1)[:, :10]
    return np.mean([np.isin(best[i], tables.query(query, candidates)).mean() for i, query in enumerate(queries)])


def test_mips_tables_find_the_neurons_that_score_highest():
    # rows of different norms and biases, as trained output layers have (a frequent label:
    # a high bias): the best scores are not those of the rows pointing most the query's way,
    # all that angle-only families compare
    rng = np.random.default_rng(0)
    directions = rng.normal(size=(4000, 32))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    weights = (directions * rng.uniform(0.1, 1.0, size=(4000, 1))).astype(np.float32)
    biases = rng.normal(0.0, 1.0, size=4000).astype(np.float32)
    queries = np.maximum(rng.normal(size=(40, 32)), 0).astype(np.float32)
    found = {kind: top_scoring_found(kind, weights, biases, queries, 100, 1) for kind in ("dwta", "simhash", "mips")}
    # 100 of 4,000 candidates: 2.5 % by chance
    assert found["mips"] > 0.45
    assert found["mips"] > 3 * max(found["simhash"], found["dwta"])


def test_norm_ranges_keep_mips_retrieval_when_norms_spread_widely():
    # a heavy tail of long rows: with one norm for all, the short rows all lie near the
    # completion axis and the tables cannot rank them
    rng = np.random.default_rng(0)
    weights = (rng.normal(size=(4000, 32)) * rng.lognormal(0.0, 0.7, size=(4000, 1))).astype(np.float32)
    biases = rng.normal(0.0, 1.0, size=4000).astype(np.float32)
    queries = np.maximum(rng.normal(size=(40, 32)), 0).astype(np.float32)
    one, ranged = (top_scoring_found("mips", weights, biases, queries, 400, 1, ranges) for ranges in (1, 32))
    assert ranged > 0.6 and ranged > 1.5 * one


def test_mips_tables_need_the_biases():
    tables = HashTables(HashFamily("mips", 8, 2, 2, 4, 0), 10, 4)
    weights = np.ones((10, 8), dtype=np.float32)
    with pytest.raises(ValueError, match="bias"):
        tables.build(weights)
    with pytest.raises(ValueError, match="10 values"):
        tables.build(weights, biases=np.zeros(9))
    tables.build(weights, biases=np.zeros(10))
    assert tables.n_builds == 1


def test_norm_ranges_bring_each_range_to_its_largest_norm():
    rng = np.random.default_rng(0)
    weights = (rng.normal(size=(400, 6)) * rng.lognormal(0, 1, size=(400, 1))).astype(np.float32)
    biases = rng.normal(size=400).astype(np.float32)
    ranges, completions, range_norms = norm_ranges_of(weights, biases, 4)
    row_norms = np.sqrt((weights.astype(np.float64) ** 2).sum(axis=1) + biases.astype(np.float64) ** 2)
    np.testing.assert_array_equal(np.bincount(ranges), [100, 100, 100, 100])
    for r in range(4):  # ranges hold consecutive norms, shortest first
        assert row_norms[ranges == r].max() <= row_norms[ranges == r + 1].min() if r < 3 else True
        np.testing.assert_allclose(range_norms[r], row_norms[ranges == r].max(), rtol=1e-6)
    key_norms = np.sqrt(row_norms ** 2 + completions.astype(np.float64) ** 2)
    np.testing.assert_allclose(key_norms, range_norms[ranges], rtol=1e-4)


def test_count_priorities_rank_longer_ranges_and_more_tables_higher():
    priorities = count_priorities([1.0, 2.0], n_tables=20, hashes_per_table=4)
    assert priorities.shape == (2, 21) and (priorities[:, 0] == 0).all()
    assert sorted(priorities[:, 1:].ravel()) == list(range(1, 41))
    assert (np.diff(priorities[:, 1:], axis=1) > 0).all()  # more tables: higher
    # met in every table: the longer range's neuron scores higher; met in one of 20 tables
    # (under 0.5^4 of them: an angle over 90 degrees, a negative estimate), the shorter's
    assert priorities[1, 20] > priorities[0, 20] and priorities[1, 1] < priorities[0, 1]


def test_mips_tables_pickle_their_norm_ranges():
    rng = np.random.default_rng(0)
    tables = HashTables(HashFamily("mips", 8, 4, 3, 3, 0), 1000, 100, norm_ranges=8)
    tables.build(rng.normal(size=(1000, 8)).astype(np.float32), biases=rng.normal(size=1000))
    assert tables.n_ranges == 8 and tables.most_priority == 32
    restored = pickle.loads(pickle.dumps(tables))
    np.testing.assert_array_equal(restored.neuron_range, tables.neuron_range)
    np.testing.assert_array_equal(restored.count_priority, tables.count_priority)
    with pytest.raises(ValueError, match="norm ranges"):
        HashTables(tables.family, 1000, 100, tables.bucket_starts, tables.members, 1, 8,
                   np.full(1000, 8, dtype=np.uint8), tables.count_priority)
