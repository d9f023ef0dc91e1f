"""How UDTClassifier reads numbers: with or without a token for each common value.

A numeric column's value is read as its quantile bin, its sign and power of ten, and the
scaled value itself; with common values (the default), a value that at least 5 training
rows hold is also a token of its own, as a category would be, and the column's other values
share one "uncommon" token (``sparsenet/udt/_common_values.py``). Without: those tokens are
left out of the featurizer's output. Nine table families, three seeds each, every other
setting at its default: the seven of ``_data.seven_table_families`` (Adult, Letter, four
generated problems of different structure, digits, breast cancer) and the two generated
mixed tables of ``bench_tabular.py`` (text, category, numbers, a date, tags; additive and
interacting). HistGradientBoostingClassifier gives each family's reference. Usage:

    python benchmarks/bench_common_values.py [--threads 2]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

args = parse_args(__doc__)

import warnings  # noqa: E402
from unittest import mock  # noqa: E402

import numpy as np  # noqa: E402

import _tabular_peers as peers  # noqa: E402
from sparsenet import UDTClassifier  # noqa: E402
from sparsenet.udt._featurizer import UDTFeaturizer  # noqa: E402

SEEDS = (0, 1, 2)
with_common_values = UDTFeaturizer._number_hashes


def without_common_values(featurizer, j, x):
    return with_common_values(featurizer, j, x)[:2]  # the bin and magnitude tokens only


def udt(data, common):
    X_train, y_train, X_test, y_test = data
    accuracies, seconds = [], []
    for seed in SEEDS:
        reading = with_common_values if common else without_common_values
        with mock.patch.object(UDTFeaturizer, "_number_hashes", reading), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = UDTClassifier(random_state=seed, n_jobs=args.threads)
            with Timer() as timer:
                model.fit(X_train, y_train)
            accuracies.append(100 * model.score(X_test, np.asarray(y_test)))
            seconds.append(timer.seconds)
    return float(np.mean(accuracies)), float(np.std(accuracies)), float(np.median(seconds))


rows, gains = [], []
for family, (data, columns) in peers.nine_table_families().items():
    reference, reference_seconds = peers.boosting_reference(data, args.threads, columns)
    rows.append([family, "HistGradientBoostingClassifier", f"{reference:.2f}", "", f"{reference_seconds:.2f}"])
    without = udt(data, common=False)
    with_ = udt(data, common=True)
    gains.append(with_[0] - without[0])
    rows.append([family, "UDT, without common values", f"{without[0]:.2f} ± {without[1]:.2f}", "",
                 f"{without[2]:.2f}"])
    rows.append([family, "UDT, with common values (default)", f"{with_[0]:.2f} ± {with_[1]:.2f}",
                 f"{gains[-1]:+.2f}", f"{with_[2]:.2f}"])
    print(*rows[-3:], sep="\n", flush=True)

summary = (f"Mean change over the {len(gains)} families: {np.mean(gains):+.2f} points; better by more than "
           f"0.05 on {sum(g > 0.05 for g in gains)}, worse by more than 0.05 on {sum(g < -0.05 for g in gains)}.")
table = markdown_table(["family", "model", f"test accuracy % (mean ± sd of {len(SEEDS)} seeds)",
                        "with vs without (points)", "fit s (median)"], rows)
report("common_values", "Numbers with and without a token for each common value",
       f"{machine_line(args.threads)}\n\n{summary}\n\n{table}")
