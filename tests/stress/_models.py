"""Small fitted models that many cheap predict-only examples run against, and tiny
training problems for the examples that fit.

Every model is small (a hidden layer of 8, a few epochs), so building all of them takes
well under a second; the child builds them once, at import.
"""
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from sparsenet import SparseMLPClassifier

N_FEATURES = 5


@dataclass
class Fitted:
    """A fitted model and what its answers must look like."""

    name: str
    model: SparseMLPClassifier
    multilabel: bool = False
    sparse_targets: bool = False


def tiny(**params):
    """A SparseMLPClassifier small enough for thousands of fits (one thread, seeded)."""
    settings = dict(hidden_layer_sizes=(4,), max_iter=1, random_state=0, n_jobs=1)
    settings.update(params)
    return SparseMLPClassifier(**settings)


def problem(n_rows=60, n_classes=3, seed=0):
    """A learnable dense problem with N_FEATURES features: (X, y)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, N_FEATURES))
    y = (X[:, 0] * 2 + X[:, 1] > 0).astype(int) + 2 * (X[:, 2] > 0.5)
    return X, y % n_classes if n_classes > 1 else np.zeros(n_rows, dtype=int)


def fitted_models():
    """The models of the predict-only examples, by name (see Fitted)."""
    X, y = problem()
    rng = np.random.default_rng(1)
    Y = (rng.random((60, 4)) < 0.4).astype(int)
    many = rng.integers(0, 12, size=60)
    models = [
        Fitted("softmax", tiny(hidden_layer_sizes=(8,), max_iter=5).fit(X, y)),
        Fitted("two_classes_str", tiny(max_iter=3, n_jobs=2).fit(X, np.where(y > 0, "yes", "no"))),
        Fitted("one_vs_rest", tiny(loss="binary", max_iter=3).fit(X, y)),
        Fitted("one_class", tiny().fit(X, np.full(60, 7))),
        Fitted("multilabel", tiny(max_iter=3).fit(X, Y), multilabel=True),
        Fitted("multilabel_sampled", tiny(output_sparsity=0.5).fit(X, sparse.csr_matrix(Y)),
               multilabel=True, sparse_targets=True),
        Fitted("sampled", tiny(hidden_layer_sizes=(8,), output_sparsity=0.3, max_iter=3).fit(X, many)),
        # above 4,000 classes the output layer is sampled by default
        Fitted("sampled_4500", tiny().partial_fit(X, rng.integers(0, 4500, 60), classes=np.arange(4500))),
    ]
    return {fitted.name: fitted for fitted in models}


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    MODELS = fitted_models()
