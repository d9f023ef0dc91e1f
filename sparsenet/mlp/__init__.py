"""SparseMLPClassifier: the estimator, its parameters, target encoding and the epoch loop."""
from sparsenet.mlp._classifier import SparseMLPClassifier

__all__ = ["SparseMLPClassifier"]
