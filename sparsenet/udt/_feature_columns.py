"""The hashed features a training set used, numbered compactly: the network's input columns.

A hash range is sized for few collisions, so most of it stays unused (on short texts nine
features in ten). The network only needs a weight row for each feature training can reach:
numbering those compactly, as a vocabulary would, shrinks the network, its initialisation
and its pickles by that much, and features no training row had (which would only carry
untrained weights) are dropped at prediction.
"""
import numpy as np

from sparsenet.mlp._inputs import assembled_csr

# hash ranges up to this use a lookup table (4 bytes a feature); wider ones a binary search
DENSE_MAP_LIMIT = 2**24


class FeatureColumns:
    """Map from hashed feature index to network input column, fixed by a training matrix.

    Parameters
    ----------
    features : scipy.sparse.csr_matrix
        The hashed training features; every feature that has an entry gets a column, in
        increasing feature order (so sorted row indices stay sorted).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> train = sparse.csr_matrix(np.array([[0, 2, 0, 0, 1], [0, 0, 0, 3, 0]], dtype=np.float32))
    >>> columns = FeatureColumns(train)
    >>> columns.n_columns
    3
    >>> columns.apply(sparse.csr_matrix(np.array([[1, 5, 0, 0, 1]], dtype=np.float32))).toarray()
    array([[5., 0., 1.]], dtype=float32)
    """

    def __init__(self, features):
        self._number(np.unique(features.indices), features.shape[1])

    @classmethod
    def of_used(cls, used, n_hashed):
        """The map of the sorted distinct features ``used`` out of ``n_hashed``: for
        training sets read in parts (a distributed fit), the union of each part's."""
        columns = cls.__new__(cls)
        columns._number(np.asarray(used), n_hashed)
        return columns

    def _number(self, used, n_hashed):
        self.n_hashed = n_hashed
        if used.size == 0:
            used = np.zeros(1, dtype=np.int32)  # one column, even when every training row is empty
        self.n_columns = int(used.size)
        if self.n_hashed <= DENSE_MAP_LIMIT:
            # a lookup table: one gather per entry
            self.column_of, self.used = np.full(self.n_hashed, -1, dtype=np.int32), None
            self.column_of[used] = np.arange(self.n_columns, dtype=np.int32)
        else:
            # a table would take gigabytes: binary search in the sorted used features
            self.column_of, self.used = None, used.astype(np.int64)

    def apply(self, features):
        """``features`` (CSR over the hashed range) as CSR over the network's columns."""
        if features.shape[1] != self.n_hashed:
            raise ValueError(f"expected {self.n_hashed} hashed features, got {features.shape[1]}")
        if self.column_of is not None:
            columns = self.column_of[features.indices]
        else:
            columns = np.searchsorted(self.used, features.indices).astype(np.int32)
            found = columns < self.n_columns
            found[found] = self.used[columns[found]] == features.indices[found]
            columns[~found] = -1
        indptr, data = features.indptr, features.data
        kept = columns >= 0
        if not kept.all():
            # counts of kept entries before each row start give the new row pointers
            before = np.concatenate(([0], np.cumsum(kept, dtype=indptr.dtype)))
            indptr, columns, data = before[indptr], columns[kept], data[kept]
        # int64 row pointers: the engine's layout, so prediction converts nothing
        matrix = assembled_csr((features.shape[0], self.n_columns), data, columns, indptr.astype(np.int64))
        matrix.has_canonical_format = True  # the map keeps order: indices stay sorted and distinct
        return matrix
