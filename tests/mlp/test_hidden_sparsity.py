"""SparseMLPClassifier(hidden_sparsity=...): which layer is sampled, warm-start changes,
pickling, and what "auto" does."""
import pickle

import numpy as np
import pytest

from conftest import small_model
from sparsenet.datasets import make_extreme_classification


@pytest.fixture(scope="module")
def data():
    X, Y = make_extreme_classification(600, 300, 12, random_state=0)
    keep = np.flatnonzero(np.diff(Y.indptr) > 0)
    return X[keep], Y.indices[Y.indptr[keep]]


def test_auto_keeps_every_hidden_layer_dense(data):
    X, y = data
    model = small_model(hidden_layer_sizes=(16, 256), max_iter=2).fit(X, y)
    assert model.network_.samplers == [None, None, None]


def test_a_sampled_last_hidden_layer_trains_and_predicts_like_its_pickle(data):
    X, y = data
    model = small_model(hidden_layer_sizes=(16, 256), hidden_sparsity=0.25, max_iter=20).fit(X, y)
    sampler = model.network_.samplers[1]
    assert sampler is not None and sampler.min_active == 64 and sampler.tables.family.kind == "mips"
    assert model.network_.samplers[2] is None
    assert model.score(X, y) > 2.0 / len(np.unique(y))
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    assert np.isfinite(model.predict_proba(X)).all()


def test_one_hidden_layer_is_never_sampled(data):
    X, y = data
    model = small_model(hidden_layer_sizes=(64,), hidden_sparsity=0.1, max_iter=2).fit(X, y)
    assert model.network_.samplers == [None, None]


def test_warm_start_switches_hidden_sampling_on_and_off(data):
    X, y = data
    model = small_model(hidden_layer_sizes=(16, 128), max_iter=2, warm_start=True).fit(X, y)
    model.set_params(hidden_sparsity=0.5).fit(X, y)
    assert model.network_.samplers[1].min_active == 64
    model.set_params(hidden_sparsity=1.0).fit(X, y)
    assert model.network_.samplers[1] is None


@pytest.mark.parametrize("bad", [0, 1.5, "half", True])
def test_a_bad_hidden_sparsity_is_refused_by_name(data, bad):
    X, y = data
    with pytest.raises(ValueError, match="hidden_sparsity"):
        small_model(hidden_sparsity=bad).fit(X, y)
