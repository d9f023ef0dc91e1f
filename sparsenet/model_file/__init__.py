"""sparsenet's model file format: ``estimator.save(path)`` and :func:`load`.

A versioned, documented container (``docs/model_file.md``): the parameters and state as
JSON, the arrays raw and checksummed, nothing that runs code on loading.
"""
from sparsenet.model_file._container import FORMAT_VERSION, ModelFileError
from sparsenet.model_file._model_io import load_model, read_header, save_model
from sparsenet.model_file._savable import SavableModel


def load(path, *, mmap_mode=None, verify=True):
    """Load an estimator written by its ``save`` method.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by ``save``.
    mmap_mode : {None, "r", "c"}, default=None
        None reads every array into memory; "r" memory-maps them read-only (a large model
        loads at once, and processes that load the same file share its pages; training
        the loaded model again copies what it writes); "c" maps them copy-on-write.
    verify : bool, default=True
        Check every array against its checksum (this reads the whole file once).

    Returns
    -------
    estimator : SparseMLPClassifier, UDTClassifier or UDTFeaturizer
        The model as it was saved: same predictions, and training can go on.

    Raises
    ------
    ModelFileError
        (a ValueError) if the file is not a model file, is truncated or corrupted, or was
        written in a newer format than this sparsenet reads; the message says which.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import make_classification
    >>> import sparsenet
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.spn")
    >>> _ = sparsenet.SparseMLPClassifier((16,), max_iter=5, random_state=0).fit(X, y).save(path)
    >>> sparsenet.load(path, mmap_mode="r").predict(X[:3]).shape
    (3,)
    """
    return load_model(path, mmap_mode=mmap_mode, verify=verify)


__all__ = ["FORMAT_VERSION", "ModelFileError", "SavableModel", "load", "read_header", "save_model"]
