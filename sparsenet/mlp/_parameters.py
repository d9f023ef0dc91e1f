"""The parameters of a sparse network, declared once, and what they become in the engine.

``NETWORK_PARAMETER_CONSTRAINTS`` is the one declaration of their constraints:
SparseMLPClassifier takes them all, UDTClassifier builds on the ones it passes through.
The defaults are the estimators' (SparseMLPClassifier's signature); the functions here turn
parameter values into the engine's value objects (AdamSettings, SamplingPlan) and resolve
the "auto" rules that depend on the data. Numeric parameters are NumberIntervals, which
refuse booleans.
"""
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from sparsenet.engine._settings import AdamSettings
from sparsenet.sampling._plan import plan_hidden_sampling, plan_sampling

# n_jobs of at most this many threads, far more than any machine's cores: a larger count is
# a mistake, refused before it reaches the engine's C ints
MAX_N_JOBS = 2**15


class NumberInterval(Interval):
    """An Interval of numbers that refuses booleans.

    scikit-learn's Interval takes True and False for the numbers 1 and 0 (bool is an
    Integral), so ``max_iter=True`` would train one epoch and ``hidden_layer_sizes=True`` a
    layer of one neuron: a bool given for a number is a mistake, refused here.
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)

    def __str__(self):
        return super().__str__().replace(" in the range", " (not a bool) in the range", 1)


# n_jobs: None (every thread OpenMP may use), a thread count, or -k for all CPUs but k - 1
N_JOBS_CONSTRAINTS = [None, NumberInterval(Integral, 1, MAX_N_JOBS, closed="both"),
                      NumberInterval(Integral, -MAX_N_JOBS, -1, closed="both")]
# scikit-learn's "random_state" (a seed, a RandomState or None), without bool seeds
RANDOM_STATE_CONSTRAINTS = [NumberInterval(Integral, 0, 2**32 - 1, closed="both"), np.random.RandomState, None]

NETWORK_PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", NumberInterval(Integral, 1, None, closed="left")],
    "alpha": [NumberInterval(Real, 0, None, closed="left")],
    "batch_size": [NumberInterval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "learning_rate": [NumberInterval(Real, 0, None, closed="neither")],
    "learning_rate_schedule": [StrOptions({"constant", "linear"})],
    "max_iter": [NumberInterval(Integral, 1, None, closed="left")],
    "loss": [StrOptions({"auto", "softmax", "binary"})],
    "shuffle": ["boolean"],
    "random_state": RANDOM_STATE_CONSTRAINTS,
    "tol": [NumberInterval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "callbacks": [None, list, tuple],
    "warm_start": ["boolean"],
    "early_stopping": ["boolean", StrOptions({"auto"})],
    "validation_fraction": [NumberInterval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [NumberInterval(Integral, 1, None, closed="left")],
    "beta_1": [NumberInterval(Real, 0, 1, closed="left")],
    "beta_2": [NumberInterval(Real, 0, 1, closed="left")],
    "epsilon": [NumberInterval(Real, 0, None, closed="neither")],
    "n_jobs": N_JOBS_CONSTRAINTS,
    "output_sparsity": [NumberInterval(Real, 0, 1, closed="right"), StrOptions({"auto"})],
    "hash_family": [StrOptions({"dwta", "simhash", "mips"})],
    "n_tables": [NumberInterval(Integral, 1, 1000, closed="both"), StrOptions({"auto"})],
    "hashes_per_table": [NumberInterval(Integral, 1, 20, closed="both"), StrOptions({"auto"})],
    "bucket_capacity": [NumberInterval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "rebuild_interval": [NumberInterval(Integral, 1, None, closed="left")],
    "rebuild_growth": [NumberInterval(Real, 1, None, closed="left")],
    "redraw_hashes_every": [NumberInterval(Integral, 0, None, closed="left")],
    "sampling_correction": ["boolean"],
    "hidden_sparsity": [NumberInterval(Real, 0, 1, closed="right"), StrOptions({"auto"})],
    "calibration": [None, StrOptions({"temperature"})],
    "input_norm": [None, StrOptions({"l2"})],
    "dropout": [NumberInterval(Real, 0, 1, closed="left")],
}

# the parameters of a sampled output layer (sampling/_plan.py)
SAMPLING_PARAMETERS = ("output_sparsity", "hash_family", "n_tables", "hashes_per_table", "bucket_capacity",
                       "rebuild_interval", "rebuild_growth", "redraw_hashes_every")

# early_stopping="auto" holds out a validation share from this many rows: a slice of 250 rows
# at validation_fraction 0.1, whose score moves by steps of 0.4 points. Measured on nine
# families (benchmarks/results/small_data.md): from 2,500 rows, a default fit stops 2 to 8
# times sooner and multi-label sets that overfit gain (Delicious +12 to +17 P@1, Bibtex +2 to
# +4), for 0.2 to 2.4 points lost on single-label ones; below it, smaller slices stop too
# early and early stopping lost on eight of the nine.
EARLY_STOPPING_FROM_ROWS = 2_500
# batch_size="auto": a hundredth of the rows, within these bounds
AUTO_BATCH_SHARE, MIN_AUTO_BATCH, MAX_AUTO_BATCH = 100, 32, 256


def hidden_sizes(hidden_layer_sizes):
    """hidden_layer_sizes as a list of positive ints (a single int is one layer; a bool is
    no size)."""
    sizes = [hidden_layer_sizes] if np.isscalar(hidden_layer_sizes) else list(hidden_layer_sizes)
    if len(sizes) == 0 or any(not isinstance(s, Integral) or isinstance(s, bool) or s < 1 for s in sizes):
        raise ValueError(f"hidden_layer_sizes must be one or more positive integers, got {hidden_layer_sizes!r}")
    return [int(s) for s in sizes]


def batch_size_for(batch_size, n_rows):
    """Rows per step: "auto" takes a hundredth of the rows, between 32 and 256 (small data
    sets get enough steps per epoch, large ones the batch that keeps every core busy)."""
    if batch_size == "auto":
        batch_size = int(np.clip(n_rows // AUTO_BATCH_SHARE, MIN_AUTO_BATCH, MAX_AUTO_BATCH))
    return min(batch_size, n_rows)


def early_stopping_on(early_stopping, n_rows):
    """Whether a fit on n_rows rows holds out a validation share."""
    return early_stopping is True or (early_stopping == "auto" and n_rows >= EARLY_STOPPING_FROM_ROWS)


def adam_settings(params):
    """The AdamSettings of an estimator's parameters (``alpha`` is the L2 penalty)."""
    return AdamSettings(params.learning_rate, params.beta_1, params.beta_2, params.epsilon, params.alpha)


def sampling_plan(params, n_outputs):
    """The SamplingPlan of an output layer of n_outputs neurons, or None when it stays dense."""
    return plan_sampling(n_outputs, **{name: getattr(params, name) for name in SAMPLING_PARAMETERS})


def hidden_sampling_plan(params, hidden):
    """The SamplingPlan of the last hidden layer of a network with hidden layers of sizes
    ``hidden``, or None when it stays dense (always with one hidden layer: the first reads
    the input)."""
    if len(hidden) < 2:
        return None
    return plan_hidden_sampling(hidden[-1], hidden_sparsity=getattr(params, "hidden_sparsity", "auto"), n_tables=params.n_tables,
                                rebuild_interval=params.rebuild_interval, rebuild_growth=params.rebuild_growth,
                                redraw_hashes_every=params.redraw_hashes_every)
