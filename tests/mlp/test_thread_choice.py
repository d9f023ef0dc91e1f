"""The training loop's choice of thread count: the fastest measured, retried now and then."""
from itertools import pairwise

from sparsenet.mlp._thread_choice import TRIAL_STEPS, ThreadChooser


def run(chooser, seconds_per_row, steps, rows=10):
    """Drive the chooser for ``steps`` steps whose cost per row is seconds_per_row(count)."""
    used = []
    for _ in range(steps):
        count = chooser.next_count()
        used.append(count)
        chooser.record(count, seconds_per_row(count) * rows, rows)
    return used


def test_a_single_thread_has_nothing_to_choose():
    chooser = ThreadChooser(1)
    assert run(chooser, lambda count: 1.0, 50) == [1] * 50


def test_the_faster_count_is_chosen_after_a_trial():
    quiet = ThreadChooser(2)
    used = run(quiet, lambda count: 1.0 / count, 2 * TRIAL_STEPS + 10)
    assert set(used[:2 * TRIAL_STEPS]) == {1, 2} and used[2 * TRIAL_STEPS:] == [2] * 10
    busy = ThreadChooser(2)
    # two threads slower, but not so much slower that the trial stops early
    used = run(busy, lambda count: 1.0 if count == 1 else 1.5, 2 * TRIAL_STEPS + 10)
    assert used[2 * TRIAL_STEPS:] == [1] * 10 and busy.best == 1


def test_a_count_far_slower_is_dropped_from_the_trial():
    chooser = ThreadChooser(2)
    used = run(chooser, lambda count: 1.0 if count == 1 else 50.0, 2 * TRIAL_STEPS)
    assert used.count(2) == 1 and chooser.best == 1


def test_trials_come_back_and_grow_rarer_while_the_choice_holds():
    chooser = ThreadChooser(4)
    assert chooser.candidates == [1, 2, 4]
    # every count within the give-up ratio of the fastest: each trial runs in full
    used = run(chooser, lambda count: 1.0 / (1.0 + 0.2 * count), 3000)
    # a trial starts at a step on fewer threads after a stretch on all of them
    trial_starts = [i for i in range(10, len(used)) if used[i] != 4 and set(used[i - 10:i]) == {4}]
    gaps = [later - earlier for earlier, later in pairwise(trial_starts)]
    assert len(gaps) >= 3 and all(b > a for a, b in pairwise(gaps))   # rarer each time
    assert used.count(4) > 0.95 * len(used)


def test_a_change_of_load_changes_the_choice():
    chooser = ThreadChooser(2)
    load = {"busy": False}
    cost = lambda count: (1.0 if count == 1 else 2.0) if load["busy"] else 1.0 / count
    run(chooser, cost, 2 * TRIAL_STEPS)
    assert chooser.best == 2
    load["busy"] = True
    used = run(chooser, cost, 400)
    assert chooser.best == 1 and used[-200:].count(1) > 180


def test_one_preempted_step_does_not_switch_the_count():
    # two threads twice as fast, but their third trial step stalls ten times as long:
    # the mean favours one thread, the median does not
    chooser = ThreadChooser(2)
    two_thread_steps = []

    def cost(count):
        if count == 2:
            two_thread_steps.append(count)
            return 5.0 if len(two_thread_steps) == 3 else 0.5
        return 1.0

    used = run(chooser, cost, 2 * TRIAL_STEPS + 10)
    assert chooser.best == 2 and used[2 * TRIAL_STEPS:] == [2] * 10
