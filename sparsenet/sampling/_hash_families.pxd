# Hash families: L tables, K hashes per table, each table's code folded to range_bits bits.

cdef class HashFamily:
    cdef readonly str kind
    cdef readonly Py_ssize_t dimension, n_tables, hashes_per_table, range_bits, sample_size
    cdef readonly unsigned long long seed
    cdef readonly object coordinates      # int32 (n_tables, hashes_per_table, sample_size)
    cdef readonly object signs            # float32 of +-1, same shape (SimHash only)
    cdef readonly object tail             # float32 (n_tables, hashes_per_table, 2): bias, norm weights
    cdef const int *coordinates_ptr
    cdef const float *signs_ptr
    cdef const float *tail_ptr
    cdef bint is_dwta, has_tail
    cdef unsigned int bucket(self, const float *x, Py_ssize_t table) noexcept nogil
    cdef unsigned int key_bucket(self, const float *x, float bias, float completion, Py_ssize_t table) noexcept nogil
    cdef unsigned int fold(self, unsigned long long code, Py_ssize_t code_bits, Py_ssize_t table) noexcept nogil
    cdef unsigned int dwta_bucket(self, const int *winners, Py_ssize_t stride, Py_ssize_t table) noexcept nogil
    cdef void buckets_of_rows(self, const float *rows, Py_ssize_t row_stride, Py_ssize_t count,
                              const float *biases, const float *completions, unsigned int *codes,
                              Py_ssize_t codes_stride, float *scratch) noexcept nogil
    cdef void projection_buckets8(self, Py_ssize_t count, const float *biases, const float *completions,
                                  unsigned int *codes, Py_ssize_t codes_stride,
                                  const float *transposed) noexcept nogil
