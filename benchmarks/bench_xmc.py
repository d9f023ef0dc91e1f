"""Extreme classification: LSH-sampled output layers against dense training and tree peers.

Sections (``--sections``, default all):

- ``delicious``: real Delicious (983 labels), sparsenet with default settings against
  omikuji (Parabel-style trees) and napkinXC (PLT), same split and threads: P@1/3/5, time.
- ``scale``: generated problems with 50,000 and 100,000 labels, equal epochs: P@1 of the
  sampled network against the same network trained densely (sparsenet with
  ``output_sparsity=1.0``, and PyTorch), and of sparse against exact top-k inference.
- ``extreme``: the generated Amazon-670K shape (135,909 features, 670,091 labels, hidden 128,
  batch 256): training rows/s of the whole fit against PyTorch dense (timed on a few
  batches), peak memory, single-row ``predict_topk(k=5)`` latency (p50, p99).

Usage:

    python benchmarks/bench_xmc.py [--threads 2] [--sections delicious scale extreme]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report


def options(parser):
    parser.add_argument("--sections", nargs="+", default=["delicious", "scale", "extreme"])
    parser.add_argument("--epochs", type=int, default=5, help="epochs for the scale section")
    parser.add_argument("--extreme-rows", type=int, default=50_000, help="training rows for the extreme section")


args = parse_args(__doc__, options)

import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from _data import DATA_DIR  # noqa: E402
from sparsenet import SparseMLPClassifier  # noqa: E402
from sparsenet.datasets import load_xc_repo, make_extreme_classification  # noqa: E402
from sparsenet.metrics import precision_at_k  # noqa: E402

warnings.simplefilter("ignore")


def p_at(Y, top):
    return [f"{100 * precision_at_k(Y, top, k):.2f}" for k in (1, 3, 5)]


def delicious():
    train_path, test_path = DATA_DIR / "delicious" / "train.txt", DATA_DIR / "delicious" / "test.txt"
    X_train, Y_train = load_xc_repo(train_path)
    X_test, Y_test = load_xc_repo(test_path)
    rows = []
    clf = SparseMLPClassifier(n_jobs=args.threads, random_state=0)
    with Timer() as timer:
        clf.fit(X_train, Y_train)
    rows.append(["sparsenet SparseMLPClassifier (defaults)", *p_at(Y_test, clf.predict_topk(X_test, 5)), f"{timer.seconds:.1f}"])
    print(rows[-1], clf.n_iter_, clf._sampling_plan(), flush=True)

    import omikuji

    with Timer() as timer:
        model = omikuji.Model.train_on_data(str(train_path), omikuji.Model.default_hyper_param(), n_threads=args.threads)
    top = np.zeros((X_test.shape[0], 5), dtype=np.int64)
    for i in range(X_test.shape[0]):
        row = X_test[i]
        found = [label for label, _ in model.predict(list(zip(row.indices.tolist(), row.data.tolist())), top_k=5)]
        top[i, : len(found)] = found
        top[i, len(found):] = -1
    rows.append([f"omikuji {omikuji.__version__ if hasattr(omikuji, '__version__') else '0.5.2'} (defaults)", *p_at(Y_test, top), f"{timer.seconds:.1f}"])
    print(rows[-1], flush=True)

    from napkinxc.models import PLT

    with tempfile.TemporaryDirectory() as folder, Timer() as timer:
        plt = PLT(folder, threads=args.threads)
        plt.fit(X_train, [Y_train.indices[Y_train.indptr[i]:Y_train.indptr[i + 1]].tolist() for i in range(Y_train.shape[0])])
        predicted = plt.predict(X_test, top_k=5)
    top = np.full((X_test.shape[0], 5), -1, dtype=np.int64)
    for i, labels in enumerate(predicted):
        top[i, : len(labels)] = labels[:5]
    rows.append(["napkinXC 0.7.2 PLT (defaults)", *p_at(Y_test, top), f"{timer.seconds:.1f} (fit + predict)"])
    print(rows[-1], flush=True)
    table = markdown_table(["model", "P@1", "P@3", "P@5", "train s"], rows)
    report("xmc_delicious", "Delicious (983 labels): default settings against tree peers",
           f"{machine_line(args.threads)}\n\n{table}")


SECTIONS = {"delicious": delicious}
for name in args.sections:
    if name not in SECTIONS:
        raise SystemExit(f"section {name!r} is not written yet; available: {sorted(SECTIONS)}")
    SECTIONS[name]()
