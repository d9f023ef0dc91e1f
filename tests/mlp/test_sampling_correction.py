"""sampling_correction: the shared negatives' scores corrected by their chance to be drawn
(softmax loss on a sampled layer only)."""
import numpy as np
import pytest
from conftest import small_model


def fitted(xmc_problem, **params):
    X, Y = xmc_problem
    settings = {"hidden_layer_sizes": (16,), "max_iter": 2, "batch_size": 128, "output_sparsity": 0.05}
    return small_model(**{**settings, **params}).fit(X, Y)


def test_the_correction_changes_softmax_training(xmc_problem):
    plain = fitted(xmc_problem, loss="softmax", sampling_correction=False)
    corrected = fitted(xmc_problem, loss="softmax")
    assert corrected.sampling_correction is True     # the default
    assert not np.array_equal(plain.network_.weights[-1], corrected.network_.weights[-1])
    assert np.isfinite(corrected.loss_curve_).all()
    # training on the same settings again repeats the corrected fit exactly
    again = fitted(xmc_problem, loss="softmax", sampling_correction=True)
    np.testing.assert_array_equal(again.network_.weights[-1], corrected.network_.weights[-1])


def test_the_correction_does_not_touch_sigmoid_outputs_or_dense_layers(xmc_problem, blobs):
    plain = fitted(xmc_problem, loss="binary", sampling_correction=False)
    corrected = fitted(xmc_problem, loss="binary", sampling_correction=True)
    np.testing.assert_array_equal(plain.network_.weights[-1], corrected.network_.weights[-1])
    X, y = blobs
    dense = [small_model(max_iter=3, sampling_correction=flag).fit(X, y) for flag in (False, True)]
    np.testing.assert_array_equal(dense[0].predict_proba(X), dense[1].predict_proba(X))


def test_the_correction_follows_set_params_between_training_calls(xmc_problem):
    X, Y = xmc_problem
    model = fitted(xmc_problem, loss="softmax", sampling_correction=False)
    twin = fitted(xmc_problem, loss="softmax", sampling_correction=False)
    model.set_params(sampling_correction=True).partial_fit(X, Y)
    twin.partial_fit(X, Y)
    assert model.network_.output_sampler.corrects and not twin.network_.output_sampler.corrects
    assert not np.array_equal(model.network_.weights[-1], twin.network_.weights[-1])


def test_the_correction_must_be_a_bool(xmc_problem):
    X, Y = xmc_problem
    with pytest.raises(ValueError, match="sampling_correction"):
        small_model(sampling_correction="yes").fit(X, Y)
