"""How UDTClassifier reads numbers: quantile bins alone against bins plus the value itself.

Three problem families, each with UDTClassifier's other settings at their defaults, two
seeds: Adult census (real, 6 numeric and 8 categorical columns), Letter (real, 16 integer
features, 26 classes, read as a table of numeric columns) and a generated problem
(``make_classification``: 20 continuous features, 4 classes of 3 clusters each). Settings:
``n_bins`` 16 and 32, with and without the scaled value as an input (without: the value
inputs are left out of the featurizer's output). HistGradientBoostingClassifier gives each
family's reference. Usage:

    python benchmarks/bench_numeric_values.py [--threads 2]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

args = parse_args(__doc__)

from unittest import mock  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402

from _data import table_families  # noqa: E402
from sparsenet import UDTClassifier  # noqa: E402
from sparsenet.udt import _featurizer  # noqa: E402

SEEDS = (0, 1)
families = table_families()


def boosting_reference(X_train, y_train, X_test, y_test):
    if isinstance(X_train, pd.DataFrame):
        categorical = [c for c in X_train.columns if not pd.api.types.is_numeric_dtype(X_train[c])]
        X_train, X_test = (frame.astype({c: "category" for c in categorical}) for frame in (X_train, X_test))
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
    with Timer() as timer:
        model.fit(X_train, y_train)
    return model.score(X_test, y_test), timer.seconds


def udt(X_train, y_train, X_test, y_test, n_bins, values):
    accuracies, seconds = [], []
    without = mock.patch.object(_featurizer, "with_values", lambda block, *rest: block)
    for seed in SEEDS:
        with (mock.patch.object(_featurizer, "with_values", _featurizer.with_values) if values else without):
            model = UDTClassifier(n_bins=n_bins, random_state=seed, n_jobs=args.threads)
            with Timer() as timer:
                model.fit(X_train, y_train)
            accuracies.append(model.score(X_test, y_test))
        seconds.append(timer.seconds)
    return np.mean(accuracies), np.median(seconds)


rows = []
for family, data in families.items():
    reference, reference_seconds = boosting_reference(*data)
    rows.append([family, "HistGradientBoostingClassifier", f"{reference * 100:.2f}", f"{reference_seconds:.2f}"])
    for n_bins, values in ((16, False), (32, False), (16, True), (32, True)):
        accuracy, seconds = udt(*data, n_bins, values)
        label = f"UDT, {n_bins} bins" + (" + value" if values else "") + (" (default)" if (n_bins, values) == (32, True)
                                                                          else "")
        rows.append([family, label, f"{accuracy * 100:.2f}", f"{seconds:.2f}"])
        print(rows[-1], flush=True)
table = markdown_table(["problem", "model", "test accuracy % (mean of 2 seeds)", "fit s (median)"], rows)
report("numeric_values", "Numbers as bins, or as bins and the value itself", f"{machine_line(args.threads)}\n\n{table}")
