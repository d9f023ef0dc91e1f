"""Where a sampled hidden layer pays: a wide last hidden layer trained sampled
(``hidden_sparsity``) against the same network trained densely.

Network: hidden layers (128, W), W = 2,048 or 8,192, the last one sampled at
``hidden_sparsity`` 0.05 or 0.2 (102 to 1,638 active neurons a sample), or dense. Five epochs,
no early stopping, batch 128, every other setting at its default, on three problem families:

- ``generated``: ``make_extreme_classification`` (5,000 features), each row's first label of
  200: 10,000 training and 2,000 test rows;
- ``prototypes``: ``_prototype_generator.py`` (a different structure: sparse prototypes,
  Zipf-distributed labels), the same sizes, each row's first label;
- ``letter``: Letter recognition (real, 16 dense features, 26 classes, 16,000 / 4,000 rows).

Reported: test accuracy and fit seconds; two more rows per family hash the sampled layer
with DWTA instead of "mips" (the family for hidden layers, ``HIDDEN_HASH_FAMILY``).

Usage:

    python benchmarks/bench_hidden_sampling.py [--threads 2] [--problems generated prototypes letter]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report


def options(parser):
    parser.add_argument("--problems", nargs="+", default=["generated", "prototypes", "letter"])


args = parse_args(__doc__, options)

import warnings  # noqa: E402

import numpy as np  # noqa: E402
from _data import load_letter  # noqa: E402
from _prototype_generator import make_prototype_problem  # noqa: E402
from sparsenet import SparseMLPClassifier  # noqa: E402
from sparsenet.datasets import make_extreme_classification  # noqa: E402
from sparsenet.sampling import _plan  # noqa: E402

warnings.simplefilter("ignore")


def first_labels(Y):
    """Each row's first label (rows without one dropped), as a multi-class target."""
    keep = np.flatnonzero(np.diff(Y.indptr) > 0)
    return keep, Y.indices[Y.indptr[keep]]


def problem(name):
    if name == "letter":
        return load_letter()
    if name == "generated":
        X, Y = make_extreme_classification(12_000, 5_000, 200, random_state=0)
    else:
        X, Y = make_prototype_problem(12_000, 5_000, 200, seed=0)
    keep, y = first_labels(Y)
    X = X[keep]
    n_train = int(0.83 * len(y))
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


rows = []
for name in args.problems:
    X_train, y_train, X_test, y_test = problem(name)
    settings = [(w, s, "mips") for w in (2048, 8192) for s in ("auto", 0.2, 0.05)]
    settings += [(2048, s, "dwta") for s in (0.2, 0.05)]
    for width, sparsity, family in settings:
        _plan.HIDDEN_HASH_FAMILY = family
        clf = SparseMLPClassifier((128, width), hidden_sparsity=sparsity, max_iter=5, early_stopping=False,
                                  batch_size=128, random_state=0, n_jobs=args.threads)
        with Timer() as fit:
            clf.fit(X_train, y_train)
        active = "all" if sparsity == "auto" else str(int(np.ceil(sparsity * width)))
        label = "dense" if sparsity == "auto" else f"{sparsity} ({family})"
        rows.append([name, f"{width:,}", label, active, f"{100 * clf.score(X_test, y_test):.2f}", f"{fit.seconds:.1f}"])
        print(rows[-1], flush=True)
    _plan.HIDDEN_HASH_FAMILY = "mips"

table = markdown_table(["problem", "width", "hidden_sparsity", "active", "accuracy %", "fit s"], rows)
report("hidden_sampling", "A sampled hidden layer against the same network dense",
       f"{machine_line(args.threads)}; `python benchmarks/bench_hidden_sampling.py`\n\n{table}")
