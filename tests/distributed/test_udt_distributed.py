"""fit_distributed with a UDTClassifier: the featurizer learned from every partition, the
partitions featurized where they live, the network trained in averaging rounds. These
fits run their replicas in this process; tests/distributed/test_dask_cluster.py and
test_dask_accuracy.py run them on a LocalCluster."""
import numpy as np
import pytest

import sparsenet
from sparsenet import UDTClassifier, UDTFeaturizer
from sparsenet.distributed import fit_distributed
from sparsenet.distributed import _udt_fit

pd = pytest.importorskip("pandas", reason="pandas is not installed")

WORDS = np.array("good bad great awful fine plot acting cast boring fun dull superb slow".split())
PRAISE = {"good", "great", "fine", "fun", "superb"}


def reviews(n=1200, seed=0):
    """A table of a short review, a star count and a genre, labelled by the review's words."""
    rng = np.random.default_rng(seed)
    texts = [" ".join(rng.choice(WORDS, 8)) for _ in range(n)]
    labels = np.array(["pos" if sum(word in PRAISE for word in text.split()) > 3 else "neg" for text in texts])
    table = pd.DataFrame({"review": texts, "stars": rng.integers(1, 6, n).astype(float),
                          "genre": rng.choice(["drama", "comedy", "horror"], n)})
    return table, labels


def udt(**params):
    return UDTClassifier(**{"random_state": 0, "max_iter": 3, **params})


def halves(X, y):
    n = len(y) // 2
    if hasattr(X, "iloc"):
        return [(X.iloc[:n], y[:n]), (X.iloc[n:], y[n:])]
    return [(X[:n], y[:n]), (X[n:], y[n:])]


@pytest.mark.parametrize("kind", ["texts", "table"])
def test_one_partition_trains_exactly_the_model_fit_trains(kind):
    table, y = reviews()
    X = list(table["review"]) if kind == "texts" else table
    expected = udt().fit(X, y)
    got = fit_distributed(udt(), [(X, y)])
    assert got.column_types_ == expected.column_types_
    np.testing.assert_array_equal(got.predict_proba(X), expected.predict_proba(X))
    assert got.n_iter_ == expected.n_iter_ and list(got.classes_) == list(expected.classes_)


def test_partitions_are_featurized_as_their_union_is():
    # every row is in the sample at this size: the featurizer is the one the whole table gives
    table, y = reviews()
    got = fit_distributed(udt(use_idf=True), halves(table, y))
    whole = udt(use_idf=True).fit(table, y)
    np.testing.assert_array_equal(got.featurizer_.idf_, whole.featurizer_.idf_)
    np.testing.assert_array_equal(got.featurizer_.seen_features_, whole.featurizer_.seen_features_)
    assert got._columns.n_columns == whole._columns.n_columns
    assert (got._features(table) != whole._features(table)).nnz == 0
    assert got.feature_names_in_.tolist() == ["review", "stars", "genre"]
    assert got.score(table, y) > 0.9


def test_a_sample_of_every_partition_sets_the_bins(monkeypatch):
    # partitions of different ranges: bins learned from the first alone would put every row
    # of the second in the top bin
    monkeypatch.setattr(_udt_fit, "SAMPLE_ROWS", 200)
    rng = np.random.default_rng(0)
    low, high = rng.uniform(0, 1, 900), rng.uniform(10, 11, 300)
    parts = [(pd.DataFrame({"x": low}), (low > 0.5).astype(int)), (pd.DataFrame({"x": high}), (high > 10.5).astype(int))]
    model = fit_distributed(udt(n_bins=8), parts)
    edges = model.featurizer_.bin_edges_[0]
    assert edges.min() < 1 < 10 < edges.max()
    assert _udt_fit.sample_sizes([900, 300]) == [150, 50]
    assert _udt_fit.sample_sizes([900, 300], limit=2000) == [900, 300]
    assert _udt_fit.sample_sizes([1000, 1], limit=100) == [100, 1]


def test_the_same_seed_and_partitions_give_the_same_model():
    table, y = reviews()
    first, second = (fit_distributed(udt(), halves(table, y)) for _ in range(2))
    np.testing.assert_array_equal(first.predict_proba(table), second.predict_proba(table))


def test_the_fitted_model_is_an_ordinary_udt_classifier(tmp_path):
    import pickle

    table, y = reviews()
    model = fit_distributed(udt(), halves(table, y))
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict_proba(table.iloc[:50]), model.predict_proba(table.iloc[:50]))
    model.save(tmp_path / "model.sparsenet")
    loaded = sparsenet.load(tmp_path / "model.sparsenet")
    np.testing.assert_array_equal(loaded.predict(table.iloc[:50]), model.predict(table.iloc[:50]))
    assert isinstance(model.featurizer_, UDTFeaturizer)


def test_bad_partitions_are_refused_by_name():
    table, y = reviews(n=200)
    with pytest.raises(ValueError, match="different column counts|features"):
        fit_distributed(udt(), [(table, y[:200]), (table[["review", "stars"]], y)])
    with pytest.raises(ValueError, match="X has 200 rows but its y has 100"):
        fit_distributed(udt(), [(table, y[:100])])
    with pytest.raises(ValueError, match="different names"):
        fit_distributed(udt(), [(table, y), (table.rename(columns={"genre": "kind"}), y)])
    with pytest.raises(TypeError, match="SparseMLPClassifier or a UDTClassifier"):
        fit_distributed(UDTFeaturizer(), [(table, y)])


def test_empty_partitions_are_left_out():
    table, y = reviews(n=400)
    expected = udt().fit(table, y)
    got = fit_distributed(udt(), [(table, y), (table.iloc[:0], y[:0])])
    np.testing.assert_array_equal(got.predict_proba(table), expected.predict_proba(table))
    with pytest.raises(ValueError, match=r"every partition is empty \(1 given\)"):
        fit_distributed(udt(), [([], [])])


def test_auto_crosses_are_chosen_from_the_partitions_sample_as_fit_chooses_them():
    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 3, (2, 3000))
    table = pd.DataFrame({"a": [f"a{v}" for v in a], "b": [f"b{v}" for v in b], "n": rng.normal(size=3000)})
    y = np.where((a + b) % 3 == 0, "yes", "no")
    got = fit_distributed(udt(max_iter=1), halves(table, y))
    assert got.featurizer_.crosses_ == udt(max_iter=1).fit(table, y).featurizer_.crosses_ == [(0, 1)]
