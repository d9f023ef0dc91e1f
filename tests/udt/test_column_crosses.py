"""Column crosses: which pairs "auto" chooses, the tokens a cross adds, and what is refused."""
import pickle

import numpy as np
import pandas as pd
import pytest

from sparsenet import UDTClassifier, UDTFeaturizer
from sparsenet.udt._column_crosses import MAX_AUTO_CROSSES, MAX_CROSS_CLASSES, MIN_SCORED_ROWS, chosen_crosses
from sparsenet.udt._cross_tokens import MAX_CROSSES


def _codes(rng, n_rows, n_columns, n_values=4):
    return [rng.integers(0, n_values, n_rows) for _ in range(n_columns)]


def test_auto_finds_the_one_interacting_pair_among_noise():
    rng = np.random.default_rng(1)
    codes = _codes(rng, 6000, 6)
    # the label depends on columns 2 and 4 together only: which of them is larger
    y = (codes[2] > codes[4]).astype(int) ^ (rng.random(6000) < 0.1)
    assert chosen_crosses(codes, y) == [(2, 4)]


def test_auto_crosses_nothing_where_the_columns_act_separately():
    rng = np.random.default_rng(2)
    codes = _codes(rng, 8000, 5)
    score = 0.8 * codes[0] - 0.6 * codes[1] + 0.5 * codes[3] + rng.logistic(size=8000)
    assert chosen_crosses(codes, (score > 0.5).astype(int)) == []


def test_auto_keeps_at_most_max_auto_crosses_the_strongest_first():
    rng = np.random.default_rng(3)
    codes = _codes(rng, 8000, 2 * (MAX_AUTO_CROSSES + 1), n_values=2)
    pairs = [(2 * i, 2 * i + 1) for i in range(MAX_AUTO_CROSSES + 1)]
    strength = np.arange(1, len(pairs) + 1, dtype=float)  # the last pair matters most
    score = sum(s * (codes[j] ^ codes[k]) for s, (j, k) in zip(strength, pairs))
    y = (score + rng.logistic(size=8000) > strength.sum() / 2).astype(int)
    chosen = chosen_crosses(codes, y)
    assert chosen == pairs[::-1][:MAX_AUTO_CROSSES]


def test_auto_crosses_nothing_on_few_rows_or_many_classes():
    rng = np.random.default_rng(4)
    codes = _codes(rng, MIN_SCORED_ROWS - 1, 2, n_values=2)
    assert chosen_crosses(codes, codes[0] ^ codes[1]) == []
    codes = _codes(rng, 5000, 2, n_values=8)
    many = (codes[0] * 8 + codes[1]) % (MAX_CROSS_CLASSES + 1)  # every class a joint value
    assert chosen_crosses(codes, many) == []
    assert chosen_crosses(codes, many % MAX_CROSS_CLASSES) == [(0, 1)]


def _table(n_rows=3000, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 3, (2, n_rows))
    frame = pd.DataFrame({"a": [f"a{v}" for v in a], "b": [f"b{v}" for v in b],
                          "x": rng.normal(size=n_rows), "review": [f"word{v} and more words" for v in a]})
    return frame, ((a + b) % 3 == 0).astype(int)


def test_a_cross_adds_one_token_a_row_shared_by_rows_of_the_same_pair_of_values():
    X, _ = _table()
    plain = UDTFeaturizer().fit(X).transform(X)
    crossed_featurizer = UDTFeaturizer(crosses=[("b", "a")]).fit(X)
    assert crossed_featurizer.crosses_ == [(0, 1)]
    crossed = crossed_featurizer.transform(X)
    extra = crossed - plain  # the cross's feature: its own index, weight 1 (a column of its own)
    extra.eliminate_zeros()
    assert np.all(np.diff(extra.indptr) == 1) and np.allclose(extra.data, 1.0)
    pairs = X["a"] + "/" + X["b"]
    feature_of_pair = pd.Series(extra.indices).groupby(pairs.to_numpy()).nunique()
    assert feature_of_pair.max() == 1  # one feature for each pair of values...
    assert len(set(extra.indices)) == pairs.nunique() == 9  # ...and a different one for each


def test_numbers_cross_by_their_bin_and_missing_is_a_value():
    X = pd.DataFrame({"c": ["u", "u", "u", "v"] * 50, "n": [1.0, 2.0, np.nan, 1.0] * 50})
    featurizer = UDTFeaturizer(crosses=[(0, 1)], n_bins=2).fit(X)
    plain = UDTFeaturizer(n_bins=2).fit(X).transform(X[:4])
    extra = featurizer.transform(X[:4]) - plain
    extra.eliminate_zeros()
    assert len(set(extra.indices)) == 4 and np.all(np.diff(extra.indptr) == 1)


def test_auto_crosses_a_table_from_its_labels_and_only_with_class_labels():
    X, y = _table()
    assert UDTFeaturizer(crosses="auto").fit(X, y).crosses_ == [(0, 1)]
    assert UDTFeaturizer(crosses="auto").fit(X).crosses_ == []
    assert UDTFeaturizer(crosses="auto").fit(X, np.column_stack([y, 1 - y])).crosses_ == []
    assert UDTFeaturizer().fit(X, y).crosses_ == []


def test_one_row_gets_the_crosses_a_batch_gives_it():
    X, y = _table()
    featurizer = UDTFeaturizer(crosses=[("a", "b"), ("a", "x")]).fit(X, y)
    batch = featurizer.transform(X[:20])
    for row in range(20):
        alone = featurizer.transform(X[row:row + 1])
        assert np.array_equal(alone.indices, batch[row].indices)
        assert np.array_equal(alone.data, batch[row].data)


def test_a_model_saved_before_crosses_transforms_as_without_them():
    X, _ = _table()
    featurizer = UDTFeaturizer().fit(X)
    expected = featurizer.transform(X)
    del featurizer.crosses_
    old = pickle.loads(pickle.dumps(featurizer))
    assert (old.transform(X) != expected).nnz == 0


@pytest.mark.parametrize(("crosses", "message"), [
    ([("a", "review")], "column 'review' is a text column"),
    ([("a", "a")], "pairs column 'a' with itself"),
    ([("a", "nope")], "crosses names column 'nope'"),
    ([("a", 7)], "crosses names column 7"),
    (["ab"], "pairs of columns"),
    ([("a", "b", "x")], "pairs of columns"),
    ([("a", "b"), ("b", "a")], "twice"),
])
def test_bad_crosses_are_refused_with_the_column(crosses, message):
    X, y = _table(200)
    with pytest.raises(ValueError, match=message):
        UDTFeaturizer(crosses=crosses).fit(X, y)
    with pytest.raises(ValueError, match=message):
        UDTClassifier(crosses=crosses, max_iter=1).fit(X, y)


def test_at_most_max_crosses():
    X = pd.DataFrame({f"c{j}": ["p", "q"] * 10 for j in range(40)})
    pairs = [(j, k) for j in range(40) for k in range(j + 1, 40)][:MAX_CROSSES + 1]
    with pytest.raises(ValueError, match=f"at most {MAX_CROSSES}"):
        UDTFeaturizer(crosses=pairs).fit(X)
    with pytest.raises(ValueError, match="crosses"):
        UDTFeaturizer(crosses="all").fit(X)


def test_the_classifier_passes_its_crosses_and_labels_to_the_featurizer():
    X, y = _table()
    labels = np.where(y == 1, "yes", "no")
    model = UDTClassifier(crosses=[("a", "b")], max_iter=2, random_state=0).fit(X, labels)
    assert model.featurizer_.crosses_ == [(0, 1)]
    auto = UDTClassifier(crosses="auto", max_iter=2, random_state=0).fit(X, labels)
    assert auto.featurizer_.crosses_ == [(0, 1)]
    assert UDTClassifier(crosses=None, max_iter=2).fit(X, labels).featurizer_.crosses_ == []


def test_a_classifier_saved_before_crosses_still_shows_and_clones():
    X, y = _table(600)
    model = UDTClassifier(max_iter=1, random_state=0).fit(X, y)
    for estimator in (model, model.featurizer_):
        del estimator.__dict__["crosses"]
    old = pickle.loads(pickle.dumps(model))
    assert old.get_params()["crosses"] is None and "UDTClassifier" in repr(old)
    assert np.array_equal(old.predict(X), model.predict(X))
