"""CSR triples (indptr, indices, data): the blocks a featurizer builds one column at a
time and sums into its output."""
import numpy as np

from sparsenet.mlp._inputs import assembled_csr
from sparsenet.udt._row_weighting import select_and_weigh_rows


def select_and_weigh(block, seen, idf, l2):
    """A CSR triple without the entries whose feature is not in ``seen`` (None: keep all),
    values times ``idf`` of their feature (None: unweighted), rows then scaled to unit l2
    norm when l2 (empty rows stay empty)."""
    indptr, indices, data = block
    return select_and_weigh_rows(indptr, indices, data, None if seen is None else seen.view(np.uint8), idf, l2)


def count_tokens(rows, indices, n_rows, hash_range, l2):
    """Token occurrences (row, index) -> CSR triple of counts, optionally l2-normalised."""
    return merge_entries(rows, indices, np.ones(len(rows), dtype=np.float32), n_rows, hash_range, l2)


def sum_blocks(blocks, n_rows, hash_range):
    """Several CSR triples over the same rows -> their sum as one CSR triple."""
    rows = np.concatenate([np.repeat(np.arange(n_rows), np.diff(indptr)) for indptr, _, _ in blocks])
    indices = np.concatenate([indices for _, indices, _ in blocks])
    data = np.concatenate([data for _, _, data in blocks])
    return merge_entries(rows, indices, data, n_rows, hash_range, l2=False)


def merge_entries(rows, indices, data, n_rows, hash_range, l2):
    """Entries (row, index, value) -> CSR triple with sorted indices, repeats summed."""
    keys, position = np.unique(rows.astype(np.int64) * hash_range + indices, return_inverse=True)
    values = np.bincount(position, weights=data, minlength=len(keys))
    rows, indices = keys // hash_range, (keys % hash_range).astype(np.int32)
    return row_sorted_csr(rows, indices, values, n_rows, l2)


def row_sorted_csr(rows, indices, values, n_rows, l2):
    """Entries ordered by row -> CSR triple, each row scaled to unit l2 norm when l2 (empty
    rows stay empty)."""
    if l2 and len(values):
        norms = np.sqrt(np.bincount(rows, weights=np.square(values, dtype=np.float64), minlength=n_rows))
        values = values / norms[rows]
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return indptr, indices, np.asarray(values, dtype=np.float32)


def as_csr(block, n_rows, hash_range):
    """A CSR triple -> csr_matrix; index arrays int32 unless the values need int64."""
    indptr, indices, data = block
    if len(data) < 2**31:
        indptr = indptr.astype(np.int32)
    matrix = assembled_csr((n_rows, hash_range), data, indices, indptr)
    matrix.has_canonical_format = True  # sorted, distinct indices: spare scipy the check
    return matrix
