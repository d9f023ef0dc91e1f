"""Python entry points to single native kernels, for the tests: each runs one kernel (its
AVX2 build where the CPU has one, or with ``generic`` its portable twin) on small arrays and
checks its arguments first. Production code never calls them."""
import numpy as np

from libc.stdint cimport int32_t

from sparsenet.native._sorting cimport bucket_sort, intro_sort
from sparsenet.native._vector_ops cimport (
    SN_BLOCK,
    block_backprop,
    block_backprop_generic,
    block_scores,
    block_scores_generic,
    dwta_winners8_lanes,
    dwta_winners8_lanes_generic,
    gradient_rows4,
    gradient_rows4_generic,
    signed_sums8_lanes,
    signed_sums8_lanes_generic,
)


def block_products(hidden, weights, biases, ids, errors, bint generic=False):
    """The block kernels of the training step on one block of samples, for tests.

    Returns ``(scores, back_errors)``: ``scores[i, k] = biases[ids[k]] + weights[ids[k]] @
    hidden[i]`` and ``back_errors[i] = sum_k errors[i, k] * weights[ids[k]]``, for up to
    SN_BLOCK rows of ``hidden``; ``ids`` None means every neuron in order. ``generic`` runs
    the portable kernels instead of the AVX2 ones.
    """
    cdef float[:, ::1] h = np.ascontiguousarray(hidden, dtype=np.float32)
    cdef float[:, ::1] w = np.ascontiguousarray(weights, dtype=np.float32)
    cdef float[::1] b = np.ascontiguousarray(biases, dtype=np.float32)
    cdef Py_ssize_t count = h.shape[0], n_in = h.shape[1], i, j
    id_array = None if ids is None else np.ascontiguousarray(ids, dtype=np.int32)
    cdef Py_ssize_t n_neurons = w.shape[0] if id_array is None else id_array.shape[0]
    if not 1 <= count <= SN_BLOCK or n_in == 0 or w.shape[1] != n_in or b.shape[0] != w.shape[0]:
        raise ValueError(f"need 1 to {SN_BLOCK} non-empty rows of hidden and matching weights and biases")
    if id_array is not None and n_neurons and (id_array.min() < 0 or id_array.max() >= w.shape[0]):
        raise ValueError("ids out of range")
    cdef float[:, ::1] e = np.ascontiguousarray(errors, dtype=np.float32)
    if e.shape[0] != count or e.shape[1] != n_neurons:
        raise ValueError("errors must have shape (rows of hidden, number of neurons)")
    if n_neurons == 0:
        return np.zeros((count, 0), dtype=np.float32), np.zeros((count, n_in), dtype=np.float32)
    cdef int[::1] id_view = id_array if id_array is not None else np.zeros(1, dtype=np.int32)
    cdef const int *id_pointer = NULL if id_array is None else &id_view[0]
    cdef float[:, ::1] scores = np.zeros((count, n_neurons), dtype=np.float32)
    cdef float[::1] hidden_t = np.zeros(SN_BLOCK * n_in, dtype=np.float32)
    cdef float[::1] errors_t = np.zeros(SN_BLOCK * n_in, dtype=np.float32)
    for i in range(count):
        for j in range(n_in):
            hidden_t[j * SN_BLOCK + i] = h[i, j]
    if generic:
        block_scores_generic(&scores[0, 0], scores.shape[1], count, &hidden_t[0], n_in, &w[0, 0], n_in, &b[0],
                             id_pointer, n_neurons)
        block_backprop_generic(&errors_t[0], count, n_in, &e[0, 0], e.shape[1], &w[0, 0], n_in, id_pointer, n_neurons)
    else:
        block_scores(&scores[0, 0], scores.shape[1], count, &hidden_t[0], n_in, &w[0, 0], n_in, &b[0],
                     id_pointer, n_neurons)
        block_backprop(&errors_t[0], count, n_in, &e[0, 0], e.shape[1], &w[0, 0], n_in, id_pointer, n_neurons)
    back = np.asarray(errors_t).reshape(n_in, SN_BLOCK)[:, :count].T.copy()
    return np.asarray(scores), back


def gradient_products(coefficients, rows, bint generic=False):
    """The update's four-neuron gradient kernel, for tests: ``coefficients.T @ rows`` for
    ``coefficients`` of shape (count, 1 to 4) and ``rows`` of shape (count, n), summed in
    order over the count. ``generic`` runs the portable kernel instead of the AVX2 one."""
    cdef float[:, ::1] c = np.ascontiguousarray(coefficients, dtype=np.float32)
    cdef float[:, ::1] x = np.ascontiguousarray(rows, dtype=np.float32)
    cdef Py_ssize_t count = c.shape[0], n_out_rows = c.shape[1], n = x.shape[1]
    if not 1 <= n_out_rows <= 4 or x.shape[0] != count or count == 0 or n == 0:
        raise ValueError("need coefficients (count, 1 to 4) and rows (count, n), both non-empty")
    cdef float[:, ::1] out = np.zeros((n_out_rows, n), dtype=np.float32)
    if generic:
        gradient_rows4_generic(&out[0, 0], n, n_out_rows, &c[0, 0], n_out_rows, &x[0, 0], n, count)
    else:
        gradient_rows4(&out[0, 0], n, n_out_rows, &c[0, 0], n_out_rows, &x[0, 0], n, count)
    return np.asarray(out)


def dwta_winners(rows, bins, bint generic=False):
    """The DWTA winners, shape (n_rows, K), of up to 8 rows (shape (n_rows, dimension)) in
    the bins of 8 coordinates ``bins`` (int32, shape (K, 8)), by the kernel table builds use
    (AVX2 where the CPU has it) or its plain loop: for tests."""
    vectors = np.asarray(rows, dtype=np.float32)
    cdef const int[:, ::1] where = np.ascontiguousarray(bins, dtype=np.int32)
    if vectors.ndim != 2 or not 1 <= vectors.shape[0] <= 8:
        raise ValueError("rows must have shape (n_rows, dimension) with 1 <= n_rows <= 8")
    if where.shape[1] != 8 or not 1 <= where.shape[0] <= 32:
        raise ValueError("bins must have shape (K, 8) with 1 <= K <= 32")
    if np.min(where) < 0 or np.max(where) >= vectors.shape[1]:
        raise ValueError("bins index outside the rows")
    # the transpose: lanes[c, i] is coordinate c of row i (missing rows are zeros)
    cdef const float[:, ::1] lanes = np.ascontiguousarray(
        np.vstack([vectors, np.zeros((8 - vectors.shape[0], vectors.shape[1]), dtype=np.float32)]).T)
    cdef int[:, ::1] winners = np.empty((where.shape[0], 8), dtype=np.int32)
    if generic:
        dwta_winners8_lanes_generic(&lanes[0, 0], &where[0, 0], where.shape[0], &winners[0, 0])
    else:
        dwta_winners8_lanes(&lanes[0, 0], &where[0, 0], where.shape[0], &winners[0, 0])
    return np.asarray(winners)[:, :vectors.shape[0]].T.copy()


def signed_sums(rows, coordinates, signs, bint generic=False):
    """The SimHash projections, shape (n_rows,), of up to 8 rows (shape (n_rows, dimension)):
    ``sum_j signs[j] * row[coordinates[j]]`` by the kernel table builds use (AVX2 where the
    CPU has it) or its plain loop: for tests."""
    vectors = np.asarray(rows, dtype=np.float32)
    cdef const int[::1] where = np.ascontiguousarray(coordinates, dtype=np.int32)
    cdef const float[::1] sign = np.ascontiguousarray(signs, dtype=np.float32)
    if vectors.ndim != 2 or not 1 <= vectors.shape[0] <= 8:
        raise ValueError("rows must have shape (n_rows, dimension) with 1 <= n_rows <= 8")
    if where.shape[0] != sign.shape[0] or where.shape[0] < 1:
        raise ValueError("coordinates and signs must have the same length, at least 1")
    if np.min(where) < 0 or np.max(where) >= vectors.shape[1]:
        raise ValueError("coordinates index outside the rows")
    cdef const float[:, ::1] lanes = np.ascontiguousarray(
        np.vstack([vectors, np.zeros((8 - vectors.shape[0], vectors.shape[1]), dtype=np.float32)]).T)
    cdef float[::1] sums = np.empty(8, dtype=np.float32)
    if generic:
        signed_sums8_lanes_generic(&lanes[0, 0], &where[0], &sign[0], where.shape[0], &sums[0])
    else:
        signed_sums8_lanes(&lanes[0, 0], &where[0], &sign[0], where.shape[0], &sums[0])
    return np.asarray(sums)[:vectors.shape[0]].copy()


def row_sort(const int32_t[::1] values, int depth_budget=-1):
    """A sorted copy of values by the sorts of the text kernel: the bucket sort of long
    rows by default, else the quicksort with this recursion budget (0 means heapsort)."""
    sorted_values = np.array(values, dtype=np.int32)
    cdef int32_t[::1] out = sorted_values
    scratch = np.empty(max(1, len(sorted_values)), dtype=np.int32)
    cdef int32_t[::1] space = scratch
    cdef int range_bits = 31
    if len(sorted_values) == 0:
        return sorted_values
    if sorted_values.min() < 0:
        raise ValueError("the row sorts take indices >= 0")
    if depth_budget < 0:
        bucket_sort(&out[0], len(sorted_values), range_bits, &space[0])
        return scratch[:len(sorted_values)]
    intro_sort(&out[0], len(sorted_values), depth_budget)
    return sorted_values
