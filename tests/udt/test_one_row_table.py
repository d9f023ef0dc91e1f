"""The one row of a table request is merged in Python (sparsenet/udt/_one_row_table.py): its
features must be bit-identical to the same row's features in a batch, whatever the column
types, the missing and extreme values, and the hash collisions."""
import numpy as np
import pandas as pd
import pytest

from sparsenet import UDTClassifier, UDTFeaturizer
from sparsenet.udt import _featurizer

N_ROWS = 300


def mixed_table(seed, with_other_kinds):
    rng = np.random.default_rng(seed)
    hours = rng.choice([0.0, 40.0, 40.0, 40.0, 20.0, 60.0, np.nan], size=N_ROWS)  # a dominant value
    amounts = rng.lognormal(3, 2, N_ROWS) * rng.choice([-1, 1], N_ROWS)
    amounts[rng.random(N_ROWS) < 0.05] = np.nan
    amounts[:5] = [np.inf, -np.inf, 0.0, 1e308, -1.7e308]  # overflow in the scaled value
    counts = rng.integers(-5, 10**6, N_ROWS)
    colours = rng.choice(["red", "green", "blue", "Grün", None], size=N_ROWS).astype(object)
    colours[rng.random(N_ROWS) < 0.05] = np.nan
    frame = pd.DataFrame({"hours": hours, "amount": amounts, "count": counts, "colour": colours,
                          "code": rng.integers(0, 30, N_ROWS).astype(str)})
    if with_other_kinds:
        frame["note"] = [" ".join(rng.choice(["late", "fast", "box", "torn", "ok"], size=4)) for _ in range(N_ROWS)]
        frame["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**7, N_ROWS), unit="s")
        frame["tags"] = ["|".join(rng.choice(["a", "b", "c", "d"], size=rng.integers(0, 3))) for _ in range(N_ROWS)]
    return frame


def column_types(frame):
    kinds = {"note": "text", "when": "date", "tags": "multi_categorical"}
    return [kinds.get(name, "numeric" if name in ("hours", "amount", "count") else "categorical")
            for name in frame.columns]


def assert_rows_alone_equal_rows_in_batch(featurizer, X, rows_of):
    batch = featurizer.transform(X)
    for i in range(N_ROWS):
        alone = featurizer.transform(rows_of(i))
        assert alone.shape == (1, batch.shape[1])
        start, end = batch.indptr[i], batch.indptr[i + 1]
        np.testing.assert_array_equal(alone.indices, batch.indices[start:end], err_msg=f"row {i}")
        np.testing.assert_array_equal(alone.data, batch.data[start:end], err_msg=f"row {i}")


@pytest.mark.parametrize("hash_range", [2**5, 2**8, 2**18], ids=["32 (collisions everywhere)", "256", "2**18"])
@pytest.mark.parametrize("norm", ["l2", None])
@pytest.mark.parametrize("with_other_kinds", [False, True], ids=["categorical and numeric", "every kind"])
def test_a_row_alone_gets_exactly_its_features_in_a_batch(hash_range, norm, with_other_kinds):
    frame = mixed_table(hash_range, with_other_kinds)
    featurizer = UDTFeaturizer(column_types(frame), feature_hash_range=hash_range, norm=norm).fit(frame)
    assert_rows_alone_equal_rows_in_batch(featurizer, frame, lambda i: frame.iloc[[i]])


def test_rows_given_as_lists_and_arrays_alone_match_the_batch():
    frame = mixed_table(7, with_other_kinds=False)
    table = frame.to_numpy(dtype=object)
    featurizer = UDTFeaturizer(column_types(frame), feature_hash_range=2**6).fit(table)
    assert_rows_alone_equal_rows_in_batch(featurizer, table, lambda i: [list(table[i])])
    assert_rows_alone_equal_rows_in_batch(featurizer, table, lambda i: table[i:i + 1])


def test_a_one_row_table_takes_the_python_merge(monkeypatch):
    frame = mixed_table(3, with_other_kinds=False)
    featurizer = UDTFeaturizer(column_types(frame)).fit(frame)

    def refuse(*_):
        raise AssertionError("the one-row merge was taken")

    monkeypatch.setattr(_featurizer, "one_row_block", refuse)
    with pytest.raises(AssertionError, match="one-row merge"):
        featurizer.transform(frame.iloc[[0]])
    featurizer.transform(frame.iloc[:2])  # two rows: the column blocks


def test_a_one_row_request_answers_what_the_batch_answers_and_refuses_what_it_refuses():
    frame = mixed_table(5, with_other_kinds=True)
    y = np.where(frame["count"] > 5 * 10**5, "high", "low")
    model = UDTClassifier(column_types=column_types(frame), random_state=0, max_iter=3).fit(frame, y)
    batch = model.predict_proba(frame)
    for i in range(0, N_ROWS, 7):
        np.testing.assert_array_equal(model.predict_proba(frame.iloc[[i]]), batch[i:i + 1])
    bad = frame.iloc[[0]].copy()
    bad["count"] = ["many"]
    with pytest.raises(ValueError, match="column 'count', row 0: cannot read 'many' as a number"):
        model.predict(bad)
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(frame.iloc[[0], :3])


PLAIN_COLUMNS = {  # one conversion of the row gives these
    "int32": np.array([3, -4], dtype=np.int32), "uint64": np.array([2**63 + 11, 0], dtype=np.uint64),
    "float32": np.array([np.nan, 0.1], dtype=np.float32), "objects": [None, 7],
    "str": pd.Series([np.nan, "b"], dtype="str"), "python strings": pd.Series([pd.NA, "c"], dtype="string[python]"),
}
OTHER_COLUMNS = {  # these need their Series
    "bool": [True, False], "category": pd.Series(["x", "y"], dtype="category"),
    "when": pd.to_datetime(["2024-05-01 10:00", None]),
}


@pytest.mark.parametrize("columns", [PLAIN_COLUMNS, {**PLAIN_COLUMNS, **OTHER_COLUMNS}],
                         ids=["plain dtypes", "with other dtypes"])
def test_a_one_row_dataframe_splits_into_the_columns_a_longer_one_gives(columns):
    from sparsenet.udt._column_types import split_columns

    frame = pd.DataFrame(columns)
    alone, longer = split_columns(frame.iloc[[0]]), split_columns(frame)
    assert alone.names == longer.names and alone.dtype_types == longer.dtype_types and alone.n_rows == 1
    for name, got, expected in zip(frame.columns, alone.columns, longer.columns):
        assert got.dtype == expected.dtype, name
        # types and reprs: NaN and pandas.NA compare unequal to themselves
        assert [(type(v), repr(v)) for v in got.tolist()] == [(type(v), repr(v)) for v in expected[:1].tolist()], name


def test_one_row_frames_with_other_names_are_refused_as_batches_are():
    frame = mixed_table(9, with_other_kinds=False)
    featurizer = UDTFeaturizer(column_types(frame)).fit(frame)
    for changed in (frame.iloc[[0]].rename(columns={"colour": "color"}), frame.iloc[[0], ::-1]):
        with pytest.raises(ValueError, match="feature names"):
            featurizer.transform(changed)
