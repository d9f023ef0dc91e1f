"""A seeded generator of learnable extreme-classification problems."""
import numbers

import numpy as np
from scipy import sparse
from sklearn.utils import check_random_state


def _zipf_cdf(n, exponent):
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


def _draw(rng, cdf, size, permutation):
    """Draw ids with Zipf frequencies; `permutation` hides the frequency order in the ids."""
    ranks = np.searchsorted(cdf, rng.random_sample(size), side="right")
    return permutation[np.minimum(ranks, len(cdf) - 1)]


def make_extreme_classification(
    n_samples=10_000,
    n_features=135_909,
    n_labels=670_091,
    *,
    labels_per_row=5.0,
    features_per_row=85.0,
    label_exponent=0.75,
    feature_exponent=0.9,
    signature_size=32,
    noise=0.3,
    random_state=None,
):
    """Generate a multi-label problem shaped like Amazon-670K, with labels tied to features.

    Label frequencies follow a power law (a few head labels, a long tail seen a handful of
    times), as in real extreme classification data. Each label owns a small random
    "signature" of features; a row draws its labels, then most of its features from its
    labels' signatures and the rest (``noise``) from a power law over all features. Values
    are log term frequencies, rows L2-normalised, like TF-IDF text features.

    Parameters
    ----------
    n_samples, n_features, n_labels : int
        Shape of the problem (defaults: Amazon-670K's features and labels).
    labels_per_row : float, default=5.0
        Mean labels per row (at least one each).
    features_per_row : float, default=85.0
        Mean feature draws per row; repeats merge, leaving about 75 distinct nonzeros with
        the defaults.
    label_exponent, feature_exponent : float
        Power-law exponents of label and background feature frequencies.
    signature_size : int, default=32
        Features owned by each label.
    noise : float in [0, 1), default=0.3
        Share of each row's features drawn from the background instead of its labels.
    random_state : int, RandomState instance or None
        Seed: the same seed gives the same problem.

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_samples, n_features), float32
        Log term frequencies, each row of unit L2 norm.
    Y : scipy.sparse.csr_matrix of shape (n_samples, n_labels), int8 indicator
        The labels of each row (at least one).

    Examples
    --------
    >>> from sparsenet.datasets import make_extreme_classification
    >>> X, Y = make_extreme_classification(1000, 5000, 20000, random_state=0)
    >>> X.shape, Y.shape
    ((1000, 5000), (1000, 20000))
    >>> bool(3 < Y.sum(axis=1).mean() < 7)
    True

    A problem of 1,000 labels, trained with a sampled output layer (a tenth of the outputs
    computed per row) and scored by precision@1 on held-out rows:

    >>> from sparsenet import SparseMLPClassifier
    >>> from sparsenet.metrics import precision_at_k
    >>> X, Y = make_extreme_classification(2000, 1000, 1000, random_state=0)
    >>> clf = SparseMLPClassifier(max_iter=3, output_sparsity=0.1, random_state=0).fit(X[:1500], Y[:1500])
    >>> clf.sampling_stats_ is not None, precision_at_k(Y[1500:], clf.predict_topk(X[1500:], k=1), k=1) > 0.2
    (True, True)
    """
    for name, value in (("n_samples", n_samples), ("n_features", n_features), ("n_labels", n_labels),
                        ("signature_size", signature_size)):
        if not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not labels_per_row >= 1 or not features_per_row >= 1:
        raise ValueError("labels_per_row and features_per_row must be at least 1")
    if not 0 <= noise < 1:
        raise ValueError(f"noise must lie in [0, 1), got {noise!r}")
    rng = check_random_state(random_state)
    label_cdf = _zipf_cdf(n_labels, label_exponent)
    feature_cdf = _zipf_cdf(n_features, feature_exponent)
    label_ids = rng.permutation(n_labels)
    feature_ids = rng.permutation(n_features)
    signatures = rng.randint(0, n_features, size=(n_labels, signature_size))

    # labels: 1 + Poisson(mean - 1) per row, drawn by frequency, duplicates merged
    n_row_labels = 1 + rng.poisson(labels_per_row - 1.0, size=n_samples)
    label_rows = np.repeat(np.arange(n_samples), n_row_labels)
    labels = _draw(rng, label_cdf, label_rows.size, label_ids)
    Y = sparse.csr_matrix((np.ones(labels.size, dtype=np.int8), (label_rows, labels)),
                          shape=(n_samples, n_labels))
    Y.data[:] = 1

    # features: each row's label share split evenly among its labels' signatures
    n_row_features = np.maximum(1, rng.poisson(features_per_row, size=n_samples))
    n_signal = np.round(n_row_features * (1.0 - noise)).astype(np.int64)
    per_label = np.maximum(1, n_signal[label_rows] // n_row_labels[label_rows])
    signal_rows = np.repeat(label_rows, per_label)
    signal_labels = np.repeat(labels, per_label)
    signal_features = signatures[signal_labels, rng.randint(0, signature_size, size=signal_labels.size)]
    n_noise = np.maximum(0, n_row_features - np.bincount(signal_rows, minlength=n_samples))
    noise_rows = np.repeat(np.arange(n_samples), n_noise)
    noise_features = _draw(rng, feature_cdf, noise_rows.size, feature_ids)

    rows = np.concatenate([signal_rows, noise_rows])
    columns = np.concatenate([signal_features, noise_features])
    counts = sparse.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, columns)),
                               shape=(n_samples, n_features))
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data).astype(np.float32)
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    X = sparse.csr_matrix(sparse.diags(1.0 / np.maximum(norms, 1e-12)).astype(np.float32) @ counts)
    X.sort_indices()
    return X.astype(np.float32), Y
