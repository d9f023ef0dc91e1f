"""sparsenet: train large neural networks fast on CPUs, as scikit-learn estimators."""
from sparsenet._sparse_mlp import SparseMLPClassifier
from sparsenet._version import __version__
from sparsenet.engine._openmp_info import openmp_enabled
from sparsenet.udt import UDTClassifier, UDTFeaturizer

__all__ = ["SparseMLPClassifier", "UDTClassifier", "UDTFeaturizer", "__version__", "openmp_enabled"]
