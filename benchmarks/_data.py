"""Loaders for the real data sets in ../shared/data used by the benchmarks."""
import gzip
import os
from pathlib import Path

import numpy as np

DATA_DIR = Path(os.environ.get("SPARSENET_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))

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


def load_letter():
    """Letter recognition: first 16,000 rows train, last 4,000 test."""
    raw = np.genfromtxt(DATA_DIR / "letter" / "letter.csv", delimiter=",", skip_header=1, dtype=str)
    X = raw[:, 1:].astype(np.float32)
    y = raw[:, 0]
    return X[:16000], y[:16000], X[16000:], y[16000:]
