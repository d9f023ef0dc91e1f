"""A column is inferred to have a type only when every one of its values converts to it:
dates in any script's digits parse, and a stray value anywhere in a column (sampled by the
inference or not) makes it categorical instead of failing at fit."""
import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsenet import UDTClassifier, UDTFeaturizer


def as_column(values):
    column = np.empty((len(values), 1), dtype=object)
    column[:, 0] = values
    return column


def featurize(values, **params):
    featurizer = UDTFeaturizer(n_jobs=1, **params)
    return featurizer.fit_transform(as_column(values)), featurizer.column_types_


ASCII_DATES = ["2020-01-05", "2021-12-31 10:30", "1999-02-28T23:59:59.5", None]


@pytest.mark.parametrize("digits", ["０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "०१२३४५६७८९"],
                         ids=["full-width", "arabic-indic", "persian", "devanagari"])
def test_dates_in_other_scripts_digits_are_inferred_and_parsed(digits):
    local = [None if date is None else date.translate(str.maketrans("0123456789", digits)) for date in ASCII_DATES]
    X, types = featurize(local)
    expected, expected_types = featurize(ASCII_DATES)
    assert types == expected_types == ["date"]
    assert (X != expected).nnz == 0
    declared, _ = featurize(local, column_types=["date"])
    assert (declared != expected).nnz == 0


def test_parsed_dates_match_numpy():
    X, _ = featurize(ASCII_DATES)
    objects = [datetime.date(2020, 1, 5), datetime.datetime(2021, 12, 31, 10, 30),
               datetime.datetime(1999, 2, 28, 23, 59, 59), None]
    Y, types = featurize(objects)
    assert types == ["date"] and (X != Y).nnz == 0


@pytest.mark.parametrize("stray", ["n/a", "nan", "2020-02-30", "2020-01-05 25:00", "2016-12-31T23:59:60",
                                   "2020-13-01", 5, 2.5, True, "yesterday"])
def test_a_column_with_one_non_date_is_not_a_date(stray):
    values = ["2020-01-05", "2020-01-06", "2020-02-07", stray, datetime.date(2021, 3, 4)]
    X, types = featurize(values)
    assert types == ["categorical"] and X.shape[0] == len(values)


N_ROWS = 5003  # inference reads every 5th row: the last row is not among them


@pytest.mark.parametrize("values, stray, expected", [
    ([f"2020-01-{d % 28 + 1:02d}" for d in range(N_ROWS)], "n/a", "categorical"),
    ([float(i) for i in range(N_ROWS)], "abc", "categorical"),
    ([f"a longer text number {i}" for i in range(N_ROWS)], 42, "categorical"),
    ([f"2020-01-{d % 28 + 1:02d}" for d in range(N_ROWS)], None, "date"),
    ([float(i) for i in range(N_ROWS)], np.nan, "numeric"),
    ([f"a longer text number {i}" for i in range(N_ROWS)], None, "text"),
], ids=["date", "numeric", "text", "date-missing", "numeric-missing", "text-missing"])
def test_a_stray_value_outside_the_inference_sample_decides_too(values, stray, expected):
    values[-1] = stray
    X, types = featurize(values)
    assert types == [expected] and X.shape[0] == N_ROWS


def test_a_stray_value_does_not_break_the_classifier():
    texts = [f"2020-01-{d % 28 + 1:02d}" for d in range(200)]
    texts[150] = "unknown"
    clf = UDTClassifier(max_iter=2, n_jobs=1, random_state=0).fit(as_column(texts), np.arange(200) % 2)
    assert clf.column_types_ == ["categorical"]


CELLS = st.one_of(
    st.none(), st.just(float("nan")), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, width=32), st.text(max_size=12),
    st.dates().map(str), st.dates(), st.datetimes(),
    st.sampled_from(["2020-02-30", "2020-01-05 25:00", "１９９９-１２-３１", "٢٠٢٠-٠١-٠٥ ١٠:٣٠", "0000-01-01"]),
)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(CELLS, min_size=1, max_size=12))
def test_property_an_inferred_column_always_converts(values):
    X, types = featurize(values)
    assert X.shape[0] == len(values) and types[0] in ("text", "categorical", "numeric", "date", "multi_categorical")
