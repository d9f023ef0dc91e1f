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
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define SN_HAVE_AVX2_PATH 1
#endif

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

/* Ask for the n floats at p to be brought into the cache, for writing (a hint: no effect
 * on results). Rows picked by id are scattered through memory; asking early overlaps their
 * misses. */
__attribute__((unused))
static inline void prefetch_for_writing(const float *p, ptrdiff_t n)
{
    for (ptrdiff_t k = 0; k < n; k += 16)
        __builtin_prefetch(p + k, 1, 3);
}

/* out[j] = init[j] + sum_q c_q * rows[id_q * row_stride + j], for j < n, where
 *   c_q = coefficients[q * coefficient_stride] (stride 0: one coefficient for every term),
 *   id_q = row_ids[q], or q when row_ids is NULL; init NULL means zeros.
 * Terms with a zero coefficient are skipped. Terms are added in order q = 0, 1, ... for every
 * j, so the result does not depend on how the caller splits work between threads.
 *
 * This one kernel is the sparse forward pass (rows = weights of the nonzero features), the
 * back-propagation through a layer (rows = neuron weights) and every weight gradient (rows =
 * the batch's activations or errors). A block of `out` stays in registers across all the
 * terms, so the only memory traffic is reading the rows once. */
__attribute__((unused))
static void weighted_row_sum_generic(float *out, const float *init, ptrdiff_t n,
                                     const float *coefficients, ptrdiff_t coefficient_stride,
                                     const float *rows, ptrdiff_t row_stride,
                                     const int *row_ids, ptrdiff_t count)
{
    for (ptrdiff_t j = 0; j < n; j++)
        out[j] = init ? init[j] : 0.0f;
    for (ptrdiff_t q = 0; q < count; q++) {
        float c = coefficients[q * coefficient_stride];
        if (c == 0.0f)
            continue;
        const float *row = rows + (row_ids ? (ptrdiff_t)row_ids[q] : q) * row_stride;
        for (ptrdiff_t j = 0; j < n; j++)
            out[j] += c * row[j];
    }
}

#ifdef SN_HAVE_AVX2_PATH
__attribute__((unused, target("avx2,fma")))
static void weighted_row_sum_avx2(float *out, const float *init, ptrdiff_t n,
                                  const float *coefficients, ptrdiff_t coefficient_stride,
                                  const float *rows, ptrdiff_t row_stride,
                                  const int *row_ids, ptrdiff_t count)
{
    ptrdiff_t j = 0;
    /* 64 outputs (8 registers) at a time */
    for (; j + 64 <= n; j += 64) {
        __m256 acc[8];
        for (int b = 0; b < 8; b++)
            acc[b] = init ? _mm256_loadu_ps(init + j + 8 * b) : _mm256_setzero_ps();
        for (ptrdiff_t q = 0; q < count; q++) {
            float c = coefficients[q * coefficient_stride];
            if (c == 0.0f)
                continue;
            const float *row = rows + (row_ids ? (ptrdiff_t)row_ids[q] : q) * row_stride + j;
            __m256 cv = _mm256_set1_ps(c);
            for (int b = 0; b < 8; b++)
                acc[b] = _mm256_fmadd_ps(cv, _mm256_loadu_ps(row + 8 * b), acc[b]);
        }
        for (int b = 0; b < 8; b++)
            _mm256_storeu_ps(out + j + 8 * b, acc[b]);
    }
    /* then 8 at a time */
    for (; j + 8 <= n; j += 8) {
        __m256 acc = init ? _mm256_loadu_ps(init + j) : _mm256_setzero_ps();
        for (ptrdiff_t q = 0; q < count; q++) {
            float c = coefficients[q * coefficient_stride];
            if (c == 0.0f)
                continue;
            const float *row = rows + (row_ids ? (ptrdiff_t)row_ids[q] : q) * row_stride + j;
            acc = _mm256_fmadd_ps(_mm256_set1_ps(c), _mm256_loadu_ps(row), acc);
        }
        _mm256_storeu_ps(out + j, acc);
    }
    /* the last few, with the same fused rounding */
    for (; j < n; j++) {
        float acc = init ? init[j] : 0.0f;
        for (ptrdiff_t q = 0; q < count; q++) {
            float c = coefficients[q * coefficient_stride];
            if (c == 0.0f)
                continue;
            acc = fmaf(c, rows[(row_ids ? (ptrdiff_t)row_ids[q] : q) * row_stride + j], acc);
        }
        out[j] = acc;
    }
}
#endif

__attribute__((unused))
static int sn_cpu_has_avx2_fma(void)
{
#ifdef SN_HAVE_AVX2_PATH
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
#else
    return 0;
#endif
}

/* DWTA winners of K bins of 8 coordinates for 8 vectors at once, from their transpose:
 * lanes[c * 8 + i] is coordinate c of vector i. winners[h * 8 + i] is the position (0..7) in
 * bin h of vector i's largest value when it is positive, else -1; the first such position on
 * ties; NaN never wins. The AVX2 version runs the compare-and-select over the 8 vectors side
 * by side in one register (a gather per vector and bin is slow on current Intel cores). */
__attribute__((unused))
static void dwta_winners8_lanes_generic(const float *lanes, const int *bins, ptrdiff_t K, int *winners)
{
    for (ptrdiff_t h = 0; h < K; h++) {
        for (int i = 0; i < 8; i++) {
            float best = 0.0f;
            int winner = -1;
            for (int j = 0; j < 8; j++) {
                float value = lanes[(ptrdiff_t)bins[8 * h + j] * 8 + i];
                if (value > best) {
                    best = value;
                    winner = j;
                }
            }
            winners[h * 8 + i] = winner;
        }
    }
}

#ifdef SN_HAVE_AVX2_PATH
__attribute__((unused, target("avx2")))
static void dwta_winners8_lanes_avx2(const float *lanes, const int *bins, ptrdiff_t K, int *winners)
{
    for (ptrdiff_t h = 0; h < K; h++) {
        __m256 best = _mm256_setzero_ps();
        __m256 winner = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
        for (int j = 0; j < 8; j++) {
            __m256 v = _mm256_loadu_ps(lanes + (ptrdiff_t)bins[8 * h + j] * 8);
            __m256 better = _mm256_cmp_ps(v, best, _CMP_GT_OQ);  /* false for NaN, as '>' */
            best = _mm256_blendv_ps(best, v, better);
            winner = _mm256_blendv_ps(winner, _mm256_castsi256_ps(_mm256_set1_epi32(j)), better);
        }
        _mm256_storeu_si256((__m256i *)(winners + 8 * h), _mm256_castps_si256(winner));
    }
}
#endif

__attribute__((unused))
static void dwta_winners8_lanes(const float *lanes, const int *bins, ptrdiff_t K, int *winners)
{
#ifdef SN_HAVE_AVX2_PATH
    if (sn_cpu_has_avx2_fma()) {
        dwta_winners8_lanes_avx2(lanes, bins, K, winners);
        return;
    }
#endif
    dwta_winners8_lanes_generic(lanes, bins, K, winners);
}

/* Signed sums of 8 vectors side by side: out[i] = sum over j < m of signs[j] *
 * lanes[bins[j] * 8 + i], added in the order of j (signs are +-1, so every product is exact
 * and the sums equal a one-vector loop's, bit for bit). SimHash projections of a block of 8
 * rows, from their transpose. */
__attribute__((unused))
static void signed_sums8_lanes_generic(const float *lanes, const int *bins, const float *signs,
                                       ptrdiff_t m, float *out)
{
    for (int i = 0; i < 8; i++)
        out[i] = 0.0f;
    for (ptrdiff_t j = 0; j < m; j++) {
        const float *column = lanes + (ptrdiff_t)bins[j] * 8;
        for (int i = 0; i < 8; i++)
            out[i] += signs[j] * column[i];
    }
}

#ifdef SN_HAVE_AVX2_PATH
__attribute__((unused, target("avx2")))
static void signed_sums8_lanes_avx2(const float *lanes, const int *bins, const float *signs,
                                    ptrdiff_t m, float *out)
{
    __m256 sum = _mm256_setzero_ps();
    for (ptrdiff_t j = 0; j < m; j++)
        sum = _mm256_add_ps(sum, _mm256_mul_ps(_mm256_set1_ps(signs[j]),
                                               _mm256_loadu_ps(lanes + (ptrdiff_t)bins[j] * 8)));
    _mm256_storeu_ps(out, sum);
}
#endif

__attribute__((unused))
static void signed_sums8_lanes(const float *lanes, const int *bins, const float *signs, ptrdiff_t m, float *out)
{
#ifdef SN_HAVE_AVX2_PATH
    if (sn_cpu_has_avx2_fma()) {
        signed_sums8_lanes_avx2(lanes, bins, signs, m, out);
        return;
    }
#endif
    signed_sums8_lanes_generic(lanes, bins, signs, m, out);
}

__attribute__((unused))
static void vec_weighted_row_sum(float *out, const float *init, ptrdiff_t n,
                                 const float *coefficients, ptrdiff_t coefficient_stride,
                                 const float *rows, ptrdiff_t row_stride,
                                 const int *row_ids, ptrdiff_t count)
{
#ifdef SN_HAVE_AVX2_PATH
    if (sn_cpu_has_avx2_fma()) {
        weighted_row_sum_avx2(out, init, n, coefficients, coefficient_stride, rows, row_stride,
                              row_ids, count);
        return;
    }
#endif
    weighted_row_sum_generic(out, init, n, coefficients, coefficient_stride, rows, row_stride,
                             row_ids, count);
}

/* Block kernels: one output layer against a block of up to SN_BLOCK samples at once, the
 * samples' vectors transposed (sample-minor: t[j * SN_BLOCK + i] is coordinate j of sample i,
 * zero past the block's count). Each weight read serves all the samples of the block, which
 * is what makes scoring thousands of neurons per sample compute-bound instead of bound by
 * reading their weights. Every sum runs over j (scores) or k (errors) in order, one fused
 * multiply-add at a time, whatever the block: results do not depend on how the batch is cut. */
#define SN_BLOCK 16

/* out[i * out_stride + k] = biases[id] + sum_j weights[id * row_stride + j] * hidden_t[j * SN_BLOCK + i]
 * for k < n_neurons and i < count, id = ids[k] (k when ids is NULL). */
__attribute__((unused))
static void block_scores_generic(float *out, ptrdiff_t out_stride, ptrdiff_t count,
                                 const float *hidden_t, ptrdiff_t n_in,
                                 const float *weights, ptrdiff_t row_stride, const float *biases,
                                 const int *ids, ptrdiff_t n_neurons)
{
    for (ptrdiff_t k = 0; k < n_neurons; k++) {
        ptrdiff_t id = ids ? (ptrdiff_t)ids[k] : k;
        const float *row = weights + id * row_stride;
        for (ptrdiff_t i = 0; i < count; i++) {
            float acc = biases[id];
            for (ptrdiff_t j = 0; j < n_in; j++)
                acc = fmaf(row[j], hidden_t[j * SN_BLOCK + i], acc);
            out[i * out_stride + k] = acc;
        }
    }
}

/* errors_t[j * SN_BLOCK + i] += sum_k coefficients[i * coefficient_stride + k] * weights[id * row_stride + j]
 * for j < n_in and i < count (the lanes past count are left alone), id as in block_scores. */
__attribute__((unused))
static void block_backprop_generic(float *errors_t, ptrdiff_t count, ptrdiff_t n_in,
                                   const float *coefficients, ptrdiff_t coefficient_stride,
                                   const float *weights, ptrdiff_t row_stride,
                                   const int *ids, ptrdiff_t n_neurons)
{
    for (ptrdiff_t k = 0; k < n_neurons; k++) {
        const float *row = weights + (ids ? (ptrdiff_t)ids[k] : k) * row_stride;
        for (ptrdiff_t i = 0; i < count; i++) {
            float c = coefficients[i * coefficient_stride + k];
            for (ptrdiff_t j = 0; j < n_in; j++)
                errors_t[j * SN_BLOCK + i] = fmaf(c, row[j], errors_t[j * SN_BLOCK + i]);
        }
    }
}

#ifdef SN_HAVE_AVX2_PATH
/* four neurons at a time: per coordinate, two loads of the block's lanes serve eight FMAs */
__attribute__((unused, target("avx2,fma")))
static void block_scores_avx2(float *out, ptrdiff_t out_stride, ptrdiff_t count,
                              const float *hidden_t, ptrdiff_t n_in,
                              const float *weights, ptrdiff_t row_stride, const float *biases,
                              const int *ids, ptrdiff_t n_neurons)
{
    float lanes[SN_BLOCK];
    ptrdiff_t k = 0;
    for (; k + 4 <= n_neurons; k += 4) {
        /* named registers: arrays of __m256 indexed in the loop were spilled to the stack */
        ptrdiff_t id0 = ids ? (ptrdiff_t)ids[k] : k, id1 = ids ? (ptrdiff_t)ids[k + 1] : k + 1;
        ptrdiff_t id2 = ids ? (ptrdiff_t)ids[k + 2] : k + 2, id3 = ids ? (ptrdiff_t)ids[k + 3] : k + 3;
        const float *r0 = weights + id0 * row_stride, *r1 = weights + id1 * row_stride;
        const float *r2 = weights + id2 * row_stride, *r3 = weights + id3 * row_stride;
        __m256 a0 = _mm256_set1_ps(biases[id0]), b0 = a0, a1 = _mm256_set1_ps(biases[id1]), b1 = a1;
        __m256 a2 = _mm256_set1_ps(biases[id2]), b2 = a2, a3 = _mm256_set1_ps(biases[id3]), b3 = a3;
        for (ptrdiff_t j = 0; j < n_in; j++) {
            __m256 h0 = _mm256_loadu_ps(hidden_t + j * SN_BLOCK);
            __m256 h1 = _mm256_loadu_ps(hidden_t + j * SN_BLOCK + 8);
            __m256 w = _mm256_broadcast_ss(r0 + j);
            a0 = _mm256_fmadd_ps(w, h0, a0);
            b0 = _mm256_fmadd_ps(w, h1, b0);
            w = _mm256_broadcast_ss(r1 + j);
            a1 = _mm256_fmadd_ps(w, h0, a1);
            b1 = _mm256_fmadd_ps(w, h1, b1);
            w = _mm256_broadcast_ss(r2 + j);
            a2 = _mm256_fmadd_ps(w, h0, a2);
            b2 = _mm256_fmadd_ps(w, h1, b2);
            w = _mm256_broadcast_ss(r3 + j);
            a3 = _mm256_fmadd_ps(w, h0, a3);
            b3 = _mm256_fmadd_ps(w, h1, b3);
        }
        float tile[4 * SN_BLOCK];
        _mm256_storeu_ps(tile, a0);
        _mm256_storeu_ps(tile + 8, b0);
        _mm256_storeu_ps(tile + 16, a1);
        _mm256_storeu_ps(tile + 24, b1);
        _mm256_storeu_ps(tile + 32, a2);
        _mm256_storeu_ps(tile + 40, b2);
        _mm256_storeu_ps(tile + 48, a3);
        _mm256_storeu_ps(tile + 56, b3);
        for (ptrdiff_t i = 0; i < count; i++)
            for (int r = 0; r < 4; r++)
                out[i * out_stride + k + r] = tile[r * SN_BLOCK + i];
    }
    for (; k < n_neurons; k++) {
        ptrdiff_t id = ids ? (ptrdiff_t)ids[k] : k;
        const float *row = weights + id * row_stride;
        __m256 low = _mm256_set1_ps(biases[id]), high = low;
        for (ptrdiff_t j = 0; j < n_in; j++) {
            __m256 w = _mm256_broadcast_ss(row + j);
            low = _mm256_fmadd_ps(w, _mm256_loadu_ps(hidden_t + j * SN_BLOCK), low);
            high = _mm256_fmadd_ps(w, _mm256_loadu_ps(hidden_t + j * SN_BLOCK + 8), high);
        }
        _mm256_storeu_ps(lanes, low);
        _mm256_storeu_ps(lanes + 8, high);
        for (ptrdiff_t i = 0; i < count; i++)
            out[i * out_stride + k] = lanes[i];
    }
}

__attribute__((unused, target("avx2,fma")))
static void block_backprop_avx2(float *errors_t, ptrdiff_t count, ptrdiff_t n_in,
                                const float *coefficients, ptrdiff_t coefficient_stride,
                                const float *weights, ptrdiff_t row_stride,
                                const int *ids, ptrdiff_t n_neurons)
{
    float lanes[SN_BLOCK];
    /* lanes past count add zero: their errors are never read */
    ptrdiff_t k = 0;
    for (; k + 4 <= n_neurons; k += 4) {
        const float *r0 = weights + (ids ? (ptrdiff_t)ids[k] : k) * row_stride;
        const float *r1 = weights + (ids ? (ptrdiff_t)ids[k + 1] : k + 1) * row_stride;
        const float *r2 = weights + (ids ? (ptrdiff_t)ids[k + 2] : k + 2) * row_stride;
        const float *r3 = weights + (ids ? (ptrdiff_t)ids[k + 3] : k + 3) * row_stride;
        float tile[4 * SN_BLOCK];
        for (int r = 0; r < 4; r++)
            for (ptrdiff_t i = 0; i < SN_BLOCK; i++)
                tile[r * SN_BLOCK + i] = i < count ? coefficients[i * coefficient_stride + k + r] : 0.0f;
        __m256 c0 = _mm256_loadu_ps(tile), d0 = _mm256_loadu_ps(tile + 8);
        __m256 c1 = _mm256_loadu_ps(tile + 16), d1 = _mm256_loadu_ps(tile + 24);
        __m256 c2 = _mm256_loadu_ps(tile + 32), d2 = _mm256_loadu_ps(tile + 40);
        __m256 c3 = _mm256_loadu_ps(tile + 48), d3 = _mm256_loadu_ps(tile + 56);
        for (ptrdiff_t j = 0; j < n_in; j++) {
            __m256 e0 = _mm256_loadu_ps(errors_t + j * SN_BLOCK);
            __m256 e1 = _mm256_loadu_ps(errors_t + j * SN_BLOCK + 8);
            __m256 w = _mm256_broadcast_ss(r0 + j);
            e0 = _mm256_fmadd_ps(c0, w, e0);
            e1 = _mm256_fmadd_ps(d0, w, e1);
            w = _mm256_broadcast_ss(r1 + j);
            e0 = _mm256_fmadd_ps(c1, w, e0);
            e1 = _mm256_fmadd_ps(d1, w, e1);
            w = _mm256_broadcast_ss(r2 + j);
            e0 = _mm256_fmadd_ps(c2, w, e0);
            e1 = _mm256_fmadd_ps(d2, w, e1);
            w = _mm256_broadcast_ss(r3 + j);
            e0 = _mm256_fmadd_ps(c3, w, e0);
            e1 = _mm256_fmadd_ps(d3, w, e1);
            _mm256_storeu_ps(errors_t + j * SN_BLOCK, e0);
            _mm256_storeu_ps(errors_t + j * SN_BLOCK + 8, e1);
        }
    }
    for (; k < n_neurons; k++) {
        const float *row = weights + (ids ? (ptrdiff_t)ids[k] : k) * row_stride;
        for (ptrdiff_t i = 0; i < SN_BLOCK; i++)
            lanes[i] = i < count ? coefficients[i * coefficient_stride + k] : 0.0f;
        __m256 low = _mm256_loadu_ps(lanes), high = _mm256_loadu_ps(lanes + 8);
        for (ptrdiff_t j = 0; j < n_in; j++) {
            __m256 w = _mm256_broadcast_ss(row + j);
            _mm256_storeu_ps(errors_t + j * SN_BLOCK,
                             _mm256_fmadd_ps(low, w, _mm256_loadu_ps(errors_t + j * SN_BLOCK)));
            _mm256_storeu_ps(errors_t + j * SN_BLOCK + 8,
                             _mm256_fmadd_ps(high, w, _mm256_loadu_ps(errors_t + j * SN_BLOCK + 8)));
        }
    }
}
#endif

__attribute__((unused))
static void block_scores(float *out, ptrdiff_t out_stride, ptrdiff_t count,
                         const float *hidden_t, ptrdiff_t n_in,
                         const float *weights, ptrdiff_t row_stride, const float *biases,
                         const int *ids, ptrdiff_t n_neurons)
{
#ifdef SN_HAVE_AVX2_PATH
    if (sn_cpu_has_avx2_fma()) {
        block_scores_avx2(out, out_stride, count, hidden_t, n_in, weights, row_stride, biases, ids, n_neurons);
        return;
    }
#endif
    block_scores_generic(out, out_stride, count, hidden_t, n_in, weights, row_stride, biases, ids, n_neurons);
}

__attribute__((unused))
static void block_backprop(float *errors_t, ptrdiff_t count, ptrdiff_t n_in,
                           const float *coefficients, ptrdiff_t coefficient_stride,
                           const float *weights, ptrdiff_t row_stride,
                           const int *ids, ptrdiff_t n_neurons)
{
#ifdef SN_HAVE_AVX2_PATH
    if (sn_cpu_has_avx2_fma()) {
        block_backprop_avx2(errors_t, count, n_in, coefficients, coefficient_stride, weights, row_stride, ids, n_neurons);
        return;
    }
#endif
    block_backprop_generic(errors_t, count, n_in, coefficients, coefficient_stride, weights, row_stride, ids, n_neurons);
}

/* out[r * n + j] = sum_i coefficients[i * coefficient_stride + r] * rows[i * row_stride + j]
 * for r < n_out_rows (at most 4), j < n, the sum over i < count in order, one fused
 * multiply-add at a time: the weight gradients of up to four neurons of a layer at once
 * (coefficients: the neurons' errors, one row per sample; rows: the samples' inputs). Each
 * input read serves four neurons, so reading the batch's inputs from the L2 cache no longer
 * limits the update. A neuron's result does not depend on the others of its group. */
__attribute__((unused))
static void gradient_rows4_generic(float *out, ptrdiff_t n, ptrdiff_t n_out_rows,
                                   const float *coefficients, ptrdiff_t coefficient_stride,
                                   const float *rows, ptrdiff_t row_stride, ptrdiff_t count)
{
    for (ptrdiff_t r = 0; r < n_out_rows; r++)
        for (ptrdiff_t j = 0; j < n; j++) {
            float acc = 0.0f;
            for (ptrdiff_t i = 0; i < count; i++)
                acc = fmaf(coefficients[i * coefficient_stride + r], rows[i * row_stride + j], acc);
            out[r * n + j] = acc;
        }
}

#ifdef SN_HAVE_AVX2_PATH
__attribute__((unused, target("avx2,fma")))
static void gradient_rows4_avx2(float *out, ptrdiff_t n, ptrdiff_t n_out_rows,
                                const float *coefficients, ptrdiff_t coefficient_stride,
                                const float *rows, ptrdiff_t row_stride, ptrdiff_t count)
{
    if (n_out_rows != 4) {
        gradient_rows4_generic(out, n, n_out_rows, coefficients, coefficient_stride, rows, row_stride, count);
        return;
    }
    ptrdiff_t j = 0;
    for (; j + 16 <= n; j += 16) {
        __m256 a0 = _mm256_setzero_ps(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
        for (ptrdiff_t i = 0; i < count; i++) {
            const float *row = rows + i * row_stride + j;
            const float *c = coefficients + i * coefficient_stride;
            __m256 x0 = _mm256_loadu_ps(row), x1 = _mm256_loadu_ps(row + 8);
            __m256 w = _mm256_broadcast_ss(c);
            a0 = _mm256_fmadd_ps(w, x0, a0);
            b0 = _mm256_fmadd_ps(w, x1, b0);
            w = _mm256_broadcast_ss(c + 1);
            a1 = _mm256_fmadd_ps(w, x0, a1);
            b1 = _mm256_fmadd_ps(w, x1, b1);
            w = _mm256_broadcast_ss(c + 2);
            a2 = _mm256_fmadd_ps(w, x0, a2);
            b2 = _mm256_fmadd_ps(w, x1, b2);
            w = _mm256_broadcast_ss(c + 3);
            a3 = _mm256_fmadd_ps(w, x0, a3);
            b3 = _mm256_fmadd_ps(w, x1, b3);
        }
        _mm256_storeu_ps(out + j, a0);
        _mm256_storeu_ps(out + j + 8, b0);
        _mm256_storeu_ps(out + n + j, a1);
        _mm256_storeu_ps(out + n + j + 8, b1);
        _mm256_storeu_ps(out + 2 * n + j, a2);
        _mm256_storeu_ps(out + 2 * n + j + 8, b2);
        _mm256_storeu_ps(out + 3 * n + j, a3);
        _mm256_storeu_ps(out + 3 * n + j + 8, b3);
    }
    for (; j < n; j++)
        for (ptrdiff_t r = 0; r < 4; r++) {
            float acc = 0.0f;
            for (ptrdiff_t i = 0; i < count; i++)
                acc = fmaf(coefficients[i * coefficient_stride + r], rows[i * row_stride + j], acc);
            out[r * n + j] = acc;
        }
}
#endif

__attribute__((unused))
static void gradient_rows4(float *out, ptrdiff_t n, ptrdiff_t n_out_rows,
                           const float *coefficients, ptrdiff_t coefficient_stride,
                           const float *rows, ptrdiff_t row_stride, ptrdiff_t count)
{
#ifdef SN_HAVE_AVX2_PATH
    if (sn_cpu_has_avx2_fma()) {
        gradient_rows4_avx2(out, n, n_out_rows, coefficients, coefficient_stride, rows, row_stride, count);
        return;
    }
#endif
    gradient_rows4_generic(out, n, n_out_rows, coefficients, coefficient_stride, rows, row_stride, count);
}

#endif
