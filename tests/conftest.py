"""Fixtures and helpers shared by the whole suite (the tests' folders mirror the package)."""
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import make_classification

from sparsenet import SparseMLPClassifier
from sparsenet.datasets import get_data_home, make_extreme_classification
from sparsenet.mlp._inputs import csr_for_engine
from sparsenet.mlp._parameters import SAMPLING_PARAMETERS
from sparsenet.sampling._plan import plan_sampling

# the development machines keep the real data sets beside the repository
os.environ.setdefault("SPARSENET_DATA", str(Path(__file__).resolve().parents[2] / "shared" / "data"))


def shared_data(*parts):
    """Path to a real data set under get_data_home(); skips the test (with the reason) when absent."""
    path = get_data_home().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (set SPARSENET_DATA to the folder of the data sets)")
    return path


def run_isolated(code, timeout=240, **environment):
    """Run Python code in a child process, so that a crash (segfault, abort) or a hang fails
    the calling test instead of ending the test run; returns the child's output. The child
    imports the same sparsenet as the tests (it runs from a scratch folder: from the
    repository root it would import the unbuilt source tree), with ``environment`` added to
    its variables."""
    env = {**os.environ, **environment}
    try:
        with tempfile.TemporaryDirectory() as scratch:
            done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", textwrap.dedent(code)], env=env,
                                  cwd=scratch, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"the child process hung for {timeout} s; output:\n{expired.stdout}\n{expired.stderr}")
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"the child process ended with status {done.returncode}:\n{output[-4000:]}"
    return output


def plan_for(n_outputs, **settings):
    """The SamplingPlan of SparseMLPClassifier's default parameters, some changed."""
    defaults = SparseMLPClassifier().get_params()
    return plan_sampling(n_outputs, **{**{name: defaults[name] for name in SAMPLING_PARAMETERS}, **settings})


def small_model(**params):
    """A small, quick SparseMLPClassifier (one thread, seeded), some parameters changed."""
    settings = dict(hidden_layer_sizes=(32,), max_iter=60, random_state=0, n_jobs=1, batch_size=32)
    settings.update(params)
    return SparseMLPClassifier(**settings)


def wide_sparse_problem(n=4000, n_features=2000, seed=0):
    """Sparse X (2 % dense) and 4 classes from a random linear teacher."""
    rng = np.random.default_rng(seed)
    X = sparse.random(n, n_features, density=0.02, random_state=seed, format="csr")
    w = rng.normal(size=(n_features, 4))
    y = np.asarray(X @ w).argmax(axis=1)
    return X, y


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


@pytest.fixture(scope="session")
def xmc_problem():
    """A generated extreme-classification problem: 3,000 rows, 1,500 features, 2,000 labels,
    X ready for the engine."""
    X, Y = make_extreme_classification(3000, 1500, 2000, random_state=0)
    return csr_for_engine(X), Y


@pytest.fixture(scope="module")
def client():
    """A Dask client of a LocalCluster of two worker processes with one thread each, started
    for the test module that asks for it and stopped after it."""
    distributed = pytest.importorskip("distributed", reason="Dask's distributed is not installed "
                                      "(pip install 'sparsenet[dask]')")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as dask_client:
        yield dask_client
