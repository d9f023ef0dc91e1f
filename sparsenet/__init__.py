"""sparsenet: train large neural networks fast on CPUs, as scikit-learn estimators."""
from sparsenet._build_check import check_build

check_build()  # before anything imports the compiled engine: a clear message if it is missing

from sparsenet.mlp import SparseMLPClassifier  # noqa: E402
from sparsenet.model_file import ModelFileError, load  # noqa: E402
from sparsenet._version import __version__  # noqa: E402
from sparsenet.native._openmp import openmp_enabled  # noqa: E402
from sparsenet.udt import UDTClassifier, UDTFeaturizer  # noqa: E402

__all__ = ["ModelFileError", "SparseMLPClassifier", "UDTClassifier", "UDTFeaturizer", "__version__", "load",
           "openmp_enabled"]
