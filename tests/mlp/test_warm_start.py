"""Training a fitted model further: after early stopping, and with parameters changed since
it was fitted (each change applied, or refused with a message, never silently ignored)."""
import numpy as np
import pytest
from conftest import small_model

from sparsenet import UDTClassifier


@pytest.fixture(scope="module")
def many_classes():
    """500 classes, each row its class's prototype plus noise: a sampled output layer at
    output_sparsity 0.05."""
    rng = np.random.RandomState(0)
    y = np.arange(3000) % 500
    X = (rng.normal(size=(500, 40))[y] + 0.3 * rng.normal(size=(3000, 40))).astype(np.float32)
    return X, y


def test_a_model_fitted_with_early_stopping_trains_further(blobs):
    X, y = blobs
    model = small_model(early_stopping=True, max_iter=30).fit(X, y)
    assert model.best_loss_ is None
    model.partial_fit(X, y)
    model.set_params(warm_start=True, early_stopping=False, max_iter=3).fit(X, y)
    assert np.isfinite(model.best_loss_)
    assert model.score(X, y) > 0.8


def test_a_udt_model_fitted_with_early_stopping_takes_partial_fit():
    texts = ["good film", "great plot", "bad film", "awful plot"] * 30
    labels = [1, 1, 0, 0] * 30
    model = UDTClassifier(early_stopping=True, max_iter=5, random_state=0).fit(texts, labels)
    model.partial_fit(texts, labels)
    assert model.score(texts, labels) == 1.0


def test_early_stopping_with_more_classes_than_validation_rows(many_classes):
    """Stratifying the held-out rows needs room for every class in both parts."""
    X, y = many_classes
    model = small_model(early_stopping=True, max_iter=2, output_sparsity=0.05).fit(X[:1000], y[:1000])
    assert len(model.validation_scores_) == 2


def test_warm_start_to_a_dense_output_layer_trains_it_densely(many_classes):
    X, y = many_classes
    model = small_model(max_iter=2, output_sparsity=0.05).fit(X, y)
    assert model.network_.output_sampler is not None
    model.set_params(warm_start=True, output_sparsity=1.0).fit(X, y)
    assert model.network_.output_sampler is None and model.sampling_stats_ is None
    dense_epochs = model.loss_curve_[2:]
    # trained against all 500 outputs: a real loss that falls, not the 0.0 of an active set
    # that holds the true label only
    assert all(loss > 0.5 for loss in dense_epochs) and dense_epochs[-1] < dense_epochs[0]


def test_warm_start_to_a_sampled_output_layer_builds_tables(many_classes):
    X, y = many_classes
    model = small_model(max_iter=1).fit(X, y)
    assert model.network_.output_sampler is None
    model.set_params(warm_start=True, output_sparsity=0.05).fit(X, y)
    assert model.network_.output_sampler is not None
    assert model.sampling_stats_["table_builds"] >= 1


@pytest.mark.parametrize("change, read", [
    ({"hash_family": "simhash"}, lambda sampler: sampler.tables.family.kind == "simhash"),
    ({"hash_family": "mips"}, lambda sampler: sampler.tables.family.kind == "mips"),
    ({"n_tables": 3}, lambda sampler: sampler.tables.family.n_tables == 3),
    ({"hashes_per_table": 5}, lambda sampler: sampler.tables.family.hashes_per_table == 5),
    ({"bucket_capacity": 5}, lambda sampler: sampler.tables.bucket_capacity == 5),
    ({"output_sparsity": 0.1}, lambda sampler: sampler.min_active == 50),
])
@pytest.mark.parametrize("how", ["fit", "partial_fit"])
def test_changed_sampling_parameters_are_applied(many_classes, change, read, how):
    X, y = many_classes
    model = small_model(max_iter=1, output_sparsity=0.05).fit(X, y)
    assert not read(model.network_.output_sampler)
    model.set_params(warm_start=True, **change)
    model.fit(X, y) if how == "fit" else model.partial_fit(X, y)
    assert read(model.network_.output_sampler)
    assert np.isfinite(model.predict_proba(X[:10])).all()


def test_a_changed_rebuild_schedule_keeps_the_tables(many_classes):
    X, y = many_classes
    model = small_model(max_iter=1, output_sparsity=0.05).fit(X, y)
    sampler = model.network_.output_sampler
    model.set_params(warm_start=True, rebuild_interval=7).fit(X, y)
    assert model.network_.output_sampler is sampler and sampler.first_interval == 7


def test_a_changed_loss_is_applied(blobs):
    X, y = blobs
    softmax = small_model(max_iter=5).fit(X, y)
    binary = small_model(max_iter=5).fit(X, y).set_params(warm_start=True, loss="binary", max_iter=1)
    softmax.set_params(warm_start=True, max_iter=1)
    softmax.fit(X, y)
    binary.fit(X, y)
    # the same weights before the last epoch; one epoch of binary cross-entropy (three
    # sigmoids summed) reports a different loss than one of softmax cross-entropy
    assert binary.loss_curve_[:5] == softmax.loss_curve_[:5]
    assert binary.loss_curve_[5] != softmax.loss_curve_[5]
    proba = binary.predict_proba(X)
    assert np.allclose(proba.sum(axis=1), 1.0) and (binary.predict(X) == y).mean() > 0.8


def test_changed_hidden_layer_sizes_are_refused_with_the_way_out(blobs):
    X, y = blobs
    model = small_model(max_iter=2).fit(X, y)
    for call in (lambda: model.fit(X, y), lambda: model.partial_fit(X, y)):
        model.set_params(warm_start=True, hidden_layer_sizes=(16,))
        with pytest.raises(ValueError, match=r"hidden_layer_sizes=\(16,\) differs .* warm_start=False"):
            call()
