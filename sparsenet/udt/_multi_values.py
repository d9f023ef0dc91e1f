"""Multi-valued cells ("drama, comedy", "red|blue"): a column whose cells list short
values separated by a delimiter, each value a token of its own."""
import numpy as np

from sparsenet.udt._cell_values import is_missing

# candidates in order of preference (a comma also appears in free text, so it comes last)
DELIMITERS = ("|", ";", ",")
# what makes a string column multi-valued: the delimiter in this share of its cells,
MIN_CELLS_WITH_DELIMITER = 0.3
# at least this many values a cell on average,
MIN_VALUES_PER_CELL = 1.5
# values this short on average (words, characters),
MAX_WORDS_PER_VALUE = 2  # a name ("Tom Hanks") or a tag, not a clause of a sentence
MAX_CHARS_PER_VALUE = 30
# and repeated across cells: distinct values at most this share of all values
MAX_DISTINCT_SHARE = 0.5


def _values(cell, delimiter):
    return [part.strip() for part in cell.split(delimiter) if part.strip()]


def multi_value_delimiter(strings, *, strict=True):
    """The delimiter that splits ``strings`` (present cells, a sample of them) into short,
    repeated values, or None. ``strict=False`` (a column declared multi-valued) only asks
    for the delimiter found in the most cells, "," when none is."""
    best, best_cells = None, 0
    for delimiter in DELIMITERS:
        cells = sum(delimiter in s for s in strings)
        if cells == 0 or cells <= best_cells:
            continue
        if strict:
            values = [value for s in strings for value in _values(s, delimiter)]
            if (cells < MIN_CELLS_WITH_DELIMITER * len(strings) or not values
                    or len(values) < MIN_VALUES_PER_CELL * len(strings)
                    or np.mean([len(v.split()) for v in values]) > MAX_WORDS_PER_VALUE
                    or np.mean([len(v) for v in values]) > MAX_CHARS_PER_VALUE
                    or len(set(values)) > MAX_DISTINCT_SHARE * len(values)):
                continue
        best, best_cells = delimiter, cells
    return best if best is not None or strict else ","


def split_cells(values, delimiter):
    """Each present cell's values: (rows, UTF-8 buffer, int64 offsets), one entry per value
    (case kept, surrounding spaces dropped), and the mask of missing cells. A value that is
    not a string (a number, a bool) is one value, its ``str()``."""
    rows, encoded = [], []
    missing = np.zeros(len(values), dtype=bool)
    for i, cell in enumerate(values):
        if is_missing(cell):
            missing[i] = True
            continue
        parts = _values(cell, delimiter) if isinstance(cell, str) else [str(cell)]
        rows.extend([i] * len(parts))
        encoded.extend(part.encode("utf-8", "surrogatepass") for part in parts)
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return np.asarray(rows, dtype=np.int64), b"".join(encoded), offsets, missing
