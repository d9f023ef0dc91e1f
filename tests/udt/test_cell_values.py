"""What a UDT cell may hold: texts, numbers, bools, dates and missing values are read;
anything else (dicts, lists, bytes, durations, arbitrary objects) is refused with its
column, row and type instead of being read through its str()."""
import datetime
import decimal
import fractions

import numpy as np
import pytest

from sparsenet import UDTClassifier, UDTFeaturizer


class Opaque:
    """An object without a meaningful str() (its default one holds a memory address)."""


UNREADABLE = [
    ({"a": 1}, "dict"), ([1, 2], "list"), ({1, 2}, "set"), (frozenset({1}), "frozenset"), ((1, 2), "tuple"),
    (b"bytes", "bytes"), (bytearray(b"x"), "bytearray"), (Opaque(), "Opaque"), (object(), "object"),
    (1 + 2j, "complex"), (np.arange(3), "ndarray"), (datetime.timedelta(days=1), "timedelta"),
    (np.timedelta64(3, "D"), "timedelta64"), (datetime.time(10, 30), "time"),
]


def column_with(value, row=2, n=6, fill="red"):
    """An (n, 1) object column of ``fill`` holding ``value`` at ``row``."""
    column = np.empty((n, 1), dtype=object)
    column[:, 0] = [fill] * n
    column[row, 0] = value
    return column


@pytest.mark.parametrize("value, type_name", UNREADABLE, ids=[name for _, name in UNREADABLE])
@pytest.mark.parametrize("column_types", [None, ["categorical"], ["text"], ["numeric"], ["date"]])
def test_unreadable_cells_are_refused_with_column_row_and_type(value, type_name, column_types):
    with pytest.raises(ValueError, match=rf"^column 0, row 2: a value of type {type_name} is not a text, "
                                         r"category, number or date"):
        UDTFeaturizer(column_types=column_types).fit(column_with(value))


@pytest.mark.parametrize("value, type_name", UNREADABLE[:4], ids=[name for _, name in UNREADABLE[:4]])
def test_unreadable_cells_are_refused_in_dataframes_lists_and_transform(value, type_name):
    pd = pytest.importorskip("pandas", reason="pandas is optional: DataFrame input is tested with it")
    frame = pd.DataFrame({"price": [1.0, 2.0, 3.0], "d": ["red", "blue", "red"]})
    bad = frame.copy()
    bad["d"] = pd.Series([value, "blue", "red"], dtype=object)
    message = rf"column 'd', row 0: a value of type {type_name} is not"
    with pytest.raises(ValueError, match=message):
        UDTFeaturizer().fit(bad)
    fitted = UDTFeaturizer().fit(frame)
    with pytest.raises(ValueError, match=message):
        fitted.transform(bad)
    with pytest.raises(ValueError, match=rf"column 0, row 1: a value of type {type_name} is not"):
        UDTFeaturizer().fit(["a text", value, "another"])
    with pytest.raises(ValueError, match=message):
        UDTClassifier(n_jobs=1).fit(bad, [0, 1, 0])


def test_hints_for_bytes_and_durations():
    with pytest.raises(ValueError, match="decode bytes to str first"):
        UDTFeaturizer().fit(column_with(b"x"))
    with pytest.raises(ValueError, match=r"convert durations to numbers"):
        UDTFeaturizer().fit(column_with(datetime.timedelta(hours=2)))


@pytest.mark.parametrize("array", [np.array([[b"a"], [b"b"]]), np.array([[1], [2]], dtype="m8[s]"),
                                   np.zeros((2, 1), dtype=[("x", "i4")])], ids=["bytes", "timedelta64", "struct"])
def test_arrays_of_unreadable_dtypes_are_refused(array):
    with pytest.raises(ValueError, match=r"column 0, row 0: a value of type \w+ is not a text"):
        UDTFeaturizer().fit(array)


def test_readable_cells_of_every_kind_are_accepted():
    pd = pytest.importorskip("pandas", reason="pandas is optional: DataFrame input is tested with it")
    values = ["red", np.str_("blue"), 3, np.int8(4), 2.5, np.float32(1.5), True, np.bool_(False),
              decimal.Decimal("1.25"), fractions.Fraction(1, 3), None, np.nan, pd.NA, pd.NaT,
              datetime.date(2020, 1, 2), datetime.datetime(2020, 1, 2, 10), pd.Timestamp("2021-05-06"),
              np.datetime64("2022-03-04")]
    column = np.empty((len(values), 1), dtype=object)
    column[:, 0] = values
    featurizer = UDTFeaturizer(n_jobs=1)
    X = featurizer.fit_transform(column)
    assert featurizer.column_types_ == ["categorical"] and X.shape[0] == len(values)
    assert X[0].nnz == 1 and X[10].nnz == 1  # a category, and the missing token


def test_pandas_categories_are_declared_labels():
    pd = pytest.importorskip("pandas", reason="pandas is optional: DataFrame input is tested with it")
    frame = pd.DataFrame({"bucket": pd.cut([1, 5, 2, 9], 3), "pair": pd.Categorical([(1, 2), (3, 4)] * 2)})
    featurizer = UDTFeaturizer(n_jobs=1)
    X = featurizer.fit_transform(frame)
    assert featurizer.column_types_ == ["categorical", "categorical"]
    assert (X[0] != X[2]).nnz == 0 and (X[0] != X[1]).nnz > 0  # the same interval and pair, or not


def test_decimals_are_numbers():
    column = np.array([[decimal.Decimal("1.5")], [decimal.Decimal("2.5")], [None], [3]], dtype=object)
    featurizer = UDTFeaturizer(n_jobs=1).fit(column)
    assert featurizer.column_types_ == ["numeric"]
    as_floats = UDTFeaturizer(n_jobs=1).fit_transform(np.array([[1.5], [2.5], [np.nan], [3.0]]))
    assert (featurizer.transform(column) != as_floats).nnz == 0
