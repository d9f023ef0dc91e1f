"""The sampled-softmax correction (``sampling_correction``) on three problem families.

A sampled output layer's shared negatives are the other labels of the batch: frequent
labels are drawn often, rare ones seldom. Without a correction, rare labels are seldom
pushed down; with it, each shared negative's score gains -log of its chance to be drawn, so
that the sampled softmax estimates the full one. This script fits the same network with and
without it and reports P@1 by sparse and exact inference (and recall@10 on real text):

- ``generated``: ``make_extreme_classification``, 20,000 labels and features, 20,000
  training rows, 5 and 15 epochs (no early stopping);
- ``prototypes``: ``_prototype_generator.py`` (a different structure), the same sizes;
- ``words``: the held-out-word task of ``bench_xmc.py --sections words`` (real text, 24,900
  candidate labels), every other setting at its default (early stopping on).

Usage:

    python benchmarks/bench_sampling_correction.py [--threads 2] [--families generated prototypes words]
"""
from _common import Timer, machine_line, markdown_table, p_at_1, parse_args, report


def options(parser):
    parser.add_argument("--families", nargs="+", default=["generated", "prototypes", "words"])


args = parse_args(__doc__, options)

import warnings  # noqa: E402

import numpy as np  # noqa: E402

from _prototype_generator import make_prototype_problem  # noqa: E402
from sparsenet import SparseMLPClassifier  # noqa: E402
from sparsenet.datasets import make_extreme_classification  # noqa: E402

warnings.simplefilter("ignore")
rows = []


def generated_family(name, X, Y):
    X_train, Y_train, X_test, Y_test = X[:20_000], Y[:20_000], X[20_000:], Y[20_000:]
    for epochs in (5, 15):
        for correction in (False, True):
            clf = SparseMLPClassifier(hidden_layer_sizes=(128,), batch_size=256, max_iter=epochs, early_stopping=False,
                                      tol=0.0, loss="softmax", sampling_correction=correction, random_state=0,
                                      n_jobs=args.threads)
            with Timer() as timer:
                clf.fit(X_train, Y_train)
            sparse_p1, exact_p1 = p_at_1(clf, X_test, Y_test)
            rows.append([name, f"{epochs}", str(correction), f"{sparse_p1:.2f}", f"{exact_p1:.2f}", "n/a", "n/a",
                         f"{timer.seconds:.1f}"])
            print(rows[-1], flush=True)


def words_family():
    from _text_xmc import held_out_word_data

    X_train, y_train, X_test, y_test, _ = held_out_word_data()
    for correction in (False, True):
        clf = SparseMLPClassifier(random_state=0, n_jobs=args.threads, sampling_correction=correction)
        with Timer() as timer:
            clf.fit(X_train, y_train)
        cells = []
        for exact in (False, True):
            hits = clf.predict_topk(X_test, 10, exact=exact) == np.asarray(y_test)[:, None]
            cells.append((100 * hits[:, 0].mean(), 100 * hits.any(axis=1).mean()))
        rows.append(["words (real text)", f"{clf.n_iter_} (early stopping)", str(correction), f"{cells[0][0]:.2f}",
                     f"{cells[1][0]:.2f}", f"{cells[0][1]:.2f}", f"{cells[1][1]:.2f}", f"{timer.seconds:.1f}"])
        print(rows[-1], flush=True)


if "generated" in args.families:
    generated_family("generated (make_extreme_classification)",
                     *make_extreme_classification(25_000, 20_000, 20_000, random_state=0))
if "prototypes" in args.families:
    generated_family("prototypes (_prototype_generator)",
                     *make_prototype_problem(25_000, n_features=20_000, n_labels=20_000))
if "words" in args.families:
    words_family()
table = markdown_table(["family", "epochs", "sampling_correction", "P@1 sparse", "P@1 exact", "recall@10 sparse",
                        "recall@10 exact"] + ["fit s"], rows)
report("sampling_correction", "The sampled-softmax correction on three problem families",
       f"{machine_line(args.threads)}\n\nHidden 128, Adam 1e-3, softmax loss, default sampling "
       f"(output sparsity 0.01 at 20,000 labels and at 24,900).\n\n{table}")
