"""A one-text request takes a short way to the network's inputs (sparsenet/udt/_one_text_path.py):
it must build exactly the features the general path builds, and change nothing in the model."""
import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from sparsenet import UDTClassifier
from sparsenet.mlp._inputs import EngineRows
from sparsenet.udt import _one_text_path
from sparsenet.udt._one_text_path import one_text_path
from sparsenet.udt._row_weighting import mapped_and_weighed_rows, select_and_weigh_rows

WORDS = "plot acting score camera script pacing ending cast music light café über naïve".split()
PROBES = [
    "the plot was great but the ending dragged",
    "PLOT Acting SCORE",                       # case folded as the general path folds it
    "never seen words like zyzzyva quokka",    # tokens no training text had
    "",                                        # nothing at all
    "   \t\n ",                                # only spaces
    "Ünïcödé CAFÉ ÜBER plot Naïve",            # non-ASCII, lowercased by str.lower
    "emoji 🎬 ending 🍿 score",
    "lone surrogate \ud800 plot",              # kept with surrogatepass, as text_as_utf8 keeps it
    "great great great great great",           # repeats (sublinear counts where set)
]


def reviews(n, rng, long):
    good = rng.random(n) < 0.5
    texts = []
    for is_good in good:
        words = list(rng.choice(WORDS, size=40 if long else 5)) + ["great" if is_good else "awful"] * 2
        texts.append(" ".join(words) + (" " + " ".join(rng.choice(WORDS, size=40)) if long else ""))
    return texts, np.where(good, "pos", "neg")


@pytest.fixture(scope="module", params=["long texts (idf)", "short texts (char n-grams)"])
def text_model(request):
    rng = np.random.default_rng(0)
    texts, y = reviews(400, rng, long=request.param.startswith("long"))
    model = UDTClassifier(random_state=0, n_jobs=1, max_iter=3).fit(texts, y)
    assert (model.featurizer_.idf_ is not None) == request.param.startswith("long")
    return model


def general_rows(model, text):
    """The general path's features: a one-text object array is not the short way's list."""
    return model._engine_rows(np.array([text], dtype=object))


@pytest.mark.parametrize("text", PROBES)
def test_the_short_way_builds_exactly_the_general_paths_features(text_model, text):
    short = text_model._engine_rows([text])
    general = general_rows(text_model, text)
    assert isinstance(short, EngineRows) and isinstance(general, EngineRows)
    for part in ("indptr", "indices", "data"):
        expected = getattr(general.matrix, part)
        got = getattr(short.matrix, part)
        assert got.dtype == expected.dtype, part
        np.testing.assert_array_equal(got, expected, err_msg=part)
    assert short.matrix.shape == general.matrix.shape
    np.testing.assert_array_equal(text_model.predict_proba([text]),
                                  text_model.predict_proba(np.array([text], dtype=object)))


def test_a_one_text_request_takes_the_short_way(text_model, monkeypatch):
    def refuse(*_):
        raise AssertionError("the short way was taken")

    monkeypatch.setattr(_one_text_path.OneTextPath, "engine_rows", refuse)
    with pytest.raises(AssertionError, match="short way"):
        text_model.predict(["the plot"])
    text_model.predict(["the plot", "the cast"])  # two texts: the general path
    text_model.predict(("the plot",))             # a tuple: the general path


def test_models_the_short_way_cannot_serve_take_the_general_path():
    rng = np.random.default_rng(1)
    texts, y = reviews(200, rng, long=False)
    frame_model = UDTClassifier(random_state=0, max_iter=2).fit(pd.DataFrame({"review": texts}), y)
    assert one_text_path(frame_model.featurizer_, frame_model._columns) is None  # names to check
    table = pd.DataFrame({"review": texts, "channel": rng.choice(["mail", "chat"], size=200)})
    table_model = UDTClassifier(random_state=0, max_iter=2).fit(table.to_numpy(), y)
    assert one_text_path(table_model.featurizer_, table_model._columns) is None  # two columns
    stream_model = UDTClassifier(random_state=0).partial_fit(texts, y, classes=["neg", "pos"])
    assert stream_model._columns is None
    assert stream_model.predict(["great plot"]).shape == (1,)
    with pytest.raises(ValueError, match="2 features"):
        table_model.predict(["a text alone"])  # the general path's own error


def test_a_one_text_request_changes_nothing_in_the_model():
    rng = np.random.default_rng(2)
    texts, y = reviews(300, rng, long=True)
    model = UDTClassifier(random_state=0, max_iter=2).fit(texts, y)
    before = pickle.dumps(model)
    model.predict(["great plot"])
    assert pickle.dumps(model) == before
    restored = pickle.loads(before)
    np.testing.assert_array_equal(restored.predict_proba(["great plot"]), model.predict_proba(["great plot"]))


def test_concurrent_first_requests_answer_alike():
    rng = np.random.default_rng(3)
    texts, y = reviews(300, rng, long=True)
    model = UDTClassifier(random_state=0, max_iter=2).fit(texts, y)
    probes = [texts[i] for i in range(64)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda text: model.predict_proba([text]), probes))
    np.testing.assert_array_equal(np.vstack(answers), model.predict_proba(probes))


def test_mapping_and_weighing_in_one_pass_equals_selecting_then_mapping():
    rng = np.random.default_rng(4)
    n_features = 50
    seen = rng.random(n_features) < 0.4
    column_of = np.full(n_features, -1, dtype=np.int32)
    column_of[seen] = np.arange(seen.sum(), dtype=np.int32)
    idf = rng.uniform(1, 3, n_features).astype(np.float32)
    indptr = np.array([0, 6, 6, 15], dtype=np.int64)
    indices = np.concatenate([np.sort(rng.choice(n_features, size=k, replace=False)) for k in (6, 0, 9)]).astype(np.int32)
    data = rng.uniform(0.5, 2, len(indices)).astype(np.float32)
    for l2 in (True, False):
        expected = select_and_weigh_rows(indptr, indices, data, seen.view(np.uint8), idf, l2)
        got = mapped_and_weighed_rows(indptr, indices, data, column_of, idf[seen], l2)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], column_of[expected[1]])
        np.testing.assert_array_equal(got[2], expected[2])


def test_mapping_refuses_indices_and_columns_out_of_range():
    column_of = np.array([-1, 0, 1], dtype=np.int32)
    ones = np.ones(2, dtype=np.float32)
    indptr = np.array([0, 2], dtype=np.int64)
    with pytest.raises(ValueError, match="outside"):
        mapped_and_weighed_rows(indptr, np.array([1, 3], dtype=np.int32), ones, column_of)
    with pytest.raises(ValueError, match="outside"):
        mapped_and_weighed_rows(indptr, np.array([-1, 2], dtype=np.int32), ones, column_of)
    with pytest.raises(ValueError, match="column weights"):
        mapped_and_weighed_rows(indptr, np.array([1, 2], dtype=np.int32), ones, column_of, np.ones(1, dtype=np.float32))
    with pytest.raises(ValueError, match="malformed"):
        mapped_and_weighed_rows(np.array([0, 3], dtype=np.int64), np.array([1, 2], dtype=np.int32), ones, column_of)
    with pytest.raises(ValueError, match="decreases"):
        mapped_and_weighed_rows(np.array([0, 2, 1, 2], dtype=np.int64), np.array([1, 2], dtype=np.int32), ones,
                                column_of)
