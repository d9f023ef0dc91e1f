"""Saving a sparsenet estimator to a model file and loading it back."""
import datetime
import platform

import numpy as np

from sparsenet._version import __version__
from sparsenet.model_file._container import (FORMAT_VERSION, ModelFileError, read_arrays, read_prefix,
                                             write_container)
from sparsenet.model_file._state_tree import StateDecoder, StateEncoder, resolve

FORMAT_NAME = "sparsenet model"
# hooks into the caller's code, not part of the model: a loaded model has none
NOT_STORED = ("callbacks",)
ESTIMATORS = ("sparsenet.mlp._classifier:SparseMLPClassifier", "sparsenet.udt._classifier:UDTClassifier",
              "sparsenet.udt._featurizer:UDTFeaturizer")


def save_model(estimator, path, *, optimizer_state=True, before_arrays=None):
    """Write ``estimator`` (fitted or not) to ``path`` in the model file format. The file
    appears whole or not at all: an earlier file at ``path`` stays until the new one is
    complete. ``optimizer_state=False`` leaves out Adam's moments (two thirds of a model's
    arrays). Returns ``path``."""
    encoder = StateEncoder(omit=NOT_STORED + (() if optimizer_state else ("_adam",)))
    state = encoder.encode(estimator)
    if state.get("object") not in ESTIMATORS:
        raise TypeError(f"only sparsenet estimators can be saved, not {type(estimator).__name__}")
    params = {name: value for name, value in estimator.get_params(deep=False).items() if name not in NOT_STORED}
    header = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "sparsenet_version": __version__,
              "numpy_version": np.__version__, "python_version": platform.python_version(),
              "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "estimator": state["object"], "params": StateEncoder().encode(params, "params"),
              "summary": {**summary_of(estimator), "optimizer_state": bool(optimizer_state)}, "state": state}
    return write_container(path, header, encoder.arrays, encoder.names, before_arrays=before_arrays)


def load_model(path, *, mmap_mode=None, verify=True):
    """The estimator saved at ``path``.

    ``mmap_mode`` "r" memory-maps its arrays read-only instead of reading them (a large
    model then loads at once and shares its pages between processes; training it again
    copies them), "c" copy-on-write. ``verify`` checks every array against its checksum
    (reading all of it once)."""
    if mmap_mode not in (None, "r", "c"):
        raise ValueError(f"mmap_mode must be None, 'r' or 'c', got {mmap_mode!r}")
    header = read_prefix(path)
    if header.get("format") != FORMAT_NAME or header.get("estimator") not in ESTIMATORS:
        raise ModelFileError(f"{path} is not a sparsenet model file (format {header.get('format')!r}, "
                             f"estimator {header.get('estimator')!r})")
    arrays = read_arrays(path, header, mmap_mode=mmap_mode, verify=verify)
    try:
        return StateDecoder(arrays).decode(header["state"])
    except (TypeError, ValueError, KeyError, IndexError) as error:
        raise ModelFileError(f"{path}: the model cannot be rebuilt from its state ({error})") from None


def read_header(path):
    """The header of the model file at ``path``: versions, estimator, parameters (decoded)
    and a summary (sizes, training history), without reading its arrays."""
    header = read_prefix(path)
    header = dict(header)
    header["estimator"] = resolve(header["estimator"]).__name__
    header["params"] = StateDecoder([]).decode(header["params"])
    header.pop("state", None)
    return header


def summary_of(estimator):
    """JSON facts about a model for ``sparsenet info``: its network's shape and its history."""
    fitted = getattr(estimator, "classifier_", estimator)
    summary = {}
    network = getattr(fitted, "network_", None)
    if network is not None:
        # (inputs, outputs) of each layer: the first is stored input-major, the others output-major
        summary["layers"] = [[int(w.shape[0]), int(w.shape[1])] if l == 0 else [int(w.shape[1]), int(w.shape[0])]
                             for l, w in enumerate(network.weights)]
        summary["sampled_layers"] = [l for l, s in enumerate(network.samplers) if s is not None]
        summary["n_parameters"] = int(sum(w.size + b.size for w, b in zip(network.weights, network.biases)))
    for name in ("n_features_in_", "n_iter_", "t_"):
        if hasattr(fitted, name):
            summary[name] = int(getattr(fitted, name))
    if hasattr(fitted, "classes_"):
        summary["n_classes"] = int(len(fitted.classes_))
    for name in ("loss_curve_", "validation_scores_"):
        values = getattr(fitted, name, None)
        if values:
            summary[name] = [float(v) for v in values]
    if hasattr(estimator, "feature_names_in_"):
        summary["feature_names_in_"] = [str(name) for name in estimator.feature_names_in_]
    return summary
