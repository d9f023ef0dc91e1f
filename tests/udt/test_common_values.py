"""A numeric column's common values: tokens of their own where their bin holds other values,
one shared "uncommon" token for the rest, and what a model learns from them."""
from unittest import mock

import numpy as np
import pytest

from sparsenet import UDTClassifier, UDTFeaturizer
from sparsenet.udt._common_values import MAX_COMMON_VALUES, MIN_COMMON_ROWS, common_value_codes, common_values
from sparsenet.udt._featurizer import KIND_COMMON_VALUE

NO_EDGES = np.empty(0)  # one bin for every value


def test_a_value_is_common_from_min_common_rows_on():
    x = np.array([1.0] * MIN_COMMON_ROWS + [2.0] * (MIN_COMMON_ROWS - 1) + [3.0])
    assert common_values(x, NO_EDGES).tolist() == [1.0]


def test_a_value_alone_in_its_bin_is_left_to_the_bin():
    x = np.array([0.0] * 10 + [5.0] * 10 + [6.0] * 10)
    # 0 alone in the first bin, 5 and 6 sharing the second
    assert common_values(x, np.array([1.0])).tolist() == [5.0, 6.0]
    assert common_values(x, np.array([1.0, 5.5])).tolist() == []


def test_nan_and_infinities_are_never_common():
    x = np.array([np.nan] * 10 + [np.inf] * 10 + [-np.inf] * 10 + [2.0] * 10 + [3.0] * 10)
    assert common_values(x, NO_EDGES).tolist() == [2.0, 3.0]


def test_at_most_max_common_values_the_most_frequent_kept():
    n = MAX_COMMON_VALUES + 40
    counts = np.full(n, MIN_COMMON_ROWS)
    counts[-20:] = MIN_COMMON_ROWS + 1  # the 20 largest values are the most frequent
    x = np.repeat(np.arange(n, dtype=float), counts)
    kept = common_values(x, NO_EDGES)
    assert kept.size == MAX_COMMON_VALUES and np.all(np.diff(kept) > 0)
    assert set(range(n - 20, n)) <= set(kept.tolist())
    # equal counts: the smaller values
    assert set(range(MAX_COMMON_VALUES - 20)) <= set(kept.tolist())


def test_codes_are_positions_or_minus_one():
    values = np.array([-2.5, 0.0, 7.0])
    x = np.array([7.0, -2.5, 0.0, -0.0, 1.0, 8.0, -3.0, np.inf, -np.inf, np.nan])
    assert common_value_codes(x, values).tolist() == [2, 0, 1, 1, -1, -1, -1, -1, -1, -1]
    assert common_value_codes(x, np.empty(0)).tolist() == [-1] * len(x)


def value_features(featurizer, values):
    """Each value's set of common-value features (the kind's hash of every possible code)."""
    X = featurizer.transform(np.asarray(values, dtype=float).reshape(-1, 1))
    codes = np.arange(-1, MAX_COMMON_VALUES)
    kind_features = set(featurizer._hash(0, KIND_COMMON_VALUE, codes).tolist())
    return [set(X[i].indices.tolist()) & kind_features for i in range(X.shape[0])]


def test_common_values_in_one_bin_get_different_tokens_and_the_rest_one_token():
    train = np.repeat(np.arange(40, dtype=float), 6)  # 40 values held 6 times each (4 bins: many a bin)
    train = np.concatenate([train, np.arange(100, 140, dtype=float)])  # and 40 held once
    featurizer = UDTFeaturizer(n_bins=4).fit(train.reshape(-1, 1))
    np.testing.assert_array_equal(featurizer.common_values_[0], np.arange(40.0))
    first, second, rare, other_rare, unseen, missing = value_features(featurizer, [3, 4, 120, 130, 1e9, np.nan])
    assert len(first) == len(second) == 1 and first != second
    assert len(rare) == 1 and rare == other_rare == unseen
    assert not rare & (first | second)
    assert missing == set()


def test_a_model_learns_what_single_values_mean_inside_a_bin():
    # the label is the value's parity: quantile bins of several values each cannot tell it,
    # tokens of the values themselves can
    rng = np.random.default_rng(0)
    x = rng.integers(0, 200, size=4_000).astype(float)
    y = (x % 2).astype(int)
    X = x.reshape(-1, 1)
    model = UDTClassifier(random_state=0, n_jobs=1).fit(X[:3_000], y[:3_000])
    assert model.score(X[3_000:], y[3_000:]) > 0.95


def test_a_model_saved_before_common_values_answers_as_it_did():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 50, size=(600, 2)).astype(float)
    y = (X[:, 0] > 25).astype(int)
    model = UDTClassifier(hidden_layer_sizes=(16,), max_iter=2, random_state=0, n_jobs=1).fit(X, y)
    reading = UDTFeaturizer._number_hashes
    with mock.patch.object(UDTFeaturizer, "_number_hashes", lambda f, j, x: reading(f, j, x)[:2]):
        without = model.featurizer_.transform(X)  # the features before common values
    del model.featurizer_.common_values_  # as a featurizer fitted before common values were features
    np.testing.assert_array_equal(model.featurizer_.transform(X).toarray(), without.toarray())
    np.testing.assert_array_equal(model.featurizer_.transform(X[:1]).toarray(), without[:1].toarray())
    assert np.isfinite(model.predict_proba(X)).all()


@pytest.mark.parametrize("seed", [0, 1])
def test_common_values_do_not_change_with_row_order(seed):
    x = np.random.default_rng(seed).integers(0, 30, size=500).astype(float)
    shuffled = np.random.default_rng(seed + 10).permutation(x)
    edges = UDTFeaturizer(n_bins=4).fit(x.reshape(-1, 1)).bin_edges_[0]
    np.testing.assert_array_equal(common_values(x, edges), common_values(shuffled, edges))
