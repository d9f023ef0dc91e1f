"""Refusing to answer: a row whose most probable class is not probable enough gets a
"rejected" label instead (an out-of-scope request to an intent classifier, say)."""
import numbers

import numpy as np


def predicted_or_rejected(classifier, features, reject_below, rejected_label):
    """``classifier.predict(features)``, or with ``reject_below`` a probability, the labels
    of labels_or_rejected."""
    if reject_below is None:
        return classifier.predict(features)
    reject_below = check_reject_below(reject_below)
    if classifier._targets.multilabel:
        raise ValueError("reject_below applies to class labels, not to a multi-label model")
    return labels_or_rejected(classifier.classes_, classifier.predict_proba(features), reject_below, rejected_label)


def check_reject_below(reject_below):
    if not isinstance(reject_below, numbers.Real) or isinstance(reject_below, bool) or not 0 < reject_below <= 1:
        raise ValueError(f"reject_below must be a probability in (0, 1], got {reject_below!r}")
    return float(reject_below)


def labels_or_rejected(classes, probabilities, reject_below, rejected_label):
    """The most probable class of each row, or ``rejected_label`` where its probability is
    below ``reject_below``; an object array when any row is rejected into a label of another
    type."""
    best = probabilities.argmax(axis=1)
    labels = classes[best]
    rejected = probabilities[np.arange(len(best)), best] < reject_below
    if not rejected.any():
        return labels
    labels = labels.astype(object)
    labels[rejected] = rejected_label
    return labels
