"""Ctrl-C during fit leaves a usable model; concurrent predictions agree with sequential ones."""
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy import sparse

from sparsenet import SparseMLPClassifier


def wide_sparse_problem(n=4000, n_features=2000, seed=0):
    rng = np.random.default_rng(seed)
    X = sparse.random(n, n_features, density=0.02, random_state=seed, format="csr")
    w = rng.normal(size=(n_features, 4))
    y = np.asarray(X @ w).argmax(axis=1)
    return X, y


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="needs POSIX signals")
def test_ctrl_c_during_fit_returns_a_usable_model():
    X, y = wide_sparse_problem()
    clf = SparseMLPClassifier(
        hidden_layer_sizes=(64,), batch_size=64, max_iter=100_000, tol=0.0,
        n_iter_no_change=100_000, early_stopping=False, random_state=0, n_jobs=1,
    )
    def interrupt_once_training_runs():
        # Ctrl-C arrives mid-fit: after some batches, however fast or slow the build is
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            trainer = getattr(clf, "_adam", None)
            if trainer is not None and trainer.step >= 5:
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(0.01)

    watcher = threading.Thread(target=interrupt_once_training_runs, daemon=True)
    watcher.start()
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    watcher.join()
    assert clf.interrupted_
    assert clf.n_iter_ < 100_000
    assert clf._adam.step >= 5
    assert all(np.isfinite(w).all() for w in clf.coefs_)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    # training can go on from where it stopped
    steps = clf._adam.step
    clf.partial_fit(X, y)
    assert clf._adam.step == steps + int(np.ceil(X.shape[0] / 64))
    assert not clf.interrupted_


def test_concurrent_predictions_match_sequential():
    X, y = wide_sparse_problem(n=1500)
    clf = SparseMLPClassifier(hidden_layer_sizes=(32,), max_iter=5, random_state=0, n_jobs=2).fit(X, y)
    chunks = [X[i : i + 50] for i in range(0, X.shape[0], 50)]
    sequential = [(clf.predict(c), clf.predict_proba(c), clf.predict_topk(c, k=2)) for c in chunks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(lambda c: (clf.predict(c), clf.predict_proba(c), clf.predict_topk(c, k=2)),
                                   chunks * 3))
    for i, result in enumerate(concurrent):
        expected = sequential[i % len(chunks)]
        for got, want in zip(result, expected):
            np.testing.assert_array_equal(got, want)
