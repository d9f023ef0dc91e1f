"""Numeric bin edges: a bin for a dominant value and bins for the others beside it, plain
quantiles otherwise; and what that means for the tokens."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsenet import UDTFeaturizer
from sparsenet.udt._featurizer import KIND_BIN
from sparsenet.udt._numeric_bins import quantile_edges


def bins_of(edges, values):
    return np.searchsorted(edges, values, side="right")


def test_values_beside_a_dominant_one_keep_their_bins():
    rng = np.random.default_rng(1)
    others = rng.uniform(1, 1e5, size=800)
    x = np.concatenate([np.zeros(9200), others])  # zeros hold 92 % of the rows
    edges = quantile_edges(x, n_bins=16)
    # the non-zero values spread over about n_bins bins, none holding more than twice its share
    counts = np.bincount(bins_of(edges, others))
    assert np.count_nonzero(counts) >= 14
    assert counts.max() <= 2 * len(others) / 16
    # zero is a bin of its own
    assert not np.isin(bins_of(edges, [0.0]), bins_of(edges, others)).any()


def test_spread_columns_get_plain_quantiles():
    x = np.random.default_rng(2).normal(size=10_000)
    edges = quantile_edges(x, n_bins=10)
    assert len(edges) == 9
    shares = np.bincount(bins_of(edges, x)) / len(x)
    np.testing.assert_allclose(shares, 0.1, atol=0.002)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                          st.sampled_from([0.0, 1.0, 40.0])), max_size=200),
       st.integers(1, 40))
def test_edges_are_sorted_distinct_and_finite(values, n_bins):
    edges = quantile_edges(np.array(values, dtype=float), n_bins)
    assert np.all(np.isfinite(edges))
    assert np.all(np.diff(edges) > 0)
    assert len(edges) <= 2 * n_bins


def test_featurizer_separates_the_values_of_a_spiky_column():
    # hours per week: most rows at 40, the rest spread; each value range keeps its own token
    rng = np.random.default_rng(3)
    hours = np.where(rng.random(4000) < 0.6, 40.0, rng.integers(1, 99, 4000).astype(float))
    featurizer = UDTFeaturizer(n_bins=8, norm=None).fit(hours.reshape(-1, 1))
    probe = np.array([5.0, 20.0, 40.0, 60.0, 90.0])
    bins = bins_of(featurizer.bin_edges_[0], probe)
    assert len(np.unique(bins)) == len(probe)
    X = featurizer.transform(probe.reshape(-1, 1))
    bin_tokens = featurizer._hash(0, KIND_BIN, bins)
    for row, token in enumerate(bin_tokens):
        assert token in X[row].indices


@pytest.mark.parametrize("n_bins", [1, 4])
def test_no_edges_without_finite_values_or_with_one_bin(n_bins):
    assert quantile_edges(np.array([np.nan, np.inf]), n_bins).size == 0
    if n_bins == 1:
        assert quantile_edges(np.arange(10.0), n_bins).size == 0
