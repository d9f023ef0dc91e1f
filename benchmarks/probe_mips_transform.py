"""How much of the exact top 10 could the tables find with another hash input? An offline
probe on a trained model, not a benchmark of the engine.

Trains the default sampled network for 15 epochs on 20,000-label problems of both
generators, then hashes its final output weights in NumPy with signed random projections
(8 bits a table, 50 tables, candidates ranked by tables met, the best 1,000 kept) two ways:
the weight rows as they are (what SimHash over the last hidden layer compares: directions
only), and with the asymmetric transform for inner-product search (keys ``[w, b,
sqrt(M^2 - |w|^2 - b^2)] / M``, queries ``[h, 1, 0] / |[h, 1]|``), which makes the angle
order the score ``w . h + b`` order. Prints the share of 256 training rows' exact top 10
found among the 1,000 candidates, beside the engine's own tables (``retrieval_curve_``).

Usage:

    python benchmarks/probe_mips_transform.py [--threads 2]
"""
from _common import parse_args

args = parse_args(__doc__)

import warnings  # noqa: E402

import numpy as np  # noqa: E402

from _prototype_generator import make_prototype_problem  # noqa: E402
from sparsenet import SparseMLPClassifier  # noqa: E402
from sparsenet.datasets import make_extreme_classification  # noqa: E402

warnings.simplefilter("ignore")
BITS, TABLES, CANDIDATES, PROBE = 8, 50, 1000, 256


def recall_at_10(keys, queries, best, rng):
    """Share of each query's exact top 10 among the CANDIDATES keys met in the most tables."""
    planes = rng.normal(size=(TABLES, BITS, keys.shape[1]))
    weights = 1 << np.arange(BITS)
    key_codes = ((np.einsum("tbd,nd->tnb", planes, keys) > 0) * weights).sum(axis=-1)
    query_codes = ((np.einsum("tbd,nd->tnb", planes, queries) > 0) * weights).sum(axis=-1)
    shares = []
    for row in range(queries.shape[0]):
        met = (key_codes == query_codes[:, row:row + 1]).sum(axis=0)
        found = np.argsort(-met, kind="stable")[:CANDIDATES]
        shares.append(np.isin(best[row], found).mean())
    return float(np.mean(shares))


for name, (X, Y) in (("generated (make_extreme_classification)", make_extreme_classification(25_000, 20_000, 20_000, random_state=0)),
                     ("prototypes (_prototype_generator)", make_prototype_problem(25_000, n_features=20_000, n_labels=20_000))):
    clf = SparseMLPClassifier(hidden_layer_sizes=(128,), batch_size=256, max_iter=15, early_stopping=False, tol=0.0,
                              loss="softmax", random_state=0, n_jobs=args.threads).fit(X[:20_000], Y[:20_000])
    weights, biases = clf.coefs_[1].T.astype(np.float64), clf.intercepts_[1].astype(np.float64)
    hidden = np.maximum(np.asarray(X[:PROBE] @ clf.coefs_[0]) + clf.intercepts_[0], 0.0)
    best = np.argsort(-(hidden @ weights.T + biases), axis=1)[:, :10]
    keys = np.hstack([weights, biases[:, None]])
    largest = np.linalg.norm(keys, axis=1).max()
    keys = np.hstack([keys / largest, np.sqrt(np.maximum(0.0, 1 - (np.linalg.norm(keys, axis=1) / largest) ** 2))[:, None]])
    queries = np.hstack([hidden, np.ones((PROBE, 1))])
    queries = np.hstack([queries / np.linalg.norm(queries, axis=1, keepdims=True), np.zeros((PROBE, 1))])
    rng = np.random.default_rng(0)
    print(f"{name}: recall of the exact top 10 among {CANDIDATES} candidates: engine's tables "
          f"{clf.retrieval_curve_[-1]['inference_recall_at_10']:.2f}, signed projections of the weight rows "
          f"{recall_at_10(weights, hidden, best, rng):.2f}, with the inner-product transform "
          f"{recall_at_10(keys, queries, best, rng):.2f} (random: {CANDIDATES / Y.shape[1]:.2f})", flush=True)
