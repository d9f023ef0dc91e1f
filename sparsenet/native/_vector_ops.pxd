# Declarations of the SIMD helpers in _vector_ops.h (multiversioned: AVX2/FMA or baseline).
cdef extern from "_vector_ops.h" nogil:
    enum: SN_BLOCK
    void prefetch_for_writing(const float *p, Py_ssize_t n)
    float vec_dot(const float *a, const float *b, Py_ssize_t n)
    void vec_relu(float *y, Py_ssize_t n)
    void vec_relu_backward(float *delta, const float *activation, Py_ssize_t n)
    void vec_adam_step(float *w, float *m, float *v, const float *grad_sum, Py_ssize_t n,
                       float inv_batch_size, float l2, float step_size,
                       float beta1, float beta2, float epsilon)
    void vec_weighted_row_sum(float *out, const float *init, Py_ssize_t n,
                              const float *coefficients, Py_ssize_t coefficient_stride,
                              const float *rows, Py_ssize_t row_stride,
                              const int *row_ids, Py_ssize_t count)
    void dwta_winners8_lanes(const float *lanes, const int *bins, Py_ssize_t K, int *winners)
    void dwta_winners8_lanes_generic(const float *lanes, const int *bins, Py_ssize_t K, int *winners)
    void signed_sums8_lanes(const float *lanes, const int *bins, const float *signs, Py_ssize_t m, float *out)
    void signed_sums8_lanes_generic(const float *lanes, const int *bins, const float *signs, Py_ssize_t m, float *out)
    void block_scores(float *out, Py_ssize_t out_stride, Py_ssize_t count,
                      const float *hidden_t, Py_ssize_t n_in,
                      const float *weights, Py_ssize_t row_stride, const float *biases,
                      const int *ids, Py_ssize_t n_neurons)
    void block_backprop(float *errors_t, Py_ssize_t count, Py_ssize_t n_in,
                        const float *coefficients, Py_ssize_t coefficient_stride,
                        const float *weights, Py_ssize_t row_stride,
                        const int *ids, Py_ssize_t n_neurons)
    void block_scores_generic(float *out, Py_ssize_t out_stride, Py_ssize_t count,
                              const float *hidden_t, Py_ssize_t n_in,
                              const float *weights, Py_ssize_t row_stride, const float *biases,
                              const int *ids, Py_ssize_t n_neurons)
    void block_backprop_generic(float *errors_t, Py_ssize_t count, Py_ssize_t n_in,
                                const float *coefficients, Py_ssize_t coefficient_stride,
                                const float *weights, Py_ssize_t row_stride,
                                const int *ids, Py_ssize_t n_neurons)
    void gradient_rows4(float *out, Py_ssize_t n, Py_ssize_t n_out_rows,
                        const float *coefficients, Py_ssize_t coefficient_stride,
                        const float *rows, Py_ssize_t row_stride, Py_ssize_t count)
    void gradient_rows4_generic(float *out, Py_ssize_t n, Py_ssize_t n_out_rows,
                                const float *coefficients, Py_ssize_t coefficient_stride,
                                const float *rows, Py_ssize_t row_stride, Py_ssize_t count)
