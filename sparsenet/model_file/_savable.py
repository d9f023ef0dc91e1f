"""``save``, for every sparsenet estimator."""
from sparsenet.model_file._model_io import save_model


class SavableModel:
    """Gives an estimator ``save(path)``; :func:`sparsenet.load` reads the file back.

    Every sparsenet estimator is one: :class:`~sparsenet.SparseMLPClassifier`,
    :class:`~sparsenet.UDTClassifier` and :class:`~sparsenet.UDTFeaturizer`.

    Examples
    --------
    A model that will only predict can leave out the optimiser's state, for a smaller file
    (training it again then restarts Adam's moments):

    >>> import os, tempfile
    >>> from sklearn.datasets import make_classification
    >>> import sparsenet
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = sparsenet.SparseMLPClassifier((16,), max_iter=5, random_state=0).fit(X, y)
    >>> folder = tempfile.mkdtemp()
    >>> full = clf.save(os.path.join(folder, "full.spn"))
    >>> compact = clf.save(os.path.join(folder, "compact.spn"), optimizer_state=False)
    >>> os.path.getsize(compact) < os.path.getsize(full)
    True
    >>> bool((sparsenet.load(compact).predict(X) == clf.predict(X)).all())
    True
    """

    def save(self, path, *, optimizer_state=True):
        """Write the model to ``path`` in sparsenet's model file format.

        The file holds the parameters (as JSON), every fitted array (written raw, so that
        :func:`sparsenet.load` can memory-map them) and the hash functions of sampled
        layers as drawn, with the format and package versions. An earlier file at
        ``path`` is replaced only once the new one is complete. ``callbacks`` are not
        stored (they are your code): a loaded model has none.

        Parameters
        ----------
        path : str or os.PathLike
            Where to write; a file already there is replaced.
        optimizer_state : bool, default=True
            Store Adam's moments (two thirds of the arrays), so that training the loaded
            model goes on exactly; False writes a smaller file for a model that only
            predicts (training it again restarts the moments).

        Returns
        -------
        path : str
            The path written.

        See Also
        --------
        sparsenet.load : Reads the file back.

        Examples
        --------
        >>> import os, tempfile
        >>> from sklearn.datasets import make_classification
        >>> import sparsenet
        >>> X, y = make_classification(n_samples=200, random_state=0)
        >>> clf = sparsenet.SparseMLPClassifier((16,), max_iter=5, random_state=0).fit(X, y)
        >>> path = clf.save(os.path.join(tempfile.mkdtemp(), "model.spn"))
        >>> loaded = sparsenet.load(path)
        >>> bool((loaded.predict_proba(X) == clf.predict_proba(X)).all())
        True
        """
        return save_model(self, path, optimizer_state=optimizer_state)
