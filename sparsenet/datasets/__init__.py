"""Data sets: small real ones carried by the package, and loaders."""
from sparsenet.datasets._extreme import make_extreme_classification
from sparsenet.datasets._sms_spam import load_sms_spam

__all__ = ["load_sms_spam", "make_extreme_classification"]
