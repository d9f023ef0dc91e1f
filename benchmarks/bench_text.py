"""Text classification: fastText and TF-IDF + LogisticRegression (and sparsenet's UDTClassifier).

Every contender gets raw texts and labels and the same thread count (``--threads``, default 2).
Data sets, all from ../shared/data:

- ``imdb``: IMDB reviews, 25,000 train / 25,000 test, 2 classes;
- ``sst2``: SST-2, trained on the 67,349 phrases of train.tsv, tested on the 1,821 sentences of
  test.tsv, 2 classes;
- ``20ng``: 20 Newsgroups "bydate", 11,314 / 7,532, 20 classes;
- ``sms``: SMS Spam Collection, stratified 80/20 split (random_state=0), 4,459 / 1,115, 2 classes;
- ``clinc150``: CLINC150 intents, in-scope requests only, 15,000 / 4,500, 150 classes (one-line
  requests; out-of-scope detection is bench_out_of_scope.py's);
- ``cooking``: cooking.stackexchange questions, fastText's tutorial split, 12,404 / 3,000, 736
  tags, 2.3 a question (multi-label: P@1 and P@5 in a table of their own; fastText with the
  tutorial's tuned settings and its one-vs-all loss, TF-IDF with one LogisticRegression per
  tag, sparsenet with a 2-D label indicator).

Contenders:

- ``fasttext``: ``fasttext.train_supervised`` with word bigrams. The texts are lowercased and
  punctuation is split off words (the same for train and test; counted in fit and predict
  time), and the training lines are shuffled (seeded; the files come sorted by label).
  Writing the training file is not counted; the notes give its time.
- ``tfidf_lr``: ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)`` +
  ``LogisticRegression(C=10, solver="lbfgs", max_iter=1000)`` (multinomial for 20 classes).
  Fit time counts fitting the vectorizer; predict time counts transforming the test texts.
- ``sparsenet``: ``UDTClassifier(n_jobs=threads, random_state=0)`` with default settings on the
  raw texts; skipped with a note while sparsenet has no UDTClassifier.

Usage:

    python benchmarks/bench_text.py [--datasets imdb sst2 20ng sms clinc150 cooking]
        [--contenders fasttext tfidf_lr sparsenet] [--threads 2] [--repeats 1]

``--repeats N`` fits each contender N times and keeps the medians of the times and the
accuracies. To choose settings without looking at the test set, ``--holdout`` evaluates on a
stratified 10 % of the training set instead (training on the rest), and ``--fasttext-epoch N``
overrides fastText's epochs; either one prints the table without writing results/text.md. A run of
some of the sets writes results/text_<sets>.md instead.
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

DATASETS = ("imdb", "sst2", "20ng", "sms", "clinc150", "cooking")
MULTI_LABEL = ("cooking",)
CONTENDERS = ("fasttext", "tfidf_lr", "sparsenet")


def options(parser):
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS))
    parser.add_argument("--contenders", nargs="+", choices=CONTENDERS, default=list(CONTENDERS))
    parser.add_argument("--repeats", type=int, default=1, help="fits per contender and data set (medians kept)")
    parser.add_argument("--holdout", action="store_true",
                        help="evaluate on a stratified 10%% of the training set, not the test set")
    parser.add_argument("--fasttext-epoch", type=int, default=None,
                        help="override fastText's epochs for every data set")


args = parse_args(__doc__, options)

import os
import re
import tempfile
import time

import _data
import numpy as np

LOADERS = {
    "imdb": ("IMDB", _data.load_imdb),
    "sst2": ("SST-2", _data.load_sst2),
    "20ng": ("20 Newsgroups", _data.load_20newsgroups),
    "sms": ("SMS spam", _data.load_sms_spam),
    "clinc150": ("CLINC150 (in-scope)", _data.load_clinc150),
    "cooking": ("cooking tags", lambda: _data.load_cooking(with_label_names=True)),
}
# fastText's recipe, one per size class of training set: lr=1.0, dim=50, bigrams, and the epochs
# chosen without the test sets (medians of 3 fits, 2 threads). With --holdout, epochs 5 / 10 / 25:
# IMDB 88.48 / 88.32 / 88.24 %, 20 Newsgroups 66.43 / 83.13 / 87.46 %, SMS 99.10 / 99.10 / 99.10 %;
# SST-2 on its dev set 80.96 / 81.31 / 80.62 %. Large sets: 5 (no gain from more, 5x the time);
# small sets: 25.
SMALL_TRAINING_SET = 20_000  # texts; SMS and 20 Newsgroups are small, IMDB and SST-2 large
FASTTEXT_COMMON = {"lr": 1.0, "wordNgrams": 2, "dim": 50, "loss": "softmax", "minCount": 1, "seed": 0, "verbose": 0}
FASTTEXT_EPOCHS = {"small": 25, "large": 5}
LOGREG = {"C": 10, "solver": "lbfgs", "max_iter": 1000}
TFIDF = {"ngram_range": (1, 2), "sublinear_tf": True, "min_df": 2}
SEED = 0

notes = {}  # side measurements to print under the table, the latest run's of each kind

_PUNCTUATION = re.compile(r"([^\w\s])")


def fasttext_tokens(text):
    """Lowercase, punctuation split off words, one line."""
    return " ".join(_PUNCTUATION.sub(r" \1 ", text.lower()).split())


def fit_predict_fasttext(train_texts, train_labels, test_texts, n_threads):
    import fasttext

    size_class, bound = ("small", "<") if len(train_texts) < SMALL_TRAINING_SET else ("large", ">=")
    epoch = args.fasttext_epoch or FASTTEXT_EPOCHS[size_class]
    params = {**FASTTEXT_COMMON, "epoch": epoch, "thread": n_threads}
    by_name = {str(label): label for label in np.unique(train_labels)}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "train.txt")
        with Timer() as prepare:
            # shuffled, as fastText needs: it reads the file in order (each thread from its own
            # offset) with a decaying learning rate, and the data sets come sorted by label
            order = np.random.default_rng(SEED).permutation(len(train_texts))
            lines = [f"__label__{train_labels[i]} {fasttext_tokens(train_texts[i])}\n" for i in order]
        with Timer() as write, open(path, "w", encoding="utf-8") as handle:
            handle.writelines(lines)
        with Timer() as train:
            model = fasttext.train_supervised(input=path, **params)
    with Timer() as predict:
        predicted, _ = model.predict([fasttext_tokens(text) for text in test_texts])
        predictions = np.array([by_name[labels[0][len("__label__"):]] for labels in predicted])
    notes[("fasttext", len(train_texts))] = (f"fastText, {len(train_texts):,} training texts: preprocessing {prepare.seconds:.2f} s "
                 f"(counted in fit), writing the training file {write.seconds:.2f} s (not counted)")
    recipe = ", ".join(f"{key}={value!r}" for key, value in params.items() if key not in ("seed", "verbose"))
    return predictions, prepare.seconds + train.seconds, predict.seconds, f"{size_class} training set ({bound} {SMALL_TRAINING_SET:,} texts): {recipe}"


def fit_predict_tfidf_lr(train_texts, train_labels, test_texts, n_threads):
    # n_threads: BLAS/OpenMP pools are pinned by _common before NumPy loads; lbfgs fits all
    # classes together (multinomial), so LogisticRegression's n_jobs plays no part.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(**TFIDF), LogisticRegression(**LOGREG))
    with Timer() as fit:
        model.fit(train_texts, train_labels)
    with Timer() as predict:
        predictions = model.predict(test_texts)
    n_iter = int(np.max(model[-1].n_iter_))
    if n_iter >= LOGREG["max_iter"]:
        notes[("tfidf_lr", len(train_texts))] = (
            f"TF-IDF + LogisticRegression, {len(train_texts):,} training texts: lbfgs stopped at max_iter")
    recipe = ("TfidfVectorizer(" + ", ".join(f"{k}={v!r}" for k, v in TFIDF.items()) + ") + LogisticRegression("
              + ", ".join(f"{k}={v!r}" for k, v in LOGREG.items()) + ")")
    return predictions, fit.seconds, predict.seconds, recipe


def fit_predict_sparsenet(train_texts, train_labels, test_texts, n_threads):
    from sparsenet import UDTClassifier

    model = UDTClassifier(n_jobs=n_threads, random_state=SEED)
    with Timer() as fit:
        model.fit(train_texts, train_labels)
    LAST_SPARSENET_MODEL[0] = model
    with Timer() as predict:
        predictions = model.predict(test_texts)
    return np.asarray(predictions), fit.seconds, predict.seconds, f"UDTClassifier(n_jobs={n_threads}, random_state={SEED}), defaults otherwise"


LAST_SPARSENET_MODEL = [None]


def single_row_latency(model, texts, calls=1000, warm_up=50):
    """p50 and p99 microseconds of predict([text]) with one thread, for the review of median
    length among texts."""
    model.set_params(n_jobs=1)
    model.featurizer_.set_params(n_jobs=1)
    model.classifier_.set_params(n_jobs=1)
    lengths = np.array([len(text.split()) for text in texts])
    typical = texts[int(np.argsort(lengths, kind="stable")[len(texts) // 2])]
    seconds = []
    for call in range(warm_up + calls):
        started = time.perf_counter()
        model.predict([typical])
        seconds.append(time.perf_counter() - started)
    micro = np.array(seconds[warm_up:]) * 1e6
    return len(typical.split()), float(np.percentile(micro, 50)), float(np.percentile(micro, 99))


def featurization_seconds(texts, n_threads, repeats=3):
    """Median seconds to featurize texts: UDTFeaturizer (words and bigrams, n_threads) and
    HashingVectorizer(ngram_range=(1, 2)) (single-threaded), both with 2**18 features."""
    from sklearn.feature_extraction.text import HashingVectorizer

    from sparsenet import UDTFeaturizer

    ours = UDTFeaturizer(feature_hash_range=2**18, unseen_tokens="keep", n_jobs=n_threads).fit(texts[:10])
    theirs = HashingVectorizer(ngram_range=(1, 2), n_features=2**18)
    timings = {}
    for name, transform in (("UDTFeaturizer", ours.transform), ("HashingVectorizer", theirs.transform)):
        runs = []
        for _ in range(repeats):
            with Timer() as timer:
                transform(texts)
            runs.append(timer.seconds)
        timings[name] = float(np.median(runs))
    return timings


FIT_PREDICT = {
    "fasttext": ("fastText", fit_predict_fasttext),
    "tfidf_lr": ("TF-IDF + LogisticRegression", fit_predict_tfidf_lr),
    "sparsenet": ("sparsenet UDTClassifier", fit_predict_sparsenet),
}


def holdout_split(train_texts, train_labels):
    from sklearn.model_selection import train_test_split

    fit_texts, held_texts, fit_labels, held_labels = train_test_split(
        train_texts, train_labels, test_size=0.1, stratify=train_labels, random_state=SEED)
    return list(fit_texts), fit_labels, list(held_texts), held_labels


contenders = [name for name in CONTENDERS if name in args.contenders]  # fastText first: the ratio base
if "sparsenet" in contenders:
    try:
        from sparsenet import UDTClassifier  # noqa: F401
    except ImportError as error:
        print(f"sparsenet UDTClassifier skipped: it cannot be imported ({error})", flush=True)
        contenders.remove("sparsenet")

def multi_label_rows(title, contenders):
    """Rows of P@1 and P@5 for the multi-label set ``title`` (cooking), each contender
    trained ``--repeats`` times; fastText first, the base of the time ratios."""
    import _multi_label_text as multi

    from sparsenet.metrics import precision_at_k

    (train_texts, Y_train), (test_texts, Y_test), label_names = LOADERS["cooking"][1]()
    sizes.append(f"{title}: {len(train_texts):,} train / {len(test_texts):,} test, {Y_train.shape[1]} tags "
                 f"({Y_train.nnz / Y_train.shape[0]:.2f} a training question)")
    print(sizes[-1], flush=True)
    runs = {
        "fasttext": lambda: multi.fasttext_top(train_texts, Y_train, test_texts, label_names, args.threads,
                                               fasttext_tokens),
        "tfidf_lr": lambda: multi.tfidf_lr_top(train_texts, Y_train, test_texts, args.threads, TFIDF, LOGREG),
        "sparsenet": lambda: multi.sparsenet_top(train_texts, Y_train, test_texts, args.threads, SEED),
    }
    out, fasttext_fit = [], None
    for name in contenders:
        label = FIT_PREDICT[name][0]
        scores, fits, predicts = [], [], []
        for repeat in range(args.repeats):
            top, fit_seconds, predict_seconds, recipe = runs[name]()
            scores.append([100 * precision_at_k(Y_test, top, k) for k in (1, 5)])
            fits.append(fit_seconds)
            predicts.append(predict_seconds)
            print(f"  {label}, run {repeat + 1}: P@1 {scores[-1][0]:.2f}, P@5 {scores[-1][1]:.2f}, "
                  f"fit {fit_seconds:.2f} s, predict {predict_seconds:.2f} s", flush=True)
        recipes.setdefault(label, {}).setdefault(recipe, []).append(title)
        fit_median = float(np.median(fits))
        fasttext_fit = fit_median if name == "fasttext" else fasttext_fit
        ratio = f"{fit_median / fasttext_fit:.2f}x" if fasttext_fit else "n/a"
        p1, p5 = np.median(scores, axis=0)
        out.append([title, label, f"{p1:.2f}", f"{p5:.2f}", f"{fit_median:.2f}", ratio, f"{np.median(predicts):.2f}"])
    return out


rows, multi_rows, recipes, sizes = [], [], {}, []
for key in dict.fromkeys(args.datasets):
    title, load = LOADERS[key]
    if key in MULTI_LABEL:
        if not args.holdout:
            multi_rows += multi_label_rows(title, contenders)
        continue
    train_texts, train_labels, test_texts, test_labels = load()
    if args.holdout:
        train_texts, train_labels, test_texts, test_labels = holdout_split(train_texts, train_labels)
        title += " (holdout)"
    size = f"{title}: {len(train_texts):,} train / {len(test_texts):,} test, {len(np.unique(train_labels))} classes"
    sizes.append(size)
    print(size, flush=True)
    fasttext_fit = None
    for name in contenders:
        label, fit_predict = FIT_PREDICT[name]
        accuracies, fits, predicts = [], [], []
        for repeat in range(args.repeats):
            predictions, fit_seconds, predict_seconds, recipe = fit_predict(
                train_texts, train_labels, test_texts, args.threads)
            accuracies.append(float(np.mean(predictions == test_labels)))
            fits.append(fit_seconds)
            predicts.append(predict_seconds)
            print(f"  {label}, run {repeat + 1}: accuracy {accuracies[-1] * 100:.2f} %, "
                  f"fit {fit_seconds:.2f} s, predict {predict_seconds:.2f} s", flush=True)
        recipes.setdefault(label, {}).setdefault(recipe, []).append(title)
        if name == "sparsenet" and key == "imdb":
            imdb_model = LAST_SPARSENET_MODEL[0]
        fit_median = float(np.median(fits))
        if name == "fasttext":
            fasttext_fit = fit_median
        ratio = f"{fit_median / fasttext_fit:.2f}x" if fasttext_fit else "n/a"
        accuracy = f"{np.median(accuracies) * 100:.2f}"
        if args.repeats > 1:
            accuracy += f" ({min(accuracies) * 100:.2f}-{max(accuracies) * 100:.2f})"
        rows.append([title, label, accuracy, f"{fit_median:.2f}", ratio, f"{np.median(predicts):.2f}"])

extra = ""
if "sparsenet" in contenders and "imdb" in args.datasets and not args.holdout:
    imdb_train, _, imdb_test, _ = _data.load_imdb()
    words, p50, p99 = single_row_latency(imdb_model, imdb_test)
    timings = featurization_seconds(imdb_train, args.threads)
    speedup = timings["HashingVectorizer"] / timings["UDTFeaturizer"]
    extra = (
        "\n\nIMDB, sparsenet's single-row path and featurizer:\n\n"
        + markdown_table(["measure", "value"], [
            [f"UDTClassifier.predict([review]), 1 thread, {words}-word review (median length), p50", f"{p50:.0f} µs"],
            ["same, p99 over 1,000 calls", f"{p99:.0f} µs"],
            [f"featurize 25,000 reviews: UDTFeaturizer ({args.threads} threads), median of 3",
             f"{timings['UDTFeaturizer']:.2f} s ({len(imdb_train) / timings['UDTFeaturizer']:,.0f} rows/s)"],
            ["featurize 25,000 reviews: HashingVectorizer(ngram_range=(1, 2)), 1 thread (it has no threads), median of 3",
             f"{timings['HashingVectorizer']:.2f} s ({len(imdb_train) / timings['HashingVectorizer']:,.0f} rows/s)"],
            ["featurization speed-up", f"{speedup:.1f}x"],
        ])
        + "\n\nBoth featurizers produce words and bigrams hashed into 2**18 features."
    )
    print(extra, flush=True)

medians = f", median of {args.repeats}" if args.repeats > 1 else ""
table = markdown_table(["data set", "contender", f"test accuracy %{medians}", f"fit s{medians}",
                        "fit time vs fastText", f"predict s (test set){medians}"], rows)
if multi_rows:
    table += "\n\nMulti-label (P@k: the share of a question's k best tags that are its own, the median of the runs):\n\n"
    table += markdown_table(["data set", "contender", f"P@1 %{medians}", f"P@5 %{medians}", f"fit s{medians}",
                             "fit time vs fastText", f"predict s (test set){medians}"], multi_rows)
recipe_lines = "\n".join(f"- {label}, {', '.join(titles)}: {recipe}"
                         for label, by_recipe in recipes.items() for recipe, titles in by_recipe.items())
text = (f"{machine_line(args.threads)}\n\n" + "\n".join(f"- {size}" for size in sizes) + f"\n\n{table}\n\n"
        f"Recipes:\n\n{recipe_lines}\n\n"
        "Times are wall-clock seconds from raw texts: fit includes each contender's own text processing "
        "(fastText: lowercasing and splitting punctuation off words; TF-IDF: fitting the vectorizer), "
        "predict includes processing the test texts. fastText trains with Hogwild threads, so its runs "
        "with more than one thread are not bit-reproducible even with seed=0 (its training lines are "
        "shuffled with a fixed seed).\n\n"
        + "\n".join(f"- {note}" for note in notes.values()) + extra)
if args.holdout or args.fasttext_epoch:
    print("\n" + text)
else:
    # a run of some of the sets keeps its own file: results/text.md is the run of them all
    result_name = "text" if set(args.datasets) == set(DATASETS) else "text_" + "_".join(dict.fromkeys(args.datasets))
    report(result_name, "Text classification: " + ", ".join(FIT_PREDICT[name][0] for name in contenders), text)
