"""A two-minute tour: train SparseMLPClassifier on the bundled SMS spam data.

Run with ``python -m sparsenet.demo``. Texts are hashed into 2**18 sparse features
(unigrams and bigrams); the network reads only each message's nonzero features.
"""
import time
import warnings

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split

from sparsenet import SparseMLPClassifier, openmp_enabled
from sparsenet.datasets import load_sms_spam


def main():
    texts, labels = load_sms_spam()
    train_texts, test_texts, y_train, y_test = train_test_split(
        texts, labels, test_size=0.25, stratify=labels, random_state=0
    )
    vectorizer = HashingVectorizer(n_features=2**18, ngram_range=(1, 2), alternate_sign=False)
    X_train, X_test = vectorizer.transform(train_texts), vectorizer.transform(test_texts)
    print(f"SMS spam: {X_train.shape[0]} training and {X_test.shape[0]} test messages, "
          f"{X_train.shape[1]:,} hashed features, {X_train.nnz / X_train.shape[0]:.0f} nonzeros a row")
    print(f"OpenMP: {'on' if openmp_enabled() else 'off (single-threaded build)'}")

    clf = SparseMLPClassifier(hidden_layer_sizes=(128,), max_iter=10, random_state=0)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ten epochs on purpose: no convergence warning
        clf.fit(X_train, y_train)
    seconds = time.perf_counter() - started
    print(f"\nfit: {clf.n_iter_} epochs in {seconds:.2f} s "
          f"({clf.n_iter_ * X_train.shape[0] / seconds:,.0f} rows/s), final loss {clf.loss_curve_[-1]:.4f}")
    print(f"test accuracy: {clf.score(X_test, y_test):.4f}\n")
    print(classification_report(y_test, clf.predict(X_test), digits=4))

    message = "WINNER!! You have been selected to receive a 1000 prize. Call now to claim"
    row = vectorizer.transform([message])
    latencies = []
    for _ in range(200):
        started = time.perf_counter()
        clf.predict_proba(row)
        latencies.append(time.perf_counter() - started)
    labels_, scores = clf.predict_topk(row, k=2, return_scores=True)
    print(f"{message!r}\n  -> {labels_[0][0]} (p={scores[0][0]:.3f}); "
          f"single-row predict_proba median {np.median(latencies) * 1e3:.2f} ms (featurised row)")


if __name__ == "__main__":
    main()
