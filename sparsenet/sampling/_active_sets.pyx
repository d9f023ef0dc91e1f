"""LayerSampler: the one owner of a sampled layer's choices, its hash tables and their
rebuild schedule.

Each training step has two parts (see the glossary in docs/engine.md):

- the step's **shared neurons**, computed by every sample of the batch: the batch's distinct
  labels in batch order, then pseudo-random padding, up to ``shared_room``
  (``choose_shared``). Negatives as frequent as the labels themselves push a frequent label
  down about as often as a full softmax would;
- each sample's **own neurons**, none of them shared (``select_own``): up to ``lsh_room``
  of those its L buckets return most often, its labels (always), and pseudo-random padding
  up to ``min_active`` when the tables returned too few.

Shared and own neurons together are the sample's **active set**. The tables are rebuilt from
the layer's weights on a schedule that slows as training settles (``rebuild_if_due``).
Every choice is a function of the seed, the step and the sample's data, never of the thread
that makes it: training stays bit-identical for any thread count.
"""
import numpy as np

from libc.math cimport log, pow

from sparsenet.native._random cimport HASH_FUNCTIONS, OWN_PADDING, SHARED_PADDING, draw, stream
from sparsenet.native._timing cimport now
from sparsenet.sampling._hash_families cimport HashFamily
from sparsenet.sampling._hash_tables cimport HashTables

def hash_functions_seed(unsigned long long seed, long long draw_number):
    """The seed of the hash functions a sampler of ``seed`` uses after ``draw_number``
    redraws (0: its first functions)."""
    return draw(stream(seed, HASH_FUNCTIONS), <unsigned long long> draw_number)


cdef class LayerSampler:
    """The sampler of a layer of ``tables.n_neurons`` neurons.

    Parameters
    ----------
    tables : HashTables
        Tables over the layer's neurons (built on the first ``rebuild_if_due``).
    min_active : int
        Neurons a sample computes at least (padding fills up to it).
    lsh_share : float in [0, 1]
        Share of ``min_active`` the tables may supply; the shared neurons fill the rest.
    rebuild_interval, rebuild_growth, max_rebuild_interval : float
        The first rebuilds come every ``rebuild_interval`` steps, the interval then grows by
        ``rebuild_growth`` after each build, up to ``max_rebuild_interval``.
    redraw_every : int
        Builds between fresh draws of the hash functions (0: never).
    seed : int
        Seeds the padding draws and the redrawn hash functions (the tables' first functions
        come from ``hash_functions_seed(seed, 0)``).
    """

    def __cinit__(self, HashTables tables, Py_ssize_t min_active, double lsh_share,
                  double rebuild_interval, double rebuild_growth, double max_rebuild_interval,
                  long long redraw_every, unsigned long long seed,
                  double interval=0.0, long long next_build=0, bint corrects=False):
        if not 0.0 <= lsh_share <= 1.0:
            raise ValueError(f"lsh_share must lie in [0, 1], got {lsh_share}")
        if rebuild_interval < 1 or rebuild_growth < 1 or max_rebuild_interval < rebuild_interval:
            raise ValueError("rebuild_interval must be at least 1 and at most max_rebuild_interval, "
                             "rebuild_growth at least 1")
        if redraw_every < 0:
            raise ValueError(f"redraw_every must be >= 0, got {redraw_every}")
        self.tables = tables
        self.n_neurons = tables.n_neurons
        self.min_active = min(max(min_active, 0), self.n_neurons)
        self.lsh_room = <Py_ssize_t> (lsh_share * self.min_active + 0.5)
        self.shared_room = max(0, self.min_active - self.lsh_room)
        self.first_interval = rebuild_interval
        self.interval = interval if interval > 0 else rebuild_interval
        self.growth, self.max_interval = rebuild_growth, max_rebuild_interval
        self.redraw_every = redraw_every
        self.next_build = next_build
        self.seed = seed
        self.shared_ids = np.zeros(max(1, self.shared_room), dtype=np.int32)
        self.corrects = corrects
        self.shared_offsets = np.zeros(max(1, self.shared_room), dtype=np.float32)
        self.label_share = None
        self.shared_mark = np.zeros(self.n_neurons, dtype=np.int32)
        self.n_shared = 0
        self.active_capacity = 0
        self.build_seconds = 0.0
        # no training call yet (a memoryview never assigned is not None: diagnostics would
        # read through it)
        self.positions = self.ranking_scratch = None
        self.counters = None
        self.query_seconds = None

    def __reduce__(self):
        # a double: C integers would divide to 0
        lsh_share = (<double> self.lsh_room) / self.min_active if self.min_active else 0.0
        return (LayerSampler, (self.tables, self.min_active, lsh_share, self.first_interval, self.growth,
                               self.max_interval, self.redraw_every, self.seed, self.interval, self.next_build,
                               self.corrects))

    def prepare(self, int n_threads, Py_ssize_t most_labels, label_share=None):
        """Allocate the per-thread scratch of a training call and reset the diagnostics.
        ``most_labels``: the most labels one row of the training data has; ``label_share``:
        the share of the call's rows that hold each neuron's label (for the correction)."""
        self.label_share = np.zeros(self.n_neurons, dtype=np.float32) if label_share is None else \
            np.ascontiguousarray(label_share, dtype=np.float32)
        if self.label_share.shape[0] != self.n_neurons:
            raise ValueError(f"label_share must hold {self.n_neurons} values")
        self.active_capacity = min(self.n_neurons, 2 * max(self.min_active, 1) + max(most_labels, 0))
        self.positions = np.zeros((n_threads, self.n_neurons), dtype=np.int32)
        self.ranking_scratch = np.zeros((n_threads, self.tables.ranking_scratch_size), dtype=np.int32)
        self.counters = np.zeros((n_threads, 4), dtype=np.int64)
        self.query_seconds = np.zeros(n_threads, dtype=np.float64)
        self.build_seconds = 0.0

    def release(self):
        """Drop the per-thread scratch (the diagnostics stay readable)."""
        self.positions = self.ranking_scratch = None
        self.n_shared = 0

    cdef void choose_shared(self, const long long *label_starts, const int *label_ids,
                            const long long *rows, Py_ssize_t n_rows, long long step) noexcept nogil:
        """The step's shared neurons: the distinct labels of ``rows`` in batch order (row r's
        labels are label_ids[label_starts[r]:label_starts[r + 1]]), then pseudo-random
        padding drawn from the step, up to shared_room. They stay marked until
        ``mark_shared(False)``."""
        cdef int *mark = &self.shared_mark[0]
        cdef Py_ssize_t s, count = 0, attempt = 0, room = self.shared_room, rows_read = 0, from_labels, k
        cdef long long q
        cdef int label, candidate
        cdef double uniform, missed
        for s in range(n_rows):
            if count >= room:
                break
            rows_read += 1
            for q in range(label_starts[rows[s]], label_starts[rows[s] + 1]):
                label = label_ids[q]
                if count < room and mark[label] == 0:
                    self.shared_ids[count] = label
                    count += 1
                    mark[label] = <int> count
        from_labels = count
        while count < room and attempt < 8 * self.min_active:
            candidate = <int> (draw(draw(stream(self.seed, SHARED_PADDING), <unsigned long long> step),
                                    <unsigned long long> attempt) % <unsigned long long> self.n_neurons)
            attempt += 1
            if mark[candidate] == 0:
                self.shared_ids[count] = candidate
                count += 1
                mark[candidate] = <int> count
        self.n_shared = count
        if not self.corrects:
            return
        # a neuron is shared when one of the rows read holds its label, or as padding (a
        # uniform draw among the others): the chance of either, from the label's row share
        uniform = (count - from_labels) / <double> max(1, self.n_neurons - from_labels)
        for k in range(count):
            missed = pow(1.0 - self.label_share[self.shared_ids[k]], <double> rows_read) * (1.0 - uniform)
            self.shared_offsets[k] = <float> -log(max(1.0 - missed, 1e-30))

    cdef const float *negative_offsets(self) noexcept nogil:
        """The shared neurons' score offsets as negatives (NULL when the correction is off)."""
        return &self.shared_offsets[0] if self.corrects else NULL

    cdef void mark_shared(self, bint on) noexcept nogil:
        """Set (or clear) the marks of the current shared neurons."""
        cdef Py_ssize_t k
        for k in range(self.n_shared):
            self.shared_mark[self.shared_ids[k]] = <int> (k + 1) if on else 0

    cdef Py_ssize_t select_own(self, int *active, const int *labels, Py_ssize_t n_labels,
                               const float *vector, int *label_slots, long long step, long long row,
                               int tid) noexcept nogil:
        """The own neurons of the sample of data row ``row``, written to active[n_shared:] (active holds
        active_capacity ints; its first n_shared are the shared neurons' places): those the
        tables rank highest for ``vector`` (up to lsh_room), its labels (forced) and padding
        up to min_active, none of them shared. label_slots[q] becomes the position of
        labels[q] in the active set (-1 when it did not fit). The shared neurons must be
        marked. Returns the size of the active set, shared neurons included."""
        cdef int *positions = &self.positions[tid, 0]
        cdef int *mark = &self.shared_mark[0]
        cdef Py_ssize_t q, k, write, capacity = self.active_capacity, n_shared = self.n_shared
        cdef Py_ssize_t n_active, room, target = min(self.min_active, capacity), attempt = 0
        cdef long long retrieved = 0
        cdef int label, neuron, position, candidate
        cdef unsigned long long padding_seed
        cdef double started = now()
        # ask for enough that lsh_room remain once the shared ones are dropped (those are
        # computed for the whole batch); the labels keep their room
        room = min(capacity - n_shared - min(n_labels, capacity - n_shared), self.lsh_room + n_shared)
        n_active = self.tables.append_best_ranked(vector, positions, &self.ranking_scratch[tid, 0],
                                                  active, n_shared, n_shared + room)
        for q in range(n_labels):
            position = positions[labels[q]]
            if 0 < position <= n_shared + self.lsh_room:
                retrieved += 1
        write = n_shared
        for k in range(n_shared, n_active):
            neuron = active[k]
            if mark[neuron] > 0 or write - n_shared >= self.lsh_room:
                positions[neuron] = 0
            else:
                active[write] = neuron
                write += 1
                positions[neuron] = <int> write
        n_active = write
        for q in range(n_labels):
            label = labels[q]
            if mark[label] > 0:
                position = mark[label] - 1
            elif positions[label] > 0:
                position = positions[label] - 1
            elif n_active < capacity:
                active[n_active] = label
                n_active += 1
                positions[label] = <int> n_active
                position = <int> (n_active - 1)
            else:
                position = -1
            label_slots[q] = position
        # padding when the tables returned too few: pseudo-random neurons drawn from the
        # step and the row, so reruns and any thread count repeat them
        padding_seed = draw(draw(stream(self.seed, OWN_PADDING), <unsigned long long> step), <unsigned long long> row)
        while n_active < target and attempt < 8 * self.min_active:
            candidate = <int> (draw(padding_seed, <unsigned long long> attempt) % <unsigned long long> self.n_neurons)
            attempt += 1
            if mark[candidate] == 0 and positions[candidate] == 0:
                active[n_active] = candidate
                n_active += 1
                positions[candidate] = <int> n_active
        for k in range(n_shared, n_active):
            positions[active[k]] = 0
        self.counters[tid, 0] += n_labels
        self.counters[tid, 1] += retrieved
        self.counters[tid, 2] += n_active
        self.counters[tid, 3] += 1
        self.query_seconds[tid] += now() - started
        return n_active

    def rebuild_if_due(self, weights, biases, long long step, int n_threads):
        """Rebuild the tables from ``weights`` and ``biases`` (the layer's) when the schedule
        says so (always before the first build); every ``redraw_every`` builds with new hash
        functions. Returns True when it rebuilt."""
        if self.tables.n_builds > 0 and step < self.next_build:
            return False
        first = self.tables.n_builds == 0
        self.rebuild(weights, biases, n_threads)
        if not first:
            self.interval = min(self.interval * self.growth, self.max_interval)
        self.next_build = step + <long long> self.interval
        return True

    def rebuild(self, weights, biases, int n_threads):
        """Rebuild the tables now, the schedule unchanged (at the end of a training call, so
        that inference ranks with tables of the final weights)."""
        cdef HashTables tables = self.tables
        started = now()
        if self.redraw_every > 0 and tables.n_builds > 0 and tables.n_builds % self.redraw_every == 0:
            family = tables.family
            fresh = HashFamily(family.kind, family.dimension, family.n_tables, family.hashes_per_table,
                               family.range_bits, hash_functions_seed(self.seed, tables.n_builds // self.redraw_every))
            tables = HashTables(fresh, tables.n_neurons, tables.bucket_capacity, n_builds=tables.n_builds,
                                norm_ranges=tables.n_ranges)
        elif not tables.writeable:
            # new arrays rather than writeable copies swapped into the old tables: a
            # prediction running meanwhile keeps reading the old ones, which it holds
            tables = HashTables(tables.family, tables.n_neurons, tables.bucket_capacity, n_builds=tables.n_builds,
                                norm_ranges=tables.n_ranges)
        tables.build(weights, n_threads, biases)
        self.tables = tables
        self.build_seconds += now() - started

    def restart_schedule(self, double rebuild_interval, double rebuild_growth, long long redraw_every):
        """New schedule settings for later training calls: the interval restarts only when
        ``rebuild_interval`` itself changed."""
        if rebuild_interval != self.first_interval:
            self.first_interval = self.interval = rebuild_interval
        self.growth, self.redraw_every = rebuild_growth, redraw_every

    @property
    def diagnostics(self):
        """Since the last ``prepare``: how often the tables returned a true label before it
        was forced in (``lsh_recall``), the mean active-set size, table builds in all, seconds
        spent querying the tables (summed over threads) and rebuilding them."""
        if self.counters is None:
            return None
        totals = np.asarray(self.counters).sum(axis=0)
        return {
            "labels_seen": int(totals[0]),
            "lsh_recall": float(totals[1] / totals[0]) if totals[0] else float("nan"),
            "mean_active": float(totals[2] / totals[3]) if totals[3] else float("nan"),
            "table_builds": int(self.tables.n_builds),
            "query_thread_seconds": float(np.asarray(self.query_seconds).sum()),
            "rebuild_seconds": self.build_seconds,
        }
