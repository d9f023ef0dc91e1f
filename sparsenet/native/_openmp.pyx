"""What the compiled engine knows about OpenMP: whether it was built with it, how many
threads it would use, and how an estimator's ``n_jobs`` becomes a thread count."""
import numbers
import os
import warnings

# threads per usable CPU beyond which more threads only cost memory (a thread's stack and
# its scratch): a request above the cap, from n_jobs or OMP_NUM_THREADS, is lowered to it
THREADS_PER_CPU_CAP = 4

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
    """Whether the engine was compiled with OpenMP (parallel training and prediction).

    Without OpenMP (built by a compiler that lacks it), sparsenet still works, on one
    thread; ``n_jobs`` then changes nothing.

    Returns
    -------
    bool
        True when training and prediction run in parallel over the rows of a batch.

    Examples
    --------
    >>> import sparsenet
    >>> print(f"OpenMP {'on' if sparsenet.openmp_enabled() else 'off: training runs on one thread'}")
    OpenMP ...
    """
    return bool(sn_openmp_enabled())


def openmp_max_threads():
    """Threads OpenMP would use by default (honours ``OMP_NUM_THREADS``); 1 without OpenMP."""
    return int(sn_openmp_max_threads())


def usable_cpus():
    """CPUs this process may run on (its affinity mask where the system has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def thread_cap():
    """The most threads a call uses: THREADS_PER_CPU_CAP per usable CPU."""
    return THREADS_PER_CPU_CAP * usable_cpus()


def resolve_n_threads(n_jobs):
    """n_jobs -> OpenMP threads: None means all cores OpenMP may use (OMP_NUM_THREADS is
    honoured); -1 all CPUs; -k all but k-1; k > 0 exactly k. Requests above
    ``thread_cap()`` are lowered to it, with a warning: thousands of threads would only
    exhaust memory (libgomp then ends the process)."""
    if n_jobs is None:
        requested, source = openmp_max_threads(), "OMP_NUM_THREADS"
    else:
        if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
            raise ValueError(f"n_jobs must be None or a non-zero integer, got {n_jobs!r}")
        if n_jobs < 0:
            return max(1, usable_cpus() + 1 + int(n_jobs))
        requested, source = int(n_jobs), "n_jobs"
    if requested <= THREADS_PER_CPU_CAP:
        return max(1, requested)  # within the cap whatever the CPUs: no system call per prediction
    cap = thread_cap()
    if requested > cap:
        warnings.warn(f"{source} asks for {requested} threads; using {cap} ({THREADS_PER_CPU_CAP} per "
                      f"usable CPU, of which there are {usable_cpus()})", RuntimeWarning, stacklevel=2)
        return cap
    return max(1, requested)
