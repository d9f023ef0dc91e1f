"""Fuzzing the parameters: every parameter at and near its bounds (sampled output layers with
one table or a thousand, one hash or twenty, buckets of one; batches of one; step sizes from
1e-300 to 1e300; threads from one to far more than cores), and values just outside the bounds,
booleans where integers belong included.

Properties: valid parameters fit, and the model answers as check_answers says; a step size
or penalty large enough to diverge may instead raise a clear ValueError, after which the
model answers with finite numbers or refuses clearly, never with NaN; invalid parameters
are refused with a clear ValueError/TypeError, by fit, partial_fit and predict_topk's k.
Thread counts: any n_jobs answers bit for bit as one thread does.
"""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from _common import attempt, check_answers, counted, stress_settings
from _models import MODELS, problem, tiny
from sparsenet.mlp._parameters import EARLY_STOPPING_FROM_ROWS

VALID = {
    "hidden_layer_sizes": [1, (1,), (4,), [3], (1, 1), (8, 2)],
    "alpha": [0.0, 1e-12, 1e-4, 10.0],
    "batch_size": [1, 2, "auto", 10**9],
    "learning_rate": [1e-300, 1e-12, 1e-3, 0.1],
    "learning_rate_schedule": ["constant", "linear"],
    "max_iter": [1, 2],
    "loss": ["auto", "softmax", "binary"],
    "shuffle": [True, False],
    "random_state": [None, 0, 2**32 - 1],
    "tol": [0.0, 1e300],
    "warm_start": [True, False],
    "early_stopping": [False, True, "auto"],
    "validation_fraction": [1e-9, 0.1, 0.5],
    "n_iter_no_change": [1, 10**9],
    "beta_1": [0.0, 0.5, 0.999999],
    "beta_2": [0.5, 0.999, 1 - 1e-12],
    "epsilon": [1e-300, 1e-45, 1e-8, 1.0, 1e300],
    "n_jobs": [None, 1, 2, -1, -2, -100],
    "output_sparsity": ["auto", 1.0, 1e-9, 0.01, 0.5, 0.999],
    "hash_family": ["dwta", "simhash", "mips"],
    "n_tables": ["auto", 1, 2, 1000],
    "hashes_per_table": ["auto", 1, 20],
    "bucket_capacity": ["auto", 1, 10**6],
    "rebuild_interval": [1, 10**9],
    "rebuild_growth": [1.0, 1.5, 1e300],
    "redraw_hashes_every": [0, 1, 10**6],
}
# valid, but such that training may diverge (a large step or penalty; beta_2 = 0, whose
# second moment forgets at once, so a vanishing gradient meets a remembered first moment):
# a clear ValueError is then an answer
DIVERGING = {"learning_rate": [10.0, 1e6, 1e300, np.inf], "alpha": [1e6, 1e30, 1e300], "beta_2": [0.0]}
INVALID = {
    "hidden_layer_sizes": [0, (0,), (), (-1,), (2.5,), "8", None, True, (True,), (4, False)],
    "alpha": [-1e-9, np.nan, "0.1", None],
    "batch_size": [0, -1, 2.5, "big", True],
    "learning_rate": [0, 0.0, -1e-3, np.nan, None],
    "learning_rate_schedule": ["cosine", None],
    "max_iter": [0, -1, 1.5, None, True],
    "loss": ["hinge", None],
    "tol": [-1.0, np.nan],
    "early_stopping": ["sometimes", 2],
    "validation_fraction": [0.0, 1.0, -0.5, np.nan],
    "n_iter_no_change": [0, 0.5, True],
    "beta_1": [1.0, -0.1, np.nan],
    "beta_2": [1.0, 2.0],
    "epsilon": [0.0, -1e-8, np.nan],
    "n_jobs": [0, 1.5, "2", True, False],
    "output_sparsity": [0.0, 1.5, -0.1, np.nan, "half", True],
    "hash_family": ["minhash", None],
    "n_tables": [0, 1001, 1.5, True],
    "hashes_per_table": [0, 21, True],
    "bucket_capacity": [0, -3, True],
    "rebuild_interval": [0, True],
    "rebuild_growth": [0.999, np.nan],
    "redraw_hashes_every": [-1, 0.5, True],
    "random_state": ["seed", -1, 1.5],
}


def parameters(table):
    """Any subset of the parameters of ``table``, each with one of its listed values."""
    return st.fixed_dictionaries({}, optional={name: st.sampled_from(values) for name, values in table.items()})


@st.composite
def training_data(draw, max_rows=24):
    """(X, y, multilabel): a few rows, a few classes (or a 0/1 indicator), dense or CSR X."""
    n_rows = draw(st.integers(1, max_rows))
    X, y = problem(n_rows, n_classes=draw(st.integers(1, 6)), seed=draw(st.integers(0, 3)))
    multilabel = draw(st.integers(0, 4)) == 0
    if multilabel:
        y = (np.random.default_rng(n_rows).random((n_rows, draw(st.integers(2, 6)))) < 0.4).astype(int)
    if draw(st.booleans()):
        X = sparse.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    return X, y, multilabel


def answers_after(model, X, multilabel, y):
    """check_answers on the training rows of a fitted model."""
    check_answers(model, X, X.shape[0], multilabel=multilabel, sparse_targets=sparse.issparse(y), k=2)


@stress_settings(500)
@given(params=parameters(VALID), risky=parameters(DIVERGING), data=training_data())
@counted
def fuzz_valid_parameters(params, risky, data):
    X, y, multilabel = data
    model = tiny(**{**params, **risky})
    _, error = attempt(model.fit, X, y)
    if error is not None:
        # the data-dependent refusals the docs allow: a validation share that leaves no
        # training rows, or a step / penalty that made the loss overflow
        empty_split = model.early_stopping is True or (model.early_stopping == "auto" and X.shape[0] >= EARLY_STOPPING_FROM_ROWS)
        assert risky or empty_split, f"valid parameters {params} were refused: {error!r}"
        if hasattr(model, "network_"):
            # a diverged model answers with the weights of its last finite step, or (when
            # even those are not finite) refuses clearly: never with NaN
            proba, refusal = attempt(model.predict_proba, X)
            assert refusal is not None or np.isfinite(proba).all(), "a diverged model answers with NaN/inf"
        return
    answers_after(model, X, multilabel, y)


# 250: about every (parameter, value, method) there is
@stress_settings(250)
@given(name=st.sampled_from(sorted(INVALID)), data=st.data(),
       method=st.sampled_from(["fit", "partial_fit", "set_params"]))
@counted
def fuzz_invalid_parameters(name, data, method):
    value = data.draw(st.sampled_from(INVALID[name]), label="value")
    X, y = problem(10)
    model = tiny()
    if method == "fit":
        _, error = attempt(model.set_params(**{name: value}).fit, X, y)
    elif method == "partial_fit":
        _, error = attempt(model.set_params(**{name: value}).partial_fit, X, y, classes=np.unique(y))
    else:
        # a fitted model refit with the invalid value (warm start continues training)
        model.fit(X, y)
        _, error = attempt(model.set_params(warm_start=True, **{name: value}).fit, X, y)
    assert error is not None, f"{name}={value!r} was accepted by {method}"


@stress_settings(1500)
@given(name=st.sampled_from(sorted(MODELS)),
       k=st.one_of(st.integers(-3, 4600),
                   st.sampled_from([True, False, 1.0, 2.5, "1", None, np.int64(2), np.uint8(1)])),
       exact=st.booleans(), n_rows=st.integers(1, 20))
@counted
def fuzz_topk_k(name, k, exact, n_rows):
    """predict_topk's k: an integer in [1, n_classes] answers n_rows x k; anything else
    (booleans too) is refused."""
    model = MODELS[name].model
    X, _ = problem(n_rows, seed=1)
    result, error = attempt(model.predict_topk, X, k, return_scores=True, exact=exact)
    valid = isinstance(k, (int, np.integer)) and not isinstance(k, bool) and 1 <= k <= len(model.classes_)
    assert (error is None) == valid, f"k={k!r} for {len(model.classes_)} classes: {error!r}"
    if valid:
        labels, scores = result
        assert labels.shape == scores.shape == (n_rows, k) and np.isfinite(scores).all()


# the costliest examples of the suite (a few thousand outputs): a few of them
@stress_settings(30)
@given(n_classes=st.integers(4001, 6000), params=parameters({
    "hash_family": VALID["hash_family"], "n_tables": ["auto", 1, 2], "hashes_per_table": VALID["hashes_per_table"],
    "bucket_capacity": VALID["bucket_capacity"], "rebuild_interval": VALID["rebuild_interval"],
    "redraw_hashes_every": VALID["redraw_hashes_every"]}),
       n_rows=st.integers(1, 20), calls=st.integers(1, 2))
@counted
def fuzz_many_classes(n_classes, params, n_rows, calls):
    """Above 4,000 classes the output layer is sampled by default: stream a few batches
    through it and check every answer (predict_topk both from the tables and exactly)."""
    X, _ = problem(n_rows, seed=n_classes)
    y = np.random.default_rng(n_classes).integers(0, n_classes, n_rows)
    model = tiny(**params)
    for _ in range(calls):
        model.partial_fit(X, y, classes=np.arange(n_classes))
    assert model.sampling_stats_ is not None, "no sampled output layer above 4,000 classes"
    check_answers(model, X, n_rows, k=5)


# n_jobs far above the cores: capped (with a warning) or refused clearly, never a crash
HUGE_N_JOBS = (32768, 10**5, 10**6)


@stress_settings(150)
@given(n_jobs=st.sampled_from([None, 1, 2, 3, 4, 8, -1, -2, -1000, *HUGE_N_JOBS]),
       data=training_data(max_rows=40), sampled=st.booleans())
@counted
def fuzz_thread_counts(n_jobs, data, sampled):
    """Any n_jobs fits and answers (or, far above the cores, is refused clearly); and with
    the same seed the answers are those of one thread, bit for bit (the README's promise)."""
    X, y, multilabel = data
    settings = dict(max_iter=2, output_sparsity=0.5 if sampled else "auto")
    model, error = attempt(tiny(n_jobs=n_jobs, **settings).fit, X, y)
    if error is not None:
        assert n_jobs in HUGE_N_JOBS, f"n_jobs={n_jobs} was refused: {error!r}"
        return
    answers_after(model, X, multilabel, y)
    reference = tiny(n_jobs=1, **settings).fit(X, y)
    assert np.array_equal(model.predict_proba(X), reference.predict_proba(X)), f"n_jobs={n_jobs} differs from 1 thread"
