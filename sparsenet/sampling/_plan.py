"""The sampling plan of a layer: its settings resolved from the layer's size.

The rules follow the BOLT paper's auto-tuning (Meisburger et al., CIKM 2023) and SLIDE's
published settings (see SPARSITY_BY_SIZE and MIN_AUTO_ACTIVE for where we depart from them):
an output sparsity that falls as the layer grows, with a floor of active neurons; 50 tables; DWTA codes of 3 bits per hash with range 2^(3 x hashes per table);
buckets capped at four times their expected load; tables rebuilt on a schedule that slows
as training settles.
"""
import math
from dataclasses import dataclass

from sparsenet.sampling._active_sets import LayerSampler, hash_functions_seed
from sparsenet.sampling._hash_families import HashFamily
from sparsenet.sampling._hash_tables import HashTables

# (outputs below, sparsity): BOLT's schedule, except that layers under 4,000 outputs stay
# dense. On Delicious (983 labels) BOLT's 0.1 still costs 2.5 points of P@1 against dense
# training (63.6 against 66.0); below a few thousand outputs the dense layer is cheap enough
# that accuracy wins.
SPARSITY_BY_SIZE = ((4000, 1.0), (10_000, 0.02), (20_000, 0.01))
SMALLEST_SPARSITY = 0.005
# output_sparsity="auto" computes at least this many output neurons a sample: the sampled
# softmax estimates the full one from its negatives, and BOLT's share alone leaves too few
# in the tens of thousands (100 at 20,000 labels, 250 at 50,000). On two generators of
# different structure at 20,000 labels (benchmarks/bench_active_set.py), exact P@1 rose
# steeply up to 1,000 neurons and reached dense training's there; 2,000 added at most 1.4
# points for a third more time.
MIN_AUTO_ACTIVE = 1000
DEFAULT_TABLES = 50
# share of the minimum active set the tables supply (the rest: labels, the batch's other
# labels). Measured on generated problems (25,000 rows, 3 epochs, P@1 exact / sparse top-k):
# 50K labels 0.5 -> 29.0 / 35.4, 0.25 -> 38.4 / 41.3, 0.1 -> 39.6 / 43.7, 0 -> 40.4 / 44.9;
# 100K labels 0.25 -> 30.5 / 30.5, 0.1 -> 35.7 / 36.1, 0 -> 36.1 / 36.1. The neurons the
# tables return are near the input but rarely near its labels: as negatives without a
# sampling correction they mostly add noise. A tenth keeps the tables in training (and their
# recall measured) at little cost, and shrinks the rows a step updates.
LSH_SHARE = 0.1
MET_PER_LSH_SLOT = 8.0
DWTA_BITS_PER_HASH = 3
# "mips" tables: neurons a bucket holds on average (K = log2(neurons / load)). The transform
# puts most keys near one axis that queries never point along, so a query's buckets hold
# far fewer neurons than the average and few bits a table keep the best-scoring ones found
MIPS_BUCKET_LOAD = 256
# "mips" tables: norm ranges (see sampling/_hash_tables.pyx). One: with more, keys spread
# over all buckets, queries count many more neurons, and on both generators retrieval fell
# (it rose on held-out words): benchmarks/results/hash_families_norm_ranges32.md
MIPS_NORM_RANGES = 1
# the rebuild interval stops growing here (steps)
MAX_REBUILD_INTERVAL = 5000.0


def max_range_bits(n_neurons):
    """Most bucket bits worth having over n_neurons: about four buckets a neuron."""
    return min(24, max(1, math.ceil(math.log2(max(n_neurons, 2))) + 2))


def auto_output_sparsity(n_outputs):
    """Share of the output neurons active per sample, by layer size."""
    for limit, sparsity in SPARSITY_BY_SIZE:
        if n_outputs < limit:
            return sparsity
    return SMALLEST_SPARSITY


@dataclass(frozen=True)
class SamplingPlan:
    """Resolved settings of a sampled layer: its active sets, hash tables and rebuild
    schedule."""

    sparsity: float
    min_active: int
    lsh_share: float
    hash_family: str
    n_tables: int
    hashes_per_table: int
    range_bits: int
    bucket_capacity: int
    rebuild_interval: int
    rebuild_growth: float
    redraw_every: int

    def new_sampler(self, n_neurons, dimension, seed):
        """A LayerSampler for a layer of ``n_neurons`` neurons over vectors of ``dimension``
        values (tables not built yet)."""
        family = HashFamily(self.hash_family, dimension, self.n_tables, self.hashes_per_table,
                            self.range_bits, hash_functions_seed(seed, 0))
        tables = HashTables(family, n_neurons, self.bucket_capacity, norm_ranges=MIPS_NORM_RANGES)
        return LayerSampler(tables, self.min_active,
                            self.lsh_share, self.rebuild_interval, self.rebuild_growth,
                            max(MAX_REBUILD_INTERVAL, self.rebuild_interval), self.redraw_every, seed)


def plan_sampling(n_outputs, *, output_sparsity, hash_family, n_tables, hashes_per_table, bucket_capacity,
                  rebuild_interval, rebuild_growth, redraw_hashes_every):
    """A SamplingPlan for a layer of n_outputs neurons, or None when it stays dense. The
    arguments are the estimator parameters of the same names ("auto" resolved here)."""
    sparsity = auto_output_sparsity(n_outputs) if output_sparsity == "auto" else float(output_sparsity)
    if sparsity >= 1.0:
        return None
    tables = DEFAULT_TABLES if n_tables == "auto" else int(n_tables)
    # at least a label and one negative, or softmax over the active set has no gradient
    floor = MIN_AUTO_ACTIVE if output_sparsity == "auto" else 2
    min_active = min(n_outputs, max(floor, math.ceil(sparsity * n_outputs)))
    # the tables supply up to LSH_SHARE of the active set, ranked by how many tables return
    # each neuron; buckets are sized so that all tables together meet a few times that
    # many neurons, enough to rank, few enough to count quickly
    lsh_room = max(1.0, LSH_SHARE * min_active)
    expected_load = max(2.0, MET_PER_LSH_SLOT * lsh_room / tables)
    range_bits = int(min(24, max(1, round(math.log2(max(2.0, n_outputs / expected_load))))))
    if hash_family == "mips":
        range_bits = max(1, round(math.log2(max(2.0, n_outputs / MIPS_BUCKET_LOAD))))
    if hashes_per_table == "auto":
        if hash_family == "dwta":
            hashes = min(8, max(2, round(range_bits / DWTA_BITS_PER_HASH)))
        else:
            hashes = min(20, range_bits)
    else:
        hashes = int(hashes_per_table)
    # a table's code has only so many bits: more buckets than codes would stay empty, and
    # more than four buckets a neuron would only cost memory (wider codes are folded)
    code_bits = hashes * DWTA_BITS_PER_HASH if hash_family == "dwta" else hashes
    range_bits = min(code_bits, max_range_bits(n_outputs))
    if bucket_capacity == "auto":
        capacity = max(8, math.ceil(4 * n_outputs / 2**range_bits))
    else:
        capacity = int(bucket_capacity)
    return SamplingPlan(sparsity, min_active, LSH_SHARE, hash_family, tables, hashes, range_bits, capacity,
                        int(rebuild_interval), float(rebuild_growth), int(redraw_hashes_every))


# a sampled hidden layer's tables: "mips", which ranks neurons by their activation (weights
# and bias), what inference keeps (the layer's highest activations); DWTA compares
# directions only (the two side by side: benchmarks/results/hidden_sampling.md)
HIDDEN_HASH_FAMILY = "mips"
# a hidden layer's tables: neurons a bucket holds on average. A layer of a few thousand
# neurons is small for 50 tables: buckets of a few neurons each keep the count that ranks
# them meaningful
HIDDEN_BUCKET_LOAD = 8


def plan_hidden_sampling(width, *, hidden_sparsity, n_tables, rebuild_interval, rebuild_growth, redraw_hashes_every):
    """A SamplingPlan for a hidden layer of ``width`` neurons (the estimator's parameters of
    the same names), or None when it stays dense ("auto" is dense: see the estimator's
    ``hidden_sparsity``). Every active neuron comes from the tables: a hidden layer has no
    labels to share."""
    if hidden_sparsity == "auto" or float(hidden_sparsity) >= 1.0:
        return None
    min_active = min(width, max(1, math.ceil(float(hidden_sparsity) * width)))
    tables = DEFAULT_TABLES if n_tables == "auto" else int(n_tables)
    range_bits = min(max_range_bits(width), max(1, round(math.log2(max(2.0, width / HIDDEN_BUCKET_LOAD)))))
    capacity = 8 * HIDDEN_BUCKET_LOAD
    return SamplingPlan(float(hidden_sparsity), min_active, 1.0, HIDDEN_HASH_FAMILY, tables, range_bits, range_bits,
                        capacity, int(rebuild_interval), float(rebuild_growth), int(redraw_hashes_every))
