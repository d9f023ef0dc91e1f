"""Multi-valued cells ("drama, comedy"): inferred as a column type of their own, each value
a token, order and spacing ignored, and quick on long cells."""
import time

import numpy as np
import pandas as pd
import pytest

from sparsenet import UDTClassifier, UDTFeaturizer
from sparsenet.udt._multi_values import multi_value_delimiter

GENRES = ["drama", "comedy", "action", "horror", "romance", "sci-fi", "documentary", "thriller"]


def genre_table(n, seed=0, delimiter=", "):
    rng = np.random.default_rng(seed)
    cells = [delimiter.join(rng.choice(GENRES, size=rng.integers(1, 4), replace=False)) for _ in range(n)]
    reviews = [" ".join(rng.choice(["fine", "long", "loud", "slow", "warm"], size=5)) for _ in range(n)]
    return pd.DataFrame({"genres": cells, "review": reviews})


@pytest.mark.parametrize("delimiter", [", ", "|", ";"])
def test_delimited_short_repeated_values_are_inferred_multi_categorical(delimiter):
    featurizer = UDTFeaturizer(feature_hash_range=2**12).fit(genre_table(300, delimiter=delimiter))
    assert featurizer.column_types_ == ["multi_categorical", "text"]
    assert featurizer.delimiters_ == [delimiter.strip(), None]


def test_free_text_with_commas_stays_text():
    sentences = [f"well, I liked it, mostly because of scene {i}, and the music" for i in range(200)]
    assert multi_value_delimiter(sentences) is None
    table = pd.DataFrame({"comment": sentences, "colour": ["red", "blue"] * 100})
    assert UDTFeaturizer().fit(table).column_types_ == ["text", "categorical"]
    assert UDTFeaturizer().fit(["drama, comedy", "comedy, action"] * 50).column_types_ == ["text"]  # 1-D: text


def test_each_value_is_one_token_whatever_the_order_and_spacing():
    table = pd.DataFrame({"genres": ["drama, comedy", "comedy,drama", "drama", None, "comedy , drama, comedy"]})
    featurizer = UDTFeaturizer(column_types={"genres": "multi_categorical"}, feature_hash_range=2**16, norm=None)
    X = featurizer.fit_transform(table).toarray()
    np.testing.assert_array_equal(X[0], X[1])
    assert X[0].sum() == 2 and X[2].sum() == 1 and set(np.flatnonzero(X[2])) < set(np.flatnonzero(X[0]))
    assert X[3].sum() == 1 and not set(np.flatnonzero(X[3])) & set(np.flatnonzero(X[0]))  # the missing token
    assert X[4][np.flatnonzero(X[0])].tolist() == [1, 2] or X[4][np.flatnonzero(X[0])].tolist() == [2, 1]


def test_a_label_carried_by_one_value_of_a_list_is_learned():
    table = genre_table(2000)
    labels = np.where(table["genres"].str.contains("horror"), "scary", "not scary")
    model = UDTClassifier(max_iter=5, random_state=0).fit(table[:1500], labels[:1500])
    assert model.column_types_[0] == "multi_categorical"
    assert model.score(table[1500:], labels[1500:]) > 0.97


def test_long_cells_featurize_quickly():
    rng = np.random.default_rng(0)
    vocabulary = [f"actor {i}" for i in range(500)]
    cells = [", ".join(rng.choice(vocabulary, size=60)) for _ in range(6000)]
    table = pd.DataFrame({"cast": cells, "year": rng.integers(1950, 2020, size=6000)})
    started = time.perf_counter()
    X = UDTFeaturizer(column_types={"cast": "multi_categorical"}).fit_transform(table)
    assert time.perf_counter() - started < 10  # about 0.3 s here: the bound only catches a blow-up
    assert X.shape[0] == 6000 and X[0].nnz >= 50
