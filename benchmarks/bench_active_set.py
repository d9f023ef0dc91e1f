"""How many output neurons a sample should compute: the active-set size of a sampled layer
against dense training of the same network.

The sampled softmax estimates the full softmax from the negatives in each sample's active
set; with too few of them the estimate is poor and the exact ranking (``predict``,
``predict_proba``) suffers. ``output_sparsity="auto"`` takes BOLT's share of the layer with a
floor (``sparsenet.sampling._plan.MIN_AUTO_ACTIVE``); this benchmark is the evidence for it,
on three problem families:

- ``generated``: ``make_extreme_classification``, 20,000 labels and features, 20,000 training
  and 5,000 test rows, 15 epochs (no early stopping), hidden 128, batch 256, softmax loss;
  active sets of 250, 500, 1,000 and 2,000 neurons (``output_sparsity`` 1/80 to 1/10) and the
  dense layer (``output_sparsity=1.0``);
- ``prototypes``: ``_prototype_generator.py`` (a different structure), the same settings;
- ``words``: the held-out-word task of ``bench_xmc.py --sections words`` (real text, about
  25,000 labels), every other setting at its default (early stopping on): BOLT's share
  alone (``output_sparsity=0.005``) against ``"auto"``.

Reported: P@1 by sparse and exact inference, fit seconds, epochs, and what the tables find
of the exact top 10 (training's / inference's candidates).

Usage:

    python benchmarks/bench_active_set.py [--threads 2] [--problems generated prototypes words]
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
rows = []


def retrieval(clf):
    """What the tables the model ends with (rebuilt from its final weights, the ones sparse
    inference uses) find of probed training rows' exact top 10, as bench_hash_families.py
    reports it; bench_xmc.py's retrieval_cell gives the last epoch's instead."""
    stats = clf.sampling_stats_
    if stats is None:
        return "n/a"
    return (f"{stats['training_recall_at_10']:.0%} of {stats['training_candidates']:,} / "
            f"{stats['inference_recall_at_10']:.0%} of {stats['inference_candidates']:,}")


def measure(problem, setting, clf, X_train, y_train, X_test, y_test):
    with Timer() as timer:
        clf.fit(X_train, y_train)
    sparse_p1, exact_p1 = p_at_1(clf, X_test, y_test)
    sampler = clf.network_.output_sampler
    active = f"{sampler.min_active:,}" if sampler is not None else f"all {len(clf.classes_):,}"
    rows.append([problem, setting, active, f"{sparse_p1:.2f}", f"{exact_p1:.2f}", f"{timer.seconds:.1f}",
                 str(clf.n_iter_), retrieval(clf)])
    print(rows[-1], flush=True)


def generated(problem, X, Y):
    split = (X[:20_000], Y[:20_000], X[20_000:], Y[20_000:])
    for sparsity in (1 / 80, 1 / 40, 1 / 20, 1 / 10, 1.0):
        clf = SparseMLPClassifier(hidden_layer_sizes=(128,), batch_size=256, max_iter=15, early_stopping=False,
                                  tol=0.0, loss="softmax", output_sparsity=sparsity, random_state=0,
                                  n_jobs=args.threads)
        measure(problem, "dense" if sparsity == 1.0 else f"output_sparsity={sparsity:g}", clf, *split)


if "generated" in args.problems:
    generated("generated (make_extreme_classification)",
              *make_extreme_classification(25_000, 20_000, 20_000, random_state=0))
if "prototypes" in args.problems:
    generated("prototypes (_prototype_generator)", *make_prototype_problem(25_000, n_features=20_000, n_labels=20_000))
if "words" in args.problems:
    from _text_xmc import held_out_word_data

    X_train, y_train, X_test, y_test, _ = held_out_word_data()
    for sparsity in (0.005, "auto"):
        clf = SparseMLPClassifier(output_sparsity=sparsity, random_state=0, n_jobs=args.threads)
        measure("words (real text)", f"output_sparsity={sparsity!r}", clf, X_train, y_train, X_test, y_test)

header = ["problem", "setting", "active neurons a sample", "P@1 sparse", "P@1 exact", "fit s", "epochs",
          "tables find of the exact top 10: training's / inference's candidates"]
report("active_set_floor", "Active-set size of a sampled output layer against dense training",
       f"{machine_line(args.threads)}\n\nCommand: `python benchmarks/bench_active_set.py`.\n\n"
       + markdown_table(header, rows))
