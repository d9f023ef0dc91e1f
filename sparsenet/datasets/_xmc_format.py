"""The Extreme Classification Repository's text format: read and write."""
import numpy as np
from scipy import sparse

from sparsenet.datasets._text_files import numbered_lines, open_text


def load_xmc(path):
    """Read a file in the Extreme Classification Repository text format.

    The first line is ``n_rows n_features n_labels``; each following line is
    ``l1,l2,... f:v f:v ...`` (labels, then feature:value pairs; a row may have no label).
    A name ending in ``.gz`` is read as gzip.

    Parameters
    ----------
    path : str or path-like
        The file to read (e.g. ``train.txt`` of a data set from the repository).

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_rows, n_features), float32
        The feature values.
    Y : scipy.sparse.csr_matrix of shape (n_rows, n_labels), int8 indicator
        1 where a row has a label.

    Raises
    ------
    ValueError
        Naming the file and the line, for a malformed header or row, or an id out of range.

    Examples
    --------
    >>> import os, tempfile
    >>> from sparsenet.datasets import load_xmc
    >>> path = os.path.join(tempfile.mkdtemp(), "train.txt")
    >>> _ = open(path, "w").write("2 4 3\\n0,2 1:0.5 3:1\\n 0:2\\n")
    >>> X, Y = load_xmc(path)
    >>> X.toarray().tolist(), Y.toarray().tolist()
    ([[0.0, 0.5, 0.0, 1.0], [2.0, 0.0, 0.0, 0.0]], [[1, 0, 1], [0, 0, 0]])

    ``X`` and ``Y`` are what :class:`~sparsenet.SparseMLPClassifier` trains on:

    >>> from sparsenet import SparseMLPClassifier
    >>> SparseMLPClassifier((8,), max_iter=2, random_state=0).fit(X, Y).predict_topk(X, k=2).shape
    (2, 2)
    """
    lines = numbered_lines(path)
    try:
        _, first = next(lines)
    except StopIteration:
        raise ValueError(f"{path} is empty: an XMC file starts with 'n_rows n_features n_labels'") from None
    header = first.split()
    if len(header) != 3 or not all(v.isdigit() for v in header):
        raise ValueError(f"{path}, line 1: must be 'n_rows n_features n_labels', got {first.strip()[:80]!r}")
    n_rows, n_features, n_labels = (int(v) for v in header)
    label_ptr, label_ids, feature_ptr, feature_ids, values = [0], [], [0], [], []
    for number, line in lines:
        try:
            _parse_row(line, n_features, n_labels, label_ids, feature_ids, values)
        except ValueError as error:
            raise ValueError(f"{path}, line {number}: {error}") from None
        label_ptr.append(len(label_ids))
        feature_ptr.append(len(feature_ids))
    if len(label_ptr) - 1 != n_rows:
        raise ValueError(f"{path}: the header announces {n_rows} rows, the file has {len(label_ptr) - 1}")
    X = sparse.csr_matrix((np.asarray(values, dtype=np.float32), np.asarray(feature_ids, dtype=np.int32),
                           np.asarray(feature_ptr, dtype=np.int64)), shape=(n_rows, n_features))
    Y = sparse.csr_matrix((np.ones(len(label_ids), dtype=np.int8), np.asarray(label_ids, dtype=np.int32),
                           np.asarray(label_ptr, dtype=np.int64)), shape=(n_rows, n_labels))
    X.sum_duplicates()
    Y.sum_duplicates()
    Y.data[:] = 1
    return X, Y


def _parse_row(line, n_features, n_labels, label_ids, feature_ids, values):
    tokens = line.split()
    if tokens and ":" not in tokens[0]:
        labels, tokens = tokens[0], tokens[1:]
        for v in labels.split(","):
            if v:
                label = _id(v, "label")
                if label >= n_labels:
                    raise ValueError(f"label {label} is outside [0, {n_labels})")
                label_ids.append(label)
    for token in tokens:
        feature, colon, value = token.partition(":")
        if not colon:
            raise ValueError(f"expected feature:value, got {token[:40]!r}")
        feature = _id(feature, "feature")
        if feature >= n_features:
            raise ValueError(f"feature {feature} is outside [0, {n_features})")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"feature {feature} has the value {value[:40]!r}, not a number") from None
        if not np.isfinite(number):
            raise ValueError(f"feature {feature} has the value {value!r}, not a finite number")
        feature_ids.append(feature)
        values.append(number)


def _id(text, what):
    if not text.isdigit():
        raise ValueError(f"{what} id {text[:40]!r} is not a non-negative integer")
    return int(text)


def dump_xmc(X, Y, path):
    """Write ``X`` and ``Y`` in the Extreme Classification Repository text format.

    Values are written with 9 significant digits, so float32 features read back exactly
    with :func:`load_xmc`.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_rows, n_features)
    Y : {array-like, sparse matrix} of shape (n_rows, n_labels), indicator, or None
        Rows without labels are written with an empty label field (``Y=None``: all of them,
        with 0 labels in the header).
    path : str or path-like
        A name ending in ``.gz`` is written gzip-compressed.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sparsenet.datasets import dump_xmc, load_xmc
    >>> path = os.path.join(tempfile.mkdtemp(), "data.txt.gz")
    >>> dump_xmc(np.array([[0, 1.5], [2, 0]]), np.array([[1, 1, 0], [0, 0, 0]]), path)
    >>> load_xmc(path)[1].toarray().tolist()
    [[1, 1, 0], [0, 0, 0]]
    """
    X = sparse.csr_matrix(X, dtype=np.float32)
    Y = sparse.csr_matrix((X.shape[0], 0), dtype=np.int8) if Y is None else sparse.csr_matrix(Y)
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but Y has {Y.shape[0]}")
    X.sum_duplicates()
    Y.sum_duplicates()
    with open_text(path, "w") as out:
        out.write(f"{X.shape[0]} {X.shape[1]} {Y.shape[1]}\n")
        for i in range(X.shape[0]):
            labels = ",".join(str(j) for j in Y.indices[Y.indptr[i]:Y.indptr[i + 1]][Y.data[Y.indptr[i]:Y.indptr[i + 1]] != 0])
            start, end = X.indptr[i], X.indptr[i + 1]
            pairs = " ".join(f"{j}:{v:.9g}" for j, v in zip(X.indices[start:end].tolist(), X.data[start:end].tolist()))
            out.write(f"{labels} {pairs}\n" if pairs else f"{labels}\n")


load_xc_repo = load_xmc  # the name of earlier versions
