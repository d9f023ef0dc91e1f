"""Reader for the Extreme Classification Repository's text format."""
import numpy as np
from scipy import sparse


def load_xc_repo(path):
    """Read a file in the Extreme Classification Repository text format.

    The first line is ``n_rows n_features n_labels``; each following line is
    ``l1,l2,... f:v f:v ...`` (labels, then feature:value pairs; a row may have no label).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_rows, n_features), float32
    Y : scipy.sparse.csr_matrix of shape (n_rows, n_labels), int8 indicator
    """
    with open(path, encoding="utf-8") as handle:
        header = handle.readline().split()
        if len(header) != 3:
            raise ValueError(f"{path}: the first line must be 'n_rows n_features n_labels', got {header!r}")
        n_rows, n_features, n_labels = (int(v) for v in header)
        label_ptr, label_ids, feature_ptr, feature_ids, values = [0], [], [0], [], []
        for line_number, line in enumerate(handle, start=2):
            tokens = line.split()
            if tokens and ":" not in tokens[0]:
                labels, tokens = tokens[0], tokens[1:]
                label_ids.extend(int(v) for v in labels.split(",") if v)
            for token in tokens:
                feature, _, value = token.partition(":")
                feature_ids.append(int(feature))
                values.append(float(value))
            label_ptr.append(len(label_ids))
            feature_ptr.append(len(feature_ids))
    if len(label_ptr) - 1 != n_rows:
        raise ValueError(f"{path}: the header announces {n_rows} rows, the file has {len(label_ptr) - 1}")
    for name, ids, bound in (("feature", feature_ids, n_features), ("label", label_ids, n_labels)):
        if ids and (min(ids) < 0 or max(ids) >= bound):
            raise ValueError(f"{path}: {name} ids must lie in [0, {bound})")
    X = sparse.csr_matrix((np.asarray(values, dtype=np.float32), np.asarray(feature_ids, dtype=np.int32),
                           np.asarray(feature_ptr, dtype=np.int64)), shape=(n_rows, n_features))
    Y = sparse.csr_matrix((np.ones(len(label_ids), dtype=np.int8), np.asarray(label_ids, dtype=np.int32),
                           np.asarray(label_ptr, dtype=np.int64)), shape=(n_rows, n_labels))
    X.sum_duplicates()
    Y.sum_duplicates()
    Y.data[:] = 1
    return X, Y
