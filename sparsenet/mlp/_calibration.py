"""Temperature scaling: one number that divides the output scores so that a predicted
probability matches how often such predictions are right (Guo et al., ICML 2017).

A network trained by cross-entropy is over- or under-confident depending on the data and the
epochs; dividing its logits by a temperature T changes no prediction (the order of the
classes stays) but moves every probability towards (T > 1) or away from (T < 1) uniform. T
is fitted by maximum likelihood on rows held out from training.
"""
import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import expit, logsumexp

from sparsenet.mlp._inputs import take_rows
from sparsenet.mlp._outputs import log_probabilities

# the temperature is searched over [1/50, 50]: beyond, a model is so wrongly confident that
# scaling cannot repair it, and the bound keeps the search finite on degenerate held-out rows
LOG_TEMPERATURE_BOUNDS = (-np.log(50.0), np.log(50.0))
# held-out logits the fit keeps in memory (rows x classes): beyond, it reads an evenly spaced
# subset of the held-out rows (every class still in proportion when the rows are sorted)
CALIBRATION_ELEMENTS = 1 << 23


def check_calibration(calibration, multilabel, sampled_outputs):
    """Whether a fit with these settings fits a temperature; a clear error where it cannot."""
    if calibration is None:
        return False
    if multilabel:
        raise ValueError("calibration='temperature' applies to class labels; y is a multi-label indicator")
    if sampled_outputs:
        raise ValueError("calibration='temperature' needs a dense output layer (its probabilities are "
                         "normalised over every class): set output_sparsity=1.0")
    return True


def fit_temperature(network, held_out, binary, n_threads):
    """The temperature that maximises the likelihood of the held-out rows' classes.

    ``held_out`` is (X, EncodedTargets) of single-label rows; the objective is their mean
    negative log-probability, a convex function of 1/T, searched on log T.
    """
    X, targets = held_out
    n_rows = min(X.shape[0], max(1, CALIBRATION_ELEMENTS // network.n_outputs))
    kept = np.unique(np.linspace(0, X.shape[0] - 1, n_rows).astype(np.intp))
    logits = network.logits(take_rows(X, kept), n_threads).astype(np.float64)
    labels = targets.indices[targets.indptr[kept]]  # one class per row
    rows = np.arange(len(labels))

    def mean_negative_log_likelihood(log_temperature):
        log_proba = log_probabilities(logits / np.exp(log_temperature), binary, False)
        return -float(np.mean(log_proba[rows, labels]))

    result = minimize_scalar(mean_negative_log_likelihood, bounds=LOG_TEMPERATURE_BOUNDS, method="bounded",
                             options={"xatol": 1e-4})
    return float(np.exp(result.x))


def tempered_top_k_probabilities(network, X, scores, temperature, binary, n_threads):
    """predict_topk's probabilities for a calibrated model: each label's own sigmoid of its
    tempered score (binary), or the tempered softmax, whose normaliser reads the scores of
    every class (in chunks of CALIBRATION_ELEMENTS: memory stays bounded)."""
    scores = scores.astype(np.float64) / temperature
    if binary:
        return expit(scores)
    chunk = max(1, CALIBRATION_ELEMENTS // network.n_outputs)
    log_normaliser = np.concatenate([
        logsumexp(network.logits(take_rows(X, slice(start, start + chunk)), n_threads).astype(np.float64)
                  / temperature, axis=1)
        for start in range(0, X.shape[0], chunk)])
    return np.exp(scores - log_normaliser[:, None])
