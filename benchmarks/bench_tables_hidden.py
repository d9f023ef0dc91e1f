"""The hidden width UDTClassifier picks for tables without text: 64 neurons (the rule for
few-class text sets) against 256, on the three table families of bench_numeric_values.py
(Adult, Letter read as a table, a generated problem), two seeds, other settings at their
defaults. Usage:

    python benchmarks/bench_tables_hidden.py [--threads 2]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

args = parse_args(__doc__)

import numpy as np  # noqa: E402

from _data import table_families  # noqa: E402
from sparsenet import UDTClassifier  # noqa: E402

SEEDS = (0, 1)
families = table_families()
rows = []
for family, (X_train, y_train, X_test, y_test) in families.items():
    for hidden in ((64,), (256,)):
        accuracies, seconds = [], []
        for seed in SEEDS:
            model = UDTClassifier(hidden_layer_sizes=hidden, random_state=seed, n_jobs=args.threads)
            with Timer() as timer:
                model.fit(X_train, y_train)
            seconds.append(timer.seconds)
            accuracies.append(model.score(X_test, y_test))
        rows.append([family, hidden[0], f"{np.mean(accuracies) * 100:.2f}", f"{np.median(seconds):.2f}"])
        print(rows[-1], flush=True)
table = markdown_table(["problem", "hidden neurons", "test accuracy % (mean of 2 seeds)", "fit s (median)"], rows)
report("tables_hidden", "Hidden width of UDTClassifier on tables without text", f"{machine_line(args.threads)}\n\n{table}")
