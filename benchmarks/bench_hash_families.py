"""The three hash families side by side: what the tables retrieve, what it costs, and the
accuracy it buys, on three problem families.

For each family (``hash_family`` = "dwta", "simhash", "mips") the same network is fitted and
the report gives, from ``sampling_stats_`` (tables rebuilt from the final weights at the end
of the fit): the share of each probe row's exact top 10 output neurons among the neurons the
tables add to an active set in training, and among the candidates sparse inference scores
(``training_recall_at_10`` / ``inference_recall_at_10``, candidate counts stated), seconds
spent querying the tables (summed over threads), and P@1 by sparse and exact inference.

- ``generated``: ``make_extreme_classification``, 20,000 labels and features, 20,000
  training rows, 15 epochs (no early stopping), hidden 128, batch 256;
- ``prototypes``: ``_prototype_generator.py`` (a different structure), the same sizes;
- ``words``: the held-out-word task of ``bench_xmc.py --sections words`` (real text, 24,900
  candidate labels), every other setting at its default (early stopping on).

Usage:

    python benchmarks/bench_hash_families.py [--threads 2] [--problems generated prototypes words]
"""
from _common import Timer, machine_line, markdown_table, p_at_1, parse_args, report


def options(parser):
    parser.add_argument("--problems", nargs="+", default=["generated", "prototypes", "words"])


args = parse_args(__doc__, options)

import warnings  # noqa: E402

from _prototype_generator import make_prototype_problem  # noqa: E402
from sparsenet import SparseMLPClassifier  # noqa: E402
from sparsenet.datasets import make_extreme_classification  # noqa: E402

warnings.simplefilter("ignore")
FAMILIES = ("dwta", "simhash", "mips")
rows = []


def measure(problem, make_model, X_train, y_train, X_test, y_test):
    for family in FAMILIES:
        clf = make_model(family)
        with Timer() as timer:
            clf.fit(X_train, y_train)
        stats = clf.sampling_stats_
        sparse_p1, exact_p1 = p_at_1(clf, X_test, y_test)
        rows.append([problem, family, f"{100 * stats['training_recall_at_10']:.1f} of {stats['training_candidates']}",
                     f"{100 * stats['inference_recall_at_10']:.1f} of {stats['inference_candidates']}",
                     f"{stats['query_thread_seconds']:.1f}", f"{sparse_p1:.2f}", f"{exact_p1:.2f}",
                     f"{timer.seconds:.1f}", str(clf.n_iter_)])
        print(rows[-1], flush=True)


def generated(problem, X, Y):
    def make_model(family):
        return SparseMLPClassifier(hidden_layer_sizes=(128,), batch_size=256, max_iter=15, early_stopping=False,
                                   tol=0.0, loss="softmax", hash_family=family, random_state=0, n_jobs=args.threads)

    measure(problem, make_model, X[:20_000], Y[:20_000], X[20_000:], Y[20_000:])


if "generated" in args.problems:
    generated("generated (make_extreme_classification)", *make_extreme_classification(25_000, 20_000, 20_000,
                                                                                      random_state=0))
if "prototypes" in args.problems:
    generated("prototypes (_prototype_generator)", *make_prototype_problem(25_000, n_features=20_000, n_labels=20_000))
if "words" in args.problems:
    from _text_xmc import held_out_word_data

    X_train, y_train, X_test, y_test, _ = held_out_word_data()
    measure("words (real text)", lambda family: SparseMLPClassifier(hash_family=family, random_state=0,
                                                                    n_jobs=args.threads),
            X_train, y_train, X_test, y_test)

header = ["problem", "hash_family", "training recall@10 (% of exact top 10, of candidates)",
          "inference recall@10 (of candidates)", "query s", "P@1 sparse", "P@1 exact", "fit s", "epochs"]
report("hash_families", "Hash families side by side: retrieval, cost, accuracy",
       f"{machine_line(args.threads)}\n\nCommand: `python benchmarks/bench_hash_families.py`. Recall: share of a "
       "probe of training rows' exact top 10 output neurons (the model's own best scores) that the tables return, "
       "measured on tables rebuilt from the final weights.\n\n" + markdown_table(header, rows))
