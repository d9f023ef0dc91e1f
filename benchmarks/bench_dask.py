"""Data-parallel training on a Dask cluster against one process, at equal epochs.

Contenders, every one on 1 thread per process (OMP_NUM_THREADS pinned for all):

- one process: ``SparseMLPClassifier.fit``;
- 2 replicas in this process: ``fit_distributed`` without a client (the rounds and the
  averaging, no cluster), which separates the algorithm's cost from the cluster's;
- 2 workers x 1 thread: ``fit_distributed`` on a ``distributed.LocalCluster`` of two worker
  processes, the two row halves sent to the workers as in-memory partitions.

Problems: Letter (16 dense features, 26 classes, 16,000 training rows, 20 epochs),
hashed 20 Newsgroups (2^18 sparse features, 20 classes, 11,314 training rows, 5 epochs),
and Adult's raw table through ``UDTClassifier`` with its defaults (14 columns, 32,561
rows, in random order; each partition featurized by its own replica's worker; 3 epochs).
Early stopping is off so that every contender runs the same epochs. Throughput is training
rows times epochs per second of fit, the ratio against the one process. Usage:

    python benchmarks/bench_dask.py [--threads 1] [--repeats 2]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report


def options(parser):
    parser.add_argument("--repeats", type=int, default=2, help="fits per contender (median kept)")
    parser.set_defaults(threads=1)


args = parse_args(__doc__, options)

import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.feature_extraction.text import HashingVectorizer  # noqa: E402

from _data import load_20newsgroups, load_adult, load_letter  # noqa: E402
from sparsenet import SparseMLPClassifier, UDTClassifier  # noqa: E402
from sparsenet.distributed import fit_distributed  # noqa: E402


def letter():
    X_train, y_train, X_test, y_test = load_letter()
    settings = dict(hidden_layer_sizes=(256,), batch_size=256, max_iter=20)
    return "Letter (20 epochs)", X_train, y_train, X_test, y_test, settings


def newsgroups():
    train_texts, y_train, test_texts, y_test = load_20newsgroups()
    vectorizer = HashingVectorizer(n_features=2**18, ngram_range=(1, 2))
    settings = dict(hidden_layer_sizes=(128,), batch_size=128, max_iter=5)
    return ("hashed 20 Newsgroups (5 epochs)", vectorizer.transform(train_texts), y_train,
            vectorizer.transform(test_texts), y_test, settings)


def adult():
    X_train, y_train, X_test, y_test = load_adult()
    order = np.random.default_rng(0).permutation(len(y_train))  # the halves: alike, not by file order
    return ("Adult table, UDTClassifier (3 epochs)", X_train.iloc[order].reset_index(drop=True), y_train[order],
            X_test, y_test, None)


def model(settings):
    if settings is None:
        return UDTClassifier(early_stopping=False, random_state=0, n_jobs=args.threads)
    return SparseMLPClassifier(**settings, alpha=0.0, early_stopping=False, tol=0.0,
                               n_iter_no_change=settings["max_iter"] + 1, random_state=0, n_jobs=args.threads)


def halves(X, y):
    n = X.shape[0] // 2
    if hasattr(X, "iloc"):
        return [(X.iloc[:n], y[:n]), (X.iloc[n:], y[n:])]
    return [(X[:n], y[:n]), (X[n:], y[n:])]


def timed(fit):
    seconds = []
    for _ in range(args.repeats):
        with warnings.catch_warnings(), Timer() as timer:
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = fit()
        seconds.append(timer.seconds)
    return clf, float(np.median(seconds)), seconds


def main():
    from distributed import Client, LocalCluster

    rows = []
    with LocalCluster(n_workers=2, threads_per_worker=args.threads, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as client:
        for load in (letter, newsgroups, adult):
            name, X_train, y_train, X_test, y_test, settings = load()
            parts = halves(X_train, y_train)
            contenders = [
                ("one process", lambda: model(settings).fit(X_train, y_train)),
                ("2 replicas in one process", lambda: fit_distributed(model(settings), parts)),
                (f"2 workers x {args.threads} thread", lambda: fit_distributed(model(settings), parts, client=client)),
            ]
            base_rate = None
            for label, fit in contenders:
                clf, seconds, runs = timed(fit)
                rate = clf.n_iter_ * X_train.shape[0] / seconds
                base_rate = base_rate or rate
                accuracy = 100 * clf.score(X_test, y_test)
                rows.append([name, label, f"{seconds:.2f}", f"{rate:,.0f}", f"{rate / base_rate:.2f}x",
                             f"{accuracy:.2f}"])
                print(rows[-1], runs, flush=True)
    table = markdown_table(["problem", "contender", "fit s (median)", "training rows/s", "throughput vs one process",
                            "test accuracy %"], rows)
    report("dask", "Data-parallel training: 2 Dask workers against one process, equal epochs",
           f"{machine_line(args.threads)}\n\n{table}")


if __name__ == "__main__":
    main()
