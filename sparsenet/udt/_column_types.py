"""Raw input of UDTFeaturizer: split X into columns, infer each column's type, and convert
a column's values into what its hasher reads (UTF-8 text, strings, floats, datetimes).

Errors about values name the column and the row, so a bad cell in a large table is easy to
find. A column is inferred to have a type only when every one of its values converts to it,
so that inference and conversion never disagree. pandas is optional: it is only touched
when X already is a pandas object.
"""
import datetime
import numbers
import re
from typing import NamedTuple

import numpy as np
from scipy import sparse

from sparsenet.udt._cell_values import check_cells, is_missing, present_kinds
from sparsenet.udt._multi_values import multi_value_delimiter

COLUMN_TYPES = ("text", "categorical", "numeric", "date", "multi_categorical")

# Type inference reads the values of up to this many evenly spaced rows of a column (the
# types of the values, and whether they are dates, it checks on every row).
INFERENCE_SAMPLE = 1000
# A string column is "text" when its values average more than this many words...
TEXT_MIN_MEAN_WORDS = 2
# ...or when most values are distinct and long (free text without spaces: URLs, codes).
TEXT_DISTINCT_SHARE = 0.5
TEXT_LONG_CHARS = 30

# \d is any script's decimal digit (Python's int reads them all: int("٢٠٢٠") == 2020)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?")
ASCII_ISO_DATE = re.compile(ISO_DATE.pattern, re.ASCII)
DIGIT = re.compile(r"\d")


class Table(NamedTuple):
    """X as columns: ``columns[j]`` is a list or 1-D array of row values."""

    columns: list
    names: list | None  # DataFrame column labels, else None (columns go by position)
    n_rows: int
    dtype_types: list  # a type implied by a column's dtype (pandas category), else None
    one_column_input: bool  # X was 1-D: a list of texts is then a text column


def column_label(names, j):
    """How error messages name column j."""
    return f"column {names[j]!r}" if names is not None else f"column {j}"


# ------------------------------------------------------------------ splitting X


def split_columns(X):
    """X (list of texts, list of rows, 1-D/2-D array, pandas DataFrame or Series) -> Table."""
    if isinstance(X, (str, bytes)):
        raise TypeError("X must be a list of texts or a table, got a single string; wrap it in a list")
    if sparse.issparse(X):
        raise TypeError("X is a sparse matrix, but UDTFeaturizer reads raw columns (text, categories, "
                        "numbers, dates); pass a list of texts, an array or a DataFrame")
    if hasattr(X, "iloc") and hasattr(X, "columns"):
        return _dataframe_columns(X)
    if hasattr(X, "iloc") and hasattr(X, "dtype"):
        values, dtype_type = _pandas_values(X)
        return _checked(Table([values], None, len(values), [dtype_type], True))
    if isinstance(X, (list, tuple)):
        if len(X) and isinstance(X[0], (list, tuple, np.ndarray)):
            X = _rows_as_array(X)
        else:
            # a flat list is one column, kept as is: the fast path for texts
            return _checked(Table([X], None, len(X), [None], True))
    X = np.asarray(X)
    if X.dtype.kind == "c":
        raise ValueError("Complex data not supported: UDTFeaturizer reads real numbers")
    if X.ndim == 1:
        return _checked(Table([X], None, X.shape[0], [None], True))
    if X.ndim != 2:
        raise ValueError(f"X must be 1-D (one column) or 2-D (rows x columns), got {X.ndim} dimensions")
    columns = [X[:, j] for j in range(X.shape[1])]
    return _checked(Table(columns, None, X.shape[0], [None] * len(columns), False))


def _checked(table):
    # sklearn's wording, so that tools matching it recognise these errors
    shape = (table.n_rows,) if table.one_column_input else (table.n_rows, len(table.columns))
    if table.n_rows == 0:
        raise ValueError(f"Found array with 0 sample(s) (shape={shape}) while a minimum of 1 is "
                         "required by UDTFeaturizer.")
    if not table.columns:
        raise ValueError(f"Found array with 0 feature(s) (shape={shape}) while a minimum of 1 is "
                         "required by UDTFeaturizer.")
    for j, (values, dtype_type) in enumerate(zip(table.columns, table.dtype_types)):
        if dtype_type != "categorical":  # a pandas category's values are declared labels
            check_cells(values, column_label(table.names, j))
    return table


def _rows_as_array(rows):
    table = np.empty((len(rows), len(rows[0])), dtype=object)
    for i, row in enumerate(rows):
        if len(row) != table.shape[1]:
            raise ValueError(f"row {i} of X has {len(row)} values, but row 0 has {table.shape[1]}")
        table[i] = row
    return table


def _dataframe_columns(frame):
    names = list(frame.columns)
    dtypes = list(frame.dtypes)
    if frame.shape[0] == 1 and any(_plain_dtype(dtype) for dtype in dtypes):
        # a service's one row: one conversion instead of a Series per column, giving each
        # plain column the array _pandas_values would (its numbers in its own dtype)
        row = frame.to_numpy(dtype=object)[0]
        converted = [(np.array([value], dtype=dtype if dtype.kind in "iuf" else object), None)
                     if _plain_dtype(dtype) else _pandas_values(frame.iloc[:, j])
                     for j, (value, dtype) in enumerate(zip(row, dtypes))]
        return _checked(Table([v for v, _ in converted], names, 1, [t for _, t in converted], False))
    # items() yields each column by position (duplicate names too), at a third of iloc's cost
    converted = [_pandas_values(series) for _, series in frame.items()]
    columns = [values for values, _ in converted]
    dtype_types = [dtype_type for _, dtype_type in converted]
    return _checked(Table(columns, names, frame.shape[0], dtype_types, False))


def _plain_dtype(dtype):
    """A NumPy number or object dtype, or a pandas string dtype: the dtypes whose one-row
    column the row's object conversion gives exactly."""
    import pandas as pd

    return (isinstance(dtype, np.dtype) and dtype.kind in "iufO") or isinstance(dtype, pd.StringDtype)


def _pandas_values(series):
    """A pandas column as a NumPy array, and the type its dtype implies (if any)."""
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return series.to_numpy(dtype=object), "categorical"
    if isinstance(dtype, pd.DatetimeTZDtype):
        # local wall-clock time: the hour of day is what matters, not the UTC hour
        return series.dt.tz_localize(None).to_numpy(), None
    if pd.api.types.is_bool_dtype(dtype):
        return series.to_numpy(dtype=object), "categorical"
    if pd.api.types.is_numeric_dtype(dtype):
        if isinstance(dtype, np.dtype):
            return series.to_numpy(), None
        return series.to_numpy(dtype=np.float64, na_value=np.nan), None  # nullable Int64, Float64
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        return series.to_numpy(), None
    return series.to_numpy(dtype=object), None


# ------------------------------------------------------------------ type inference


def resolve_column_types(table, column_types):
    """The type of every column of a Table: as ``column_types`` gives it (a list, one per
    column, or a dict keyed by DataFrame name or position), else implied by its dtype, else
    inferred from its values."""
    n_columns = len(table.columns)
    given = {}
    if isinstance(column_types, dict):
        for key, kind in column_types.items():
            given[column_position(key, table.names, n_columns)] = kind
    elif column_types is not None:
        if len(column_types) != n_columns:
            raise ValueError(f"column_types lists {len(column_types)} types, but X has {n_columns} columns")
        given = dict(enumerate(column_types))
    for j, kind in given.items():
        if kind not in COLUMN_TYPES:
            raise ValueError(
                f"column_types: unknown type {kind!r} for {column_label(table.names, j)}; "
                f"expected one of {list(COLUMN_TYPES)}"
            )
    kinds = [
        given.get(j) or table.dtype_types[j] or infer_column_type(values, one_column_input=table.one_column_input)
        for j, values in enumerate(table.columns)
    ]
    if table.one_column_input and kinds == ["numeric"] and not given:
        # scikit-learn's classic mistake (one sample, or one feature?), refused in its words;
        # 1-D strings or dates are one column, and column_types=["numeric"] says it is one
        raise ValueError("Expected a 2D array, got a 1D array of numbers instead. Reshape your data with "
                         "array.reshape(-1, 1) if it is one numeric column (or pass column_types=['numeric']), "
                         "or array.reshape(1, -1) if it is one sample; a 1-D X of strings is one text column.")
    return kinds


def column_position(key, names, n_columns, parameter="column_types"):
    """Position of the column a key of ``parameter`` names: a DataFrame name, else an index."""
    if names is not None and key in names:
        return names.index(key)
    if isinstance(key, numbers.Integral) and not isinstance(key, bool) and 0 <= key < n_columns:
        return int(key)
    known = f"columns {names}" if names is not None else f"columns 0 to {n_columns - 1}"
    raise ValueError(f"{parameter} names column {key!r}, but X has no such column ({known})")


def infer_column_type(values, *, one_column_input=False):
    """The type of a column, from its dtype or, for objects and strings, from its values.

    Rules, in order: bool -> categorical; numeric dtype -> numeric; datetime64 -> date.
    Object and string columns go by their present (not missing) values: only bools ->
    categorical; only numbers -> numeric; only ISO dates (``YYYY-MM-DD``, optional
    ``[T ]HH:MM[:SS[.f]]``, digits of any script) and date/datetime objects, every one a
    real date -> date; only strings -> multi_categorical when most cells list short,
    repeated values separated by "|", ";" or ",", else text when they average more than 2
    words or are mostly distinct and average 30+ characters (a 1-D input of strings is
    always text), else categorical; a mix -> categorical. Word counts and lengths are read on up to
    1,000 evenly spaced rows; types and dates on every row, so that every value of a
    column converts to its inferred type.
    """
    dtype = getattr(values, "dtype", None)
    if dtype is not None and dtype.kind not in "OUS":
        return {"b": "categorical", "i": "numeric", "u": "numeric", "f": "numeric", "M": "date"}.get(
            dtype.kind, "categorical")
    step = max(1, len(values) // INFERENCE_SAMPLE)
    sample = [value for value in values[::step] if not is_missing(value)]
    if not sample:
        return "categorical"
    kinds = present_kinds(values)
    if kinds == {"bool"}:
        return "categorical"
    if kinds == {"number"}:
        return "numeric"
    if kinds <= {"text", "date"} and all(map(_is_date, sample)) and _all_dates(values):
        return "date"
    if kinds == {"text"}:
        if one_column_input:
            return "text"
        if multi_value_delimiter(sample) is not None:
            return "multi_categorical"
        return "text" if _looks_like_text(sample) else "categorical"
    return "categorical"


def _is_date(value):
    try:
        _date(value, "", 0)
    except (TypeError, ValueError):
        return False
    return True


def _all_dates(values):
    try:
        dates_as_datetime64(values, "")
    except (TypeError, ValueError):
        return False
    return True


def _looks_like_text(strings):
    mean_words = sum(len(s.split()) for s in strings) / len(strings)
    if mean_words > TEXT_MIN_MEAN_WORDS:
        return True
    mean_chars = sum(map(len, strings)) / len(strings)
    return len(set(strings)) > TEXT_DISTINCT_SHARE * len(strings) and mean_chars >= TEXT_LONG_CHARS


# ------------------------------------------------------------------ value conversion


def _as_list(values):
    return values.tolist() if isinstance(values, np.ndarray) else values


def text_as_utf8(values, label):
    """Texts -> (one UTF-8 bytes buffer, int64 offsets of its rows); missing -> "".

    ASCII rows are copied as they are (the kernel lowercases ASCII letters); other rows
    are lowercased with ``str.lower`` first. Lone surrogates are kept, encoded with
    "surrogatepass", so no text is silently changed into another.
    """
    values = _as_list(values)
    try:
        is_ascii = list(map(str.isascii, values))  # also checks that every value is a str
    except TypeError:  # find missing values and the offending row
        values = [_text_or_empty(value, label, i) for i, value in enumerate(values)]
        is_ascii = list(map(str.isascii, values))
    if all(is_ascii):  # one join and one encode, no per-row bytes objects
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        buffer = "".join(values).encode("ascii")
    else:
        encoded = list(map(utf8_text, values))
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        buffer = b"".join(encoded)
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return buffer, offsets


def utf8_text(value):
    """One text as text_as_utf8 encodes each row: ASCII as it is (the kernel lowercases
    ASCII letters), other texts lowercased by ``str.lower``, lone surrogates kept."""
    return value.encode("ascii") if value.isascii() else value.lower().encode("utf-8", "surrogatepass")


def _text_or_empty(value, label, row):
    if isinstance(value, str):
        return value
    if is_missing(value):
        return ""
    raise TypeError(f"{label}, row {row}: expected text, got {type(value).__name__}")


def categories_as_utf8(values):
    """Categorical values -> (UTF-8 buffer of their str(), int64 offsets, missing mask)."""
    values = _as_list(values)
    missing = np.fromiter(map(is_missing, values), dtype=bool, count=len(values))
    encoded = [
        b"" if absent else (value if isinstance(value, str) else str(value)).encode("utf-8", "surrogatepass")
        for value, absent in zip(values, missing)
    ]
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return b"".join(encoded), offsets, missing


def numbers_as_float(values, label):
    """Numbers -> float64 (missing -> NaN; ints too large for a float -> +-inf)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        return values.astype(np.float64)
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        pass  # find missing values and the offending row
    out = np.empty(len(values), dtype=np.float64)
    for i, value in enumerate(_as_list(values)):
        out[i] = _number(value, label, i)
    return out


def _number(value, label, row):
    if is_missing(value):
        return np.nan
    try:
        return float(value)
    except OverflowError:
        return np.inf if value > 0 else -np.inf
    except ValueError:
        raise ValueError(f"{label}, row {row}: cannot read {value!r} as a number") from None
    except TypeError:
        raise TypeError(f"{label}, row {row}: expected a number, got {type(value).__name__}") from None


def dates_as_datetime64(values, label):
    """Dates -> datetime64[s] (missing -> NaT). Strings must be ISO dates, optionally with
    a time, in any script's digits; time zones of datetime objects are dropped (local
    wall-clock time is kept)."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return values.astype("datetime64[s]")
    values = _as_list(values)
    parsed = _ascii_iso_dates(values)
    if parsed is not None:
        return parsed
    out = np.empty(len(values), dtype="datetime64[s]")
    for i, value in enumerate(values):
        out[i] = _date(value, label, i)
    return out


def _ascii_iso_dates(values):
    """The fast path of dates_as_datetime64: a list of ASCII ISO date strings and missing
    values, parsed by NumPy at once; None when a value needs the row-by-row path (date
    objects, other digits, or a value that does not parse, which that path then names)."""
    is_text = [isinstance(value, str) for value in values]
    texts = [value.strip() for value, text in zip(values, is_text) if text]
    if len(texts) < len(values) and not all(is_missing(value) for value, text in zip(values, is_text) if not text):
        return None
    if not all(map(ASCII_ISO_DATE.fullmatch, texts)):
        return None
    out = np.full(len(values), np.datetime64("NaT", "s"))
    try:
        out[np.array(is_text, dtype=bool)] = np.array(texts, dtype="datetime64[s]")
    except ValueError:  # well formed but impossible, e.g. month 13
        return None
    return out


def _date(value, label, row):
    if is_missing(value):
        return np.datetime64("NaT", "s")
    if isinstance(value, str):
        text = value.strip()
        if ISO_DATE.fullmatch(text):
            try:
                return np.datetime64(_ascii_digits(text), "s")
            except ValueError:  # well formed but impossible, e.g. month 13
                pass
        raise ValueError(
            f"{label}, row {row}: cannot parse {value!r} as a date (expected YYYY-MM-DD with an "
            "optional time); declare the column 'categorical' or 'text' in column_types if it "
            "is not a date column"
        )
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, (datetime.date, np.datetime64)):
        return np.datetime64(value, "s")
    raise TypeError(f"{label}, row {row}: expected a date, got {type(value).__name__}")


def _ascii_digits(text):
    """text with its digits of other scripts (full-width, Arabic-Indic...) made ASCII, as
    NumPy parses only those."""
    return text if text.isascii() else DIGIT.sub(lambda digit: str(int(digit.group())), text)
