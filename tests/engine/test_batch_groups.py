"""Grouping a batch's entries by the weight row they touch: the order every update relies on."""
import numpy as np
import pytest
from sparsenet.engine._batch_groups import group_batches


def reference_groups(indptr, ids, values):
    """Ids increasing; within an id, entries in list order; zero values dropped."""
    samples = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    keep = values != 0
    ids, samples, values = ids[keep], samples[keep], values[keep]
    order = np.lexsort((np.arange(ids.size), ids))
    group_ids, counts = np.unique(ids[order], return_counts=True)
    return group_ids, np.concatenate([[0], np.cumsum(counts)]), samples[order], values[order]


def random_batch(rng, n_ids, n_lists=40):
    indptr = np.concatenate([[0], np.cumsum(rng.integers(0, 30, n_lists))])
    ids = rng.integers(0, n_ids, indptr[-1])
    values = rng.choice([0.0, 0.5, -2.0, 3.0], indptr[-1]).astype(np.float32)
    return indptr, ids, values


# few ids against many entries take the bitmap scan, very many ids the sort; consecutive
# batches on one object check that the scratch is left clean
@pytest.mark.parametrize("n_ids", [7, 64, 1000, 5_000_000])
def test_groups_match_a_stable_sort_by_id(n_ids):
    rng = np.random.default_rng(n_ids)
    batches = [random_batch(rng, n_ids) for _ in range(4)]
    for batch, got in zip(batches, group_batches(batches, n_ids)):
        for mine, theirs in zip(got, reference_groups(*batch)):
            np.testing.assert_array_equal(mine, theirs)


def test_empty_and_all_zero_lists_have_no_groups():
    empty, zeros = ([0, 0, 0], [], []), ([0, 2], [3, 4], [0.0, 0.0])
    for ids, start, samples, values in group_batches([empty, zeros], 10):
        assert ids.size == samples.size == values.size == 0
        np.testing.assert_array_equal(start, [0])


def test_malformed_lists_are_refused():
    with pytest.raises(ValueError, match="ids must lie"):
        group_batches([([0, 2], [0, 9], [1.0, 1.0])], 5)
    with pytest.raises(ValueError, match="indptr"):
        group_batches([([0, 3], [0, 1], [1.0, 1.0])], 5)
