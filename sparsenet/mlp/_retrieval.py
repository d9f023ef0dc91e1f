"""Retrieval quality of a sampled output layer: of the output neurons that score best for a
row (by the model itself, scanning every neuron), how many its hash tables find.

This is the number locality-sensitive hashing exists to make high. It is measured on a fixed
probe of training rows after every epoch, at two candidate counts: the neurons the tables
add to a sample's active set in training, and the candidates sparse inference scores.
"""
import numpy as np

# ranks whose recall is reported
RECALL_AT = (10, 100)
# rows probed after each epoch: as many as keep the exact scan near PROBE_SCORES output
# scores (a small share of an epoch's work), within these bounds
PROBE_SCORES = 20_000_000
MIN_PROBE_ROWS, MAX_PROBE_ROWS = 32, 256


def probe_rows(n_rows, n_outputs):
    """Row ids of the retrieval probe: evenly spaced, so that no random draw is consumed."""
    size = int(np.clip(PROBE_SCORES // max(n_outputs, 1), MIN_PROBE_ROWS, MAX_PROBE_ROWS))
    return np.unique(np.linspace(0, n_rows - 1, min(size, n_rows)).astype(np.int64))


def recall_of_best(network, X, candidate_counts, n_threads=1):
    """For each count C of ``candidate_counts`` and each k of RECALL_AT (up to the number of
    outputs): the mean share of a row's k best-scoring output neurons that are among the C
    candidates the tables rank highest for it. Returns ``{C: {k: share}}``."""
    ranks = [k for k in RECALL_AT if k <= network.n_outputs]
    if not ranks or X.shape[0] == 0:
        return {}
    best = network.top_k(X, max(ranks), n_threads)[0]
    shares = {}
    for count in candidate_counts:
        found = network.table_candidates(X, count, n_threads)
        # found holds -1 past a row's candidates, never a neuron id
        shares[count] = {k: float((best[:, :k, None] == found[:, None, :]).any(axis=2).mean()) for k in ranks}
    return shares


def retrieval_stats(network, X, training_candidates, inference_candidates, n_threads=1):
    """The diagnostics' retrieval entries for the probe rows X: recall at each k of
    RECALL_AT among the neurons the tables add to an active set in training
    (``training_recall_at_10``, ...) and among those sparse inference scores
    (``inference_recall_at_10``, ...), with both candidate counts."""
    counts = {"training": max(1, int(training_candidates)), "inference": max(1, int(inference_candidates))}
    shares = recall_of_best(network, X, sorted(set(counts.values())), n_threads)
    stats = {f"{name}_candidates": count for name, count in counts.items()}
    for name, count in counts.items():
        for k, share in shares.get(count, {}).items():
            stats[f"{name}_recall_at_{k}"] = share
    return stats
