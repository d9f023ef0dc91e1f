"""UDTClassifier as a user sees it: raw columns in, predictions out; the scikit-learn
tooling, every input form, errors that name the problem, and property tests on random
input (never crash, well-formed probabilities)."""
import datetime
import pickle
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsenet import UDTClassifier
from sparsenet.udt import _classifier as udt_module
from sparsenet.datasets import load_sms_spam

PROPERTY_SETTINGS = settings(max_examples=50, deadline=None)
MIXED_TYPES = ["text", "categorical", "numeric", "date"]

# Three topics with disjoint vocabularies: a text's topic is plain from any of its words.
TOPICS = {
    "sport": ["goal", "match", "team", "player", "score", "league", "coach", "referee", "stadium", "striker"],
    "cooking": ["recipe", "oven", "flour", "sugar", "bake", "butter", "salt", "pepper", "onion", "garlic"],
    "music": ["guitar", "melody", "chorus", "drummer", "concert", "album", "lyrics", "piano", "rhythm", "singer"],
}


def topic_texts(n, seed=0, topics=("sport", "cooking")):
    """n texts of 3 to 7 words, each drawn from the vocabulary of its topic (the label)."""
    rng = np.random.default_rng(seed)
    labels = rng.choice(list(topics), size=n)
    texts = [" ".join(rng.choice(TOPICS[label], size=rng.integers(3, 8))) for label in labels]
    return texts, labels


def mixed_columns(n, seed=0):
    """Texts, colours, prices and dates of n rows (labelled by the texts' topic)."""
    rng = np.random.default_rng(seed + 100)
    texts, labels = topic_texts(n, seed, topics=tuple(TOPICS))
    colours = rng.choice(["red", "green", "blue"], size=n).tolist()
    prices = rng.lognormal(3, 1, size=n).round(2)
    days = rng.integers(0, 1500, size=n)
    dates = [str(datetime.date(2020, 1, 1) + datetime.timedelta(days=int(d))) for d in days]
    return texts, colours, prices, dates, labels


def mixed_table(n, seed=0):
    """The mixed columns as a 2-D object array (dates as ISO strings), and the labels."""
    texts, colours, prices, dates, labels = mixed_columns(n, seed)
    table = np.empty((n, 4), dtype=object)
    table[:, 0], table[:, 1], table[:, 2], table[:, 3] = texts, colours, prices.tolist(), dates
    return table, labels


def mixed_frame(n, seed=0):
    pd = pytest.importorskip("pandas", reason="pandas is optional: DataFrame input is tested with it")
    texts, colours, prices, dates, labels = mixed_columns(n, seed)
    frame = pd.DataFrame({
        "review": texts, "colour": pd.Categorical(colours), "price": prices, "posted": pd.to_datetime(dates),
    })
    return frame, labels


def small_model(**params):
    defaults = {"hidden_layer_sizes": (32,), "feature_hash_range": 2**12, "max_iter": 20, "random_state": 0,
                "n_jobs": 1}
    return UDTClassifier(**{**defaults, **params})


def assert_probabilities(proba, n_rows, n_classes):
    assert proba.shape == (n_rows, n_classes) and proba.dtype == np.float64
    assert np.all(np.isfinite(proba)) and np.all(proba >= 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-10)


# ------------------------------------------------------------------ scikit-learn checks

# Each entry: check name -> the reason a user would accept for not passing it.
EXPECTED_FAILED_CHECKS = {
}


@parametrize_with_checks(
    [UDTClassifier(hidden_layer_sizes=(32,), max_iter=20, random_state=0, n_jobs=1)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# ------------------------------------------------------------------ learning


def test_learns_sms_spam_with_default_settings():
    texts, labels = load_sms_spam()
    train_texts, test_texts, train_labels, test_labels = train_test_split(
        texts, labels, test_size=0.25, stratify=labels, random_state=0)
    # defaults but one thread: the model does not depend on the thread count
    clf = UDTClassifier(random_state=0, n_jobs=1).fit(train_texts, train_labels)
    predicted = clf.predict(test_texts)
    assert np.mean(predicted == test_labels) > 0.95  # "always ham" scores 0.87
    spam = test_labels == "spam"
    assert np.mean(predicted[spam] == "spam") > 0.8  # recall of the rare class
    np.testing.assert_array_equal(clf.classes_, ["ham", "spam"])
    assert clf.column_types_ == ["text"] and clf.n_features_in_ == 1
    # "auto" settings for 4,180 short texts: character n-grams on, a power-of-two hash
    # range within bounds, the most epochs (100,000 rows seen would take 24)
    assert clf.featurizer_.char_ngrams == (3, 4)
    hash_range = clf.featurizer_.feature_hash_range
    assert 2**16 <= hash_range <= 2**20 and hash_range & (hash_range - 1) == 0
    assert tuple(clf.classifier_.hidden_layer_sizes) == (64,)
    assert clf.classifier_.max_iter == 10 and 1 <= clf.n_iter_ <= 10


def test_learns_two_topics_perfectly():
    texts, labels = topic_texts(60)
    new_texts, new_labels = topic_texts(200, seed=1)  # unseen word combinations
    clf = UDTClassifier(random_state=0, n_jobs=1).fit(texts, labels)
    np.testing.assert_array_equal(clf.predict(new_texts), new_labels)
    assert clf.score(new_texts, new_labels) == 1.0
    # 60 rows: "auto" runs the most epochs
    assert clf.classifier_.max_iter == 10


def test_learns_from_a_categorical_column_alone():
    rows = np.array([["red", "x"], ["blue", "x"], ["green", "x"]] * 20, dtype=object)
    labels = np.array(["warm", "cold", "cold"] * 20)
    clf = small_model(learning_rate=0.01).fit(rows, labels)
    assert clf.column_types_ == ["categorical", "categorical"]
    np.testing.assert_array_equal(clf.predict(rows[:3]), ["warm", "cold", "cold"])


# ------------------------------------------------------------------ input forms


def test_texts_as_list_arrays_and_series_give_the_same_model():
    texts, labels = topic_texts(60)
    new_texts, _ = topic_texts(30, seed=2)
    reference = small_model().fit(texts, labels)
    expected = reference.predict_proba(new_texts)
    for form in (np.array, lambda t: np.array(t, dtype=object), tuple):
        clf = small_model().fit(form(texts), labels)
        assert clf.column_types_ == ["text"]
        np.testing.assert_array_equal(clf.predict_proba(form(new_texts)), expected)
        np.testing.assert_array_equal(reference.predict_proba(form(new_texts)), expected)
    pd = pytest.importorskip("pandas", reason="pandas is optional: DataFrame input is tested with it")
    series = small_model().fit(pd.Series(texts, name="text"), labels)
    np.testing.assert_array_equal(series.predict_proba(pd.Series(new_texts)), expected)


def test_mixed_2d_array_types_inferred_or_given():
    table, labels = mixed_table(90)
    new_table, new_labels = mixed_table(60, seed=3)
    inferred = small_model().fit(table, labels)
    assert inferred.column_types_ == MIXED_TYPES
    assert inferred.n_features_in_ == 4 and not hasattr(inferred, "feature_names_in_")
    assert inferred.score(new_table, new_labels) == 1.0
    # the same types, given as a list or a dict of positions: the same model
    for types in (MIXED_TYPES, dict(enumerate(MIXED_TYPES)), {0: "text"}):
        given = small_model(column_types=types).fit(table, labels)
        assert given.column_types_ == MIXED_TYPES
        np.testing.assert_array_equal(given.predict_proba(new_table), inferred.predict_proba(new_table))
    # other types change the features: the colours as text, the dates as categories
    other = small_model(column_types={1: "text", 3: "categorical"}).fit(table, labels)
    assert other.column_types_ == ["text", "text", "numeric", "categorical"]
    assert not np.array_equal(other.predict_proba(new_table), inferred.predict_proba(new_table))


def test_list_of_rows_is_a_table():
    table, labels = mixed_table(40)
    from_rows = small_model().fit(table.tolist(), labels)
    from_array = small_model().fit(table, labels)
    assert from_rows.column_types_ == MIXED_TYPES
    np.testing.assert_array_equal(from_rows.predict_proba(table.tolist()), from_array.predict_proba(table))


def test_dataframe_with_named_datetime_and_category_columns():
    frame, labels = mixed_frame(90)
    new_frame, new_labels = mixed_frame(60, seed=3)
    clf = small_model().fit(frame, labels)
    assert clf.column_types_ == MIXED_TYPES
    assert list(clf.feature_names_in_) == ["review", "colour", "price", "posted"]
    assert clf.score(new_frame, new_labels) == 1.0
    # types given by column name: the same model
    by_name = small_model(column_types={"review": "text", "colour": "categorical"}).fit(frame, labels)
    np.testing.assert_array_equal(by_name.predict_proba(new_frame), clf.predict_proba(new_frame))
    # columns are matched by name
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(new_frame.rename(columns={"colour": "color"}))
    # a model fitted on a 2-D array no longer carries the DataFrame's names
    clf.fit(mixed_table(90)[0], labels)
    assert not hasattr(clf, "feature_names_in_")


def test_dataframe_and_2d_array_of_the_same_data_agree():
    frame, labels = mixed_frame(90)
    new_frame, _ = mixed_frame(60, seed=3)
    table, table_labels = mixed_table(90)
    new_table, _ = mixed_table(60, seed=3)
    np.testing.assert_array_equal(labels, table_labels)
    from_frame = small_model().fit(frame, labels)
    from_table = small_model(column_types=MIXED_TYPES).fit(table, labels)
    assert from_frame.column_types_ == from_table.column_types_
    expected = from_frame.predict_proba(new_frame)
    np.testing.assert_array_equal(from_table.predict_proba(new_table), expected)
    np.testing.assert_array_equal(from_table.predict(new_table), from_frame.predict(new_frame))
    # a model fitted without names reads a DataFrame by position, with sklearn's warning
    with pytest.warns(UserWarning, match="feature names"):
        np.testing.assert_array_equal(from_table.predict_proba(new_frame), expected)


# ------------------------------------------------------------------ targets and outputs


def multilabel_texts(n, seed=0):
    """Texts mixing the words of one or two topics, and their topic indicator matrix."""
    rng = np.random.default_rng(seed)
    names = list(TOPICS)
    Y = np.zeros((n, len(names)), dtype=int)
    texts = []
    for i in range(n):
        chosen = rng.choice(len(names), size=rng.integers(1, 3), replace=False)
        Y[i, chosen] = 1
        texts.append(" ".join(word for j in chosen for word in rng.choice(TOPICS[names[j]], size=3)))
    return texts, Y


@pytest.mark.parametrize("as_sparse", [False, True])
def test_multilabel_indicator_targets(as_sparse):
    texts, Y = multilabel_texts(120)
    new_texts, new_Y = multilabel_texts(40, seed=1)
    target = sparse.csr_matrix(Y) if as_sparse else Y
    clf = small_model(max_iter=40, learning_rate=0.01).fit(texts, target)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    predicted = clf.predict(new_texts)
    assert sparse.issparse(predicted) == as_sparse and predicted.shape == new_Y.shape
    dense = predicted.toarray() if as_sparse else predicted
    # the top label is always a true one
    top = clf.predict_topk(new_texts, k=1)[:, 0]
    assert np.all(new_Y[np.arange(len(new_texts)), top] == 1)
    assert np.all(dense[np.arange(len(new_texts)), top] == 1)
    # one sigmoid per label: probabilities of each label on its own, predict keeps p >= 0.5
    proba = clf.predict_proba(new_texts)
    assert proba.shape == (len(new_texts), 3) and np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_array_equal(dense, (proba >= 0.5).astype(int))
    # a sparse and a dense indicator give the same model
    other = small_model(max_iter=40, learning_rate=0.01).fit(texts, Y if as_sparse else sparse.csr_matrix(Y))
    np.testing.assert_array_equal(other.predict_proba(new_texts), clf.predict_proba(new_texts))


@pytest.mark.parametrize("topics", [("sport", "cooking"), tuple(TOPICS)])
def test_probabilities_scores_and_topk(topics):
    texts, labels = topic_texts(60, topics=topics)
    new_texts, _ = topic_texts(25, seed=4, topics=topics)
    clf = small_model().fit(texts, labels)
    n_classes = len(topics)
    proba = clf.predict_proba(new_texts)
    assert_probabilities(proba, 25, n_classes)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(new_texts)), proba, rtol=1e-10)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(new_texts))
    decision = clf.decision_function(new_texts)
    assert decision.shape == ((25,) if n_classes == 2 else (25, n_classes))
    for k in range(1, n_classes + 1):
        labels_k, scores_k = clf.predict_topk(new_texts, k=k, return_scores=True)
        assert labels_k.shape == scores_k.shape == (25, k)
        np.testing.assert_array_equal(labels_k[:, 0], clf.predict(new_texts))
        np.testing.assert_allclose(scores_k, -np.sort(-proba, axis=1)[:, :k], rtol=1e-5)
    assert clf.predict_topk(new_texts[:1], k=1).shape == (1, 1)
    with pytest.raises(ValueError, match="k must be"):
        clf.predict_topk(new_texts, k=n_classes + 1)


# ------------------------------------------------------------------ partial_fit and refitting


def test_partial_fit_streams_chunks():
    texts, labels = topic_texts(120, topics=tuple(TOPICS))
    new_texts, new_labels = topic_texts(60, seed=5, topics=tuple(TOPICS))
    clf = small_model(learning_rate=0.01)
    for _ in range(5):
        for start in range(0, 120, 40):
            clf.partial_fit(texts[start:start + 40], labels[start:start + 40], classes=list(TOPICS))
    assert clf.n_iter_ == 15
    np.testing.assert_array_equal(clf.classes_, sorted(TOPICS))
    assert clf.score(new_texts, new_labels) == 1.0
    # "auto" sizes assume a long stream of such rows (the total is unknown): more rows
    # mean a wider hash range than the first chunk alone would get
    streamed = UDTClassifier(max_iter=1, n_jobs=1).partial_fit(texts[:40], labels[:40], classes=list(TOPICS))
    one_fit = UDTClassifier(max_iter=1, n_jobs=1).fit(texts[:40], labels[:40])
    assert streamed.featurizer_.feature_hash_range > one_fit.featurizer_.feature_hash_range
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit(texts[:5], labels[:5], classes=["sport", "cooking"])


def test_partial_fit_needs_classes_on_the_first_call():
    texts, labels = topic_texts(20)
    clf = small_model()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(texts, labels)
    # the failed call fitted nothing: the model is still unfitted, and takes other columns
    with pytest.raises(NotFittedError):
        clf.predict(texts)
    table, table_labels = mixed_table(20)
    clf.partial_fit(table, table_labels, classes=list(TOPICS))
    assert clf.n_features_in_ == 4 and clf.n_iter_ == 1
    # a multi-label indicator needs no classes: its columns are the labels
    texts, Y = multilabel_texts(20)
    multilabel = small_model().partial_fit(texts, Y)
    np.testing.assert_array_equal(multilabel.classes_, [0, 1, 2])


def test_partial_fit_after_fit_continues_and_refit_restarts():
    texts, labels = topic_texts(60)
    clf = small_model(max_iter=3).fit(texts, labels)
    featurizer, before = clf.featurizer_, clf.predict_proba(texts)
    clf.partial_fit(texts, labels)  # the classes are known from fit
    assert clf.featurizer_ is featurizer and clf.n_iter_ == 4
    assert not np.array_equal(clf.predict_proba(texts), before)
    # fit starts over: the same model as a fresh one
    clf.fit(texts, labels)
    assert clf.n_iter_ == 3
    np.testing.assert_array_equal(clf.predict_proba(texts), before)


def test_failed_refit_keeps_the_fitted_model():
    texts, labels = topic_texts(60)
    clf = small_model(max_iter=3).fit(texts, labels)
    expected = clf.predict_proba(texts)
    table, _ = mixed_table(10)
    with pytest.raises(ValueError, match="rows"):
        clf.fit(table, labels)  # 10 rows, 60 labels
    assert clf.n_features_in_ == 1 and clf.column_types_ == ["text"]
    np.testing.assert_array_equal(clf.predict_proba(texts), expected)


def test_clone_get_params_set_params():
    clf = small_model(column_types={"review": "text"}, char_ngrams=(3, 4), alpha=1e-3)
    params = clf.get_params()
    assert params["column_types"] == {"review": "text"} and params["char_ngrams"] == (3, 4)
    assert clone(clf).get_params() == params
    texts, labels = topic_texts(40)
    fitted = small_model().fit(texts, labels)
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "classifier_") and not hasattr(copy, "classes_")
    copy.set_params(hidden_layer_sizes=(8,), max_iter=2, word_ngrams=1)
    assert copy.get_params()["hidden_layer_sizes"] == (8,)
    copy.fit(texts, labels)
    assert tuple(copy.classifier_.hidden_layer_sizes) == (8,) and copy.n_iter_ <= 2
    assert copy.featurizer_.word_ngrams == 1
    with pytest.raises(ValueError, match="Invalid parameter 'hidden_size'"):
        copy.set_params(hidden_size=8)


def test_pickle_round_trip_gives_identical_predictions():
    frame, labels = mixed_frame(60)
    clf = small_model().fit(frame, labels)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(frame), clf.predict_proba(frame))
    np.testing.assert_array_equal(restored.predict(frame), clf.predict(frame))
    assert restored.column_types_ == clf.column_types_
    assert list(restored.feature_names_in_) == list(clf.feature_names_in_)
    # the restored model trains on as the original does
    restored.partial_fit(frame, labels)
    clf.partial_fit(frame, labels)
    np.testing.assert_array_equal(restored.predict_proba(frame), clf.predict_proba(frame))


def strip_digits(texts):
    return [re.sub(r"\d", "", text) for text in texts]


def test_pipeline_grid_search_and_cross_validation():
    texts, labels = topic_texts(80, topics=tuple(TOPICS))
    texts = [f"{text} {i}" for i, text in enumerate(texts)]
    model = small_model(learning_rate=0.01)  # 40 rows a fold: 2 steps an epoch
    pipe = Pipeline([("clean", FunctionTransformer(strip_digits)), ("udt", model)])
    search = GridSearchCV(pipe, {"udt__hidden_layer_sizes": [(8,), (32,)]}, cv=2)
    search.fit(texts, labels)
    assert len(search.cv_results_["params"]) == 2
    assert search.best_score_ == 1.0
    assert search.best_estimator_.named_steps["udt"].classifier_.hidden_layer_sizes \
        == search.best_params_["udt__hidden_layer_sizes"]
    new_texts, new_labels = topic_texts(30, seed=6, topics=tuple(TOPICS))
    assert search.score(new_texts, new_labels) == 1.0
    scores = cross_val_score(clone(model), texts, labels, cv=2)
    assert scores.shape == (2,) and scores.min() == 1.0


# ------------------------------------------------------------------ errors


def test_wrong_type_in_a_text_column_names_column_and_row():
    pd = pytest.importorskip("pandas", reason="pandas is optional: DataFrame input is tested with it")
    frame = pd.DataFrame({"review": ["fine film"] * 17 + [42] + ["ok"], "stars": range(19)})
    with pytest.raises(TypeError, match=r"column 'review', row 17: expected text, got int"):
        small_model(column_types={"review": "text"}).fit(frame, [0, 1] * 9 + [0])
    texts, labels = topic_texts(20)
    clf = small_model(max_iter=1).fit(texts, labels)
    with pytest.raises(ValueError, match=r"column 0, row 2: a value of type bytes is not a text"):
        clf.predict(["goal", None, b"bytes"])
    with pytest.raises(TypeError, match=r"column 0, row 1: expected text, got float"):
        clf.predict_proba(["goal", 2.5])


def test_bad_values_in_other_columns_name_column_and_row():
    table, labels = mixed_table(20)
    clf = small_model(max_iter=1).fit(table, labels)
    bad = table.copy()
    bad[4, 2] = "cheap"
    with pytest.raises(ValueError, match=r"column 2, row 4: cannot read 'cheap' as a number"):
        clf.predict(bad)
    bad = table.copy()
    bad[7, 3] = "last tuesday"
    with pytest.raises(ValueError, match=r"column 3, row 7: cannot parse 'last tuesday' as a date"):
        clf.predict(bad)


def test_different_number_of_columns_at_predict():
    table, labels = mixed_table(20)
    clf = small_model(max_iter=1).fit(table, labels)
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 4 features"):
        clf.predict(table[:, :3])
    with pytest.raises(ValueError, match="X has 1 features, but .* is expecting 4 features"):
        clf.predict_proba(table[:, 0])
    texts, text_labels = topic_texts(20)
    text_clf = small_model(max_iter=1).fit(texts, text_labels)
    with pytest.raises(ValueError, match="X has 4 features, but .* is expecting 1 features"):
        text_clf.predict(table)


def test_unknown_column_type_names_the_column():
    table, labels = mixed_table(20)
    with pytest.raises(ValueError, match=r"unknown type 'txt' for column 0"):
        small_model(column_types={0: "txt"}).fit(table, labels)
    with pytest.raises(ValueError, match=r"unknown type 'number' for column 2"):
        small_model(column_types=["text", "categorical", "number", "date"]).fit(table, labels)
    frame, labels = mixed_frame(20)
    with pytest.raises(ValueError, match=r"unknown type 'colour' for column 'colour'"):
        small_model(column_types={"colour": "colour"}).fit(frame, labels)
    with pytest.raises(ValueError, match=r"lists 2 types, but X has 4 columns"):
        small_model(column_types=["text", "text"]).fit(table, labels)


@pytest.mark.parametrize("X, message", [
    ([], r"0 sample\(s\)"),
    (np.array([], dtype=object), r"0 sample\(s\)"),
    (np.empty((0, 3), dtype=object), r"0 sample\(s\) \(shape=\(0, 3\)\)"),
    (np.empty((3, 0), dtype=object), r"0 feature\(s\) \(shape=\(3, 0\)\)"),
])
def test_empty_input(X, message):
    with pytest.raises(ValueError, match=message):
        small_model().fit(X, [])
    texts, labels = topic_texts(20)
    clf = small_model(max_iter=1).fit(texts, labels)
    with pytest.raises(ValueError, match=message):
        clf.predict(X)


def test_input_that_is_not_a_table():
    texts, labels = topic_texts(20)
    with pytest.raises(TypeError, match="sparse matrix"):
        small_model().fit(sparse.csr_matrix(np.eye(20)), labels)
    with pytest.raises(TypeError, match="single string"):
        small_model().fit("one text", ["a"])
    with pytest.raises(TypeError, match="X must be a list of texts, an array or a DataFrame, got generator"):
        small_model().fit((text for text in texts), labels)
    clf = small_model(max_iter=1).fit(texts, labels)
    with pytest.raises(TypeError, match="single string"):
        clf.predict("goal match")
    with pytest.raises(ValueError, match="rows"):
        small_model().fit(texts, labels[:-1])


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba", "decision_function",
                                    "predict_topk", "score"])
def test_unfitted_model_raises_not_fitted(method):
    clf = small_model()
    args = (["goal"], ["sport"]) if method == "score" else (["goal"],)
    with pytest.raises(NotFittedError):
        getattr(clf, method)(*args)


@pytest.mark.parametrize("params, name", [
    ({"feature_hash_range": 1}, "feature_hash_range"),
    ({"feature_hash_range": 2**31}, "feature_hash_range"),
    ({"feature_hash_range": "big"}, "feature_hash_range"),
    ({"learning_rate": -1}, "learning_rate"),
    ({"learning_rate": 0}, "learning_rate"),
    ({"max_iter": 0}, "max_iter"),
    ({"max_iter": 2.5}, "max_iter"),
    ({"word_ngrams": 3}, "word_ngrams"),
    ({"all_pairs_max_tokens": -1}, "all_pairs_max_tokens"),
    ({"all_pairs_max_tokens": 5000}, "all_pairs_max_tokens"),
    ({"char_ngrams": (5, 3)}, "char_ngrams"),
    ({"n_bins": 0}, "n_bins"),
    ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": "wide"}, "hidden_layer_sizes"),
    ({"batch_size": 0}, "batch_size"),
    ({"alpha": -1.0}, "alpha"),
    ({"early_stopping": "yes"}, "early_stopping"),
    ({"n_iter_no_change": 0}, "n_iter_no_change"),
    ({"output_sparsity": 0.0}, "output_sparsity"),
    ({"hash_seed": -1}, "hash_seed"),
    ({"column_types": "text"}, "column_types"),
])
def test_bad_parameters_are_named(params, name):
    # InvalidParameterError is a ValueError
    with pytest.raises(ValueError, match=name):
        small_model(**params).fit(["a goal", "a cake"], ["sport", "cooking"])


# ------------------------------------------------------------------ determinism


def test_same_seed_one_thread_is_bit_identical():
    table, labels = mixed_table(120)
    new_table, _ = mixed_table(40, seed=7)
    first = small_model(max_iter=5).fit(table, labels).predict_proba(new_table)
    second = small_model(max_iter=5).fit(table, labels).predict_proba(new_table)
    np.testing.assert_array_equal(first, second)
    other_seed = small_model(max_iter=5, random_state=1).fit(table, labels).predict_proba(new_table)
    assert not np.array_equal(first, other_seed)
    # hash_seed moves the features, so the model changes too
    other_hash = small_model(max_iter=5, hash_seed=1).fit(table, labels).predict_proba(new_table)
    assert not np.array_equal(first, other_hash)


def test_thread_count_does_not_change_the_result():
    texts, labels = topic_texts(300, topics=tuple(TOPICS))
    one = small_model(max_iter=5, batch_size=64, n_jobs=1).fit(texts, labels)
    two = small_model(max_iter=5, batch_size=64, n_jobs=2).fit(texts, labels)
    np.testing.assert_array_equal(one.predict_proba(texts), two.predict_proba(texts))
    np.testing.assert_array_equal(one.decision_function(texts), two.decision_function(texts))


# ------------------------------------------------------------------ properties


@pytest.fixture(scope="module")
def text_model():
    """Fitted once for the property tests: a list of texts, three classes."""
    texts, labels = topic_texts(60, topics=tuple(TOPICS))
    return small_model(hidden_layer_sizes=(16,), max_iter=5).fit(texts, labels)


@pytest.fixture(scope="module")
def table_model():
    """Fitted once for the property tests: text, categorical, numeric and date columns."""
    table, labels = mixed_table(60)
    clf = small_model(hidden_layer_sizes=(16,), max_iter=5).fit(table, labels)
    assert clf.column_types_ == MIXED_TYPES
    return clf


def assert_well_formed_predictions(clf, X, n_rows):
    predicted = clf.predict(X)
    assert predicted.shape == (n_rows,) and set(predicted) <= set(clf.classes_)
    proba = clf.predict_proba(X)
    assert_probabilities(proba, n_rows, len(clf.classes_))
    assert np.all(np.isfinite(clf.decision_function(X)))
    labels, scores = clf.predict_topk(X, k=2, return_scores=True)
    assert labels.shape == scores.shape == (n_rows, 2) and np.all(np.isfinite(scores))


# unicode of every kind (surrogates included), marks that combine, emoji sequences
odd_pieces = st.sampled_from([
    "", " ", "\x00", "e\u0301", "\u0301\u0301", "🎬👍🏽", "👨‍👩‍👧", "\ud800", "\udfff", "\u200b",
    "\u202e", "日本語", "ǅ", "ß", "İ", "don't", "!!!??", "\t\n\r",
])
unicode_texts = st.lists(
    st.one_of(st.text(), st.text(st.characters(codec=None, exclude_categories=())), odd_pieces),
    max_size=6).map("".join)
long_texts = st.integers(1, 200_000).map(lambda n: ("goal oven 🎬 e\u0301 " * (n // 12 + 1))[:n])
any_text = st.one_of(unicode_texts, long_texts, st.none(), st.just(np.nan))
huge_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**400), 10**400), st.none(),
    st.sampled_from([1e308, -1e308, np.inf, -np.inf, 5e-324, -0.0, np.float32(3.5), np.int64(-7)]),
)
mixed_categories = st.one_of(
    st.text(max_size=8), st.integers(), st.floats(), st.booleans(), st.none(), st.just(np.nan),
    st.dates(), st.decimals(places=2),
)
dates = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1)).map(str),
    st.datetimes(min_value=datetime.datetime(1700, 1, 1)).map(lambda d: d.isoformat(sep=" ")),
    st.datetimes(min_value=datetime.datetime(1700, 1, 1)), st.dates(), st.none(), st.just(np.nan),
)
COLUMN_VALUES = [any_text, mixed_categories, huge_numbers, dates]


def draw_table(data, n_rows):
    table = np.empty((n_rows, 4), dtype=object)
    for j, values in enumerate(COLUMN_VALUES):
        table[:, j] = data.draw(st.lists(values, min_size=n_rows, max_size=n_rows), label=MIXED_TYPES[j])
    return table


@PROPERTY_SETTINGS
@given(texts=st.lists(any_text, min_size=1, max_size=10))
def test_property_any_texts_predict_well_formed(text_model, texts):
    assert_well_formed_predictions(text_model, texts, len(texts))
    assert_well_formed_predictions(text_model, np.array(texts, dtype=object), len(texts))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_property_any_table_predicts_well_formed(table_model, data):
    n_rows = data.draw(st.integers(1, 10), label="n_rows")
    assert_well_formed_predictions(table_model, draw_table(data, n_rows), n_rows)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_property_fit_on_any_table_then_predict(data):
    # fitting on wild values too: numeric bins from huge numbers, categories of any type
    n_rows = data.draw(st.integers(2, 8), label="n_rows")
    table = draw_table(data, n_rows)
    labels = np.arange(n_rows) % 2
    clf = small_model(hidden_layer_sizes=(4,), feature_hash_range=64, max_iter=1, column_types=MIXED_TYPES)
    clf.fit(table, labels)
    assert_well_formed_predictions(clf, table, n_rows)


# A value of the wrong kind for each column, the error it gives and how the message reads.
BAD_VALUES = {
    "text": st.one_of(
        st.tuples(st.integers(), st.just((TypeError, "expected text, got int"))),
        st.tuples(st.floats(allow_nan=False), st.just((TypeError, "expected text, got float"))),
        st.tuples(st.binary(), st.just((ValueError, "a value of type bytes is not a text"))),
        st.tuples(st.booleans(), st.just((TypeError, "expected text, got bool"))),
    ),
    "numeric": st.one_of(
        st.tuples(st.sampled_from(["cheap", "", "1,5", "12 euros"]), st.just((ValueError, "as a number"))),
        st.tuples(st.lists(st.integers(), max_size=2), st.just((ValueError, "a value of type list is not a text"))),
    ),
    "date": st.one_of(
        st.tuples(st.sampled_from(["yesterday", "2021-13-01", "2021/03/01", "03-01-2021"]),
                  st.just((ValueError, "as a date"))),
        st.tuples(st.integers(), st.just((TypeError, "expected a date, got int"))),
    ),
}


@PROPERTY_SETTINGS
@given(data=st.data())
def test_property_bad_value_names_column_and_row(table_model, data):
    n_rows = data.draw(st.integers(1, 10), label="n_rows")
    table = draw_table(data, n_rows)
    kind = data.draw(st.sampled_from(list(BAD_VALUES)), label="column type")
    j, row = MIXED_TYPES.index(kind), data.draw(st.integers(0, n_rows - 1), label="row")
    value, (error, message) = data.draw(BAD_VALUES[kind], label="bad value")
    table[row, j] = value
    with pytest.raises(error, match=re.escape(f"column {j}, row {row}: ") + ".*" + re.escape(message)):
        table_model.predict_proba(table)


@PROPERTY_SETTINGS
@given(texts=st.lists(any_text, min_size=1, max_size=10), data=st.data())
def test_property_bad_value_in_a_list_of_texts(text_model, texts, data):
    row = data.draw(st.integers(0, len(texts) - 1), label="row")
    value, (error, message) = data.draw(BAD_VALUES["text"], label="bad value")
    texts[row] = value
    with pytest.raises(error, match=re.escape(f"column 0, row {row}: {message}")):
        text_model.predict(texts)


# ------------------------------------------------------------------ network inputs and idf


def test_network_has_an_input_per_feature_seen_in_training():
    texts, labels = topic_texts(60)
    clf = small_model(feature_hash_range=2**16, char_ngrams=None).fit(texts, labels)
    used = np.unique(clf.featurizer_.transform(texts).indices)
    assert clf.classifier_.n_features_in_ == len(used) < 2**16 // 10
    # words no training text had carry no weights: such a text predicts as an empty one
    np.testing.assert_array_equal(clf.predict_proba(["zebra quantum"]), clf.predict_proba([""]))
    assert not np.array_equal(clf.predict_proba(["goal match"]), clf.predict_proba([""]))
    # training on empty texts only still gives a network (of one input)
    empty = small_model().fit(["", "", "", ""], ["a", "b", "a", "b"])
    assert empty.classifier_.n_features_in_ == 1 and empty.predict(["anything"]).shape == (1,)


def test_idf_for_long_texts_only_and_never_for_streams():
    texts, labels = topic_texts(40)
    assert not small_model().fit(texts, labels).featurizer_.use_idf  # a few words each
    long_texts = [" ".join([text] * 30) for text in texts]
    assert small_model().fit(long_texts, labels).featurizer_.use_idf
    assert not small_model(use_idf=False).fit(long_texts, labels).featurizer_.use_idf
    # a stream's first batch cannot tell how rare a word is, nor which words will come
    streamed = small_model().partial_fit(long_texts, labels, classes=["cooking", "sport"])
    assert not streamed.featurizer_.use_idf and streamed.featurizer_.unseen_tokens == "keep"
    assert small_model(use_idf=True).partial_fit(long_texts, labels, classes=["cooking", "sport"]).featurizer_.use_idf


def test_feature_columns_lookup_table_and_binary_search_agree(monkeypatch):
    import sparsenet.udt._feature_columns as feature_columns

    train = sparse.random(40, 2**16, density=1e-3, format="csr", dtype=np.float32, random_state=0)
    test = sparse.vstack([train[:10], sparse.random(10, 2**16, density=1e-3, format="csr", dtype=np.float32,
                                                    random_state=1)]).tocsr()
    test.sort_indices()
    table = feature_columns.FeatureColumns(train)
    monkeypatch.setattr(feature_columns, "DENSE_MAP_LIMIT", 2**10)
    search = feature_columns.FeatureColumns(train)
    assert table.column_of is not None and search.column_of is None
    a, b = table.apply(test), search.apply(test)
    assert a.shape == b.shape == (20, len(np.unique(train.indices)))
    np.testing.assert_array_equal(a.toarray(), b.toarray())
    # the training rows keep every entry; the others only the features training had
    np.testing.assert_array_equal(np.diff(a.indptr)[:10], np.diff(train.indptr)[:10])
    assert a[10:].nnz == np.isin(test[10:].indices, train.indices).sum()


def test_a_fit_splits_its_table_once(monkeypatch):
    import sparsenet.udt._classifier as classifier_module
    import sparsenet.udt._featurizer as featurizer_module

    calls = []
    for module in (classifier_module, featurizer_module):
        original = module.split_columns
        monkeypatch.setattr(module, "split_columns", lambda X, original=original: calls.append(1) or original(X))
    X, y = mixed_table(120)
    small_model().fit(X, y)
    assert len(calls) == 1
    calls.clear()
    UDTClassifier(max_iter=1, random_state=0).partial_fit(X, y, classes=np.unique(y))
    assert len(calls) == 1


def test_auto_settings_read_the_column_types():
    # long values in a column declared categorical are not text: the texts are short, so
    # "auto" picks character n-grams and no idf
    long_codes = ["product code " + "x" * 600 + str(i % 3) for i in range(200)]
    texts = [f"short review number {i % 7}" for i in range(200)]
    X = np.array(list(zip(texts, long_codes)), dtype=object)
    clf = UDTClassifier(column_types=["text", "categorical"], max_iter=1, random_state=0).fit(X, np.arange(200) % 2)
    assert clf.featurizer_.char_ngrams == (3, 4) and not clf.featurizer_.use_idf


def test_auto_hidden_width_follows_the_label_count():
    # the rule: half the label count rounded up to a power of two, from 64 to 256 neurons
    assert [udt_module.auto_hidden_width(n) for n in (2, 20, 128, 129, 150, 256, 257, 736, 670_091)] == \
        [64, 64, 64, 128, 128, 128, 256, 256, 256]
    texts = [f"word{i % 150} filler text" for i in range(600)]
    labels = np.array([f"intent{i % 150}" for i in range(600)])
    clf = UDTClassifier(random_state=0, n_jobs=1, max_iter=1).fit(texts, labels)
    assert tuple(clf.classifier_.hidden_layer_sizes) == (128,)
    # a multi-label indicator counts its columns; partial_fit counts the classes it is given
    indicator = np.eye(300, dtype=np.int8)[np.arange(600) % 300]
    assert tuple(UDTClassifier(random_state=0, n_jobs=1, max_iter=1).fit(texts, indicator)
                 .classifier_.hidden_layer_sizes) == (256,)
    streamed = UDTClassifier(random_state=0, n_jobs=1).partial_fit(texts[:10], labels[:10], classes=np.unique(labels))
    assert tuple(streamed.classifier_.hidden_layer_sizes) == (128,)
    # a width given by the user is kept
    assert tuple(UDTClassifier(hidden_layer_sizes=(16,), random_state=0, n_jobs=1, max_iter=1)
                 .fit(texts, labels).classifier_.hidden_layer_sizes) == (16,)


def test_auto_hidden_layers_of_tables_follow_their_column_types():
    import pandas as pd

    rng = np.random.default_rng(0)
    numbers = pd.DataFrame({"a": rng.normal(size=300), "b": rng.integers(0, 9, size=300)})
    y = (numbers["a"] > 0).to_numpy()

    def hidden(X, **params):
        model = UDTClassifier(random_state=0, n_jobs=1, max_iter=1, **params).fit(X, y)
        return tuple(model.classifier_.hidden_layer_sizes)

    assert hidden(numbers) == (256, 256)  # numbers alone: two layers
    assert hidden(numbers.to_numpy()) == (256, 256)
    assert hidden(numbers.assign(shop=rng.choice(["x", "y"], size=300))) == (256,)  # with a category: one
    assert hidden(numbers, column_types={"b": "categorical"}) == (256,)
    assert hidden(numbers.assign(note=["fine"] * 300), column_types={"note": "text"}) == (64,)  # with text
    streamed = UDTClassifier(random_state=0, n_jobs=1).partial_fit(numbers, y, classes=[False, True])
    assert tuple(streamed.classifier_.hidden_layer_sizes) == (256, 256)


def test_a_1d_x_of_numbers_is_refused_unless_declared_but_1d_strings_are_a_text_column():
    import pandas as pd

    y = ["a", "b"] * 10
    for numbers in (np.arange(20.0), list(range(20)), pd.Series(np.arange(20))):
        with pytest.raises(ValueError, match="Expected a 2D array, got a 1D array of numbers"):
            small_model().fit(numbers, y)
    declared = small_model(column_types=["numeric"]).fit(np.arange(20.0), y)
    assert declared.column_types_ == ["numeric"]
    assert small_model().fit(np.array(["x y"] * 20), y).column_types_ == ["text"]


def test_predict_can_reject_rows_it_is_unsure_of():
    texts, labels = topic_texts(300, topics=("sport", "cooking", "music"))
    clf = small_model().fit(texts, labels)
    queries = ["goal match team", "recipe oven flour", "zebra quantum nebula", ""]
    proba = clf.predict_proba(queries)
    sure = proba.max(axis=1)
    threshold = float(np.sort(sure)[1]) + 1e-6  # rejects the two least sure rows
    answered = clf.predict(queries, reject_below=threshold, rejected_label="out of scope")
    assert answered.dtype == object
    for i in range(len(queries)):
        expected = "out of scope" if sure[i] < threshold else clf.classes_[proba[i].argmax()]
        assert answered[i] == expected
    assert list(answered).count("out of scope") == 2
    np.testing.assert_array_equal(clf.predict(queries, reject_below=1e-9), clf.predict(queries))
    for bad in (0, 1.5, "high", True):
        with pytest.raises(ValueError, match="reject_below must be a probability"):
            clf.predict(queries, reject_below=bad)
