"""``sparsenet demo``: the main job in under two minutes on two cores, on data the package
carries or generates.

1. UDTClassifier on the bundled SMS spam messages, from the raw texts.
2. SparseMLPClassifier on a generated extreme problem of 100,000 labels, trained with its
   LSH-sampled output layer, and the same network trained dense for a few batches to time
   it: the speed-up is what sampling buys.
"""
import time
import warnings

import numpy as np
from sklearn.model_selection import train_test_split

from sparsenet.datasets import load_sms_spam, make_extreme_classification
from sparsenet.metrics import precision_at_k
from sparsenet.mlp import SparseMLPClassifier
from sparsenet.native._openmp import openmp_enabled, resolve_n_threads
from sparsenet.udt import UDTClassifier

EXTREME_SHAPE = dict(n_samples=44_000, n_features=50_000, n_labels=100_000)
EXTREME_TEST_ROWS = 4_000
DENSE_TIMED_ROWS = 1_024  # after one warm-up batch


def _single_row_latency(predict, row, repeats=200):
    latencies = []
    for _ in range(repeats):
        started = time.perf_counter()
        predict(row)
        latencies.append(time.perf_counter() - started)
    return np.median(latencies) * 1e3


def sms_spam(random_state):
    texts, labels = load_sms_spam()
    train_texts, test_texts, y_train, y_test = train_test_split(
        texts, labels, test_size=0.25, stratify=labels, random_state=0)
    print(f"1. SMS spam (bundled): {len(train_texts):,} training and {len(test_texts):,} test messages, raw texts")
    model = UDTClassifier(random_state=random_state)
    started = time.perf_counter()
    model.fit(train_texts, y_train)
    seconds = time.perf_counter() - started
    print(f"   UDTClassifier: fit {seconds:.2f} s ({model.n_iter_} epochs), "
          f"test accuracy {model.score(test_texts, y_test):.4f}")
    message = "WINNER!! You have been selected to receive a 1000 prize. Call now to claim"
    print(f"   {message!r} -> {model.predict([message])[0]}; one row from raw text in "
          f"{_single_row_latency(model.predict, [message]):.2f} ms (median)")


def extreme(random_state, max_iter):
    started = time.perf_counter()
    X, Y = make_extreme_classification(**EXTREME_SHAPE, random_state=random_state)
    X_train, Y_train = X[:-EXTREME_TEST_ROWS], Y[:-EXTREME_TEST_ROWS]
    X_test, Y_test = X[-EXTREME_TEST_ROWS:], Y[-EXTREME_TEST_ROWS:]
    print(f"\n2. Extreme classification (generated in {time.perf_counter() - started:.1f} s): "
          f"{Y.shape[1]:,} labels, {X.shape[1]:,} sparse features, {X_train.shape[0]:,} training rows, "
          f"{Y.sum() / Y.shape[0]:.1f} labels a row")
    sampled = SparseMLPClassifier(max_iter=max_iter, random_state=random_state)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a fixed number of epochs on purpose
        sampled.fit(X_train, Y_train)
    seconds = time.perf_counter() - started
    sampled_rate = sampled.n_iter_ * X_train.shape[0] / seconds
    active = sampled._sampling_plan.min_active if sampled._sampling_plan is not None else Y.shape[1]
    print(f"   sampled output layer (about {active:,} of {Y.shape[1]:,} neurons a row): fit {seconds:.1f} s, "
          f"{sampled.n_iter_} epochs, {sampled_rate:,.0f} rows/s")
    ranked = sampled.predict_topk(X_test, 5)
    print(f"   test P@1 {precision_at_k(Y_test, ranked, 1):.4f}, P@5 {precision_at_k(Y_test, ranked, 5):.4f}; "
          f"one row's top 5 in {_single_row_latency(lambda r: sampled.predict_topk(r, 5), X_test[:1]):.2f} ms")

    dense = SparseMLPClassifier(output_sparsity=1.0, random_state=random_state)
    batch = 256
    dense.partial_fit(X_train[:batch], Y_train[:batch])  # warm-up: allocation, first touch
    started = time.perf_counter()
    dense.partial_fit(X_train[batch:batch + DENSE_TIMED_ROWS], Y_train[batch:batch + DENSE_TIMED_ROWS])
    dense_rate = DENSE_TIMED_ROWS / (time.perf_counter() - started)
    print(f"   the same network dense (all {Y.shape[1]:,} neurons a row), timed on {DENSE_TIMED_ROWS:,} rows: "
          f"{dense_rate:,.0f} rows/s")
    print(f"   sampling trains {sampled_rate / dense_rate:.1f}x faster than dense training of the same network")


def run_demo(*, quick=False, random_state=0):
    """Run both parts; ``quick`` trains the extreme problem for fewer epochs (for tests)."""
    print(f"sparsenet demo: {resolve_n_threads(None)} threads, OpenMP {'on' if openmp_enabled() else 'off'}\n")
    started = time.perf_counter()
    sms_spam(random_state)
    extreme(random_state, max_iter=1 if quick else 10)
    print(f"\ndemo done in {time.perf_counter() - started:.0f} s")
