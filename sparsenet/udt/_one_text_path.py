"""The short way of a one-text request (``predict(["a review"])``) to the network's inputs.

A service answers one text at a time, and then most of the time goes to steps a batch
spreads over its rows: splitting X into columns, checking them, and three lookups per token
(seen features, document frequencies, the network's column map), each in its own array and
its own pass. For a model of one text column whose seen features are exactly its network's
columns (what ``fit`` builds), those steps reduce to hashing the text and one pass over its
tokens through the column map, with the frequencies looked up by column. The answer is
bit-identical to the general path's (``tests/udt/test_one_text_path.py``).
"""
import weakref

import numpy as np

from sparsenet.mlp._inputs import EngineRows, assembled_csr
from sparsenet.udt._column_types import utf8_text
from sparsenet.udt._row_weighting import mapped_and_weighed_rows
from sparsenet.udt._text_hashing import hash_text_rows

# each FeatureColumns object's OneTextPath (or False), decided at its first one-text request:
# kept out of the model's attributes, so that predicting changes nothing a pickle or an
# estimator check sees
_PATHS = weakref.WeakKeyDictionary()


class OneTextPath:
    """The lookups of a one-text-column featurizer, by network column.

    Parameters
    ----------
    featurizer : UDTFeaturizer
        Fitted, one text column, seen features recorded (``unseen_tokens="drop"``).
    columns : FeatureColumns
        The network's input columns, numbered by a lookup table; they must be exactly the
        featurizer's seen features.
    """

    def __init__(self, featurizer, columns):
        self.seen, self.idf = featurizer.seen_features_, featurizer.idf_
        self.column_of = columns.column_of
        used = np.flatnonzero(self.column_of >= 0)
        self.column_idf = None if self.idf is None else np.ascontiguousarray(self.idf[used], dtype=np.float32)
        self.n_columns = columns.n_columns

    def engine_rows(self, featurizer, text):
        """EngineRows of one text (a str), or None when the values are not all finite
        (the general path then checks and reports them)."""
        buffer = utf8_text(text)
        offsets = np.array([0, len(buffer)], dtype=np.int64)
        indptr, indices, data = hash_text_rows(buffer, offsets, featurizer._text_hashing(), 0)
        indptr, indices, data = mapped_and_weighed_rows(indptr, indices, data, self.column_of, self.column_idf,
                                                        l2=featurizer.norm == "l2")
        if not np.isfinite(data).all():
            return None
        matrix = assembled_csr((1, self.n_columns), data, indices, indptr)
        matrix.has_canonical_format = True
        return EngineRows(matrix)


def one_text_rows(model, X):
    """EngineRows of X for a fitted UDTClassifier ``model`` when X is a list of one text
    and the short way applies; None where the general path must run."""
    columns = getattr(model, "_columns", None)
    if type(X) is not list or len(X) != 1 or type(X[0]) is not str or columns is None:
        return None
    path = one_text_path(model.featurizer_, columns)
    return None if path is None else path.engine_rows(model.featurizer_, X[0])


def one_text_path(featurizer, columns):
    """The OneTextPath of a fitted model's featurizer and columns, or None where the
    general path must run (several columns, feature names to check, no seen features, a
    binary-search column map, or columns other than the seen features)."""
    path = _PATHS.get(columns)
    if path is None:  # first request: decided once (False: the general path, always)
        path = _PATHS.setdefault(columns, OneTextPath(featurizer, columns) if _applies(featurizer, columns) else False)
    if path is False:
        return None
    # the featurizer's arrays replaced since (a refit of it alone): the path is stale
    if path.seen is not featurizer.seen_features_ or path.idf is not featurizer.idf_:
        return None
    return path


def _applies(featurizer, columns):
    if featurizer.column_types_ != ["text"] or hasattr(featurizer, "feature_names_in_"):
        return False
    seen = getattr(featurizer, "seen_features_", None)
    if seen is None or columns.column_of is None or len(seen) != len(columns.column_of):
        return False
    return bool(np.array_equal(seen, columns.column_of >= 0))
