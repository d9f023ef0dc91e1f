"""bench_text.py's multi-label contenders: each trains on raw texts and a sparse label
indicator and returns its 5 best labels for every test text (column indices of the
indicator), with its fit and predict seconds.

- fastText: the supervised tutorial's tuned settings for these tags with its one-vs-all
  loss (lr 0.5, 25 epochs, word bigrams, ``loss="ova"``), the better of its two tuned
  recipes in ``results/xmc_cooking.md``;
- TF-IDF + LogisticRegression: the single-label recipe's vectorizer and one binary
  LogisticRegression per tag (one-vs-rest, tags spread over the threads);
- sparsenet: ``UDTClassifier`` with its defaults on the raw texts.
"""
import os
import tempfile

import numpy as np

from _common import Timer
from sparsenet.metrics import top_k_labels

TOP = 5


def fasttext_top(train_texts, Y_train, test_texts, label_names, threads, tokens):
    import fasttext

    column = {name: j for j, name in enumerate(label_names)}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "train.txt")
        with Timer() as prepare:
            order = np.random.default_rng(0).permutation(len(train_texts))
            lines = [" ".join(label_names[Y_train.indices[Y_train.indptr[i]:Y_train.indptr[i + 1]]])
                     + " " + tokens(train_texts[i]) + "\n" for i in order]
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(lines)
        with Timer() as train:
            model = fasttext.train_supervised(input=path, lr=0.5, epoch=25, wordNgrams=2, loss="ova",
                                              thread=threads, seed=0, verbose=0)
    with Timer() as predict:
        predicted, _ = model.predict([tokens(text) for text in test_texts], k=TOP)
        top = np.array([[column[label] for label in row] for row in predicted])
    recipe = "lr=0.5, epoch=25, wordNgrams=2, loss='ova'"
    return top, prepare.seconds + train.seconds, predict.seconds, recipe


def tfidf_lr_top(train_texts, Y_train, test_texts, threads, tfidf, logreg):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(**tfidf), OneVsRestClassifier(LogisticRegression(**logreg), n_jobs=threads))
    with Timer() as fit:
        model.fit(train_texts, Y_train)
    with Timer() as predict:
        top = top_k_labels(model.decision_function(test_texts), TOP)
    return top, fit.seconds, predict.seconds, "the same TF-IDF, one LogisticRegression per tag"


def sparsenet_top(train_texts, Y_train, test_texts, threads, seed):
    from sparsenet import UDTClassifier

    model = UDTClassifier(n_jobs=threads, random_state=seed)
    with Timer() as fit:
        model.fit(train_texts, Y_train)
    with Timer() as predict:
        top = model.predict_topk(test_texts, k=TOP)
    return np.asarray(top), fit.seconds, predict.seconds, f"UDTClassifier(n_jobs={threads}, random_state={seed})"
