"""A second generator of extreme-classification problems, built differently from
``sparsenet.datasets.make_extreme_classification``: each label owns a prototype of weighted
features (gamma-distributed weights, no shared background vocabulary); a row draws a Poisson
number of labels by a Zipf law and about ``nnz`` feature occurrences from its labels'
prototypes by their weights, plus a little uniform noise. Used to check defaults on more
than one problem family."""
import numpy as np
from scipy import sparse


def make_prototype_problem(n_rows, n_features=50_000, n_labels=50_000, *, labels_per_row=5, nnz=85,
                           prototype_size=40, exponent=0.6, noise=0.1, seed=0):
    """(X, Y): CSR float32 log-counts L2-normalised, and a CSR int8 label indicator."""
    rng = np.random.default_rng(seed)
    prototypes = rng.integers(0, n_features, (n_labels, prototype_size))
    weights = rng.gamma(1.0, 1.0, (n_labels, prototype_size))
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    frequency = 1.0 / np.arange(1, n_labels + 1) ** exponent
    label_of_rank = rng.permutation(n_labels)
    counts = np.maximum(1, rng.poisson(labels_per_row, n_rows))
    drawn = label_of_rank[np.minimum(np.searchsorted(np.cumsum(frequency / frequency.sum()),
                                                     rng.random(counts.sum())), n_labels - 1)]
    starts = np.concatenate([[0], np.cumsum(counts)])
    x_rows, x_cols, y_rows, y_cols = [], [], [], []
    for row in range(n_rows):
        labels = np.unique(drawn[starts[row]:starts[row + 1]])
        y_rows.append(np.full(labels.size, row))
        y_cols.append(labels)
        occurrences = rng.poisson(nnz)
        n_noise = rng.binomial(occurrences, noise)
        owners = rng.choice(labels, occurrences - n_noise)
        slots = np.minimum((cumulative[owners] < rng.random((owners.size, 1))).sum(axis=1), prototype_size - 1)
        features = np.concatenate([prototypes[owners, slots], rng.integers(0, n_features, n_noise)])
        x_rows.append(np.full(features.size, row))
        x_cols.append(features)
    x_rows, x_cols = np.concatenate(x_rows), np.concatenate(x_cols)
    X = sparse.csr_matrix((np.ones(x_rows.size, np.float32), (x_rows, x_cols)), shape=(n_rows, n_features))
    X.sum_duplicates()
    X.data = np.log1p(X.data)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = (sparse.diags((1.0 / np.maximum(norms, 1e-12)).astype(np.float32)) @ X).tocsr().astype(np.float32)
    y_rows, y_cols = np.concatenate(y_rows), np.concatenate(y_cols)
    Y = sparse.csr_matrix((np.ones(y_rows.size, np.int8), (y_rows, y_cols)), shape=(n_rows, n_labels))
    return X, Y
