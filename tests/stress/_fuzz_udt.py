"""Fuzzing UDTClassifier's raw columns: text of hostile Unicode (empty, whitespace only,
combining marks, emoji sequences, right-to-left marks, NUL, lone surrogates, very long),
numeric columns with NaN/None/inf, categorical columns, date strings valid and not,
containers (lists of strings, 1-D and 2-D arrays, Series, DataFrames, pandas categories), and
cells that are not values at all (dicts, lists, sets).

Properties: a table of text, numbers, categories and valid dates fits and answers as
check_answers says, on its own rows and on new hostile rows; unparseable dates and
container cells are refused with a clear ValueError/TypeError, as is a table whose columns
differ from the training table's.
"""
import warnings

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from sparsenet import UDTClassifier

from _common import attempt, check_answers, counted, refusal_or_answers, stress_settings

HOSTILE = ["", " ", "\t\n ", "\x00", "a\x00b", "e\u0301\u0301\u0301", "\U0001F469\u200d\U0001F469\u200d\U0001F467",
           "\u202eevil\u202c", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\ufeffbom", "\ud800", "\U0010ffff",
           "\u3000", "NaN", "None", "2020-01-01", "0", "-1e308"]
TEXT = st.one_of(
    st.text(st.characters(codec=None), max_size=30),  # any code point, surrogates included
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE + ["word", "spam", "ham"]), max_size=8).map(" ".join),
    st.sampled_from(["word " * 5000, "\U0001F600" * 3000, "x" * 20000]),  # very long
)
NUMBER = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(2**63), 2**63 - 1),
                   st.sampled_from([None, np.nan, -0.0, 1e-320, 1e308]))
CATEGORY = st.one_of(st.sampled_from(["a", "b", "", "\x00", "\U0001F600", None]), st.integers(-3, 3))
VALID_DATE = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat(sep=" ", timespec="seconds")),
    st.just(None),
)
BAD_DATE = st.sampled_from(["2021-13-45", "2020-02-30", "tomorrow", "2020/01/01", "\x00", "9999-99-99"])
CONTAINER_CELL = st.sampled_from([{"a": 1}, {}, [1, 2], [], {1, 2}, ("t",), frozenset()])
COLUMN_KINDS = ["text", "numeric", "categorical", "date"]


def column(kind, n_rows, draw):
    """n_rows values of a column of the given kind."""
    values = {"text": TEXT, "numeric": NUMBER, "categorical": CATEGORY, "date": VALID_DATE}[kind]
    return draw(st.lists(values, min_size=n_rows, max_size=n_rows))


@st.composite
def tables(draw, n_rows, kinds=None, poison=True):
    """(X, column kinds, flaw): a table of the given (or drawn) column kinds in some
    container, and the flaw planted in it (None, "bad_date" or "container_cell")."""
    kinds = kinds or draw(st.lists(st.sampled_from(COLUMN_KINDS), min_size=1, max_size=4))
    columns = {f"c{j}": column(kind, n_rows, draw) for j, kind in enumerate(kinds)}
    one_text_column = ["list", "array", "series"] if kinds == ["text"] else []
    form = draw(st.sampled_from(["frame", "frame", "object_array", *one_text_column]))
    flaw = draw(st.sampled_from([None] * 6 + ["bad_date", "container_cell"])) if poison else None
    if flaw == "bad_date" and "date" not in kinds:
        flaw = None
    if flaw:
        name = f"c{(kinds.index('date') if flaw == 'bad_date' else draw(st.integers(0, len(kinds) - 1)))}"
        # a flat list whose first value is a list or tuple is a list of rows: no such cells there
        cells = CONTAINER_CELL
        if form == "list":
            cells = cells.filter(lambda cell: not isinstance(cell, (list, tuple)))
        columns[name][draw(st.integers(0, n_rows - 1))] = draw(BAD_DATE if flaw == "bad_date" else cells)
    if form == "list":
        return columns["c0"], kinds, flaw
    if form in ("array", "series"):
        values = np.empty(n_rows, dtype=object)  # filled cell by cell: container cells stay cells
        values[:] = [None] * n_rows
        for i, value in enumerate(columns["c0"]):
            values[i] = value
        return (pandas_column(values) if form == "series" else values), kinds, flaw
    if form == "object_array":
        values = np.empty((n_rows, len(kinds)), dtype=object)
        for j, name in enumerate(columns):
            for i, value in enumerate(columns[name]):
                values[i, j] = value
        return values, kinds, flaw
    frame = pd.DataFrame({name: pandas_column(values) for name, values in columns.items()})
    if not flaw and draw(st.booleans()):
        # pandas' own category dtype for the categorical columns
        for j, kind in enumerate(kinds):
            if kind == "categorical":
                frame[f"c{j}"] = frame[f"c{j}"].astype("category")
    return frame, kinds, flaw


def pandas_column(values):
    """A Series of the values with the dtype pandas gives them; with pyarrow installed that
    is an arrow string column, which cannot hold lone surrogates: those columns stay object
    columns, as a user would have to keep them."""
    try:
        return pd.Series(values)
    except UnicodeEncodeError:
        return pd.Series(values, dtype=object)


def frame_of(cells, names):
    """A DataFrame of a 2-D object array's columns, each typed as ``pandas_column`` does."""
    return pd.DataFrame({name: pandas_column(list(cells[:, j])) for j, name in enumerate(names)})


def new_rows(table, draw, n_rows):
    """Other rows of the same columns and container as a training table (no flaws)."""
    X, kinds, _ = table
    fresh, _, _ = draw(tables(n_rows, kinds, poison=False))
    if isinstance(X, pd.DataFrame) and not isinstance(fresh, pd.DataFrame):
        fresh = frame_of(np.asarray(fresh, dtype=object).reshape(n_rows, -1), X.columns)
    return fresh


def tiny_udt(**params):
    """A UDTClassifier small enough for hundreds of fits (one epoch, 4 hidden, one thread)."""
    settings = dict(hidden_layer_sizes=(4,), max_iter=1, n_jobs=1, random_state=0, feature_hash_range=2**12)
    settings.update(params)
    return UDTClassifier(**settings)


@stress_settings(400)
@given(data=st.data(), n_rows=st.integers(1, 12), n_classes=st.integers(1, 3),
       declared=st.booleans(), label_kind=st.sampled_from(["int", "str", "indicator"]))
@counted
def fuzz_udt_fit(data, n_rows, n_classes, declared, label_kind):
    table = data.draw(tables(n_rows), label="table")
    X, kinds, flaw = table
    y = np.arange(n_rows) % n_classes
    y = np.eye(3, dtype=int)[y] if label_kind == "indicator" else y.astype(str) if label_kind == "str" else y
    model = tiny_udt(column_types=kinds if declared else None)
    _, error = attempt(model.fit, X, y)
    if flaw == "container_cell" or (flaw == "bad_date" and declared):
        assert error is not None, f"a table with a {flaw} was accepted: {X!r}"
        return
    if flaw is not None:
        return  # a bad date in an undeclared column: the column may be inferred as text
    if error is not None:
        # an undeclared column is typed by inference, which may read a date-like or numeric
        # text as a date or a number, and then find a value that is not
        assert not declared, f"a clean table with declared types was refused: {error!r}"
        return
    multilabel = label_kind == "indicator"
    check_answers(model, X, n_rows, multilabel=multilabel, k=2)
    fresh = new_rows(table, data.draw, data.draw(st.integers(1, 6), label="new rows"))
    error = refusal_or_answers(model, fresh, len(fresh), multilabel=multilabel, k=2)
    assert error is None or not declared, f"new clean rows of declared types were refused: {error!r}"


def fitted_udt_models():
    """UDT models of the predict-only examples: (model, column kinds, container)."""
    rng = np.random.default_rng(0)
    words = np.array(["spam", "ham", "eggs", "free", "call", "now", "later", "\U0001F600"])
    texts = [" ".join(rng.choice(words, 6)) for _ in range(40)]
    labels = np.array(["pos", "neg"])[np.arange(40) % 2]
    frame = pd.DataFrame({
        "c0": texts, "c1": rng.normal(size=40), "c2": rng.choice(["a", "b", None], 40),
        "c3": [f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}" for i in range(40)],
    })
    kinds = ["text", "numeric", "categorical", "date"]
    return {
        "texts": (tiny_udt(max_iter=3).fit(texts, labels), ["text"], "list"),
        "table": (tiny_udt(max_iter=3, column_types=kinds).fit(frame, np.arange(40) % 3), kinds, "frame"),
        "stream": (tiny_udt().partial_fit(texts, labels, classes=["pos", "neg", "unseen"]), ["text"], "list"),
    }


with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # few epochs on purpose: ConvergenceWarning
    UDT_MODELS = fitted_udt_models()


@stress_settings(800)
@given(data=st.data(), name=st.sampled_from(sorted(UDT_MODELS)), n_rows=st.integers(1, 8))
@counted
def fuzz_udt_predict(data, name, n_rows):
    """New hostile rows of the training columns are answered; flawed ones (bad dates,
    container cells) are refused by every method alike."""
    model, kinds, form = UDT_MODELS[name]
    X, _, flaw = data.draw(tables(n_rows, kinds), label="rows")
    if form == "frame" and not isinstance(X, pd.DataFrame):
        X = frame_of(np.asarray(X, dtype=object).reshape(n_rows, -1), [f"c{j}" for j in range(len(kinds))])
    error = refusal_or_answers(model, X, n_rows, k=2)
    assert (error is not None) == (flaw is not None), f"flaw {flaw}: {error!r}"


# every (model, input) pair there is
@stress_settings(33)
@given(name=st.sampled_from(sorted(UDT_MODELS)),
       X=st.sampled_from(["one string", b"bytes", 3, None, {"c0": ["a"]}, [[]], [["a", "b", "c", "d", "e"]],
                          np.zeros((2, 0)), np.array([1j, 2j]), [], [{"a": 1}]]))
@counted
def fuzz_udt_wrong_inputs(name, X):
    """Inputs that are no table of the training columns are refused clearly, never crash."""
    model = UDT_MODELS[name][0]
    _, error = attempt(model.predict, X)
    assert error is not None, f"{X!r} was accepted by a model of columns {UDT_MODELS[name][1]}"
