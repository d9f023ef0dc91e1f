"""Extreme classification: LSH-sampled output layers against dense training and tree peers.

Sections (``--sections``, default all):

- ``delicious``: real Delicious (983 labels), sparsenet with default settings against
  omikuji (Parabel-style trees) and napkinXC (PLT), same split and threads: P@1/3/5, time.
- ``bibtex``: real Bibtex (159 labels), the Extreme Classification Repository's standard
  split, the same contenders and measures as ``delicious``, beside the published figures.
- ``cooking``: cooking.stackexchange questions from raw text (``../shared/data/cooking``,
  fastText's tutorial split, 736 labels): ``UDTClassifier`` with default settings on the
  text column against fastText (its defaults, the tutorial's tuned settings and those with
  the one-vs-all loss the tutorial suggests for multi-label data), and omikuji and napkinXC
  on TF-IDF word uni- and bigrams: P@1/3/5, time.
- ``words``: a large real label space from real text (``_text_xmc.py``): predict a held-out
  word of an IMDB review or a newsgroup post from the +-10 words around it, 25,000-word
  label vocabulary (``--words-vocabulary``), 150,000 training and 10,000 test windows from
  disjoint documents: sparsenet defaults, the same network with a dense output layer
  (``output_sparsity=1.0``, as many epochs; skipped after its first epoch if they would take
  over ``--dense-budget`` seconds), omikuji and napkinXC defaults: P@1, P@5, recall@10, fit
  seconds, and the hash tables' retrieval.
- ``scale``: generated problems with 50,000 and 100,000 labels, equal epochs: P@1 of the
  sampled network against the same network trained densely (sparsenet with
  ``output_sparsity=1.0``, and PyTorch), and of sparse against exact top-k inference.
- ``extreme``: the generated Amazon-670K shape (135,909 features, 670,091 labels, hidden 128,
  batch 256), once per hash family (``--extreme-families``, default DWTA and mips): training
  rows/s of the whole fit against PyTorch dense (timed on a few batches), peak memory,
  single-row ``predict_topk(k=5)`` latency (p50, p99), and the tables' retrieval.

Usage:

    python benchmarks/bench_xmc.py [--threads 2] [--sections extreme delicious bibtex cooking words scale]

Each section writes ``benchmarks/results/xmc_<section>.md``.
"""
from _common import Timer, machine_line, markdown_table, parse_args, report


def options(parser):
    parser.add_argument("--sections", nargs="+", default=["extreme", "delicious", "bibtex", "cooking", "words", "scale"],
                        help="sections to run (always in the order extreme, delicious, bibtex, cooking, words, scale)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs for the scale section")
    parser.add_argument("--scale-rows", type=int, default=25_000, help="training rows for the scale section")
    parser.add_argument("--sparsenet-dense-up-to", type=int, default=100_000,
                        help="train sparsenet's dense output layer only up to this many labels (it is slow)")
    parser.add_argument("--extreme-rows", type=int, default=50_000, help="training rows for the extreme section")
    parser.add_argument("--extreme-families", nargs="+", default=["dwta", "mips"], choices=["dwta", "simhash", "mips"],
                        help="hash families the extreme section fits, one run each")
    parser.add_argument("--words-vocabulary", type=int, default=25_000,
                        help="label vocabulary of the words section (the most frequent training words)")
    parser.add_argument("--words-train", type=int, default=150_000, help="training windows for the words section")
    parser.add_argument("--words-test", type=int, default=10_000, help="test windows for the words section")
    parser.add_argument("--dense-budget", type=float, default=600,
                        help="seconds for the words section's dense run: skipped when its epochs would take longer")


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
from sparsenet.sampling._plan import auto_output_sparsity  # noqa: E402

warnings.simplefilter("ignore")


def xc_lines(X, Y):
    """Rows in the Extreme Classification Repository's text format (for omikuji)."""
    yield f"{X.shape[0]} {X.shape[1]} {Y.shape[1]}\n"
    for i in range(X.shape[0]):
        labels = ",".join(map(str, Y.indices[Y.indptr[i]:Y.indptr[i + 1]]))
        features = " ".join(f"{j}:{v:g}" for j, v in zip(X.indices[X.indptr[i]:X.indptr[i + 1]], X.data[X.indptr[i]:X.indptr[i + 1]]))
        yield f"{labels} {features}\n"


def omikuji_fit(train_file):
    import omikuji

    return omikuji.Model.train_on_data(train_file, omikuji.Model.default_hyper_param(), n_threads=args.threads)


def omikuji_topk(model, X_test, k=5):
    top = np.full((X_test.shape[0], k), -1, dtype=np.int64)
    for i in range(X_test.shape[0]):
        row = X_test[i]
        found = [label for label, _ in model.predict(list(zip(row.indices.tolist(), row.data.tolist())), top_k=k)]
        top[i, : len(found)] = found[:k]
    return top


def omikuji_top5(train_file, X_test):
    return omikuji_topk(omikuji_fit(train_file), X_test, 5)


def napkinxc_fit(folder, X_train, Y_train):
    from napkinxc.models import PLT

    plt = PLT(folder, threads=args.threads)
    plt.fit(X_train, [Y_train.indices[Y_train.indptr[i]:Y_train.indptr[i + 1]].tolist() for i in range(Y_train.shape[0])])
    return plt


def napkinxc_topk(plt, X_test, k=5):
    top = np.full((X_test.shape[0], k), -1, dtype=np.int64)
    for i, labels in enumerate(plt.predict(X_test, top_k=k)):
        top[i, : len(labels)] = labels[:k]
    return top


def napkinxc_top5(X_train, Y_train, X_test):
    with tempfile.TemporaryDirectory() as folder:
        return napkinxc_topk(napkinxc_fit(folder, X_train, Y_train), X_test, 5)


def mean_row(name, scores, seconds, note=""):
    """A table row: mean P@1/3/5 over runs, with the runs' P@1 range in the name."""
    mean = np.mean(scores, axis=0)
    low, high = min(s[0] for s in scores), max(s[0] for s in scores)
    return [f"{name}, mean of {len(scores)} runs (P@1 {low:.2f}-{high:.2f})", *(f"{v:.2f}" for v in mean),
            f"{np.mean(seconds):.1f}{note}"]


def tree_peers(X_train, Y_train, X_test, Y_test, runs=4):
    """omikuji and napkinXC with their default settings, each run `runs` times (their
    results move from run to run: neither takes a seed): table rows."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        train_file = f"{folder}/train.txt"
        with open(train_file, "w") as out:
            out.writelines(xc_lines(X_train, Y_train))
        for name, fit_predict, note in (
            ("omikuji 0.5.2 (defaults)", lambda: omikuji_top5(train_file, X_test), ""),
            ("napkinXC 0.7.2 PLT (defaults)", lambda: napkinxc_top5(X_train, Y_train, X_test), " (fit + predict)"),
        ):
            scores, seconds = [], []
            for _ in range(runs):
                with Timer() as timer:
                    top = fit_predict()
                scores.append([100 * precision_at_k(Y_test, top, k) for k in (1, 3, 5)])
                seconds.append(timer.seconds)
            rows.append(mean_row(name, scores, seconds, note))
            print(rows[-1], flush=True)
    return rows


def sparsenet_rows(X_train, Y_train, X_test, Y_test, seeds=(0, 1, 2, 3), epochs=None,
                   estimator=SparseMLPClassifier, name="sparsenet SparseMLPClassifier"):
    """sparsenet with default settings, random_state 0 to 3: the mean row (one seed moves
    P@1 by about half a point). Each run's ``n_iter_`` is appended to ``epochs`` if given."""
    scores, seconds = [], []
    for seed in seeds:
        clf = estimator(n_jobs=args.threads, random_state=seed)
        with Timer() as timer:
            clf.fit(X_train, Y_train)
        top = clf.predict_topk(X_test, 5)
        scores.append([100 * precision_at_k(Y_test, top, k) for k in (1, 3, 5)])
        seconds.append(timer.seconds)
        print("sparsenet seed", seed, [f"{v:.2f}" for v in scores[-1]], f"{timer.seconds:.1f} s", clf.n_iter_, "epochs", flush=True)
        if epochs is not None:
            epochs.append(clf.n_iter_)
    return [mean_row(f"{name} (defaults, random_state {seeds[0]}-{seeds[-1]})", scores, seconds)]


def delicious():
    X_train, Y_train = load_xc_repo(DATA_DIR / "delicious" / "train.txt")
    X_test, Y_test = load_xc_repo(DATA_DIR / "delicious" / "test.txt")
    header = ["model", "P@1", "P@3", "P@5", "train s"]
    official = sparsenet_rows(X_train, Y_train, X_test, Y_test) + tree_peers(X_train, Y_train, X_test, Y_test)
    # a second check on rows no default was chosen on: a fifth of the training split held out
    order = np.random.RandomState(123).permutation(X_train.shape[0])
    held_out, kept = np.sort(order[: X_train.shape[0] // 5]), np.sort(order[X_train.shape[0] // 5:])
    parts = X_train[kept], Y_train[kept], X_train[held_out], Y_train[held_out]
    second = sparsenet_rows(*parts) + tree_peers(*parts)
    report("xmc_delicious", "Delicious (983 labels): default settings against tree peers",
           f"{machine_line(args.threads)}\n\nThe data set's own train/test split (12,920 / 3,185 rows):\n\n"
           f"{markdown_table(header, official)}\n\nTrained on four fifths of the training split, tested on the "
           f"other fifth (2,584 rows, permutation seed 123):\n\n{markdown_table(header, second)}")


def bibtex():
    X_train, Y_train = load_xc_repo(DATA_DIR / "bibtex" / "train.txt")
    X_test, Y_test = load_xc_repo(DATA_DIR / "bibtex" / "test.txt")
    header = ["model", "P@1", "P@3", "P@5", "train s"]
    epochs = []
    rows = sparsenet_rows(X_train, Y_train, X_test, Y_test, epochs=epochs) + tree_peers(X_train, Y_train, X_test, Y_test)
    report("xmc_bibtex", "Bibtex (159 labels): default settings against tree peers",
           f"{machine_line(args.threads)}\n\nThe Extreme Classification Repository's standard split "
           f"({X_train.shape[0]:,} / {X_test.shape[0]:,} rows, {X_train.shape[1]:,} binary features, "
           f"{Y_train.shape[1]} labels):\n\n{markdown_table(header, rows)}\n\nPublished P@1/3/5 on this "
           "split (Extreme Classification Repository): Parabel 64.53/38.56/27.94, PfastreXML "
           "63.46/39.22/29.14. omikuji's defaults are Parabel's; napkinXC's PLT is a Parabel-like "
           "label tree. Train seconds are the fit for sparsenet and fit + predict for the peers. "
           f"sparsenet's epochs (`n_iter_`, random_state 0-3): {', '.join(map(str, epochs))} "
           "(early_stopping='auto': a held-out tenth from 2,500 rows, the best epoch kept).")


FASTTEXT_SETTINGS = (
    ("defaults", {}),
    ("the tutorial's tuned settings: lr 1.0, 25 epochs, word bigrams", {"lr": 1.0, "epoch": 25, "wordNgrams": 2}),
    ("tuned, one-vs-all loss: lr 0.5, 25 epochs, word bigrams, loss ova",
     {"lr": 0.5, "epoch": 25, "wordNgrams": 2, "loss": "ova"}),
)


def fasttext_rows(train_file, texts, Y_test, label_names, runs=4):
    """fastText 0.10.4 with each of FASTTEXT_SETTINGS, `runs` runs each (seeds 0 to
    runs - 1; with 2 threads its runs differ anyway). A run that raises (fastText stops
    with "Encountered NaN" at large learning rates) is counted, not scored."""
    import fasttext

    column = {name: j for j, name in enumerate(label_names)}
    rows = []
    for name, settings in FASTTEXT_SETTINGS:
        scores, seconds, failures = [], [], []
        for seed in range(runs):
            try:
                with Timer() as timer:
                    model = fasttext.train_supervised(train_file, thread=args.threads, seed=seed, verbose=0, **settings)
                    predicted = model.predict(texts, k=5)[0]
            except (RuntimeError, ValueError) as error:
                failures.append(str(error))
                continue
            top = np.array([[column[label] for label in row] for row in predicted])
            scores.append([100 * precision_at_k(Y_test, top, k) for k in (1, 3, 5)])
            seconds.append(timer.seconds)
        title = f"fastText 0.10.4, {name}"
        if failures:
            title += f" ({len(failures)} of {runs} runs raised: {failures[0]!r})"
        rows.append(mean_row(title, scores, seconds, " (fit + predict)") if scores else [title, "", "", "", ""])
        print(rows[-1], flush=True)
    return rows


def cooking():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from _data import load_cooking
    from sparsenet import UDTClassifier

    (train_texts, Y_train), (test_texts, Y_test), label_names = load_cooking(with_label_names=True)
    column = np.array(train_texts, dtype=object).reshape(-1, 1)
    test_column = np.array(test_texts, dtype=object).reshape(-1, 1)
    header = ["model", "P@1", "P@3", "P@5", "train s"]
    epochs = []
    rows = sparsenet_rows(column, Y_train, test_column, Y_test, epochs=epochs, estimator=UDTClassifier,
                          name="sparsenet UDTClassifier on the raw text")
    rows += fasttext_rows(str(DATA_DIR / "cooking" / "cooking.train"), test_texts, Y_test, label_names)
    # the trees need a vector space: TF-IDF of word uni- and bigrams, fitted on the training
    # questions (not timed)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(train_texts)
    X_train, X_test = vectorizer.transform(train_texts), vectorizer.transform(test_texts)
    rows += tree_peers(X_train.astype(np.float32), Y_train, X_test.astype(np.float32), Y_test)
    report("xmc_cooking", "Cooking tags from raw text (736 labels): UDTClassifier against fastText and tree peers",
           f"{machine_line(args.threads)}\n\nfastText's supervised tutorial split of the cooking.stackexchange "
           f"questions ({len(train_texts):,} training / {len(test_texts):,} validation questions, "
           f"{Y_train.shape[1]} labels, {Y_train.sum() / Y_train.shape[0]:.2f} labels a training question). Four "
           "runs each; train seconds are the fit for UDTClassifier (featurization included) and fit + predict for "
           "the peers; the trees' TF-IDF features (word uni- and bigrams, sublinear tf, "
           f"{X_train.shape[1]:,} columns) are computed before their clocks start.\n\n{markdown_table(header, rows)}"
           f"\n\nUDTClassifier's epochs (`n_iter_`, random_state 0-3): {', '.join(map(str, epochs))}. The tutorial "
           "reports P@1 0.124 with fastText's defaults and 0.599 with its tuned settings.")


class _Budget:
    """Prints every epoch; with `seconds`, stops training after the first epoch from which
    `planned` epochs would take longer than that (the epochs so far projected forward)."""

    def __init__(self, name, seconds=float("inf"), planned=None):
        from sparsenet.callbacks import Callback

        self.name, self.seconds, self.planned = name, seconds, planned
        self.spent, self.projected, self.stopped = 0.0, 0.0, False
        budget = self

        class Printer(Callback):
            def on_epoch_end(self, estimator, info):
                budget.spent += info.seconds
                score = "" if info.validation_score is None else f", validation {info.validation_score:.4f}"
                print(f"  {budget.name} epoch {info.epoch}: loss {info.loss:.4f}{score}, {info.seconds:.1f} s", flush=True)
                if budget.planned:
                    budget.projected = budget.spent / info.epoch * budget.planned
                    budget.stopped = info.epoch < budget.planned and budget.projected > budget.seconds
                return budget.stopped

        self.callback = Printer()


def word_scores(y_test, top, n_labels):
    """P@1, P@5 and recall@10 (in %) of single-label rows against ranked label ids."""
    from scipy import sparse

    from sparsenet.metrics import recall_at_k

    Y = sparse.csr_matrix((np.ones(len(y_test)), (np.arange(len(y_test)), y_test)), shape=(len(y_test), n_labels))
    top = np.where((top >= 0) & (top < n_labels), top, -1)
    return [100 * precision_at_k(Y, top, 1), 100 * precision_at_k(Y, top, 5), 100 * recall_at_k(Y, top, 10)]


def words():
    from scipy import sparse

    from _text_xmc import held_out_word_data

    with Timer() as timer:
        X_train, y_train, X_test, y_test, info = held_out_word_data(
            args.words_train, args.words_test, vocabulary_size=args.words_vocabulary)
    built = timer.seconds
    V = args.words_vocabulary
    print(f"built {X_train.shape} / {X_test.shape} in {built:.0f} s; {info['train_labels_seen']:,} labels seen", flush=True)
    header = ["model", "P@1", "P@5", "recall@10", "fit s", "predict s", "epochs"]
    rows, notes = [], []

    def add(name, fit_seconds, predict_seconds, top, epochs="n/a"):
        scores = word_scores(y_test, top, V)
        fit_cell = "same fit" if fit_seconds is None else f"{fit_seconds:.0f}"
        rows.append([name, *(f"{v:.2f}" for v in scores), fit_cell, f"{predict_seconds:.1f}", epochs])
        print(rows[-1], flush=True)

    seed = 0
    budget = _Budget("sparsenet sampled")
    clf = SparseMLPClassifier(n_jobs=args.threads, random_state=seed, callbacks=[budget.callback])
    with Timer() as fit_timer:
        clf.fit(X_train, y_train)
    with Timer() as predict_timer:
        top = clf.predict_topk(X_test, 10)
    default_epochs = clf.n_iter_
    add(f"sparsenet SparseMLPClassifier (defaults, random_state {seed})", fit_timer.seconds, predict_timer.seconds,
        top, str(default_epochs))
    with Timer() as predict_timer:
        exact_top = clf.predict_topk(X_test, 10, exact=True)
    add("same model, exact top-k (every label scored)", None, predict_timer.seconds, exact_top, "same fit")
    stats = clf.sampling_stats_
    notes.append(f"Sampled model: output sparsity {auto_output_sparsity(len(clf.classes_))} of "
                 f"{len(clf.classes_):,} output neurons, {stats['mean_active']:.0f} active outputs a sample, "
                 f"LSH recall of the true label {stats['lsh_recall']:.3f}, {stats['table_builds']} table builds "
                 f"({stats['rebuild_seconds']:.1f} s). Its last epoch's `retrieval_curve_[-1]` (the share of a "
                 f"probe of training rows' exact top-10 output neurons the hash tables find): "
                 f"`{clf.retrieval_curve_[-1]}` ({retrieval_cell(clf)} candidates in training / inference).")
    del clf

    # the same network with a dense output layer, as many epochs at most; skipped (after its
    # first epoch) when those epochs would take longer than --dense-budget
    dense = _Budget("sparsenet dense", args.dense_budget, default_epochs)
    clf = SparseMLPClassifier(n_jobs=args.threads, random_state=seed, output_sparsity=1.0, max_iter=default_epochs,
                              callbacks=[dense.callback])
    with Timer() as fit_timer:
        clf.fit(X_train, y_train)
    with Timer() as predict_timer:
        top = clf.predict_topk(X_test, 10)
    name = f"sparsenet, same network with output_sparsity=1.0 (dense), random_state {seed}"
    if dense.stopped:
        partial = word_scores(y_test, top, V)
        rows.append([name, "skipped", "", "", f"over {args.dense_budget:.0f} (projected {dense.projected:.0f})", "",
                     f"{clf.n_iter_} of {default_epochs}"])
        print(rows[-1], flush=True)
        notes.append(f"The dense run was skipped: its first {clf.n_iter_} epoch(s) took {dense.spent:.0f} s, so the "
                     f"default run's {default_epochs} epochs would take about {dense.projected:.0f} s, over the "
                     f"{args.dense_budget:.0f} s budget (`--dense-budget`). After those {clf.n_iter_} epoch(s) it "
                     f"scored P@1 {partial[0]:.2f}, P@5 {partial[1]:.2f}, recall@10 {partial[2]:.2f} (not comparable: "
                     f"far fewer epochs).")
    else:
        add(name, fit_timer.seconds, predict_timer.seconds, top, str(clf.n_iter_))
    del clf

    Y_train = sparse.csr_matrix((np.ones(len(y_train)), (np.arange(len(y_train)), y_train)), shape=(len(y_train), V))
    with tempfile.TemporaryDirectory() as folder:
        train_file = _xc_file(folder, X_train, Y_train)  # written before omikuji's clock starts
        for name, fit, topk in (
            ("omikuji 0.5.2 (defaults)", lambda: omikuji_fit(train_file), omikuji_topk),
            ("napkinXC 0.7.2 PLT (defaults)", lambda: napkinxc_fit(f"{folder}/plt", X_train, Y_train), napkinxc_topk),
        ):
            try:
                with Timer() as fit_timer:
                    model = fit()
                with Timer() as predict_timer:
                    top = topk(model, X_test, 10)
            except Exception as error:  # a peer that fails is reported, not dropped
                rows.append([name, "failed", "", "", "", "", ""])
                notes.append(f"{name} failed: {type(error).__name__}: {error}")
                print(rows[-1], notes[-1], flush=True)
                continue
            add(name, fit_timer.seconds, predict_timer.seconds, top)
            del model
    skipped = " ".join(info["vocabulary"][: info["skip_top"]])
    setup = (f"Held-out word prediction (`benchmarks/_text_xmc.py`): training windows from the "
             f"{info['train_documents']:,} IMDB training reviews and 20 Newsgroups training posts "
             f"({info['train_tokens']:,} tokens), test windows from the {info['test_documents']:,} test "
             f"reviews and posts, so no document gives both. Label vocabulary: the {V:,} most frequent "
             f"training words; the {info['skip_top']} most frequent are never targets, which leaves "
             f"{V - info['skip_top']:,} candidate labels, {info['train_labels_seen']:,} of them among the "
             f"{X_train.shape[0]:,} training rows ({info['test_rows_label_unseen']:,} of the "
             f"{X_test.shape[0]:,} test rows have a word no training row has). Features: the other words "
             f"of a +-{info['window']}-token window, hashed into {info['n_features']:,} buckets, sublinear "
             f"tf, L2-normalised ({X_train.nnz / X_train.shape[0]:.1f} non-zeros a row). Seeded (0), "
             f"rebuilt on each run: {built:.0f} s. One seed for sparsenet (random_state 0); one run each "
             f"for the peers. P@5 of a single-label row is at most 0.2 (1 hit / 5); recall@10 is the "
             f"share of test rows whose word is among the top 10.")
    notes.append(f"Skipped as targets: {skipped}.")
    report("xmc_words", f"Held-out words of IMDB reviews and newsgroup posts ({V:,}-word label vocabulary)",
           f"{machine_line(args.threads)}\n\n{setup}\n\n{markdown_table(header, rows)}\n\n" + "\n\n".join(notes))


def _xc_file(folder, X, Y):
    """X, Y written in the Extreme Classification Repository's text format (omikuji reads it)."""
    path = f"{folder}/train.txt"
    with open(path, "w") as out:
        out.writelines(xc_lines(X, Y))
    return path


def torch_dense_rows_per_second(X, Y, hidden, batches=6):
    """PyTorch dense of the same network (every label scored), timed on a few batches after
    one warm-up batch (single batches vary by 1.5x on this machine: six are averaged)."""
    import torch

    from _torch_mlp import TorchSparseMLP

    model = TorchSparseMLP(X.shape[1], hidden, Y.shape[1], threads=args.threads)
    model.step(X[:256], model.spread_targets(Y[:256]))
    with Timer() as timer:
        for b in range(1, batches + 1):
            rows = slice(256 * b, 256 * (b + 1))
            model.step(X[rows], model.spread_targets(Y[rows]))
    return batches * 256 / timer.seconds, torch.__version__


def torch_dense_fit(X, Y, hidden, epochs, X_test):
    """PyTorch dense of the same network, whole epochs: (seconds, top-5 labels on X_test)."""
    import torch

    from _torch_mlp import TorchSparseMLP

    model = TorchSparseMLP(X.shape[1], hidden, Y.shape[1], threads=args.threads)
    rng = np.random.default_rng(0)
    with Timer() as timer:
        for _ in range(epochs):
            order = rng.permutation(X.shape[0])
            for start in range(0, X.shape[0], 256):
                rows = np.sort(order[start:start + 256])
                model.step(X[rows], model.spread_targets(Y[rows]))
    with torch.no_grad():
        top = torch.topk(model.logits(X_test), 5, dim=1).indices.numpy()
    return timer.seconds, top


RETRIEVAL_HEADER = "tables find of the exact top 10: in training's / inference's candidates"


def retrieval_cell(clf):
    """The last epoch's retrieval (the share of probed training rows' exact top-10 output
    neurons the tables find, with the candidate counts), or n/a for a dense layer."""
    if not clf.retrieval_curve_:
        return "n/a"
    last = clf.retrieval_curve_[-1]
    return (f"{last['training_recall_at_10']:.0%} of {last['training_candidates']:,} / "
            f"{last['inference_recall_at_10']:.0%} of {last['inference_candidates']:,}")


def scale():
    rows = []
    for n_labels in (50_000, 100_000):
        X, Y = make_extreme_classification(args.scale_rows + 5000, 135_909, n_labels, random_state=0)
        X_train, Y_train, X_test, Y_test = X[:args.scale_rows], Y[:args.scale_rows], X[args.scale_rows:], Y[args.scale_rows:]
        settings = [("sparsenet sampled (auto)", "auto")]
        if n_labels <= args.sparsenet_dense_up_to:
            settings.append(("sparsenet dense (output_sparsity=1.0)", 1.0))
        for name, sparsity in settings:
            # the softmax loss of PyTorch's network for both (auto would give the dense
            # multi-label layer a sigmoid per label)
            clf = SparseMLPClassifier(hidden_layer_sizes=(128,), batch_size=256, max_iter=args.epochs,
                                      early_stopping=False, tol=0.0, random_state=0, n_jobs=args.threads,
                                      output_sparsity=sparsity, loss="softmax")
            with Timer() as timer:
                clf.fit(X_train, Y_train)
            exact = precision_at_k(Y_test, clf.predict_topk(X_test, 1, exact=True), 1)
            sparse_p1 = precision_at_k(Y_test, clf.predict_topk(X_test, 1), 1) if sparsity == "auto" else exact
            rows.append([f"{n_labels:,}", name, f"{100 * exact:.2f}", f"{100 * sparse_p1:.2f}",
                         retrieval_cell(clf), f"{timer.seconds:.0f}"])
            print(rows[-1], flush=True)
        seconds, top = torch_dense_fit(X_train, Y_train, 128, args.epochs, X_test)
        rows.append([f"{n_labels:,}", "PyTorch dense", f"{100 * precision_at_k(Y_test, top, 1):.2f}", "n/a", "n/a",
                     f"{seconds:.0f}"])
        print(rows[-1], flush=True)
    table = markdown_table(["labels", "model", "P@1 exact", "P@1 sparse top-k", RETRIEVAL_HEADER, "fit s"], rows)
    report("xmc_scale", f"Generated 50K and 100K labels: sampled against dense training, {args.epochs} epochs",
           f"{machine_line(args.threads)}\n\n{args.scale_rows:,} training rows, 5,000 test rows, hidden 128, "
           f"batch 256, Adam 1e-3.\n\n{table}")


def extreme_sparsenet(X_train, Y_train, X_test, Y_test, family):
    """One epoch of sparsenet on the 670K shape with the given hash family: (name, training
    rows/s, the row's cells after the speed ratio, a note)."""
    clf = SparseMLPClassifier(hidden_layer_sizes=(128,), batch_size=256, max_iter=1, early_stopping=False,
                              random_state=0, n_jobs=args.threads, hash_family=family)
    with Timer() as timer:
        clf.fit(X_train, Y_train)
    rate = X_train.shape[0] / timer.seconds
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"sparsenet {family}: {rate:.0f} rows/s, peak RSS {peak:.2f} GB", flush=True)
    latencies = []
    for i in range(1000):
        row = X_test[i % X_test.shape[0]]
        started = time.perf_counter()
        clf.predict_topk(row, k=5)
        latencies.append(time.perf_counter() - started)
    p50, p99 = np.percentile(latencies, 50) * 1e3, np.percentile(latencies, 99) * 1e3
    with Timer() as timer:
        sparse_top = clf.predict_topk(X_test, k=5)
    sparse_batch = X_test.shape[0] / timer.seconds
    with Timer() as timer:
        exact_top = clf.predict_topk(X_test[:500], k=5, exact=True)
    exact_batch = 500 / timer.seconds
    stats = clf.sampling_stats_
    name = f"sparsenet (output sparsity {auto_output_sparsity(Y_train.shape[1])}, {family})"
    cells = [f"{peak:.2f}", f"{p50:.2f} / {p99:.2f}", f"{sparse_batch:,.0f} sparse, {exact_batch:,.0f} exact",
             retrieval_cell(clf)]
    note = (f"{family}: LSH recall of the true labels {stats['lsh_recall']:.3f}, {stats['mean_active']:.0f} "
            f"active outputs a sample, {stats['table_builds']} table builds ({stats['rebuild_seconds']:.1f} s); "
            f"P@1 on the {X_test.shape[0]:,} held-out rows {100 * precision_at_k(Y_test, sparse_top, 1):.2f} "
            f"sparse top-k; on the first 500, {100 * precision_at_k(Y_test[:500], sparse_top[:500], 1):.2f} "
            f"sparse and {100 * precision_at_k(Y_test[:500], exact_top, 1):.2f} exact.")
    return name, rate, cells, note


def extreme():
    with Timer() as timer:
        X, Y = make_extreme_classification(args.extreme_rows + 2000, random_state=0)
    print(f"generated {X.shape[0]} rows x {X.shape[1]} features, {Y.shape[1]} labels in {timer.seconds:.0f} s", flush=True)
    X_train, Y_train, X_test, Y_test = X[: args.extreme_rows], Y[: args.extreme_rows], X[args.extreme_rows:], Y[args.extreme_rows:]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    results = [extreme_sparsenet(X_train, Y_train, X_test, Y_test, family) for family in args.extreme_families]
    torch_rate, torch_version = torch_dense_rows_per_second(X_train, Y_train, 128)
    print(f"PyTorch dense: {torch_rate:.1f} rows/s", flush=True)
    rows = [[name, f"{rate:,.0f}", f"{rate / torch_rate:.1f}x", *cells] for name, rate, cells, _ in results]
    rows.append([f"PyTorch {torch_version} dense (6 batches)", f"{torch_rate:,.1f}", "1.0x", "n/a", "n/a", "n/a", "n/a"])
    table = markdown_table(["model", "training rows/s (whole fit)", "vs PyTorch", "peak RSS GB (process, so far)",
                            "single-row predict_topk p50 / p99 ms", "batch predict_topk rows/s",
                            RETRIEVAL_HEADER], rows)
    notes = (f"{args.extreme_rows:,} generated training rows, 1 epoch, hash families in the order of the rows "
             f"(peak RSS is the process's so far, including the generated data: {before:.2f} GB before the "
             "first fit). Retrieval is the share of probed training rows' exact top 10 output neurons "
             "(by the model itself) that the tables return among training's and inference's candidates.\n\n"
             + "\n\n".join(note for *_, note in results))
    report("xmc_extreme", "Amazon-670K shape (135,909 features, 670,091 labels, hidden 128, batch 256)",
           f"{machine_line(args.threads)}\n\n{table}\n\n{notes}")


# extreme first: its peak memory is the process's peak so far, which the other sections'
# dense baselines would raise
SECTIONS = {"extreme": extreme, "delicious": delicious, "bibtex": bibtex, "cooking": cooking, "words": words,
            "scale": scale}
for name in args.sections:
    if name not in SECTIONS:
        raise SystemExit(f"section {name!r} is not written yet; available: {sorted(SECTIONS)}")
for name in SECTIONS:
    if name in args.sections:
        SECTIONS[name]()
