"""Fuzzing call sequences on one model: fit, partial_fit, set_params (warm starts that change
the step, the loss, the sampling, the threads or the hidden layers), pickle round trips,
joblib dumps loaded as read-only memory maps and trained on, clones, and predictions from
several threads while other threads train.

Properties: every call either succeeds or is a documented refusal (a warm start or
partial_fit after hidden_layer_sizes changed); a pickled or memory-mapped copy answers
exactly as the original; answers stay valid (check_answers) after every step, and
predictions made during training are finite, well-shaped probabilities; concurrent
training calls all run (they are serialised), none is lost.
"""
import os
import pickle
import tempfile
import threading

import joblib
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse
from sklearn.base import clone

from _common import attempt, check_answers, check_probabilities, counted, stress_settings, sums_to_one
from _models import problem, tiny

N_ROWS = 30
CHANGES = st.fixed_dictionaries({}, optional={
    "warm_start": st.booleans(),
    "learning_rate": st.sampled_from([1e-6, 1e-3, 0.05]),
    "max_iter": st.integers(1, 2),
    "batch_size": st.sampled_from([1, 7, "auto"]),
    "loss": st.sampled_from(["auto", "softmax", "binary"]),
    "output_sparsity": st.sampled_from(["auto", 1.0, 0.5, 0.2]),
    "hash_family": st.sampled_from(["dwta", "simhash", "mips"]),
    "n_tables": st.sampled_from(["auto", 1, 3]),
    "n_jobs": st.sampled_from([None, 1, 2]),
    "hidden_layer_sizes": st.sampled_from([(4,), (3,), (4, 2)]),
    "learning_rate_schedule": st.sampled_from(["constant", "linear"]),
})
OPERATIONS = st.one_of(
    st.tuples(st.just("fit")), st.tuples(st.just("partial_fit"), st.integers(1, N_ROWS)),
    st.tuples(st.just("set_params"), CHANGES), st.tuples(st.just("pickle")), st.tuples(st.just("mmap")),
    st.tuples(st.just("clone")), st.tuples(st.just("threads"), st.integers(2, 4)),
)


def data_for(multilabel, sparse_x):
    """(X, y, classes) of the sequences: 30 rows, 4 classes or a 5-label indicator."""
    X, y = problem(N_ROWS, n_classes=4, seed=3)
    if multilabel:
        y = (np.random.default_rng(3).random((N_ROWS, 5)) < 0.4).astype(int)
    if sparse_x:
        X = sparse.csr_matrix(np.where(np.abs(X) > 0.3, X, 0.0))
    return X, y, (None if multilabel else np.arange(4))


def same_answers(original, copy, X):
    """A copy (pickled, memory-mapped) answers exactly as the original."""
    np.testing.assert_array_equal(copy.predict_proba(X), original.predict_proba(X))
    np.testing.assert_array_equal(copy.predict_topk(X, 2), original.predict_topk(X, 2))


def predictions_while_training(model, X, y, classes, n_predictors, n_trainers=1, rounds=3):
    """Predict from ``n_predictors`` threads while ``n_trainers`` threads call partial_fit
    ``rounds`` times each; return (errors, probability answers, rows trained)."""
    errors, answers, rows = [], [], []
    start = threading.Barrier(n_predictors + n_trainers)

    def predict():
        start.wait()
        for _ in range(rounds * 2):
            try:
                answers.append(model.predict_proba(X))
                model.predict_topk(X, 1)
            except Exception as error:  # collected: any exception fails the example
                errors.append(error)

    def train():
        start.wait()
        for _ in range(rounds):
            try:
                model.partial_fit(X, y, classes=classes)
                rows.append(X.shape[0])
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=predict) for _ in range(n_predictors)]
    threads += [threading.Thread(target=train) for _ in range(n_trainers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread still runs after 60 s"
    return errors, answers, sum(rows)


@stress_settings(250)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=6), multilabel=st.booleans(),
       sparse_x=st.booleans(), start=CHANGES)
@counted
def fuzz_call_sequences(operations, multilabel, sparse_x, start):
    X, y, classes = data_for(multilabel, sparse_x)
    model = tiny(**start)
    trained_hidden = None  # hidden_layer_sizes of the fitted weights
    with tempfile.TemporaryDirectory() as folder:
        for step, (kind, *args) in enumerate(operations):
            fitted = hasattr(model, "network_")
            changed = fitted and tuple(np.atleast_1d(model.hidden_layer_sizes)) != trained_hidden
            if kind == "fit":
                continuing = model.warm_start and fitted
                _, error = attempt(model.fit, X, y)
                assert (error is not None) == (continuing and changed), f"fit: {error!r}"
                if error is None and not continuing:
                    trained_hidden = tuple(np.atleast_1d(model.hidden_layer_sizes))
            elif kind == "partial_fit":
                _, error = attempt(model.partial_fit, X[: args[0]], y[: args[0]], classes=classes)
                assert (error is not None) == changed, f"partial_fit: {error!r}"
                if not fitted:
                    trained_hidden = tuple(np.atleast_1d(model.hidden_layer_sizes))
            elif kind == "set_params":
                model.set_params(**args[0])
            elif kind == "pickle" and fitted:
                copy = pickle.loads(pickle.dumps(model))
                same_answers(model, copy, X)
                model = copy
            elif kind == "mmap" and fitted:
                path = os.path.join(folder, f"model{step}.joblib")
                joblib.dump(model, path)
                copy = joblib.load(path, mmap_mode="r")
                same_answers(model, copy, X)
                model = copy  # later steps train the memory-mapped copy
            elif kind == "clone":
                copy = clone(model)
                assert not hasattr(copy, "network_") and repr(copy.get_params()) == repr(model.get_params())
                model, trained_hidden = copy, None
            elif kind == "threads" and fitted and not changed:
                errors, answers, _ = predictions_while_training(model, X, y, classes, args[0])
                assert not errors, f"errors during concurrent predict/partial_fit: {errors}"
                for proba in answers:
                    check_probabilities(proba, X.shape[0], len(model.classes_), sums_to_one(model, multilabel))
            if hasattr(model, "network_"):
                check_answers(model, X, X.shape[0], multilabel=multilabel, k=2)


@stress_settings(100)
@given(n_trainers=st.integers(2, 3), n_predictors=st.integers(0, 3), sampled=st.booleans(),
       multilabel=st.booleans(), rounds=st.integers(1, 4), n_jobs=st.sampled_from([1, 2]))
@counted
def fuzz_concurrent_training(n_trainers, n_predictors, sampled, multilabel, rounds, n_jobs):
    """Several threads call partial_fit on one model at once (and others predict): every
    call runs (t_ counts all their rows), none fails, the answers stay valid."""
    X, y, classes = data_for(multilabel, sparse_x=False)
    model = tiny(n_jobs=n_jobs, output_sparsity=0.5 if sampled else "auto").partial_fit(X, y, classes=classes)
    before = model.t_
    errors, answers, rows = predictions_while_training(model, X, y, classes, n_predictors, n_trainers, rounds)
    assert not errors, f"errors during concurrent partial_fit: {errors}"
    assert model.t_ == before + rows == before + n_trainers * rounds * N_ROWS, "a concurrent partial_fit was lost"
    for proba in answers:
        assert np.isfinite(proba).all()
    check_answers(model, X, N_ROWS, multilabel=multilabel, k=2)


@stress_settings(60)
@given(sampled=st.sampled_from([False, 0.5, 0.2]), multilabel=st.booleans(), calls=st.integers(1, 3),
       method=st.sampled_from(["partial_fit", "warm_fit"]), n_jobs=st.sampled_from([1, 2]),
       sparse_x=st.booleans(), rows=st.integers(4, N_ROWS), rebuild_interval=st.sampled_from([1, 50]))
@counted
def fuzz_memory_mapped_training(sampled, multilabel, calls, method, n_jobs, sparse_x, rows, rebuild_interval):
    """A model loaded with joblib.load(mmap_mode="r") (read-only arrays) trains on, its
    hash tables rebuilt at every step or rarely."""
    X, y, classes = data_for(multilabel, sparse_x)
    model = tiny(n_jobs=n_jobs, output_sparsity=sampled or "auto", rebuild_interval=rebuild_interval).fit(X, y)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.joblib")
        joblib.dump(model, path)
        loaded = joblib.load(path, mmap_mode="r")
        same_answers(model, loaded, X)
        for _ in range(calls):
            # training on a few of the rows: the classes stay those of the first fit
            if method == "partial_fit":
                loaded.partial_fit(X[:rows], y[:rows], classes=classes)
            else:
                loaded.set_params(warm_start=True).fit(X[:rows], y[:rows])
        check_answers(loaded, X, N_ROWS, multilabel=multilabel, k=2)
