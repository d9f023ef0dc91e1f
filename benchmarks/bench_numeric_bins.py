"""Where numeric bins start: plain quantile edges against edges that give a value holding
more than a bin's share of the rows a bin of its own and the other values bins of their own.

Three problem families, UDTClassifier's other settings at their defaults, four seeds:
Adult census (real: 6 numeric columns, two of them over 90 % zeros, one at 47 % "40
hours", one of 16 education levels; 8 categorical columns), Letter (real, 16 integer
features of 16 values each, 26 classes) and a generated problem (``make_classification``:
20 continuous features, where both rules give the same edges; Letter's columns are
dominated less, by a value holding 14-40 % of the rows). HistGradientBoostingClassifier
gives each family's reference. Usage:

    python benchmarks/bench_numeric_bins.py [--threads 2]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

args = parse_args(__doc__)

from unittest import mock  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402

from _data import table_families  # noqa: E402
from sparsenet import UDTClassifier  # noqa: E402
from sparsenet.udt import _featurizer, _numeric_bins  # noqa: E402

SEEDS = (0, 1, 2, 3)


def plain_edges(x, n_bins):
    finite = x[np.isfinite(x)]
    if finite.size == 0 or n_bins == 1:
        return np.empty(0)
    return _numeric_bins.plain_quantile_edges(finite, n_bins)


RULES = {"plain quantiles": plain_edges, "a bin for the dominant value, bins beside it (default)":
         _numeric_bins.quantile_edges}


def boosting_reference(X_train, y_train, X_test, y_test):
    if isinstance(X_train, pd.DataFrame):
        categorical = [c for c in X_train.columns if not pd.api.types.is_numeric_dtype(X_train[c])]
        X_train, X_test = (frame.astype({c: "category" for c in categorical}) for frame in (X_train, X_test))
    accuracies, seconds = [], []
    for seed in SEEDS:
        model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=seed)
        with Timer() as timer:
            model.fit(X_train, y_train)
        accuracies.append(model.score(X_test, y_test))
        seconds.append(timer.seconds)
    return np.mean(accuracies), np.std(accuracies), np.median(seconds)


def udt(X_train, y_train, X_test, y_test, rule):
    accuracies, seconds = [], []
    with mock.patch.object(_featurizer, "quantile_edges", rule):
        for seed in SEEDS:
            model = UDTClassifier(random_state=seed, n_jobs=args.threads)
            with Timer() as timer:
                model.fit(X_train, y_train)
            accuracies.append(model.score(X_test, y_test))
            seconds.append(timer.seconds)
    return np.mean(accuracies), np.std(accuracies), np.median(seconds)


rows = []
for family, data in table_families().items():
    results = {"HistGradientBoostingClassifier": boosting_reference(*data)}
    results.update({f"UDT, {name}": udt(*data, rule) for name, rule in RULES.items()})
    for name, (accuracy, spread, seconds) in results.items():
        rows.append([family, name, f"{accuracy * 100:.2f} ± {spread * 100:.2f}", f"{seconds:.2f}"])
        print(rows[-1], flush=True)
table = markdown_table(["problem", "model", "test accuracy % (mean ± sd, 4 seeds)", "fit s (median)"], rows)
report("numeric_bins", "Numeric bin edges: plain quantiles or value-aware", f"{machine_line(args.threads)}\n\n{table}")
