"""Output scores (logits) into what predictions return: probabilities, their logarithms,
multi-label label sets and top-k probabilities (predict_topk's arguments checked here too).
The output loss a model was trained with decides: a softmax shared by the outputs, or one
sigmoid per output ("binary")."""
from numbers import Integral

import numpy as np
from scipy.special import expit, log_expit, log_softmax, logsumexp
from sklearn.utils._param_validation import InvalidParameterError

# Multi-label prediction with the softmax loss keeps every label whose probability reaches
# this fraction of the row's highest probability. With targets spread evenly over a row's
# labels, a well-fitted model gives its m labels about 1/m each, so half the maximum
# separates them from the rest.
MULTILABEL_RELATIVE_THRESHOLD = 0.5

# Sparse inference scores the SPARSE_INFERENCE_CANDIDATES neurons most hash tables return for
# a row: the cost of a sparse prediction, whatever the number of classes.
SPARSE_INFERENCE_CANDIDATES = 1000


def probabilities(logits, binary, multilabel):
    """predict_proba from float64 logits (see SparseMLPClassifier.predict_proba)."""
    if binary:
        if multilabel:
            return expit(logits)
        # the sigmoids divided by their sum, in log space: all of them underflow to zero
        # for a row far from every class
        return row_softmax(log_expit(logits))
    if logits.shape[1] == 2 and not multilabel:
        # through the score difference, so probabilities rank exactly as decision_function
        positive = 1.0 / (1.0 + np.exp(logits[:, 0] - logits[:, 1]))
        return np.column_stack([1.0 - positive, positive])
    return row_softmax(logits)


def row_softmax(scores):
    """Softmax of each row: scipy.special.softmax's arithmetic, without its array-API
    dispatch, which costs more than the arithmetic itself on the one row of a request."""
    exps = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exps / exps.sum(axis=1, keepdims=True)


def log_probabilities(logits, binary, multilabel):
    """The logarithm of ``probabilities``, computed stably."""
    if binary:
        log_proba = log_expit(logits)
        if not multilabel:
            log_proba -= logsumexp(log_proba, axis=1, keepdims=True)
        return log_proba
    return log_softmax(logits, axis=1)


def kept_labels(logits, binary):
    """Multi-label prediction: the labels of probability 0.5 or more (binary), or those
    within MULTILABEL_RELATIVE_THRESHOLD of the row's most probable label (softmax)."""
    if binary:
        return logits >= 0.0
    return logits >= logits.max(axis=1, keepdims=True) + np.log(MULTILABEL_RELATIVE_THRESHOLD)


def top_k_probabilities(scores, log_normaliser, binary):
    """Probabilities of top-k scores: each label's own sigmoid (binary), or the softmax
    with the given per-row log-normaliser."""
    if binary:
        return expit(scores.astype(np.float64))
    return np.exp(scores.astype(np.float64) - log_normaliser[:, None])


def checked_top_k_arguments(k, n_classes, return_scores, exact):
    """predict_topk's arguments, validated: (k as an int, return_scores, exact as bools).

    ``k`` must be an integer in [1, n_classes] and the flags real booleans (numpy's too):
    a bool taken for k, or a string such as "no" taken for True, would silently answer
    another question. Errors are scikit-learn's InvalidParameterError (a ValueError and a
    TypeError), naming the argument.
    """
    if not isinstance(k, Integral) or isinstance(k, bool) or not 1 <= k <= n_classes:
        raise InvalidParameterError(f"k must be an integer in [1, {n_classes}] (the number of classes), got {k!r}")
    for name, flag in (("return_scores", return_scores), ("exact", exact)):
        if not isinstance(flag, (bool, np.bool_)):
            raise InvalidParameterError(f"{name} must be True or False, got {flag!r}")
    return int(k), bool(return_scores), bool(exact)
