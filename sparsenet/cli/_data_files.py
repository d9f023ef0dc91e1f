"""What the command line reads: a data file, by its format, as the inputs and targets of the
estimator that trains on it."""
import os
import re
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from sparsenet.datasets import load_fasttext, load_xmc
from sparsenet.datasets._text_files import numbered_lines

FORMATS = ("csv", "tsv", "parquet", "xmc", "fasttext")
XMC_HEADER = re.compile(r"^\s*\d+\s+\d+\s+\d+\s*$")


@dataclass
class DataFile:
    """A data file read: ``X`` (a table, texts or a sparse matrix), ``y`` (labels, an
    indicator matrix, or None without targets), ``label_names`` (the indicator's columns)."""

    format: str
    X: object
    y: object = None
    label_names: object = None

    @property
    def n_rows(self):
        return self.X.shape[0] if hasattr(self.X, "shape") else len(self.X)


def format_of(path, given=None):
    """The format ``given`` or the one the file's name (else its first line) shows."""
    if given is not None:
        return given
    name = os.fspath(path).lower().removesuffix(".gz")
    for suffix, form in ((".csv", "csv"), (".tsv", "tsv"), (".parquet", "parquet"), (".pq", "parquet"),
                         (".xmc", "xmc"), (".ft", "fasttext")):
        if name.endswith(suffix):
            return form
    for _, line in numbered_lines(path):
        if XMC_HEADER.match(line):
            return "xmc"
        if "__label__" in line:
            return "fasttext"
        break
    raise ValueError(f"{path}: cannot tell its format from its name or first line; pass --format "
                     f"({', '.join(FORMATS)})")


def read_data(path, form, *, target=None, label_prefix="__label__", label_names=None, needs_target=True):
    """Read ``path`` in ``form``. For tables ``target`` names the label column (required when
    ``needs_target``; dropped from X when present). ``label_names``: the label columns of
    a multi-label model, so that a test file's labels land in the same columns."""
    if not os.path.isfile(path):
        raise ValueError(f"{path}: no such file")
    if form in ("csv", "tsv", "parquet"):
        return _read_table(path, form, target, needs_target)
    if form == "xmc":
        X, Y = load_xmc(path)
        return DataFile(form, X, Y if Y.shape[1] else None)
    texts, labels = load_fasttext(path, label_prefix=label_prefix)
    if not needs_target and not any(labels):
        return DataFile(form, texts)
    if label_names is None and all(len(row) == 1 for row in labels):
        return DataFile(form, texts, np.array([row[0] for row in labels], dtype=object))
    return DataFile(form, texts, *_indicator(labels, label_names))


def _indicator(labels, label_names):
    """Label lists -> a CSR indicator over ``label_names`` (new ones ignored) or over every
    label seen, sorted."""
    if label_names is None:
        label_names = np.array(sorted({label for row in labels for label in row}), dtype=object)
    column = {name: j for j, name in enumerate(label_names)}
    indptr, indices = [0], []
    for row in labels:
        indices.extend(sorted({column[label] for label in row if label in column}))
        indptr.append(len(indices))
    Y = sparse.csr_matrix((np.ones(len(indices), dtype=np.int8), indices, indptr), shape=(len(labels), len(label_names)))
    return Y, label_names


def _read_table(path, form, target, needs_target):
    try:
        import pandas as pd
    except ImportError:
        raise ValueError(f"{path}: reading tables (CSV, TSV, Parquet) needs pandas: pip install pandas") from None
    try:
        if form == "parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, sep="\t" if form == "tsv" else ",", keep_default_na=False,
                                na_values=[""], low_memory=False)
    except ImportError as error:
        raise ValueError(f"{path}: {error}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError, OSError) as error:
        raise ValueError(f"{path}: not a readable {form.upper()} table ({str(error).strip()})") from None
    if len(frame) == 0:
        raise ValueError(f"{path}: the table has no rows")
    frame.columns = [str(name) for name in frame.columns]
    if target is None:
        if needs_target:
            raise ValueError(f"{path}: name the label column with --target (columns: {list(frame.columns)})")
        return DataFile(form, frame)
    if target not in frame.columns:
        if needs_target:
            raise ValueError(f"{path} has no column {target!r}; its columns are {list(frame.columns)}")
        return DataFile(form, frame)
    y = frame[target]
    if y.isna().any():
        row = int(np.flatnonzero(y.isna().to_numpy())[0])
        raise ValueError(f"{path}, row {row + 1} of the table: the label column {target!r} is empty")
    return DataFile(form, frame.drop(columns=[target]), y.astype(str).to_numpy(dtype=object))
