"""Small fits on 1 and 2 threads: does the second core pay off when batches are small?

A 6,000-row sparse problem (20,000 features, 8 classes, labels from a random linear
teacher), ``SparseMLPClassifier(hidden_layer_sizes=(64,), max_iter=3)`` with every other
setting at its default (batch_size "auto": 60 rows), as a new user would fit it. Rows hold
20, 100 or 300 nonzeros. Fits on 1 and N threads alternate, 5 of each; medians are reported,
and the two models are checked to be bit-identical.

Usage:

    python benchmarks/bench_threads.py [--threads 2] [--repeats 5]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report


def options(parser):
    parser.add_argument("--repeats", type=int, default=5, help="fits per thread count")


args = parse_args(__doc__, options)

import warnings  # noqa: E402

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402

from sparsenet import SparseMLPClassifier  # noqa: E402

warnings.simplefilter("ignore")


def problem(nonzeros_per_row, n_rows=6000, n_features=20_000, n_classes=8, seed=0):
    rng = np.random.default_rng(seed)
    columns = rng.integers(0, n_features, n_rows * nonzeros_per_row)
    X = sparse.csr_matrix((rng.random(n_rows * nonzeros_per_row), columns,
                           np.arange(0, n_rows * nonzeros_per_row + 1, nonzeros_per_row)),
                          shape=(n_rows, n_features))
    X.sum_duplicates()
    teacher = rng.normal(size=(n_features, n_classes))
    return X, np.asarray(X @ teacher).argmax(axis=1)


rows = []
for nonzeros in (20, 100, 300):
    X, y = problem(nonzeros)
    seconds = {1: [], args.threads: []}
    models = {}
    for _ in range(args.repeats):
        for threads in (1, args.threads):
            clf = SparseMLPClassifier(hidden_layer_sizes=(64,), max_iter=3, random_state=0, n_jobs=threads)
            with Timer() as timer:
                clf.fit(X, y)
            seconds[threads].append(timer.seconds)
            models[threads] = clf
    one, many = np.median(seconds[1]), np.median(seconds[args.threads])
    identical = np.array_equal(models[1].predict_proba(X), models[args.threads].predict_proba(X))
    rows.append([nonzeros, f"{one:.3f}", f"{many:.3f}", f"{one / many:.2f}x", identical])
    print(rows[-1], seconds, flush=True)

table = markdown_table(["nonzeros a row", "fit s, 1 thread (median)", f"fit s, {args.threads} threads (median)",
                        "speed-up", "bit-identical"], rows)
report("threads", "Small fits: 6,000 rows, 20,000 features, hidden 64, 8 classes, 3 epochs",
       f"{machine_line(args.threads)}\n\n{table}")
