"""The rows a fit holds out for early stopping and calibration."""
import math

import numpy as np
import pytest

from conftest import small_model
from sparsenet.mlp._holdout import held_out_rows


def check_partition(train, held, n_rows):
    assert np.all(np.diff(train) > 0) and np.all(np.diff(held) > 0)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, held])), np.arange(n_rows))


@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.5])
def test_each_class_gives_its_share_and_the_total_is_the_fraction_rounded_up(fraction):
    rng = np.random.default_rng(1)
    labels = rng.choice(7, size=1001, p=[0.4, 0.2, 0.15, 0.1, 0.1, 0.04, 0.01])
    train, held = held_out_rows(labels.size, fraction, np.random.RandomState(0), labels)
    check_partition(train, held, labels.size)
    assert held.size == math.ceil(fraction * labels.size)
    counts, held_counts = np.bincount(labels, minlength=7), np.bincount(labels[held], minlength=7)
    assert np.all(np.abs(held_counts - fraction * counts) < 1 + 1e-9)


def test_a_class_of_two_rows_keeps_a_training_row_even_at_half():
    labels = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])
    for seed in range(20):
        train, held = held_out_rows(labels.size, 0.5, np.random.RandomState(seed), labels)
        check_partition(train, held, labels.size)
        assert set(labels[train]) == {0, 1, 2}


def test_rows_within_a_class_are_drawn_at_random():
    labels = np.zeros(100, dtype=np.int64)
    picks = {tuple(held_out_rows(100, 0.1, np.random.RandomState(seed), labels)[1]) for seed in range(5)}
    assert len(picks) == 5
    first = held_out_rows(100, 0.1, np.random.RandomState(3), labels)
    again = held_out_rows(100, 0.1, np.random.RandomState(3), labels)
    np.testing.assert_array_equal(first[1], again[1])


def test_a_class_of_one_row_or_multi_label_targets_split_at_random():
    labels = np.array([0] * 30 + [1] * 30 + [2])
    train, held = held_out_rows(labels.size, 0.2, np.random.RandomState(0), labels)
    check_partition(train, held, labels.size)
    assert held.size == math.ceil(0.2 * labels.size)
    train, held = held_out_rows(50, 0.2, np.random.RandomState(0))
    check_partition(train, held, 50)
    assert held.size == 10


def test_a_fraction_that_leaves_no_training_row_is_refused_by_name():
    with pytest.raises(ValueError, match="validation_fraction=0.95 of 10 rows"):
        held_out_rows(10, 0.95, np.random.RandomState(0))
    with pytest.raises(ValueError, match="validation_fraction"):
        small_model(early_stopping=True, validation_fraction=0.95).fit(np.eye(10), np.arange(10) % 2)


def test_early_stopping_trains_on_the_other_rows_only(blobs):
    X, y = blobs
    clf = small_model(early_stopping=True, max_iter=5, n_iter_no_change=50).fit(X, y)
    assert clf.t_ == clf.n_iter_ * (len(y) - math.ceil(0.1 * len(y)))
