import os
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification

SHARED_DATA = Path(os.environ.get("SPARSENET_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def shared_data(*parts):
    """Path to a data set in ../shared/data; skips the test (with the reason) when absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (set SPARSENET_DATA to ../shared/data)")
    return path


@pytest.fixture
def blobs():
    """A small, learnable 3-class problem."""
    X, y = make_classification(
        n_samples=300, n_features=20, n_informative=8, n_classes=3, n_clusters_per_class=1,
        class_sep=2.0, random_state=0,
    )
    return X, y


@pytest.fixture
def sparse_multilabel():
    """Sparse X with 300 features and a sparse 40-label indicator Y tied to the features."""
    from scipy import sparse

    rng = np.random.default_rng(0)
    n, n_features, n_labels = 400, 300, 40
    X = sparse.random(n, n_features, density=0.05, random_state=0, format="csr")
    owner = rng.integers(n_labels, size=n_features)  # each feature votes for one label
    votes = np.zeros((n, n_labels))
    rows, cols = X.nonzero()
    np.add.at(votes, (rows, owner[cols]), 1.0)
    top = np.argsort(-votes, axis=1)[:, :2]
    Y = np.zeros((n, n_labels), dtype=int)
    np.put_along_axis(Y, top, 1, axis=1)
    return X, sparse.csr_matrix(Y)
