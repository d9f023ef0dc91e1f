"""The SMS Spam Collection, carried by the package (CC BY 4.0, see data/README.md)."""
import gzip
from importlib import resources

import numpy as np


def load_sms_spam():
    """Load the SMS Spam Collection: 5,574 text messages labelled "ham" or "spam".

    Almeida and Gómez Hidalgo, UCI Machine Learning Repository, CC BY 4.0.

    Returns
    -------
    texts : list of str
        The messages.
    labels : ndarray of str, shape (5574,)
        "ham" or "spam" (747 spam).

    Examples
    --------
    >>> from sparsenet.datasets import load_sms_spam
    >>> texts, labels = load_sms_spam()
    >>> len(texts), sorted(set(labels.tolist()))
    (5574, ['ham', 'spam'])
    """
    path = resources.files("sparsenet.datasets") / "data" / "sms_spam.tsv.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        handle.readline()
        labels, texts = zip(*(line.rstrip("\n").split("\t", 1) for line in handle))
    return list(texts), np.array(labels)
