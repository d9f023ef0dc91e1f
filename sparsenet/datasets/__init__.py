"""Data sets: small real ones carried by the package, and loaders."""
from sparsenet.datasets._extreme import make_extreme_classification
from sparsenet.datasets._home import get_data_home
from sparsenet.datasets._sms_spam import load_sms_spam
from sparsenet.datasets._xc_repo import load_xc_repo

__all__ = ["get_data_home", "load_sms_spam", "load_xc_repo", "make_extreme_classification"]
