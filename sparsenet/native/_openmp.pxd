# OpenMP helpers for nogil kernels.

cdef extern from *:
    """
    /* Every thread of the enclosing parallel region waits here for the others. Cython's
     * prange inside `with parallel()` ends without a barrier (`omp for nowait`): a loop that
     * reads what the previous one wrote must call this between them. */
    static void sn_barrier(void) {
    #ifdef _OPENMP
    #pragma omp barrier
    #endif
    }
    """
    void sn_barrier() noexcept nogil
