"""SparseMLPClassifier's parameters: a bool is never taken for a number, and n_jobs stays
within what a machine can run."""
import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sparsenet import SparseMLPClassifier
from sparsenet.mlp._parameters import early_stopping_on, hidden_sizes

# Every parameter that takes a number, listed by hand: one whose constraint stopped
# refusing bools must fail here.
NUMBER_PARAMETERS = [
    "hidden_layer_sizes", "alpha", "batch_size", "learning_rate", "max_iter", "random_state", "tol",
    "validation_fraction", "n_iter_no_change", "beta_1", "beta_2", "epsilon", "n_jobs", "output_sparsity",
    "n_tables", "hashes_per_table", "bucket_capacity", "rebuild_interval", "rebuild_growth", "redraw_hashes_every",
]


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    return rng.rand(40, 3), np.repeat([0, 1], 20)


@pytest.mark.parametrize("flag", [True, False, np.True_])
@pytest.mark.parametrize("name", NUMBER_PARAMETERS)
def test_a_bool_is_not_a_number(data, name, flag):
    X, y = data
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter.*not a bool.*Got {flag!r}"):
        SparseMLPClassifier(**{name: flag}).fit(X, y)


def test_numbers_of_every_kind_are_still_taken():
    SparseMLPClassifier(hidden_layer_sizes=np.int64(8), alpha=0, batch_size=np.int32(16), learning_rate=np.float32(0.01),
                        max_iter=3, random_state=np.uint8(7), tol=0.0, beta_1=0, redraw_hashes_every=0,
                        n_tables=10, output_sparsity=1)._validate_params()


def test_hidden_layer_sizes_refuse_bool_entries(data):
    assert hidden_sizes((4, np.int64(3))) == [4, 3]
    assert hidden_sizes(5) == [5]
    for sizes in [(True, 4), [4, False], True, (4, np.True_)]:
        with pytest.raises(ValueError, match="hidden_layer_sizes must be one or more positive integers"):
            hidden_sizes(sizes)
    X, y = data
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        SparseMLPClassifier(hidden_layer_sizes=(True, 4), max_iter=1).fit(X, y)


@pytest.mark.parametrize("n_jobs", [0, 2**15 + 1, 2**31, 2**64, -(2**15) - 1, -(2**63), 2.0, "2"])
def test_n_jobs_out_of_range_is_a_clear_error(data, n_jobs):
    X, y = data
    with pytest.raises(InvalidParameterError, match=r"'n_jobs' parameter.*\[1, 32768\].*\[-32768, -1\]"):
        SparseMLPClassifier(n_jobs=n_jobs).fit(X, y)


@pytest.mark.parametrize("n_jobs", [None, 1, 2, 2**15, -1, -2, -(2**15), np.int64(3)])
def test_n_jobs_in_range_is_accepted(n_jobs):
    SparseMLPClassifier(n_jobs=n_jobs)._validate_params()


def test_verbose_may_still_be_a_bool():
    SparseMLPClassifier(verbose=True)._validate_params()
    SparseMLPClassifier(verbose=2)._validate_params()


def test_early_stopping_auto_holds_out_rows_from_2500():
    assert not early_stopping_on("auto", 2499) and early_stopping_on("auto", 2500)
    assert early_stopping_on(True, 10) and not early_stopping_on(False, 10**6)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2600, 5))
    y = (X[:, 0] > 0).astype(int)
    model = SparseMLPClassifier((8,), max_iter=3, random_state=0, n_jobs=1).fit(X, y)
    assert model.validation_scores_ is not None and len(model.validation_scores_) == model.n_iter_
    small = SparseMLPClassifier((8,), max_iter=3, random_state=0, n_jobs=1).fit(X[:2000], y[:2000])
    assert small.validation_scores_ is None
