"""Shared benchmark plumbing: equal thread pinning for every contender, timing, tables.

Import this module before NumPy: it pins OpenMP/BLAS thread pools through the environment,
which the libraries read when they load.
"""
import argparse
import os
import platform
import sys
import time
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def parse_args(description, extra=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", type=int, default=2, help="threads for every contender (default 2)")
    if extra:
        extra(parser)
    args = parser.parse_args()
    pin_threads(args.threads)
    return args


def pin_threads(threads):
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    if "numpy" in sys.modules:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def machine_line(threads):
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, {threads} threads per contender, Python {platform.python_version()}"


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def report(name, title, text):
    """Print the result and keep it in benchmarks/results/<name>.md."""
    RESULTS_DIR.mkdir(exist_ok=True)
    body = f"## {title}\n\n{text}\n"
    (RESULTS_DIR / f"{name}.md").write_text(body)
    print("\n" + body)


def p_at_1(clf, X_test, y_true):
    """P@1 (%) of a fitted sparsenet model by sparse and by exact inference, in that order;
    y_true a label matrix or a vector of labels."""
    import numpy as np

    from sparsenet.metrics import precision_at_k

    cells = []
    for exact in (False, True):
        top = clf.predict_topk(X_test, 1, exact=exact)
        multi_label = hasattr(y_true, "tocsr")
        cells.append(100 * (precision_at_k(y_true, top, 1) if multi_label else (top[:, 0] == np.asarray(y_true)).mean()))
    return cells
