"""Data-parallel training on a real Dask cluster (a LocalCluster of two worker processes with
one thread each, started and stopped here) reaches the accuracy of single-machine training
with the same epochs: on Letter, on hashed IMDB reviews and on a generated problem of
20,000 labels.

Both fits of a comparison run the same epochs (early stopping off, tol=0) from the same
seed, one thread per process; the two partitions are the halves of rows in random order.
"""
import gzip
import re
import time

import numpy as np
import pytest

from conftest import shared_data
from sparsenet import SparseMLPClassifier, UDTClassifier
from sparsenet.datasets import make_extreme_classification
from sparsenet.distributed import fit_distributed

distributed = pytest.importorskip("distributed", reason="Dask's distributed is not installed (pip install "
                                  "'sparsenet[dask]')")


def halves(X, y):
    n = X.shape[0] // 2
    return [(X[:n], y[:n]), (X[n:], y[n:])]


def fit_both(settings, X, y, client):
    """The single machine's fit and the cluster's, with their seconds (printed, for -s)."""
    started = time.perf_counter()
    single = SparseMLPClassifier(**settings).fit(X, y)
    single_seconds = time.perf_counter() - started
    started = time.perf_counter()
    on_cluster = fit_distributed(SparseMLPClassifier(**settings), halves(X, y), client=client)
    cluster_seconds = time.perf_counter() - started
    print(f"\nfit {single_seconds:.1f} s, fit_distributed on 2 workers {cluster_seconds:.1f} s")
    # the same epochs, so the comparison is the one the claim makes
    assert single.n_iter_ == on_cluster.n_iter_ == settings["max_iter"]
    return single, on_cluster


_ESCAPED = re.compile(r"\\([nt\\])")
_UNESCAPED = {"n": "\n", "t": "\t", "\\": "\\"}


def read_imdb(name):
    """(texts, 0/1 labels) of imdb/<name>.tsv.gz (header ``label rating id text``, with
    \\n, \\t and \\\\ escaped in the text)."""
    with gzip.open(shared_data("imdb", f"{name}.tsv.gz"), "rt", encoding="utf-8") as stream:
        header = stream.readline().rstrip("\n").split("\t")
        label_at, text_at = header.index("label"), header.index("text")
        rows = [line.rstrip("\n").split("\t", len(header) - 1) for line in stream]
    texts = [_ESCAPED.sub(lambda match: _UNESCAPED[match.group(1)], row[text_at]) for row in rows]
    return texts, np.array([int(row[label_at]) for row in rows])


def hashed_imdb(n_train, n_test, n_features):
    """A seeded random subsample of the training and test reviews (the files are sorted by
    label), hashed unigrams and bigrams."""
    from sklearn.feature_extraction.text import HashingVectorizer

    train_texts, train_labels = read_imdb("train")
    test_texts, test_labels = read_imdb("test")
    rng = np.random.default_rng(0)
    train = rng.permutation(len(train_texts))[:n_train]
    test = rng.permutation(len(test_texts))[:n_test]
    vectorizer = HashingVectorizer(n_features=n_features, ngram_range=(1, 2), alternate_sign=False)
    return (vectorizer.transform([train_texts[i] for i in train]), train_labels[train],
            vectorizer.transform([test_texts[i] for i in test]), test_labels[test])


def load_letter():
    raw = np.genfromtxt(shared_data("letter", "letter.csv"), delimiter=",", skip_header=1, dtype=str)
    X = raw[:, 1:].astype(np.float32)
    return X[:16000], raw[:16000, 0], X[16000:], raw[16000:, 0]


def test_letter_on_the_cluster_reaches_the_single_machine_accuracy_at_equal_epochs(client):
    X, y, X_test, y_test = load_letter()
    settings = dict(max_iter=60, early_stopping=False, random_state=0)
    single, on_cluster = fit_both(dict(settings, n_jobs=1), X, y, client)
    single_accuracy, cluster_accuracy = single.score(X_test, y_test), on_cluster.score(X_test, y_test)
    assert single_accuracy > 0.8, single_accuracy  # 26 classes
    assert cluster_accuracy >= single_accuracy - 0.01, (cluster_accuracy, single_accuracy)
    # without the step-size scaling, the replicas' average makes about half the progress
    unscaled = fit_distributed(SparseMLPClassifier(**settings, n_jobs=1), halves(X, y), client=client,
                               learning_rate_scaling="none")
    assert unscaled.score(X_test, y_test) < cluster_accuracy


def test_hashed_imdb_on_the_cluster_reaches_the_single_machine_accuracy_at_equal_epochs(client):
    X, y, X_test, y_test = hashed_imdb(n_train=4000, n_test=4000, n_features=2**17)
    settings = dict(hidden_layer_sizes=(64,), max_iter=3, early_stopping=False, tol=0.0, random_state=0, n_jobs=1)
    single, on_cluster = fit_both(settings, X, y, client)
    single_accuracy, cluster_accuracy = single.score(X_test, y_test), on_cluster.score(X_test, y_test)
    print(f"IMDB accuracy: fit {single_accuracy:.4f}, fit_distributed {cluster_accuracy:.4f}")
    # two balanced classes: chance is 0.5, so the comparison is between models that learned
    assert single_accuracy > 0.8, single_accuracy
    assert cluster_accuracy >= single_accuracy - 0.01, (cluster_accuracy, single_accuracy)


def precision_at_1(clf, X, Y):
    top = clf.predict_topk(X, k=1)[:, 0]
    return float(np.asarray(Y[np.arange(X.shape[0]), top]).ravel().mean())


def test_twenty_thousand_labels_on_the_cluster_reach_the_single_machine_precision_at_equal_epochs(client):
    # multi-label, Zipf label frequencies: most labels are seen a few times, and at 20,000
    # labels the output layer is sampled (1,000 neurons a row)
    X, Y = make_extreme_classification(14_000, 5_000, 20_000, random_state=0)
    X, Y, X_test, Y_test = X[:10_000], Y[:10_000], X[10_000:], Y[10_000:]
    settings = dict(hidden_layer_sizes=(64,), learning_rate=0.005, max_iter=8, early_stopping=False, tol=0.0,
                    random_state=0, n_jobs=1)
    single, on_cluster = fit_both(settings, X, Y, client)
    for clf in (single, on_cluster):
        assert clf.network_.output_sampler is not None and clf.network_.output_sampler.tables.n_builds > 0
    single_p1, cluster_p1 = precision_at_1(single, X_test, Y_test), precision_at_1(on_cluster, X_test, Y_test)
    most_frequent = np.asarray(Y.sum(axis=0)).ravel().argmax()
    baseline = float(Y_test[:, most_frequent].mean())  # always answering the most frequent label
    print(f"20,000 labels P@1: fit {single_p1:.4f}, fit_distributed {cluster_p1:.4f}, "
          f"most frequent label {baseline:.4f}")
    assert single_p1 > 3 * baseline, (single_p1, baseline)
    assert cluster_p1 >= single_p1 - 0.01, (cluster_p1, single_p1)


def read_adult(name):
    """Adult census (the standard split): a DataFrame of 14 raw columns and the income labels."""
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    frame = pd.read_csv(shared_data("adult", name), skipinitialspace=True, na_values=["?"])
    return frame, frame.pop("income").str.rstrip(".").to_numpy()  # the test file ends labels with "."


def test_adult_table_on_the_cluster_reaches_the_single_machine_accuracy_at_equal_epochs(client):
    # UDTClassifier's defaults (3 epochs here), the table a dask DataFrame of two partitions
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    dd = pytest.importorskip("dask.dataframe", reason="dask's DataFrame needs pyarrow", exc_type=ImportError)
    X, y = read_adult("adult.train.csv")
    X_test, y_test = read_adult("adult.test.csv")
    order = np.random.default_rng(0).permutation(len(y))
    X, y = X.iloc[order].reset_index(drop=True), y[order]
    single = UDTClassifier(random_state=0, early_stopping=False).fit(X, y)
    on_cluster = fit_distributed(UDTClassifier(random_state=0, early_stopping=False),
                                 dd.from_pandas(X, npartitions=2, sort=False),
                                 dd.from_pandas(pd.Series(y), npartitions=2, sort=False), client=client)
    assert single.n_iter_ == on_cluster.n_iter_
    single_accuracy, cluster_accuracy = single.score(X_test, y_test), on_cluster.score(X_test, y_test)
    print(f"\nAdult test accuracy: single {single_accuracy:.4f}, 2 workers {cluster_accuracy:.4f}")
    assert single_accuracy > 0.85
    assert cluster_accuracy >= single_accuracy - 0.01
