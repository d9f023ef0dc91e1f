"""Universal Deep Transformer: raw columns (text, categories, numbers, dates) in, predictions out."""
from sparsenet.udt._classifier import UDTClassifier
from sparsenet.udt._featurizer import UDTFeaturizer

__all__ = ["UDTClassifier", "UDTFeaturizer"]
