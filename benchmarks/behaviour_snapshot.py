"""Save, or compare against, the outputs of fixed fits: a check that a refactoring changed
nothing (bit for bit), not a benchmark.

    python benchmarks/behaviour_snapshot.py save DIR      # on the code before the change
    python benchmarks/behaviour_snapshot.py compare DIR   # on the code after it

Each case fits a model with a fixed ``random_state`` and keeps what it predicts
(``predict_proba``, top-k labels); ``compare`` reports, per case, whether every array is
identical. Real data sets are read from ``../shared/data`` (cases whose data is missing are
skipped). The arrays are not committed: they come from the code under test.
"""
import argparse
import sys
import time
from pathlib import Path

from _common import pin_threads

pin_threads(2)

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import HashingVectorizer  # noqa: E402

from _data import load_imdb, load_letter  # noqa: E402
from sparsenet import SparseMLPClassifier, UDTClassifier  # noqa: E402
from sparsenet.datasets import load_sms_spam, make_extreme_classification  # noqa: E402


def letter(hidden=(256,), **params):
    X, y, X_test, _ = load_letter()
    clf = SparseMLPClassifier(hidden, batch_size=256, max_iter=10, alpha=0.0, random_state=0, **params)
    clf.fit(X, y)
    return {"proba": clf.predict_proba(X_test), "loss": np.array(clf.loss_curve_)}


def imdb_hashed():
    texts, y, test_texts, _ = load_imdb()
    vectorizer = HashingVectorizer(n_features=2**18, ngram_range=(1, 2), alternate_sign=False)
    X, X_test = vectorizer.transform(texts[:5000]), vectorizer.transform(test_texts[:2000])
    clf = SparseMLPClassifier((64,), max_iter=2, random_state=0).fit(X, y[:5000])
    return {"proba": clf.predict_proba(X_test)}


def generated(n_labels, **params):
    X, Y = make_extreme_classification(4000, 20_000, n_labels, random_state=0)
    clf = SparseMLPClassifier((64,), max_iter=3, random_state=0, **params).fit(X[:3000], Y[:3000])
    out = {"proba": clf.predict_proba(X[3000:3500]).astype(np.float32),
           "top_exact": clf.predict_topk(X[3000:], k=5, exact=True)}
    if n_labels >= 4000:  # a sampled output layer by default: sparse top-k differs from exact
        out["top_sparse"] = clf.predict_topk(X[3000:], k=5)
    return out


def partial_fit_stream():
    X, y, X_test, _ = load_letter()
    clf = SparseMLPClassifier((64, 32), random_state=0)
    for start in range(0, 8000, 2000):
        clf.partial_fit(X[start:start + 2000], y[start:start + 2000], classes=np.unique(y))
    return {"proba": clf.predict_proba(X_test)}


def udt_sms():
    texts, labels = load_sms_spam()
    clf = UDTClassifier(random_state=0).fit(texts[:4000], labels[:4000])
    return {"proba": clf.predict_proba(texts[4000:])}


CASES = {
    "letter": letter,
    "letter_two_layers_early_stopping": lambda: letter((64, 32), early_stopping=True, n_iter_no_change=2),
    "letter_linear_schedule_one_thread": lambda: letter(learning_rate_schedule="linear", n_jobs=1),
    "imdb_hashed": imdb_hashed,
    "dense_2000_labels_binary": lambda: generated(2000),
    "dense_2000_labels_softmax": lambda: generated(2000, loss="softmax"),
    "sampled_20000_labels": lambda: generated(20_000),
    "sampled_20000_labels_simhash": lambda: generated(20_000, hash_family="simhash"),
    "partial_fit_stream": partial_fit_stream,
    "udt_sms": udt_sms,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["save", "compare"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    differences = 0
    for name in args.cases:
        started = time.perf_counter()
        try:
            arrays = CASES[name]()
        except FileNotFoundError as missing:
            print(f"{name}: skipped ({missing.filename} not found; set SPARSENET_DATA)")
            continue
        seconds = time.perf_counter() - started
        path = args.folder / f"{name}.npz"
        if args.mode == "save":
            np.savez(path, **arrays)
            print(f"{name}: saved {', '.join(arrays)} ({seconds:.1f} s)")
            continue
        if not path.exists():
            print(f"{name}: nothing saved to compare with ({path} is missing)")
            differences += 1
            continue
        saved = np.load(path)
        same = {key: bool(np.array_equal(saved[key], value)) for key, value in arrays.items()}
        verdict = "identical" if all(same.values()) else "DIFFERENT"
        differences += not all(same.values())
        detail = ", ".join(f"{key} {'=' if ok else '!='}" for key, ok in same.items())
        print(f"{name}: {verdict} ({detail}; {seconds:.1f} s)")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
