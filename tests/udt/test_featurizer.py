"""UDTFeaturizer: tokens against a reference tokeniser, hashing, every column type, errors,
and property tests on random input (never crash, well-formed output)."""
import datetime
import doctest
import pickle
import re
from collections import Counter
from itertools import combinations, pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.linalg import norm as row_norms_of
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import normalize
from sklearn.utils.estimator_checks import parametrize_with_checks

import sparsenet.udt._featurizer as featurizer_module
from sparsenet import UDTFeaturizer
from sparsenet.udt import _text_hashing as kernel
from sparsenet.udt._row_weighting import select_and_weigh_rows

RANGE = 2**18
PROPERTY_SETTINGS = settings(max_examples=100, deadline=None)

# The tokeniser's rules as one regular expression: "!" or "?", or runs of word bytes
# (ASCII letters and digits, every byte >= 0x80) joined by single apostrophes.
WORD_BYTES = rb"[A-Za-z0-9\x80-\xff]"
REFERENCE_TOKEN = re.compile(rb"[!?]|" + WORD_BYTES + rb"+(?:'" + WORD_BYTES + rb"+)*")


def reference_tokens(text):
    return REFERENCE_TOKEN.findall(text.lower().encode("utf-8", "surrogatepass"))


def reference_counts(text, *, word_ngrams=2, all_pairs_max_tokens=0, char_ngrams=None, column=0,
                     random_state=0, hash_range=RANGE):
    """Feature index -> count for one text, built from the reference tokens."""
    tokens = reference_tokens(text)

    def index(kind, *parts):
        return kernel.feature_index(kind, parts, random_state, column, hash_range)

    features = [index("word", token) for token in tokens]
    if word_ngrams == 2:
        if len(tokens) <= all_pairs_max_tokens:
            features += [index("pair", a, b) for a, b in combinations(tokens, 2)]
        else:
            features += [index("bigram", a, b) for a, b in pairwise(tokens)]
    if char_ngrams is not None:
        for token in tokens:
            if token in (b"!", b"?"):
                continue
            padded = b" " + token + b" "
            for n in range(char_ngrams[0], char_ngrams[1] + 1):
                features += [index("char", padded[i:i + n]) for i in range(len(padded) - n + 1)]
    return Counter(features)


def row_counts(X, i):
    row = X[i]
    return Counter(dict(zip(row.indices.tolist(), row.data.tolist())))


def featurize(texts, **params):
    params = {"norm": None, "sublinear_tf": False, "n_jobs": 1, **params}
    return UDTFeaturizer(**params).fit_transform(texts)


def assert_well_formed(X, n_rows, hash_range=RANGE):
    assert sparse.issparse(X) and X.format == "csr"
    assert X.shape == (n_rows, hash_range)
    assert X.dtype == np.float32
    assert X.indices.dtype == np.int32 and X.indptr.dtype == np.int32
    assert X.indptr[0] == 0 and np.all(np.diff(X.indptr) >= 0) and X.indptr[-1] == X.nnz
    if X.nnz:
        assert X.indices.min() >= 0 and X.indices.max() < hash_range
    for i in range(n_rows):
        assert np.all(np.diff(X.indices[X.indptr[i]:X.indptr[i + 1]]) > 0), "indices sorted, distinct"
    # counts are positive; only a numeric column's own value is signed, and bounded
    from sparsenet.udt._numeric_values import VALUE_CLIP, VALUE_WEIGHT
    assert np.all(np.isfinite(X.data)) and np.all(X.data >= -VALUE_WEIGHT * VALUE_CLIP)


def without_values(X, featurizer):
    """X without the numeric columns' own values (the signed inputs beside their tokens)."""
    from sparsenet.udt._featurizer import KIND_VALUE
    X = X.tolil(copy=True)
    for j, kind in enumerate(featurizer.column_types_):
        if kind == "numeric":
            X[:, featurizer._hash(j, KIND_VALUE, np.zeros(1))[0]] = 0
    return X.tocsr()


# ------------------------------------------------------------------ tokenisation


@pytest.mark.parametrize("text", [
    "Good movie", "good movie, GOOD MOVIE!", "", "   ", ".,;:-()", "!!??", "wow!!! really?",
    "don't stop", "'quoted' and 'tis", "rock 'n' roll", "it''s", "end'", "a'b'c", "x' y",
    "café CAFÉ naïve", "日本語のテキスト", "Straße STRASSE", "numbers 2024 and 3.14",
    "tab\tnew\nline\x00nul", "emoji 🎬🍿 time", "<br />html<br/>tags",
])
@pytest.mark.parametrize("options", [
    {}, {"word_ngrams": 1}, {"all_pairs_max_tokens": 4}, {"char_ngrams": (2, 4)},
])
def test_tokens_match_the_reference(text, options):
    X = featurize([text], **options)
    assert row_counts(X, 0) == reference_counts(text, **options)


def test_case_is_ignored():
    X = featurize(["Good movie", "good MOVIE", "GOOD MOVIE", "CAFÉ", "café"])
    assert (X[0] != X[1]).nnz == 0 and (X[0] != X[2]).nnz == 0
    assert (X[3] != X[4]).nnz == 0 and X[3].nnz == 1


def test_word_order_changes_bigrams_only():
    X = featurize(["good movie", "movie good"])
    first, second = set(X[0].indices), set(X[1].indices)
    assert len(first) == len(second) == 3  # two words, one bigram
    assert len(first & second) == 2


def test_all_pairs_are_symmetric_and_only_for_short_rows():
    X = featurize(["a b c", "c b a", "a b c d e f"], all_pairs_max_tokens=3)
    assert (X[0] != X[1]).nnz == 0
    assert X[0].nnz == 3 + 3  # three words, three pairs
    assert X[2].nnz == 6 + 5  # six words, five bigrams: too long for all pairs


def test_marks_apostrophes_and_separators():
    X = featurize(["great!", "great.", "great", "don't", "don t", "wow!!"], word_ngrams=1)
    assert X[0].nnz == 2 and (X[1] != X[2]).nnz == 0
    assert X[3].nnz == 1 and X[4].nnz == 2 and not set(X[3].indices) & set(X[4].indices)
    assert sorted(X[5].data) == [1.0, 2.0]  # "wow" once, "!" twice


def test_non_ascii_rows_take_the_same_path_as_ascii_rows():
    # one non-ASCII row switches the encoder to its per-row path: the other rows must not change
    ascii_rows = ["Plain ASCII text", "Another ONE here!"]
    X = featurize(ascii_rows)
    Y = featurize(ascii_rows + ["Ünïcode row"])
    assert (X != Y[:2]).nnz == 0
    assert row_counts(Y, 2) == reference_counts("Ünïcode row")


def test_missing_texts_are_empty():
    X = featurize(["some text", None, np.nan, ""])
    assert X[1].nnz == X[2].nnz == X[3].nnz == 0
    assert (X[0] != featurize(["some text"])).nnz == 0


def test_lone_surrogates_are_kept_not_replaced():
    X = featurize(["ab\ud800cd", "ab\udfffcd", "ab?cd"], word_ngrams=1)
    assert X[0].nnz == X[1].nnz == 1
    assert set(X[0].indices) != set(X[1].indices)
    assert X[2].nnz == 3


@pytest.mark.parametrize("hash_range", [97, 2**31 - 1])
def test_long_rows_match_the_reference(hash_range):
    # long rows take the bucket sort; a small range makes many repeats to merge
    rng = np.random.default_rng(1)
    vocabulary = ["good", "Bad", "movie", "!", "?", "don't", "café", "x1", "日本"]
    text = " ".join(rng.choice(vocabulary, size=3000))
    X = featurize([text, text[:500]], feature_hash_range=hash_range, char_ngrams=(2, 3))
    assert_well_formed(X, 2, hash_range)
    assert row_counts(X, 0) == reference_counts(text, hash_range=hash_range, char_ngrams=(2, 3))
    assert row_counts(X, 1) == reference_counts(text[:500], hash_range=hash_range, char_ngrams=(2, 3))



def test_long_and_repetitive_rows():
    X = featurize(["!" * 100_000, "x" * 1_000_000, "ab " * 50_000])
    assert sorted(X[0].data) == [99_999.0, 100_000.0]  # "! !" and "!"
    assert X[1].nnz == 1 and X[1].data[0] == 1.0
    assert sorted(X[2].data) == [49_999.0, 50_000.0]  # "ab ab" and "ab"


# ------------------------------------------------------------------ hashing


def test_same_seed_same_features_other_seed_other_features():
    texts = ["the quick brown fox", "jumps over the lazy dog"]
    A, B = featurize(texts, random_state=3), featurize(texts, random_state=3)
    C = featurize(texts, random_state=4)
    assert (A != B).nnz == 0
    assert set(A[0].indices) != set(C[0].indices)


def test_output_does_not_depend_on_threads():
    rng = np.random.default_rng(0)
    vocabulary = ["good", "bad", "movie", "plot", "!", "don't", "café", "acting", "?", "the"]
    # about 400 KB of text: enough for the kernel to use both threads
    texts = [" ".join(rng.choice(vocabulary, size=rng.integers(0, 300))) for _ in range(500)]
    one = featurize(texts, n_jobs=1, norm="l2", char_ngrams=(3, 4), all_pairs_max_tokens=8)
    two = featurize(texts, n_jobs=2, norm="l2", char_ngrams=(3, 4), all_pairs_max_tokens=8)
    for attribute in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(one, attribute), getattr(two, attribute))


def test_indices_spread_evenly():
    hash_range = 1000  # not a power of two
    words = [f"w{i}" for i in range(20_000)]
    X = featurize([" ".join(words)], word_ngrams=1, feature_hash_range=hash_range)
    assert_well_formed(X, 1, hash_range)
    counts = np.bincount(X.indices, weights=X.data, minlength=hash_range)
    assert counts.sum() == 20_000
    # a uniform hash gives counts ~ Poisson(20): the spread stays near sqrt(20)
    assert 3 < counts.std() < 6 and counts.max() < 60


def test_each_column_has_its_own_features():
    rows = np.array([["same words here", "same words here", "red", "red"]], dtype=object)
    X = featurize(rows, column_types=["text", "text", "categorical", "categorical"])
    assert X.nnz == 5 + 5 + 1 + 1


def test_l2_normalises_each_column_separately():
    rows = np.array([["a long text " * 50, "red"], ["short", "blue"]], dtype=object)
    X = UDTFeaturizer(column_types=["text", "categorical"]).fit_transform(rows)
    raw = featurize(rows, column_types=["text", "categorical"])
    assert np.allclose(row_norms_of(X, axis=1) ** 2, 2.0, atol=1e-5)
    # each column's block is its counts scaled to unit length: the categorical token gets 1
    text_only = featurize(rows[:, :1], column_types=["text"])
    for i in range(2):
        category = set(raw[i].indices) - set(text_only[i].indices)
        assert len(category) == 1 and X[i, category.pop()] == pytest.approx(1.0)


def test_text_l2_is_the_normalised_counts():
    texts = ["good good movie", "bad", "", "!!"]
    X = featurize(texts, norm="l2")
    expected = normalize(featurize(texts).astype(np.float64))
    assert np.allclose(X.toarray(), expected.toarray(), atol=1e-6)


# ------------------------------------------------------------------ other column types


def test_numeric_bins_and_magnitudes():
    train = np.arange(100, dtype=float).reshape(-1, 1)
    featurizer = UDTFeaturizer(n_bins=4, norm=None).fit(train)
    assert featurizer.column_types_ == ["numeric"]
    edges = featurizer.bin_edges_[0]
    assert len(edges) == 3 and np.all(np.diff(edges) > 0)
    values = np.array([12.0, 15.0, 60.0, -1000.0, 0.0, 150.0, 1e308, -1e308, np.inf, -np.inf, np.nan, np.nan])
    X = featurizer.transform(values.reshape(-1, 1))
    assert_well_formed(X, len(values))
    # the value itself: an input of its own for every finite value, centred and scaled
    from sparsenet.udt._featurizer import KIND_VALUE
    from sparsenet.udt._numeric_values import VALUE_CLIP, VALUE_WEIGHT
    value_index = featurizer._hash(0, KIND_VALUE, np.zeros(1))[0]
    centre, scale = featurizer.value_scales_[0]
    assert centre in (49, 50) and scale == pytest.approx((94.05 - 4.95) / 3.29, rel=0.02)  # median, 5-95 % spread
    finite = np.isfinite(values)
    expected = np.where(finite, VALUE_WEIGHT * np.clip((values - centre) / scale, -VALUE_CLIP, VALUE_CLIP), 0)
    np.testing.assert_allclose(X[:, value_index].toarray().ravel(), expected, rtol=1e-6)
    # every training value is held once: each non-NaN value shares the "uncommon value" token
    from sparsenet.udt._featurizer import KIND_COMMON_VALUE
    uncommon_index = featurizer._hash(0, KIND_COMMON_VALUE, np.array([-1]))[0]
    assert all(uncommon_index in X[i].indices for i in range(10))
    rows = [set(X[i].indices) - {value_index, uncommon_index} for i in range(len(values))]

    def shared(i, j):
        return len(rows[i] & rows[j])

    assert rows[0] == rows[1]  # same bin, same power of ten
    assert shared(0, 2) == 1  # other bin, same power of ten
    assert shared(3, 4) == 1  # both below the edges: first bin; other magnitudes
    assert shared(5, 6) == 1  # both above: last bin; 1e2 and 1e308 differ
    assert shared(6, 8) == 1 and shared(7, 9) == 1  # infinities: end bins, own magnitude
    assert shared(7, 3) == 1 and shared(6, 7) == 0
    assert len(rows[10]) == 1 and rows[10] == rows[11]  # NaN: one missing token
    assert not rows[10] & set().union(*rows[:10])


def test_numeric_edges_ignore_nan_and_infinity():
    x = np.array([np.nan, np.inf, -np.inf, 1e308, -1e308, 1.0, 2.0, 3.0]).reshape(-1, 1)
    featurizer = UDTFeaturizer(n_bins=4).fit(x)
    assert np.all(np.isfinite(featurizer.bin_edges_[0]))
    only_missing = UDTFeaturizer().fit(np.array([[np.nan], [np.inf]]))
    assert only_missing.bin_edges_[0].size == 0
    assert_well_formed(only_missing.transform(x), len(x))


def test_huge_python_ints_in_a_numeric_column():
    column = np.array([[10**400], [-(10**400)], [5], [None]], dtype=object)
    featurizer = UDTFeaturizer(norm=None).fit(column)
    assert featurizer.column_types_ == ["numeric"]
    X = featurizer.transform(column)
    infinities = featurizer.transform(np.array([[np.inf], [-np.inf]]))
    assert (X[:2] != infinities).nnz == 0


def test_categorical_values_and_missing():
    column = np.array([["red"], ["Red"], [1], ["1"], [True], [None], [np.nan], ["red"]], dtype=object)
    X = featurize(column, column_types=["categorical"])
    rows = [frozenset(X[i].indices) for i in range(len(column))]
    assert all(len(row) == 1 for row in rows)
    assert rows[0] == rows[7] and rows[0] != rows[1]  # case matters for categories
    assert rows[2] == rows[3]  # a category is its str()
    assert rows[5] == rows[6] and len(set(rows)) == 5


def test_dates_from_strings_objects_and_datetime64():
    strings = ["2021-03-01", "2022-03-01", "2021-03-01 10:30", "2021-03-01T10:30:15", None]
    X = featurize(np.array(strings, dtype=object).reshape(-1, 1))
    as_datetime64 = np.array(["2021-03-01", "2022-03-01", "2021-03-01T10:30", "2021-03-01T10:30:15", "NaT"],
                             dtype="datetime64[s]")
    objects = [datetime.date(2021, 3, 1), datetime.datetime(2022, 3, 1), datetime.datetime(2021, 3, 1, 10, 30),
               datetime.datetime(2021, 3, 1, 10, 30, 15, tzinfo=datetime.timezone.utc), None]
    Y = featurize(as_datetime64.reshape(-1, 1))
    Z = featurize(np.array(objects, dtype=object).reshape(-1, 1), column_types=["date"])
    assert (X != Y).nnz == 0 and (X != Z).nnz == 0
    rows = [set(X[i].indices) for i in range(len(strings))]
    assert len(rows[0]) == 5 and len(rows[2]) == 6  # year, month, weekday, day, week (+ hour)
    assert len(rows[0] & rows[1]) == 3  # same month, day and week; other year and weekday
    assert rows[0] < rows[2] and rows[2] == rows[3]  # the hour token; seconds are ignored
    assert len(rows[4]) == 1 and not rows[4] & rows[0]  # missing


def test_week_and_weekday_tokens():
    mondays = np.array(["2024-01-01", "2024-01-08", "2024-01-02"], dtype="datetime64[D]").reshape(-1, 1)
    X = featurize(mondays)
    rows = [set(X[i].indices) for i in range(3)]
    assert len(rows[0] & rows[1]) == 3  # year, month, weekday (other day and week)
    assert len(rows[0] & rows[2]) == 3  # year, month, week (other day and weekday)


@pytest.mark.parametrize("bad", ["2021-13-01", "yesterday", "2021/03/01", "2021-03-01Z"])
def test_unparseable_date_names_column_and_row(bad):
    column = np.array([["2021-03-01"], ["2021-03-02"], [bad]], dtype=object)
    with pytest.raises(ValueError, match=r"column 0, row 2: cannot parse"):
        UDTFeaturizer(column_types=["date"]).fit_transform(column)


def test_wrong_type_in_text_column_names_column_and_row():
    pd = pytest.importorskip("pandas", reason="pandas is optional: DataFrame input is tested with it")
    frame = pd.DataFrame({"review": ["fine film"] * 17 + [42] + ["ok"], "stars": range(19)})
    with pytest.raises(TypeError, match=r"column 'review', row 17: expected text, got int"):
        UDTFeaturizer(column_types={"review": "text"}).fit_transform(frame)
    with pytest.raises(ValueError, match=r"column 0, row 1: a value of type bytes is not a text"):
        UDTFeaturizer().fit(["text"]).transform(["fine", b"bytes"])
    with pytest.raises(TypeError, match=r"column 0, row 2: expected text, got float"):
        UDTFeaturizer().fit(["text"]).transform(["naïve", None, 2.5])


def test_type_inference():
    n = 40
    rows = np.empty((n, 6), dtype=object)
    rows[:, 0] = [f"review number {i} says it was fine" for i in range(n)]
    rows[:, 1] = ["red", "green", "blue", None] * (n // 4)
    rows[:, 2] = [1.5, 2, None, 4] * (n // 4)
    rows[:, 3] = ["2020-01-05", "2020-02-06 10:00", None, "2021-12-31"] * (n // 4)
    rows[:, 4] = [True, False] * (n // 2)
    rows[:, 5] = [f"https://example.com/item/{i:06d}" for i in range(n)]
    featurizer = UDTFeaturizer().fit(rows)
    assert featurizer.column_types_ == ["text", "categorical", "numeric", "date", "categorical", "text"]
    assert featurizer.n_features_in_ == 6
    assert not hasattr(featurizer, "feature_names_in_")
    assert_well_formed(featurizer.transform(rows), n)
    # a list of strings is one text column, even of single words
    assert UDTFeaturizer().fit(["red", "green"]).column_types_ == ["text"]


def test_dataframe_input():
    pd = pytest.importorskip("pandas", reason="pandas is optional: DataFrame input is tested with it")
    frame = pd.DataFrame({
        "review": ["a fine film with a good cast", "dull and far too long", None],
        "genre": pd.Categorical(["drama", "comedy", "drama"]),
        "budget": pd.array([1_000_000, None, 5], dtype="Int64"),
        "released": pd.to_datetime(["2020-01-05", "2021-06-01", None]),
        "seen": [True, False, True],
        "when": pd.to_datetime(["2020-01-05 10:00", None, "2021-06-01 00:00"]).tz_localize("Europe/Paris"),
    })
    featurizer = UDTFeaturizer().fit(frame)
    assert featurizer.column_types_ == ["text", "categorical", "numeric", "date", "categorical", "date"]
    assert list(featurizer.feature_names_in_) == list(frame.columns)
    X = featurizer.transform(frame)
    assert_well_formed(X, 3)
    # every column adds a unit block of tokens (a missing value too), except the empty
    # review of row 2; the number itself is an input beside them
    assert np.allclose(row_norms_of(without_values(X, featurizer), axis=1) ** 2, [6, 6, 5], atol=1e-4)
    # columns are found by name; a renamed column is refused
    given = UDTFeaturizer(column_types={"genre": "text", 2: "categorical"}).fit(frame)
    assert given.column_types_[1:3] == ["text", "categorical"]
    with pytest.raises(ValueError, match="feature names"):
        featurizer.transform(frame.rename(columns={"genre": "kind"}))
    series = UDTFeaturizer().fit_transform(frame["review"])
    assert (series != UDTFeaturizer().fit_transform(list(frame["review"]))).nnz == 0


# ------------------------------------------------------------------ errors and estimator API


@pytest.mark.parametrize("X, message", [
    ([], r"0 sample\(s\) \(shape=\(0,\)\)"),
    (np.empty((0, 3)), r"0 sample\(s\) \(shape=\(0, 3\)\)"),
    (np.empty((3, 0)), r"0 feature\(s\) \(shape=\(3, 0\)\)"),
    (np.ones((2, 2), dtype=complex), "Complex data"),
    (np.zeros((2, 2, 2)), "3 dimensions"),
    ([["a", "b"], ["c"]], "row 1 of X has 1 values"),
])
def test_bad_input_shapes(X, message):
    with pytest.raises(ValueError, match=message):
        UDTFeaturizer().fit(X)


def test_sparse_input_and_single_strings_are_refused():
    with pytest.raises(TypeError, match="sparse"):
        UDTFeaturizer().fit(sparse.csr_matrix(np.eye(3)))
    with pytest.raises(TypeError, match="single string"):
        UDTFeaturizer().fit("just one string")


@pytest.mark.parametrize("params, name", [
    ({"feature_hash_range": 1}, "feature_hash_range"),
    ({"feature_hash_range": 2**31}, "feature_hash_range"),
    ({"feature_hash_range": 1000.0}, "feature_hash_range"),
    ({"word_ngrams": 3}, "word_ngrams"),
    ({"all_pairs_max_tokens": -1}, "all_pairs_max_tokens"),
    ({"all_pairs_max_tokens": 5000}, "all_pairs_max_tokens"),
    ({"char_ngrams": (5, 3)}, "char_ngrams"),
    ({"char_ngrams": (0, 3)}, "char_ngrams"),
    ({"char_ngrams": [3, 5]}, "char_ngrams"),
    ({"n_bins": 0}, "n_bins"),
    ({"norm": "l1"}, "norm"),
    ({"random_state": -1}, "random_state"),
    ({"n_jobs": 0}, "n_jobs"),
    ({"column_types": "text"}, "column_types"),
])
def test_bad_parameters_are_named(params, name):
    with pytest.raises(ValueError, match=name):
        UDTFeaturizer(**params).fit(["some text"])


def test_bad_column_types():
    rows = np.array([["a b c", "x"]], dtype=object)
    with pytest.raises(ValueError, match=r"unknown type 'txt' for column 1"):
        UDTFeaturizer(column_types={1: "txt"}).fit(rows)
    with pytest.raises(ValueError, match=r"names column 5"):
        UDTFeaturizer(column_types={5: "text"}).fit(rows)
    with pytest.raises(ValueError, match=r"lists 3 types, but X has 2 columns"):
        UDTFeaturizer(column_types=["text"] * 3).fit(rows)


def test_transform_checks_fit_and_column_count():
    with pytest.raises(NotFittedError):
        UDTFeaturizer().transform(["text"])
    featurizer = UDTFeaturizer().fit(np.array([["a b c", "x"]], dtype=object))
    with pytest.raises(ValueError, match="X has 1 features, but UDTFeaturizer is expecting 2 features"):
        featurizer.transform(["a b c"])
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        featurizer.transform(np.empty((0, 2), dtype=object))


def test_numeric_column_refuses_non_numbers():
    featurizer = UDTFeaturizer(column_types=["numeric"]).fit(np.array([[1.0], [2.0]]))
    with pytest.raises(ValueError, match=r"column 0, row 1: cannot read 'abc' as a number"):
        featurizer.transform(np.array([[1.0], ["abc"]], dtype=object))
    holds_a_list = np.empty((2, 1), dtype=object)
    holds_a_list[0, 0], holds_a_list[1, 0] = [1], 2.0
    with pytest.raises(ValueError, match=r"column 0, row 0: a value of type list is not a text"):
        featurizer.transform(holds_a_list)


HASHING = kernel.TextHashing(random_state=0, hash_range=RANGE, word_ngrams=2, all_pairs_max_tokens=0,
                             char_ngrams=None, sublinear=False)


def test_kernel_refuses_inconsistent_offsets():
    with pytest.raises(ValueError, match="offsets"):
        kernel.hash_text_rows(b"abc", np.array([0, 5], dtype=np.int64), HASHING, 0)
    with pytest.raises(ValueError, match="decrease"):
        kernel.hash_text_rows(b"abc", np.array([0, 2, 1, 3], dtype=np.int64), HASHING, 0)


def test_clone_params_and_pickle():
    featurizer = UDTFeaturizer(column_types={"a": "text"}, feature_hash_range=1000, char_ngrams=(3, 5),
                               random_state=7, n_jobs=1)
    assert clone(featurizer).get_params() == featurizer.get_params()
    texts = ["pickled text", "round trip!"]
    fitted = UDTFeaturizer(feature_hash_range=1000, char_ngrams=(3, 5)).fit(texts)
    restored = pickle.loads(pickle.dumps(fitted))
    assert (restored.transform(texts) != fitted.transform(texts)).nnz == 0
    assert restored.column_types_ == fitted.column_types_


def test_output_format():
    X = UDTFeaturizer(feature_hash_range=1000).fit_transform(["a b", "", "c d e f g"])
    assert_well_formed(X, 3, hash_range=1000)
    assert X.has_canonical_format


# Each entry: check name -> the reason a user would accept for not passing it.
EXPECTED_FAILED_CHECKS = {
}


@parametrize_with_checks([UDTFeaturizer(n_jobs=1)], expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_docstring_examples():
    result = doctest.testmod(featurizer_module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# ------------------------------------------------------------------ properties

ALPHABET = "abcXYZ019 '!?.,-_\t\néÉß日\u00a0🎬"
small_texts = st.text(alphabet=ALPHABET, max_size=60)
options = st.fixed_dictionaries({
    "word_ngrams": st.sampled_from([1, 2]),
    "all_pairs_max_tokens": st.sampled_from([0, 3, 10]),
    "char_ngrams": st.sampled_from([None, (1, 1), (3, 5)]),
})


@PROPERTY_SETTINGS
@given(texts=st.lists(small_texts, min_size=1, max_size=8), options=options,
       random_state=st.integers(0, 2**64 - 1), hash_range=st.sampled_from([2, 97, 2**18, 2**31 - 1]))
def test_property_rows_match_the_reference(texts, options, random_state, hash_range):
    X = featurize(texts, random_state=random_state, feature_hash_range=hash_range, **options)
    assert_well_formed(X, len(texts), hash_range)
    for i, text in enumerate(texts):
        expected = reference_counts(text, random_state=random_state, hash_range=hash_range, **options)
        assert row_counts(X, i) == expected


long_texts = st.integers(1, 200_000).map(lambda n: ("word " * n)[:n])
any_text = st.one_of(st.text(), st.none(), st.just(np.nan), long_texts)


@PROPERTY_SETTINGS
@given(texts=st.lists(any_text, min_size=1, max_size=10), n_jobs=st.sampled_from([1, 2]))
def test_property_any_text_gives_unit_rows(texts, n_jobs):
    X = UDTFeaturizer(n_jobs=n_jobs, char_ngrams=(2, 3)).fit_transform(texts)
    assert_well_formed(X, len(texts))
    norms = row_norms_of(X, axis=1)
    assert np.all((norms == 0) | (np.abs(norms - 1) < 1e-5))


huge_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**400), 10**400), st.none(),
    st.sampled_from([1e308, -1e308, 5e-324, 0.0, -0.0]),
)
mixed_categories = st.one_of(st.text(max_size=5), st.integers(), st.floats(), st.booleans(), st.none())
date_strings = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1)).map(str),
    st.datetimes(min_value=datetime.datetime(1700, 1, 1)).map(lambda d: d.isoformat(sep=" ")),
    st.none(),
)


@PROPERTY_SETTINGS
@given(st.data())
def test_property_mixed_tables(data):
    n_rows = data.draw(st.integers(1, 12))
    table = np.empty((n_rows, 4), dtype=object)
    for j, values in enumerate([any_text, mixed_categories, huge_numbers, date_strings]):
        table[:, j] = data.draw(st.lists(values, min_size=n_rows, max_size=n_rows))
    types = ["text", "categorical", "numeric", "date"]
    params = {"n_bins": data.draw(st.integers(1, 20)), "feature_hash_range": data.draw(st.sampled_from([2, 2**18]))}
    X = UDTFeaturizer(column_types=types, **params).fit_transform(table)
    assert_well_formed(X, n_rows, params["feature_hash_range"])
    # the table's features are the sum of its columns' blocks, each of unit (or zero) length
    total = sparse.csr_matrix(X.shape, dtype=np.float32)
    for j in range(4):
        alone = np.full_like(table, None)
        alone[:, j] = table[:, j]
        block = UDTFeaturizer(column_types=["text"] * j + [types[j]] + ["text"] * (3 - j), **params)
        block = block.fit_transform(alone)
        if params["feature_hash_range"] > 2:  # in 2 features, the values collide with tokens
            norms = row_norms_of(without_values(block, UDTFeaturizer(column_types=types, **params).fit(table)), axis=1)
            assert np.all(norms <= 1 + 1e-5) and np.all((norms == 0) | (norms > 1 - 1e-5))
        total = total + block
    assert abs(total - X).max() < 1e-6


def test_unseen_tokens_are_dropped_before_normalising():
    train = ["good movie", "bad movie"]
    featurizer = UDTFeaturizer(feature_hash_range=2**20).fit(train)
    keeping = UDTFeaturizer(feature_hash_range=2**20, unseen_tokens="keep").fit(train)
    seen_row = featurizer.transform(["good movie"])
    mixed = featurizer.transform(["good movie zebra crossing"])
    # the unseen words and bigrams are gone, and what is left is the seen row, unit length
    assert mixed.nnz == seen_row.nnz
    np.testing.assert_allclose(mixed.toarray(), seen_row.toarray(), rtol=1e-6)
    assert keeping.transform(["good movie zebra crossing"]).nnz > mixed.nnz
    # a text of unseen tokens only is an empty row, not a division by zero
    empty = featurizer.transform(["zebra crossing"])
    assert empty.nnz == 0 and np.isfinite(empty.data).all()
    # fit_transform equals fit then transform
    np.testing.assert_array_equal(featurizer.fit_transform(train).toarray(), featurizer.transform(train).toarray())


def test_sublinear_counts():
    text = "good good good movie"
    counts = featurize([text])
    sublinear = UDTFeaturizer(norm=None, n_jobs=1).fit_transform([text])  # the default
    np.testing.assert_array_equal(sublinear.indices, counts.indices)
    np.testing.assert_allclose(sublinear.data, 1 + np.log(counts.data), rtol=1e-6)
    assert sorted(counts.data.tolist()) == [1, 1, 2, 3]  # movie, "good movie", "good good", good


def test_idf_weights_rare_words_up():
    train = ["common rare", "common", "common", "common"]
    params = {"word_ngrams": 1, "n_jobs": 1}
    weighted = UDTFeaturizer(use_idf=True, norm=None, **params).fit(train)
    common, rare = (kernel.feature_index("word", (word,), 0, 0, RANGE) for word in (b"common", b"rare"))
    # log((1 + n) / (1 + df)) + 1, as scikit-learn's smooth idf
    np.testing.assert_allclose(weighted.idf_[[common, rare]], [1.0, np.log(5 / 2) + 1], rtol=1e-6)
    row = weighted.transform(["common rare rare"])
    values = dict(zip(row.indices.tolist(), row.data.tolist()))
    np.testing.assert_allclose([values[common], values[rare]], [1.0, (1 + np.log(2)) * (np.log(5 / 2) + 1)], rtol=1e-6)
    # normalised after weighting: unit rows with the same proportions
    unit = UDTFeaturizer(use_idf=True, **params).fit(train).transform(["common rare rare"])
    np.testing.assert_allclose(unit.data, row.data / np.linalg.norm(row.data), rtol=1e-6)
    # kept unseen tokens weigh as much as the rarest: no training text had them
    keeping = UDTFeaturizer(use_idf=True, unseen_tokens="keep", norm=None, **params).fit(train)
    unseen = kernel.feature_index("word", (b"zebra",), 0, 0, RANGE)
    np.testing.assert_allclose(keeping.transform(["zebra"]).data, [np.log(5) + 1], rtol=1e-6)
    assert keeping.idf_[unseen] == keeping.idf_.max()
    assert UDTFeaturizer(n_jobs=1).fit(train).idf_ is None


def test_selecting_kernel_refuses_bad_arrays():
    indptr, ones = np.array([0, 2], dtype=np.int64), np.ones(2, dtype=np.float32)
    seen = np.ones(4, dtype=np.uint8)
    with pytest.raises(ValueError, match="outside"):
        select_and_weigh_rows(indptr, np.array([1, 9], dtype=np.int32), ones, seen)
    with pytest.raises(ValueError, match="outside"):
        select_and_weigh_rows(indptr, np.array([-1, 2], dtype=np.int32), ones, None, np.ones(4, dtype=np.float32))
    with pytest.raises(ValueError, match="malformed"):
        select_and_weigh_rows(np.array([0, 3], dtype=np.int64), np.array([1, 2], dtype=np.int32), ones, seen)
    with pytest.raises(ValueError, match="decreases"):
        select_and_weigh_rows(np.array([0, 2, 1, 2], dtype=np.int64), np.array([1, 2], dtype=np.int32), ones, seen)
    *_, data_out = select_and_weigh_rows(
        indptr, np.array([1, 3], dtype=np.int32), np.array([3, 4], dtype=np.float32), np.array([0, 1, 0, 1], dtype=np.uint8))
    np.testing.assert_allclose(data_out, [0.6, 0.8])
