"""Targets that are not labels: missing ones (None, NaN, pandas.NA) and labels of mixed
types are refused with the row of the first, in y and in partial_fit's classes."""
import numpy as np
import pytest
from conftest import small_model


@pytest.fixture(scope="module")
def X():
    return np.random.RandomState(0).rand(40, 3)


def labels(first, second, n=40):
    """first, second, first, ... as an object array (so that NumPy keeps their types)."""
    y = np.empty(n, dtype=object)
    y[0::2], y[1::2] = [first] * (n // 2), [second] * (n // 2)
    return y


@pytest.mark.parametrize("y, shown, row", [
    (labels("a", None), "None", 1),
    (labels(None, "a"), "None", 0),
    (["a", "b", "a", None] * 10, "None", 3),
    (labels("a", np.nan), "nan", 1),
    (["a", "b", np.nan, "a"] * 10, "nan", 2),  # NumPy alone would make it the label "nan"
    (np.array([1.0, 2.0, 1.0, np.nan] * 10), "nan", 3),
    (labels(1, None), "None", 1),
])
def test_missing_labels_name_their_row(X, y, shown, row):
    with pytest.raises(ValueError, match=rf"y contains {shown} \(a missing label\) at row {row}\b"):
        small_model(max_iter=1).fit(X, y)


def test_pandas_missing_labels():
    pd = pytest.importorskip("pandas", reason="pandas is optional")
    X = np.random.RandomState(0).rand(40, 3)
    with pytest.raises(ValueError, match=r"y contains <NA> \(a missing label\) at row 5"):
        small_model(max_iter=1).fit(X, pd.Series(["a", "b"] * 2 + ["a", pd.NA] + ["b"] * 34, dtype="string"))
    with pytest.raises(ValueError, match=r"a missing label\) at row 1\b"):
        small_model(max_iter=1).fit(X, pd.Series([1, None] * 20, dtype="Int64"))


@pytest.mark.parametrize("y", [labels(1, "a"), [1, "a"] * 20, labels(2.5, "a"), labels(True, "a")])
def test_mixed_label_types_are_named(X, y):
    with pytest.raises(ValueError, match=r"y mixes labels of different types: .* at row 0, 'a' \(str\) at row 1"):
        small_model(max_iter=1).fit(X, y)


def test_numbers_held_as_objects_are_labels(X):
    clf = small_model(max_iter=1).fit(X, labels(3, 7))
    assert clf.classes_.tolist() == [3, 7] and clf.classes_.dtype.kind == "i"
    assert set(clf.predict(X).tolist()) <= {3, 7}
    clf = small_model(max_iter=1).fit(X, labels(1, 2.0))
    assert clf.classes_.tolist() == [1.0, 2.0] and clf.classes_.dtype.kind == "f"


def test_string_labels_are_unchanged(X):
    for y in [labels("a", "b"), ["a", "b"] * 20, np.array(["a", "b"] * 20)]:
        assert small_model(max_iter=1).fit(X, y).classes_.tolist() == ["a", "b"]


@pytest.mark.parametrize("classes, error, message", [
    ([], ValueError, "classes must list at least one class"),
    (["a", "b", None], ValueError, r"classes contains None \(a missing label\) at position 2"),
    (np.array(["a", None, "b"], dtype=object), ValueError, r"classes contains None \(a missing label\) at position 1"),
    (["a", np.nan, "b"], ValueError, r"classes contains nan \(a missing label\) at position 1"),
    ([0.0, 1.0, np.nan], ValueError, r"classes contains nan \(a missing label\) at position 2"),
    (["a", "b", 1], ValueError, r"classes mixes labels of different types: 'a' \(str\) at position 0, 1 \(int\) at position 2"),
])
def test_partial_fit_classes_are_checked(X, classes, error, message):
    with pytest.raises(error, match=message):
        small_model().partial_fit(X, ["a", "b"] * 20, classes=classes)


def test_later_partial_fit_batches_are_checked(X):
    clf = small_model().partial_fit(X, ["a", "b"] * 20, classes=["a", "b"])
    with pytest.raises(ValueError, match=r"y contains None \(a missing label\) at row 3"):
        clf.partial_fit(X, ["a", "b", "a", None] * 10)


def test_a_signed_indicator_is_refused():
    """scikit-learn takes any two integers for an indicator; -1 would count as a label."""
    X = np.random.RandomState(0).rand(6, 3)
    Y = np.array([[1, -1], [-1, 1]] * 3)
    with pytest.raises(ValueError, match=r"only 0 and 1 .* found \[-1\].*\(y == 1\)"):
        small_model(max_iter=2).fit(X, Y)
