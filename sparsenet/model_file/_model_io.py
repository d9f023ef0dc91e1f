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
    """Write ``estimator`` (fitted or not) to ``path`` in the model file format.

    What the estimators' ``save`` method does. The file appears whole or not at all: an
    earlier file at ``path`` stays until the new one is complete.

    Parameters
    ----------
    estimator : SparseMLPClassifier, UDTClassifier or UDTFeaturizer
        The model; other objects raise TypeError.
    path : str or os.PathLike
        Where to write.
    optimizer_state : bool, default=True
        False leaves out Adam's moments (two thirds of a model's arrays).
    before_arrays : callable or None, default=None
        Called with the open file once the header is written (a test hook that simulates
        a failure mid-write).

    Returns
    -------
    str
        ``path``.

    Examples
    --------
    >>> import os, tempfile
    >>> from sparsenet import UDTFeaturizer, load
    >>> from sparsenet.model_file import save_model
    >>> featurizer = UDTFeaturizer(feature_hash_range=2**10).fit(["a first text", "and a second"])
    >>> path = save_model(featurizer, os.path.join(tempfile.mkdtemp(), "featurizer.spn"))
    >>> (load(path).transform(["a text"]) != featurizer.transform(["a text"])).nnz
    0
    """
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
    """The header of the model file at ``path``, without reading its arrays.

    What ``sparsenet info`` prints: versions, estimator, parameters and a summary (network
    sizes, training history), at once even for a model of gigabytes.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by an estimator's ``save``.

    Returns
    -------
    dict
        ``format``, ``format_version``, ``sparsenet_version``, ``numpy_version``,
        ``python_version`` and ``created`` (UTC, ISO 8601); ``estimator``, the class name;
        ``params``, the estimator's parameters, decoded; ``summary``, with ``layers``
        ((inputs, outputs) of each), ``n_parameters``, ``n_iter_``, ``loss_curve_`` and the
        like; ``arrays``, where each array lies in the file; and ``file_length``.

    Raises
    ------
    ModelFileError
        If the file is not a model file, is truncated or is too new.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import make_classification
    >>> from sparsenet import SparseMLPClassifier
    >>> from sparsenet.model_file import read_header
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = SparseMLPClassifier((16,), max_iter=5, random_state=0).fit(X, y)
    >>> header = read_header(clf.save(os.path.join(tempfile.mkdtemp(), "model.spn")))
    >>> header["estimator"], header["params"]["hidden_layer_sizes"], header["summary"]["layers"]
    ('SparseMLPClassifier', (16,), [[20, 16], [16, 2]])
    >>> header["summary"]["n_iter_"], len(header["summary"]["loss_curve_"])
    (5, 5)
    """
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
