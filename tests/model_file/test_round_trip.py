"""Saving and loading every estimator configuration: the same answers as the model itself
and as its pickle, training that goes on exactly as it would have, memory-mapped loading,
and what is not stored."""
import pickle

import joblib
import numpy as np
import pytest

import sparsenet
from sparsenet import SparseMLPClassifier
from sparsenet.callbacks import Callback
from sparsenet.model_file import read_header, save_model
from model_configurations import CONFIGURATIONS, answers


@pytest.fixture(scope="module", params=sorted(CONFIGURATIONS))
def configuration(request):
    model, X, _ = CONFIGURATIONS[request.param]()
    return request.param, model, X


def assert_same_answers(first, second):
    assert len(first) == len(second)
    for a, b in zip(first, second):
        assert a.shape == b.shape and a.dtype == b.dtype
        assert np.array_equal(a, b)


def test_a_loaded_model_answers_as_the_model_and_its_pickle(configuration, tmp_path):
    name, model, X = configuration
    path = model.save(tmp_path / f"{name}.spn")
    loaded = sparsenet.load(path)
    assert type(loaded) is type(model)
    assert loaded.get_params() == {**model.get_params(), **({"callbacks": None} if "callbacks" in model.get_params() else {})}
    expected = answers(model, X)
    assert_same_answers(answers(loaded, X), expected)
    assert_same_answers(answers(pickle.loads(pickle.dumps(loaded)), X), expected)
    joblib.dump(loaded, tmp_path / "model.joblib")
    assert_same_answers(answers(joblib.load(tmp_path / "model.joblib", mmap_mode="r"), X), expected)


def test_a_memory_mapped_model_answers_the_same_and_leaves_its_file_alone(configuration, tmp_path):
    name, model, X = configuration
    path = model.save(tmp_path / f"{name}.spn")
    before = open(path, "rb").read()
    mapped = sparsenet.load(path, mmap_mode="r")
    assert_same_answers(answers(mapped, X), answers(model, X))
    network = getattr(getattr(mapped, "classifier_", mapped), "network_", None)
    if network is not None:
        # read in place from the map (a copy would be writeable)
        assert not network.weights[0].flags.writeable and not network.weights[0].flags.owndata
    assert open(path, "rb").read() == before


@pytest.mark.parametrize("name", ["sampled_multilabel", "two_hidden_layers_sampled", "udt_every_column_type"])
def test_training_goes_on_after_loading_exactly_as_without_the_round_trip(name, tmp_path):
    model, X, (X_train, y_train) = CONFIGURATIONS[name]()
    twin, _, _ = CONFIGURATIONS[name]()
    loaded = sparsenet.load(twin.save(tmp_path / "model.spn"), mmap_mode="r")
    for estimator in (model, loaded):
        estimator.partial_fit(X_train, y_train)
    assert_same_answers(answers(loaded, X), answers(model, X))


def test_hash_functions_are_stored_not_drawn_again(tmp_path):
    model, _, _ = CONFIGURATIONS["sampled_multilabel"]()
    family = model.network_.samplers[1].tables.family
    stored = sparsenet.load(model.save(tmp_path / "model.spn")).network_.samplers[1].tables.family
    for part in ("coordinates", "signs", "tail"):
        assert np.array_equal(getattr(stored, part), getattr(family, part))
    # stored functions win over the seed: a later way of drawing them cannot change a model
    from sparsenet.sampling._hash_families import HashFamily
    shape = (family.kind, family.dimension, family.n_tables, family.hashes_per_table, family.range_bits)
    assert not np.array_equal(HashFamily(*shape, family.seed + 1).coordinates, family.coordinates)
    kept = HashFamily(*shape, family.seed + 1, (family.coordinates, family.signs, family.tail))
    assert np.array_equal(kept.coordinates, family.coordinates)


def test_stored_hash_functions_that_do_not_fit_are_refused():
    from sparsenet.sampling._hash_families import HashFamily
    family = HashFamily("dwta", 16, 4, 3, 8, 0)
    bad = family.coordinates.copy()
    bad[0, 0, 0] = 16  # outside the hashed vectors
    with pytest.raises(ValueError, match=r"coordinates must be integers in \[0, 16\)"):
        HashFamily("dwta", 16, 4, 3, 8, 0, (bad, family.signs, family.tail))
    with pytest.raises(ValueError, match="shapes"):
        HashFamily("dwta", 16, 4, 2, 8, 0, (family.coordinates, family.signs, family.tail))


def test_callbacks_are_not_stored(tmp_path):
    class Count(Callback):
        def on_epoch_end(self, estimator, info):
            return False

    X, y = np.random.default_rng(0).normal(size=(100, 5)), np.arange(100) % 2
    model = SparseMLPClassifier((8,), max_iter=2, callbacks=[Count()], random_state=0).fit(X, y)
    loaded = sparsenet.load(model.save(tmp_path / "model.spn"))
    assert loaded.callbacks is None and model.callbacks is not None
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_an_unfitted_estimator_saves_its_parameters(tmp_path):
    loaded = sparsenet.load(SparseMLPClassifier((7, 3), alpha=0.5).save(tmp_path / "model.spn"))
    assert loaded.get_params()["hidden_layer_sizes"] == (7, 3) and loaded.alpha == 0.5
    assert not hasattr(loaded, "network_")


def test_only_sparsenet_estimators_are_saved(tmp_path):
    from sklearn.linear_model import LogisticRegression
    with pytest.raises(TypeError, match="not a sparsenet class"):
        save_model(LogisticRegression(), tmp_path / "model.spn")
    assert not (tmp_path / "model.spn").exists()


def test_the_header_describes_the_model_without_reading_its_arrays(tmp_path):
    model, _, _ = CONFIGURATIONS["sampled_multilabel"]()
    header = read_header(model.save(tmp_path / "model.spn"))
    assert header["estimator"] == "SparseMLPClassifier"
    assert header["sparsenet_version"] == sparsenet.__version__ and header["format_version"] == 1
    assert header["params"]["hash_family"] == "mips"
    summary = header["summary"]
    assert summary["layers"] == [[200, 16], [16, 20000]] and summary["sampled_layers"] == [1]
    assert summary["n_iter_"] == model.n_iter_ and summary["loss_curve_"] == model.loss_curve_


def test_a_file_without_the_optimizer_state_is_smaller_and_trains_on(tmp_path):
    model, X, (X_train, y_train) = CONFIGURATIONS["sampled_multilabel"]()
    full = model.save(tmp_path / "full.spn")
    compact = model.save(tmp_path / "compact.spn", optimizer_state=False)
    import os
    weight_bytes = sum(w.nbytes + b.nbytes for w, b in zip(model.network_.weights, model.network_.biases))
    assert os.path.getsize(full) - os.path.getsize(compact) >= 2 * weight_bytes  # both moments left out
    loaded = sparsenet.load(compact)
    assert_same_answers(answers(loaded, X), answers(model, X))
    assert read_header(compact)["summary"]["optimizer_state"] is False
    loaded.partial_fit(X_train, y_train)  # fresh moments
    assert loaded._adam.step > 0 and np.all(np.isfinite(loaded.network_.weights[1]))
