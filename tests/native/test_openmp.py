"""n_jobs and OMP_NUM_THREADS become a sane thread count: huge requests are capped with a
warning (libgomp would end the process trying to start a million threads)."""
import pytest
from conftest import run_isolated
from sparsenet.native._openmp import (
    THREADS_PER_CPU_CAP,
    resolve_n_threads,
    thread_cap,
    usable_cpus,
)


def test_huge_requests_are_capped_with_a_warning():
    assert thread_cap() == THREADS_PER_CPU_CAP * usable_cpus()
    with pytest.warns(RuntimeWarning, match=r"n_jobs asks for 1000000 threads; using \d+"):
        assert resolve_n_threads(1_000_000) == thread_cap()
    assert resolve_n_threads(1) == 1
    assert resolve_n_threads(-1) == usable_cpus()
    assert resolve_n_threads(-10_000) == 1


@pytest.mark.parametrize("n_jobs", [0, True, 1.5, "2"])
def test_n_jobs_that_are_not_thread_counts_are_refused(n_jobs):
    with pytest.raises(ValueError, match="n_jobs must be None or a non-zero integer"):
        resolve_n_threads(n_jobs)


def test_a_huge_omp_num_threads_trains_on_capped_threads():
    output = run_isolated("""
import warnings
import numpy as np
from sparsenet import SparseMLPClassifier
X = np.random.RandomState(0).rand(200, 5)
y = (X[:, 0] > 0.5).astype(int)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    SparseMLPClassifier(hidden_layer_sizes=(8,), max_iter=3).fit(X, y).predict(X)
print([str(w.message) for w in caught if "OMP_NUM_THREADS asks for" in str(w.message)][:1])
""", timeout=120, OMP_NUM_THREADS="1000000")
    assert "OMP_NUM_THREADS asks for 1000000 threads" in output
