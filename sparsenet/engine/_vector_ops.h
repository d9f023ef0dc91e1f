/* Small dense vector kernels used by every layer.
 *
 * Each function is compiled twice (target_clones): once for x86-64-v3 CPUs (AVX2 + FMA, Haswell and later) and
 * once for the generic x86-64 baseline; the loader picks the right one at start-up, so a portable
 * build still runs 8-wide. Eight independent accumulators let the compiler vectorise the
 * reductions without -ffast-math, so results do not depend on optimisation flags beyond FMA.
 */
#ifndef SPARSENET_VECTOR_OPS_H
#define SPARSENET_VECTOR_OPS_H

#include <math.h>
#include <stddef.h>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && !defined(__clang__)
#define SN_MULTIVERSION __attribute__((unused, target_clones("arch=x86-64-v3", "default")))
#else
#define SN_MULTIVERSION __attribute__((unused))
#endif

/* sum_k a[k] * b[k] */
SN_MULTIVERSION
static float vec_dot(const float *a, const float *b, ptrdiff_t n)
{
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    ptrdiff_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++)
            acc[j] += a[k + j] * b[k + j];
    float total = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; k < n; k++)
        total += a[k] * b[k];
    return total;
}

/* y += alpha * x */
SN_MULTIVERSION
static void vec_axpy(float alpha, const float *x, float *y, ptrdiff_t n)
{
    for (ptrdiff_t k = 0; k < n; k++)
        y[k] += alpha * x[k];
}

/* y = max(y, 0) */
SN_MULTIVERSION
static void vec_relu(float *y, ptrdiff_t n)
{
    for (ptrdiff_t k = 0; k < n; k++)
        y[k] = y[k] > 0.0f ? y[k] : 0.0f;
}

/* delta *= (activation > 0): the ReLU derivative applied to a back-propagated error */
SN_MULTIVERSION
static void vec_relu_backward(float *delta, const float *activation, ptrdiff_t n)
{
    for (ptrdiff_t k = 0; k < n; k++)
        delta[k] = activation[k] > 0.0f ? delta[k] : 0.0f;
}

/* One Adam step on a contiguous block of parameters.
 * grad_sum holds the gradient summed over the batch; the mean and the L2 term are folded in
 * here: g = (grad_sum + l2 * w) * inv_batch_size, as scikit-learn's MLP does.
 * step_size is the bias-corrected learning rate lr * sqrt(1 - b2^t) / (1 - b1^t). */
SN_MULTIVERSION
static void vec_adam_step(float *w, float *m, float *v, const float *grad_sum, ptrdiff_t n,
                          float inv_batch_size, float l2, float step_size,
                          float beta1, float beta2, float epsilon)
{
    for (ptrdiff_t k = 0; k < n; k++) {
        float g = (grad_sum[k] + l2 * w[k]) * inv_batch_size;
        float mk = beta1 * m[k] + (1.0f - beta1) * g;
        float vk = beta2 * v[k] + (1.0f - beta2) * g * g;
        m[k] = mk;
        v[k] = vk;
        w[k] -= step_size * mk / (sqrtf(vk) + epsilon);
    }
}

#endif
