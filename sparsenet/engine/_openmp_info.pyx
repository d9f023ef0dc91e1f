"""What the compiled engine knows about OpenMP: whether it was built with it, how many threads."""

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
