"""What a cell of UDTFeaturizer's input may hold: a text, a bool, a number, a date, or a
missing value (None, NaN, NaT, pandas.NA).

Anything else (a dict, a list, a set, bytes, a duration, an arbitrary object) would only be
read through its ``str()``, which no model learns from (an object's even holds its memory
address), so it is refused with the column, the row and the type; the user converts such
values first. A pandas ``category`` column is exempt: its categories are declared labels.
"""
import datetime
import decimal
import numbers

import numpy as np

# dtype kinds of arrays whose every cell is readable: bool, integers, floats, datetime64, str
READABLE_DTYPE_KINDS = "biufMU"


def is_missing(value):
    """None, NaN, NaT and pandas.NA: the values read as "missing"."""
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    if isinstance(value, decimal.Decimal):
        return value.is_nan()  # a signalling NaN would not even convert to float
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return type(value).__name__ in ("NAType", "NaTType")


def cell_kind(kind):
    """What a cell of type ``kind`` holds: "text", "bool", "number", "date" or "missing"
    (None, NAType, NaTType; a NaN or a datetime64 NaT has the kind of its type), or None
    for a type no column can read."""
    if issubclass(kind, str):
        return "text"
    if issubclass(kind, (bool, np.bool_)):
        return "bool"
    if kind is type(None) or kind.__name__ in ("NAType", "NaTType"):
        return "missing"  # before dates: pandas' NaT is a datetime
    if issubclass(kind, np.timedelta64):
        return None  # NumPy counts it an integer, but its number depends on its unit
    if issubclass(kind, (numbers.Real, decimal.Decimal)):
        return "number"
    if issubclass(kind, (datetime.date, np.datetime64)):
        return "date"
    return None


def check_cells(values, label):
    """Refuse a column (list or 1-D array) holding a value no column type can read, naming
    ``label`` (the column), the first such row and its type. Looks at each type once, not
    at each value, so that long columns of texts cost little."""
    if isinstance(values, np.ndarray) and values.dtype.kind != "O":
        if values.dtype.kind not in READABLE_DTYPE_KINDS and len(values):
            raise unreadable_cell_error(label, 0, values[0])
        return
    for kind in set(map(type, values)):
        if cell_kind(kind) is None:
            row = next(i for i, value in enumerate(values) if type(value) is kind)
            raise unreadable_cell_error(label, row, values[row])


def unreadable_cell_error(label, row, value):
    if isinstance(value, (bytes, bytearray)):
        hint = "decode bytes to str first"
    elif isinstance(value, (datetime.timedelta, np.timedelta64)):
        hint = "convert durations to numbers (seconds, say) first"
    else:
        hint = "convert such values first (to str, say, if they name categories)"
    return ValueError(f"{label}, row {row}: a value of type {type(value).__name__} is not a text, "
                      f"category, number or date; {hint}")


def present_kinds(values):
    """The cell kinds of a column's values that are not missing (looking at the values
    themselves only when a NaN or NaT could hide among other kinds)."""
    kinds = {cell_kind(kind) for kind in set(map(type, values))} - {"missing"}
    if len(kinds) > 1 and kinds & {"number", "date"}:
        kinds = {cell_kind(type(value)) for value in values if not is_missing(value)}
    return kinds
