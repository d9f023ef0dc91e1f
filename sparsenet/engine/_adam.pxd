# Adam: its state (moments and step count), its layout and its step on one row.
from sparsenet.native._vector_ops cimport vec_adam_step

cdef struct AdamStep:
    # the coefficients of one step, bias correction included in step_size
    float step_size, beta_1, beta_2, epsilon, l2

cdef class AdamState:
    cdef readonly list weight_m, weight_v, bias_m, bias_v
    cdef readonly long long step
    cdef readonly object settings          # AdamSettings of the current training call
    cdef float learning_rate, beta_1, beta_2, epsilon, l2
    cdef list laid_out                     # the network's arrays at the last lay_out
    cdef AdamStep begin_step(self)
    cdef void ensure_laid_out(self, object network) except *


cdef inline void adam_on_row(float *weights, Py_ssize_t width, const float *gradient_sum,
                             float inv_batch, bint penalised, const AdamStep *step) noexcept nogil:
    """Adam on one weight row of ``width`` values from its batch-summed gradient. The row's
    moments follow it in memory (the interleaved layout of AdamState.lay_out): first moment
    at weights + width, second at weights + 2 * width. ``penalised``: add the L2 term."""
    vec_adam_step(weights, weights + width, weights + 2 * width, gradient_sum, width, inv_batch,
                  step.l2 if penalised else 0.0, step.step_size, step.beta_1, step.beta_2, step.epsilon)


cdef inline void adam_on_vector(float *values, float *first_moment, float *second_moment, Py_ssize_t n,
                                const float *gradient_sum, float inv_batch, const AdamStep *step) noexcept nogil:
    """Adam on a vector of biases with its separate moments (no L2 penalty)."""
    vec_adam_step(values, first_moment, second_moment, gradient_sum, n, inv_batch, 0.0,
                  step.step_size, step.beta_1, step.beta_2, step.epsilon)
