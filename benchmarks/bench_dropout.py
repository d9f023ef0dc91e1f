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
  sampled output layer; 150,000 training rows).

Every other parameter at its default. Scores are P@1 (sparse top-k inference, the default of
``predict_topk``; also exact for the sampled layers) and accuracy for class labels, means over
the seeds. The sampled families are fitted at the first two rates only (time).

Usage:

    python benchmarks/bench_dropout.py [--threads 2] [--rates 0 0.2 0.4] [--families ...]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

FAMILIES = ["bibtex", "delicious", "cooking", "20newsgroups", "sms_spam", "letter", "generator", "prototypes", "words"]


def options(parser):
    parser.add_argument("--families", nargs="+", default=FAMILIES, choices=FAMILIES)
    parser.add_argument("--rates", nargs="+", type=float, default=[0.0, 0.2, 0.4])


args = parse_args(__doc__, options)

import warnings  # noqa: E402

import numpy as np  # noqa: E402

from _data import DATA_DIR, load_20newsgroups, load_cooking, load_letter, load_sms_spam  # noqa: E402
from _prototype_generator import make_prototype_problem  # noqa: E402
from sparsenet import SparseMLPClassifier  # noqa: E402
from sparsenet.datasets import load_xc_repo, make_extreme_classification  # noqa: E402
from sparsenet.metrics import precision_at_k  # noqa: E402

warnings.simplefilter("ignore")


def binary_words(train_texts, test_texts):
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(binary=True, min_df=2, dtype=np.float32).fit(train_texts)
    return vectorizer.transform(train_texts), vectorizer.transform(test_texts)


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


rows, changes = [], []
for family in args.families:
    if family in ("bibtex", "delicious"):
        X_train, Y_train = load_xc_repo(DATA_DIR / family / "train.txt")
        X_test, Y_test = load_xc_repo(DATA_DIR / family / "test.txt")
        compare(family.capitalize(), "P@1", X_train, Y_train, X_test, Y_test, range(4 if family == "bibtex" else 2))
    elif family == "cooking":
        (train_texts, Y_train), (test_texts, Y_test) = load_cooking()
        X_train, X_test = binary_words(train_texts, test_texts)
        compare("cooking tags (binary words)", "P@1", X_train, Y_train, X_test, Y_test, range(2))
    elif family == "20newsgroups":
        train_texts, y_train, test_texts, y_test = load_20newsgroups()
        X_train, X_test = binary_words(train_texts, test_texts)
        compare("20 Newsgroups (binary words)", "accuracy", X_train, y_train, X_test, y_test, range(2))
    elif family == "sms_spam":
        train_texts, y_train, test_texts, y_test = load_sms_spam()
        X_train, X_test = binary_words(train_texts, test_texts)
        compare("SMS spam (binary words)", "accuracy", X_train, y_train, X_test, y_test, range(2))
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


lines = summary(lambda sampled: not sampled, "dense output layers") + summary(bool, "sampled output layers")
report("dropout", "dropout on the last hidden layer, by rate",
       f"{machine_line(args.threads)}\n\nSparseMLPClassifier with default settings except `dropout` (and `max_iter` "
       f"where a row says so); means over the seeds (random_state 0 to seeds - 1), each cell the score (P@1 by "
       f"sparse top-k, then exact, for a sampled layer), the mean fit seconds and epochs. Binary bags of words: "
       f"scikit-learn's CountVectorizer(binary=True, min_df=2) fitted on the training texts.\n\n"
       f"{markdown_table(header, rows)}\n\nChange of the first score against dropout {args.rates[0]:g}:\n\n"
       + "\n".join(lines))
