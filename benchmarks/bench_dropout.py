"""``dropout``: the last hidden layer's activations dropped at random in training, at a few
rates, on the problem families the default is decided on:

- ``bibtex``: the Extreme Classification Repository's split (159 labels, binary tags);
- ``delicious``: its own split (983 labels, binary tags);
- ``cooking``: the cooking.stackexchange questions as binary bags of words (736 tags);
- ``20newsgroups`` and ``sms_spam``: binary bags of words, one class a row;
- ``letter``: 16 dense numeric columns, 26 classes;
- ``generator`` and ``prototypes``: the two extreme-classification generators
  (``sparsenet.datasets.make_extreme_classification`` and benchmarks/_prototype_generator.py),
  50,000 labels (a sampled output layer), 20,000 training rows, 5,000 test rows; trained to
  their early stop, and again for a fixed 10 epochs (a short planned fit);
- ``words``: the held-out word of benchmarks/_text_xmc.py (real text, 25,000 words, a
  sampled output layer; 150,000 training rows);
- ``udt``: UDTClassifier on raw cooking questions, CLINC150, SST-2, 20 Newsgroups, SMS
  spam, Adult and IMDB, two seeds, at the first two rates (its own report, dropout_udt.md).

Every other parameter at its default. Scores are P@1 (sparse top-k inference, the default of
``predict_topk``; also exact for the sampled layers) and accuracy for class labels, means over
the seeds. The sampled families are fitted at the first two rates only (time).

Usage:

    python benchmarks/bench_dropout.py [--threads 2] [--rates 0 0.2 0.4] [--families ...]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

FAMILIES = ["bibtex", "delicious", "cooking", "20newsgroups", "sms_spam", "letter", "generator", "prototypes", "words"]
CHOICES = FAMILIES + ["udt"]


def options(parser):
    parser.add_argument("--families", nargs="+", default=FAMILIES, choices=CHOICES)
    parser.add_argument("--rates", nargs="+", type=float, default=[0.0, 0.2, 0.4])


args = parse_args(__doc__, options)

import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from _binary_words import BINARY_WORD_SETS, binary_word_set  # noqa: E402
from _data import (  # noqa: E402
    DATA_DIR,
    load_20newsgroups,
    load_adult,
    load_clinc150,
    load_cooking,
    load_imdb,
    load_letter,
    load_sms_spam,
    load_sst2,
)
from _prototype_generator import make_prototype_problem  # noqa: E402
from sparsenet import SparseMLPClassifier, UDTClassifier  # noqa: E402
from sparsenet.datasets import load_xc_repo, make_extreme_classification  # noqa: E402
from sparsenet.metrics import precision_at_k  # noqa: E402

warnings.simplefilter("ignore")


def score(clf, X_test, y_test, exact):
    """P@1 for an indicator y or many labels, accuracy for a few classes (in %)."""
    if hasattr(y_test, "indptr"):
        return 100 * precision_at_k(y_test, clf.predict_topk(X_test, 1, exact=exact), 1)
    if len(clf.classes_) > 1000:
        return 100 * np.mean(clf.predict_topk(X_test, 1, exact=exact)[:, 0] == y_test)
    return 100 * clf.score(X_test, y_test)


def compare(name, measure, X_train, y_train, X_test, y_test, seeds, sampled=False, **settings):
    """One row: each rate's mean score (and, for a sampled layer, exact P@1), fit seconds, epochs."""
    means = []
    cells = [name, measure, f"{X_train.shape[0]:,}", str(len(seeds))]
    for rate in args.rates[:2] if sampled else args.rates:
        scores, exact_scores, seconds, epochs = [], [], [], []
        for seed in seeds:
            clf = SparseMLPClassifier(dropout=rate, n_jobs=args.threads, random_state=seed, **settings)
            with Timer() as timer:
                clf.fit(X_train, y_train)
            scores.append(score(clf, X_test, y_test, False))
            if sampled:
                exact_scores.append(score(clf, X_test, y_test, True))
            seconds.append(timer.seconds)
            epochs.append(clf.n_iter_)
        means.append(np.mean(scores))
        exact = f", exact {np.mean(exact_scores):.2f}" if sampled else ""
        print(name, rate, f"{np.mean(scores):.2f}{exact}", [f"{s:.2f}" for s in scores], f"{np.mean(seconds):.1f} s",
              epochs, flush=True)
        cells.append(f"{np.mean(scores):.2f}{exact} ({np.mean(seconds):.0f} s, {np.mean(epochs):.0f} ep)")
    cells += [""] * (4 + len(args.rates) - len(cells))
    changes.append((sampled, [m - means[0] for m in means[1:]]))
    rows.append(cells)


def split_generated(X, Y, n_train):
    return X[:n_train], Y[:n_train], X[n_train:], Y[n_train:]


def udt_sets():
    (train_texts, Y_train), (test_texts, Y_test) = load_cooking()
    yield "cooking tags (raw questions)", "P@1", train_texts, Y_train, test_texts, Y_test
    for name, loader in (("CLINC150", load_clinc150), ("SST-2", load_sst2), ("20 Newsgroups", load_20newsgroups),
                         ("SMS spam", load_sms_spam), ("Adult (table)", load_adult), ("IMDB", load_imdb)):
        yield name, "accuracy", *loader()


def udt_rows():
    """UDTClassifier at the first two rates: one row per set."""
    table = []
    for name, measure, X_train, y_train, X_test, y_test in udt_sets():
        cells = [name, measure]
        means = []
        for rate in args.rates[:2]:
            scores, seconds = [], []
            for seed in (0, 1):
                clf = UDTClassifier(dropout=rate, n_jobs=args.threads, random_state=seed)
                with Timer() as timer:
                    clf.fit(X_train, y_train)
                scores.append(score(clf, X_test, y_test, False))
                seconds.append(timer.seconds)
            means.append(np.mean(scores))
            print("UDT", name, rate, f"{means[-1]:.2f}", [f"{v:.2f}" for v in scores], flush=True)
            cells.append(f"{means[-1]:.2f} ({np.mean(seconds):.1f} s)")
        cells.append(f"{means[1] - means[0]:+.2f}")
        table.append(cells)
    return table


rows, changes = [], []
for family in args.families:
    if family == "udt":
        continue
    if family in ("bibtex", "delicious"):
        X_train, Y_train = load_xc_repo(DATA_DIR / family / "train.txt")
        X_test, Y_test = load_xc_repo(DATA_DIR / family / "test.txt")
        compare(family.capitalize(), "P@1", X_train, Y_train, X_test, Y_test, range(4 if family == "bibtex" else 2))
    elif family in BINARY_WORD_SETS:
        compare(*binary_word_set(family), range(2))
    elif family == "letter":
        compare("Letter (16 numeric columns)", "accuracy", *load_letter(), range(2))
    elif family in ("generator", "prototypes"):
        if family == "generator":
            X, Y = make_extreme_classification(25_000, 50_000, 50_000, random_state=0)
            title = "make_extreme_classification, 50,000 labels"
        else:
            X, Y = make_prototype_problem(25_000, seed=0)
            title = "prototype generator, 50,000 labels"
        parts = split_generated(X, Y, 20_000)
        compare(title, "P@1", *parts, range(1), sampled=True)
        compare(f"{title}, 10 epochs", "P@1", *parts, range(1), sampled=True, max_iter=10)
    else:
        from _text_xmc import held_out_word_data

        X_train, y_train, X_test, y_test, _ = held_out_word_data()
        compare("held-out word, 25,000 words (real text)", "P@1", X_train, y_train, X_test, y_test, range(1),
                sampled=True)

header = ["family", "measure", "training rows", "seeds", *[f"dropout {rate:g}" for rate in args.rates]]


def summary(selected, label):
    lines = []
    for i, rate in enumerate(args.rates[1:]):
        moved = [c[i] for sampled, c in changes if selected(sampled) and len(c) > i]
        if moved:
            lines.append(f"- {label}, dropout {rate:g}: mean change {np.mean(moved):+.2f} (from {min(moved):+.2f} "
                         f"to {max(moved):+.2f}, {len(moved)} rows)")
    return lines


if "udt" in args.families:
    udt_header = ["set", "measure", *[f"dropout {rate:g}" for rate in args.rates[:2]], "change"]
    report("dropout_udt", "UDTClassifier: dropout on the last hidden layer",
           f"{machine_line(args.threads)}\n\nUDTClassifier with default settings except `dropout`, means of "
           f"random_state 0 and 1 (each cell the score and the mean fit seconds).\n\n"
           f"{markdown_table(udt_header, udt_rows())}")
if not rows:
    sys.exit(0)
lines = summary(lambda sampled: not sampled, "dense output layers") + summary(bool, "sampled output layers")
report("dropout", "dropout on the last hidden layer, by rate",
       f"{machine_line(args.threads)}\n\nSparseMLPClassifier with default settings except `dropout` (and `max_iter` "
       f"where a row says so); means over the seeds (random_state 0 to seeds - 1), each cell the score (P@1 by "
       f"sparse top-k, then exact, for a sampled layer), the mean fit seconds and epochs. Binary bags of words: "
       f"scikit-learn's CountVectorizer(binary=True, min_df=2) fitted on the training texts.\n\n"
       f"{markdown_table(header, rows)}\n\nChange of the first score against dropout {args.rates[0]:g}:\n\n"
       + "\n".join(lines))
