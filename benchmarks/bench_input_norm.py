"""``input_norm="l2"``: rows rescaled to one l2 norm, against rows as given, on five real
families whose rows differ in length (multi-label and single-label, binary bags of tags and
of words):

- ``bibtex``: the Extreme Classification Repository's split (159 labels), 8 seeds;
- ``delicious``: its own split and a second one (a fifth of the training rows held out,
  permutation seed 123; 983 labels), 4 seeds each;
- ``cooking``: the cooking.stackexchange questions as binary bags of words (736 tags);
- ``20newsgroups`` and ``sms_spam``: binary bags of words, one class a row.

Every other parameter at its default. Families whose rows already have equal norms (TF-IDF
text, both XMC generators) are not fitted: "l2" leaves their rows exactly as given
(``input_norm_`` is None; tested).

Usage:

    python benchmarks/bench_input_norm.py [--threads 2] [--families bibtex delicious cooking 20newsgroups sms_spam]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

FAMILIES = ["bibtex", "delicious", "cooking", "20newsgroups", "sms_spam"]


def options(parser):
    parser.add_argument("--families", nargs="+", default=FAMILIES, choices=FAMILIES)


args = parse_args(__doc__, options)

import warnings  # noqa: E402

import numpy as np  # noqa: E402

from _binary_words import binary_word_set  # noqa: E402
from _data import DATA_DIR  # noqa: E402
from sparsenet import SparseMLPClassifier  # noqa: E402
from sparsenet.datasets import load_xc_repo  # noqa: E402
from sparsenet.metrics import precision_at_k  # noqa: E402

warnings.simplefilter("ignore")


def score(clf, X_test, y_test):
    """P@1 for an indicator y, accuracy for class labels (in %)."""
    if hasattr(y_test, "indptr"):
        return 100 * precision_at_k(y_test, clf.predict_topk(X_test, 1), 1)
    return 100 * clf.score(X_test, y_test)


def compare(name, measure, X_train, y_train, X_test, y_test, seeds):
    lengths = np.sqrt(np.asarray(X_train.multiply(X_train).sum(1)).ravel())
    spread = lengths[lengths > 0].std() / lengths[lengths > 0].mean()
    results = {}
    for setting in ("l2", None):
        scores, seconds, epochs = [], [], []
        for seed in seeds:
            clf = SparseMLPClassifier(input_norm=setting, n_jobs=args.threads, random_state=seed)
            with Timer() as timer:
                clf.fit(X_train, y_train)
            scores.append(score(clf, X_test, y_test))
            seconds.append(timer.seconds)
            epochs.append(clf.n_iter_)
        results[setting] = (np.mean(scores), np.mean(seconds), np.mean(epochs))
        print(name, setting, f"{np.mean(scores):.2f}", [f"{s:.2f}" for s in scores], f"{np.mean(seconds):.1f} s",
              epochs, flush=True)
    (scaled, scaled_s, scaled_e), (given, given_s, given_e) = results["l2"], results[None]
    changes.append(scaled - given)
    rows.append([name, measure, f"{X_train.shape[0]:,}", f"{spread:.2f}", str(len(seeds)), f"{given:.2f}",
                 f"{scaled:.2f}", f"{scaled - given:+.2f}", f"{given_s:.1f} / {scaled_s:.1f}", f"{given_e:.0f} / {scaled_e:.0f}"])


rows, changes = [], []
for family in args.families:
    if family in ("bibtex", "delicious"):
        X_train, Y_train = load_xc_repo(DATA_DIR / family / "train.txt")
        X_test, Y_test = load_xc_repo(DATA_DIR / family / "test.txt")
        if family == "bibtex":
            compare("Bibtex", "P@1", X_train, Y_train, X_test, Y_test, range(8))
        else:
            compare("Delicious", "P@1", X_train, Y_train, X_test, Y_test, range(4))
            order = np.random.RandomState(123).permutation(X_train.shape[0])
            held, kept = np.sort(order[: X_train.shape[0] // 5]), np.sort(order[X_train.shape[0] // 5:])
            compare("Delicious, second split", "P@1", X_train[kept], Y_train[kept], X_train[held], Y_train[held],
                    range(4))
    else:
        compare(*binary_word_set(family), range(2 if family == "20newsgroups" else 4))

header = ["family", "measure", "training rows", "row norms' spread (std / mean)", "seeds", "rows as given (None)",
          'input_norm="l2"', "change", "fit s (None / l2)", "epochs (None / l2)"]
report("input_norm", "input_norm: sparse rows rescaled to one l2 norm, against rows as given",
       f"{machine_line(args.threads)}\n\nSparseMLPClassifier with default settings except `input_norm`; means over "
       f"the seeds (random_state 0 to seeds - 1). Binary bags of words: scikit-learn's CountVectorizer(binary=True, "
       f"min_df=2) fitted on the training texts.\n\n{markdown_table(header, rows)}\n\nMean change over the "
       f"{len(changes)} rows: {np.mean(changes):+.2f} (from {min(changes):+.2f} to {max(changes):+.2f}), so "
       "`input_norm` stays off by default.")
