"""A two-minute tour on the bundled SMS spam data: SparseMLPClassifier on hashed features,
then UDTClassifier on the raw texts.

Run with ``sparsenet-demo`` (installed with the package) or ``python -m sparsenet.demo``
from outside the source tree. Texts are hashed into sparse features (unigrams and
bigrams); the network reads only each message's nonzero features.
"""
import time
import warnings

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split

from sparsenet import SparseMLPClassifier, UDTClassifier, openmp_enabled
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

    # the same task from raw texts: UDTClassifier featurizes them itself, settings "auto"
    udt = UDTClassifier(random_state=0)
    started = time.perf_counter()
    udt.fit(train_texts, y_train)
    seconds = time.perf_counter() - started
    print(f"\nUDTClassifier on raw texts: fit {seconds:.2f} s ({udt.n_iter_} epochs, "
          f"{udt.featurizer_.feature_hash_range:,} hashed features, character n-grams "
          f"{udt.featurizer_.char_ngrams}), test accuracy {udt.score(test_texts, y_test):.4f}")
    latencies = []
    for _ in range(200):
        started = time.perf_counter()
        udt.predict([message])
        latencies.append(time.perf_counter() - started)
    print(f"{message!r}\n  -> {udt.predict([message])[0]}; single-row predict from raw text "
          f"median {np.median(latencies) * 1e3:.2f} ms (featurizing included)")


if __name__ == "__main__":
    main()
