"""Loaders for the real data sets in ../shared/data used by the benchmarks."""
import gzip
import os
from pathlib import Path

import numpy as np

from sparsenet.datasets import get_data_home

# the development machines keep the real data sets beside the repository
os.environ.setdefault("SPARSENET_DATA", str(Path(__file__).resolve().parents[2] / "shared" / "data"))
DATA_DIR = get_data_home()

_UNESCAPE = {"n": "\n", "t": "\t", "\\": "\\"}


def unescape(text):
    """Undo the TSV escaping of the shared data (\\n, \\t and \\\\)."""
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _UNESCAPE:
            out.append(_UNESCAPE[text[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def load_labelled_tsv(path, label_column="label", text_column="text"):
    """Texts and labels from a gzipped TSV with a header row."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        label_at, text_at = header.index(label_column), header.index(text_column)
        texts, labels = [], []
        for line in handle:
            fields = line.rstrip("\n").split("\t", len(header) - 1)
            texts.append(unescape(fields[text_at]))
            labels.append(fields[label_at])
    return texts, np.array(labels)


def load_imdb():
    """(train_texts, train_labels, test_texts, test_labels) of the IMDB reviews."""
    train = load_labelled_tsv(DATA_DIR / "imdb" / "train.tsv.gz")
    test = load_labelled_tsv(DATA_DIR / "imdb" / "test.tsv.gz")
    return train[0], train[1].astype(int), test[0], test[1].astype(int)


def load_sst2():
    """SST-2: train on ``sst2/train.tsv`` (phrases), test on ``sst2/test.tsv`` (sentences)."""
    train_texts, train_labels = _read_text_label_tsv(DATA_DIR / "sst2" / "train.tsv")
    test_texts, test_labels = _read_text_label_tsv(DATA_DIR / "sst2" / "test.tsv")
    return train_texts, train_labels, test_texts, test_labels


def _read_text_label_tsv(path):
    """``text<TAB>label`` lines, no header (a header line is skipped all the same)."""
    texts, labels = [], []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            text, label = line.rstrip("\n").rsplit("\t", 1)
            if number == 0 and not label.strip().lstrip("-").isdigit():
                continue  # a header row
            texts.append(text.strip())
            labels.append(int(label))
    return texts, np.array(labels)


def load_20newsgroups():
    """20 Newsgroups, "bydate" split: 11,314 training and 7,532 test posts, labels 0-19."""
    train = load_labelled_tsv(DATA_DIR / "20newsgroups" / "train.tsv.gz")
    test = load_labelled_tsv(DATA_DIR / "20newsgroups" / "test.tsv.gz")
    return train[0], train[1].astype(int), test[0], test[1].astype(int)


def load_sms_spam(test_size=0.2, random_state=0):
    """SMS Spam Collection ("ham"/"spam"): seeded stratified 80/20 split of the 5,574 messages."""
    from sklearn.model_selection import train_test_split

    texts, labels = [], []
    with open(DATA_DIR / "sms_spam" / "sms_spam.tsv", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        label_at, text_at = header.index("Label"), header.index("SMS")
        for line in handle:
            fields = line.rstrip("\n").split("\t", 1)
            labels.append(fields[label_at])
            texts.append(fields[text_at])
    train_texts, test_texts, train_labels, test_labels = train_test_split(
        texts, np.array(labels), test_size=test_size, stratify=labels, random_state=random_state)
    return list(train_texts), train_labels, list(test_texts), test_labels


def load_clinc150():
    """CLINC150's in-scope requests (data_full.json): 15,000 training and 4,500 test requests,
    150 intents (the out-of-scope splits are left out; bench_out_of_scope.py reads them)."""
    import json

    with open(DATA_DIR / "clinc150" / "data_full.json", encoding="utf-8") as stream:
        splits = json.load(stream)
    parts = [([text for text, _ in splits[name]], np.array([label for _, label in splits[name]], dtype=object))
             for name in ("train", "test")]
    return parts[0][0], parts[0][1], parts[1][0], parts[1][1]


def load_letter():
    """Letter recognition: first 16,000 rows train, last 4,000 test."""
    raw = np.genfromtxt(DATA_DIR / "letter" / "letter.csv", delimiter=",", skip_header=1, dtype=str)
    X = raw[:, 1:].astype(np.float32)
    y = raw[:, 0]
    return X[:16000], y[:16000], X[16000:], y[16000:]


def load_cooking(with_label_names=False):
    """fastText-format lines: (texts, label sets) of the training and validation files, the
    label sets as one sparse indicator over the labels of both; with ``with_label_names``,
    also the labels' names (``__label__baking``, ...) in the indicator's column order."""
    from sklearn.preprocessing import MultiLabelBinarizer

    parts = []
    for name in ("cooking.train", "cooking.valid"):
        texts, labels = [], []
        with open(DATA_DIR / "cooking" / name, encoding="utf-8") as handle:
            for line in handle:
                tokens = line.split()
                labels.append([t for t in tokens if t.startswith("__label__")])
                texts.append(" ".join(t for t in tokens if not t.startswith("__label__")))
        parts.append((texts, labels))
    binarizer = MultiLabelBinarizer(sparse_output=True).fit(parts[0][1] + parts[1][1])
    data = [(texts, binarizer.transform(labels).tocsr()) for texts, labels in parts]
    return (*data, binarizer.classes_) if with_label_names else data


def load_adult():
    """Adult census (the standard split): two DataFrames of 14 raw columns (numbers as
    numbers, categories as stripped strings) and their income labels."""
    import pandas as pd

    frames = []
    for name in ("adult.train.csv", "adult.test.csv"):
        frame = pd.read_csv(DATA_DIR / "adult" / name, skipinitialspace=True, na_values=["?"])
        labels = frame.pop("income").str.rstrip(".").to_numpy()  # the test file ends labels with "."
        frames.append((frame, labels))
    (X_train, y_train), (X_test, y_test) = frames
    return X_train, y_train, X_test, y_test


def table_families():
    """The three table families the UDT table benchmarks decide on, as (X_train, y_train,
    X_test, y_test): Adult (real, mixed columns), Letter (real, 16 integer features, read
    as a table) and a generated problem (``make_classification``: 20 continuous features,
    4 classes of 3 clusters each)."""
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=30_000, n_features=20, n_informative=10, n_classes=4,
                               n_clusters_per_class=3, random_state=0)
    return {
        "Adult": load_adult(),
        "Letter": load_letter(),
        "generated (make_classification)": (X[:20_000], y[:20_000], X[20_000:], y[20_000:]),
    }


def seven_table_families():
    """table_families and four more of other structure, for the decisions on tables:
    ``make_hastie_10_2`` (a spherical boundary, 12,000 training rows),
    ``make_gaussian_quantiles`` (nested shells, 3 classes, 20,000 rows), and scikit-learn's
    digits and breast-cancer sets (1,300 and 400 training rows, a seeded split)."""
    from sklearn.datasets import load_breast_cancer, load_digits, make_gaussian_quantiles, make_hastie_10_2

    found = dict(table_families())
    X, y = make_hastie_10_2(n_samples=16_000, random_state=0)
    found["hastie_10_2 (generated)"] = (X[:12_000], y[:12_000], X[12_000:], y[12_000:])
    X, y = make_gaussian_quantiles(n_samples=25_000, n_features=6, n_classes=3, random_state=0)
    found["gaussian quantiles (generated)"] = (X[:20_000], y[:20_000], X[20_000:], y[20_000:])
    found["digits"] = _shuffled_split(*load_digits(return_X_y=True), 1_300)
    found["breast cancer"] = _shuffled_split(*load_breast_cancer(return_X_y=True), 400)
    return found


def _shuffled_split(X, y, n_train):
    order = np.random.RandomState(0).permutation(len(y))
    X, y = X[order], y[order]
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]
