"""UDTFeaturizer: hashed features of raw columns (text, categories, numbers, dates)."""
from sparsenet.udt._featurizer import UDTFeaturizer

__all__ = ["UDTFeaturizer"]
