"""How many threads the steps of a training call run on: the count that is fastest now,
measured while training.

Results are bit-identical for any thread count, so the loop may switch at any step. Where
other programs keep some cores busy (another fit, a notebook, a CI job), OpenMP threads wait
for each other at every step and one thread can be many times faster than two; on an idle
machine all of them are. The loop times a few steps on each candidate count now and then
(interleaved, so that a change in load affects every candidate alike) and runs on the
fastest until the next trial. Trials grow rarer while the choice holds.
"""
import numpy as np

# steps timed per candidate in a trial; steps on the chosen count before the next trial (the
# gap doubles while the choice holds, up to the most)
TRIAL_STEPS = 6
FIRST_GAP, MOST_GAP = 64, 2048
# a candidate this many times slower than the fastest in a trial is dropped from it
GIVE_UP_RATIO = 3.0


class ThreadChooser:
    """Picks the thread count of each step from 1, half and all of ``n_threads``."""

    def __init__(self, n_threads):
        self.candidates = sorted({1, max(1, n_threads // 2), n_threads})
        self.best = n_threads
        self.gap = FIRST_GAP
        self._plan = self._trial()
        self._times = {count: [] for count in self.candidates}
        self._wait = 0

    def _trial(self):
        return [count for _ in range(TRIAL_STEPS) for count in reversed(self.candidates)] \
            if len(self.candidates) > 1 else []

    def next_count(self):
        """The thread count of the next step."""
        if self._plan:
            return self._plan[0]
        return self.best

    def record(self, count, seconds, rows):
        """The step just run on ``count`` threads took ``seconds`` for ``rows`` rows."""
        if not self._plan:
            self._wait -= 1
            if self._wait <= 0 and len(self.candidates) > 1:
                self._plan = self._trial()
            return
        self._plan.pop(0)
        self._times[count].append(seconds / max(rows, 1))
        # plain sums: this runs after every trial step, and np.mean of a short list costs
        # more than a small step's kernel
        timed = {c: sum(t) / len(t) for c, t in self._times.items() if t}
        if len(timed) == len(self.candidates):
            # a candidate already far slower than the fastest is not tried further: on a
            # busy machine each of its steps may cost a scheduler time slice
            fastest = min(timed.values())
            self._plan = [c for c in self._plan if timed[c] <= GIVE_UP_RATIO * fastest]
        if self._plan:
            return
        # means, not medians: where cores are shared, the cost of more threads is in the
        # tail (a step whose threads wait for one the system descheduled). A switch also
        # needs the medians to agree: on an idle machine one step that happened to be
        # preempted is not a trend, and a wrong switch costs a whole gap of steps
        chosen = min(self.candidates, key=lambda c: np.mean(self._times[c]))
        if chosen != self.best and np.median(self._times[chosen]) >= np.median(self._times[self.best]):
            chosen = self.best
        self.gap = min(2 * self.gap, MOST_GAP) if chosen == self.best else FIRST_GAP
        self.best = chosen
        self._times = {count: [] for count in self.candidates}
        self._wait = self.gap
