"""Featurization speed on the IMDB training reviews: UDTFeaturizer against HashingVectorizer.

Both hash lowercased unigrams and bigrams of the 25,000 training reviews into 2**18
features and return a CSR matrix. UDTFeaturizer runs its Cython kernel on ``--threads``
threads and on one; HashingVectorizer is single-threaded (its tokeniser is Python/regex).
Each transform is timed three times on the same texts; the table shows the median. A second
table times the transform of a single review of about 230 words (online serving). Usage:

    python benchmarks/bench_featurize.py [--threads 2]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

args = parse_args(__doc__)

import os
import time

import numpy as np
from _data import load_imdb
from sklearn.feature_extraction.text import HashingVectorizer

from sparsenet import UDTFeaturizer

N_FEATURES, REPEATS = 2**18, 3
SINGLE_ROW_CALLS, SINGLE_ROW_REPEATS = 2000, 5
texts = load_imdb()[0]
load_at_start = os.getloadavg()[0]

reference = "scikit-learn HashingVectorizer, 1 thread"
contenders = {
    f"sparsenet UDTFeaturizer, {args.threads} threads":
        UDTFeaturizer(feature_hash_range=N_FEATURES, n_jobs=args.threads).fit(texts),
    "sparsenet UDTFeaturizer, 1 thread": UDTFeaturizer(feature_hash_range=N_FEATURES, n_jobs=1).fit(texts),
    reference: HashingVectorizer(ngram_range=(1, 2), n_features=N_FEATURES).fit(texts),
}

results = {}
for name, featurizer in contenders.items():
    seconds = []
    for _ in range(REPEATS):
        with Timer() as timer:
            X = featurizer.transform(texts)
        seconds.append(timer.seconds)
    results[name] = (float(np.median(seconds)), X.nnz)
    print(f"{name}: {seconds} s, nnz {X.nnz}", flush=True)

# a single review of typical length, as an online service would featurize it
words = np.array([len(text.split()) for text in texts])
review = [texts[int(np.argmin(np.abs(words - 230)))]]
latency = {}
for name, featurizer in contenders.items():
    wall, cpu = [], []
    for _ in range(SINGLE_ROW_REPEATS):
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(SINGLE_ROW_CALLS):
            featurizer.transform(review)
        wall.append((time.perf_counter() - start) / SINGLE_ROW_CALLS)
        cpu.append((time.process_time() - start_cpu) / SINGLE_ROW_CALLS)
    latency[name] = (float(np.median(wall)) * 1e6, float(np.median(cpu)) * 1e6)
    print(f"{name}: single review {latency[name][0]:.1f} us (CPU {latency[name][1]:.1f} us)", flush=True)

base_seconds, _ = results[reference]
rows = [
    [name, f"{sec:.3f}", f"{len(texts) / sec:,.0f}", f"{base_seconds / sec:.1f}x", f"{nnz:,}"]
    for name, (sec, nnz) in results.items()
]
table = markdown_table(["featurizer", "transform s (median of 3)", "rows/s", "speed vs HashingVectorizer", "nnz"], rows)
single = markdown_table(
    ["featurizer", f"one review ({len(review[0].split())} words): us per transform (median)", "CPU us"],
    [[name, f"{wall:.1f}", f"{cpu:.1f}"] for name, (wall, cpu) in latency.items()],
)
note = (f"Load average when the benchmark started: {load_at_start:.1f}. Other jobs on the machine "
        "slow every contender and make threaded timings noisy; CPU time (process time) counts only "
        "the time the benchmark itself ran.")
report("featurize", f"IMDB train ({len(texts):,} reviews): hashed unigrams + bigrams, 2**18 features",
       f"{machine_line(args.threads)}\n\n{table}\n\n{single}\n\n{note}")
