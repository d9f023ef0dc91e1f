"""What the compiled engine knows about OpenMP: whether it was built with it, how many
threads it would use, and how an estimator's ``n_jobs`` becomes a thread count."""
import numbers
import os

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int sn_openmp_enabled(void) { return 1; }
    static int sn_openmp_max_threads(void) { return omp_get_max_threads(); }
    #else
    static int sn_openmp_enabled(void) { return 0; }
    static int sn_openmp_max_threads(void) { return 1; }
    #endif
    """
    int sn_openmp_enabled() nogil
    int sn_openmp_max_threads() nogil


def openmp_enabled():
    """True when the engine was compiled with OpenMP (parallel training and prediction)."""
    return bool(sn_openmp_enabled())


def openmp_max_threads():
    """Threads OpenMP would use by default (honours ``OMP_NUM_THREADS``); 1 without OpenMP."""
    return int(sn_openmp_max_threads())


def resolve_n_threads(n_jobs):
    """n_jobs -> OpenMP threads: None means all cores OpenMP may use (OMP_NUM_THREADS is
    honoured); -1 all CPUs; -k all but k-1; k > 0 exactly k."""
    if n_jobs is None:
        return openmp_max_threads()
    if not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None or a non-zero integer, got {n_jobs!r}")
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return int(n_jobs)
