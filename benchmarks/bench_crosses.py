"""UDTClassifier with and without column crosses chosen automatically.

``crosses="auto"`` hashes together the values of the (at most 4) pairs of categorical or
numeric columns whose joint values predict the label better than an additive model of the
columns does, on held-out halves of the training rows (``sparsenet/udt/_column_crosses.py``);
``crosses=None`` crosses nothing. Nine table families, three seeds each, every other setting
at its default: the seven of ``_data.seven_table_families`` (Adult, Letter, four generated
problems of different structure, digits, breast cancer) and the two generated mixed tables
of ``bench_tabular.py`` (additive and interacting), and a tenth made for crosses: six
categorical columns whose effects are additive except for one pair, whose joint value has
an effect of its own (written here, so it shows where crosses pay, not that they pay in
general). HistGradientBoostingClassifier gives each family's reference. Usage:

    python benchmarks/bench_crosses.py [--threads 2]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

args = parse_args(__doc__)

import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import _tabular_peers as peers  # noqa: E402
from sparsenet import UDTClassifier  # noqa: E402

SEEDS = (0, 1, 2)


def category_pairs_table(n_train=20_000, n_test=10_000, n_levels=12, seed=0):
    """Six categorical columns; the label's score adds an effect per column's level and one
    per joint level of columns c0 and c1, plus logistic noise."""
    rng = np.random.default_rng(seed)
    n_rows = n_train + n_test
    levels = rng.integers(0, n_levels, (6, n_rows))
    score = sum(rng.normal(0, 0.5, n_levels)[column] for column in levels)
    score += rng.normal(0, 1.5, (n_levels, n_levels))[levels[0], levels[1]]
    y = (score + rng.logistic(size=n_rows) > 0).astype(int)
    X = pd.DataFrame({f"c{j}": [f"v{v}" for v in column] for j, column in enumerate(levels)})
    return X[:n_train], y[:n_train], X[n_train:].reset_index(drop=True), y[n_train:]


def families():
    found = dict(peers.nine_table_families())
    found["category pairs (generated here)"] = (category_pairs_table(), None)
    return found


def udt(data, crosses):
    """(mean accuracy %, its sd, median fit s, the crosses of the first seed's model)"""
    X_train, y_train, X_test, y_test = data
    accuracies, seconds, chosen = [], [], None
    for seed in SEEDS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = UDTClassifier(crosses=crosses, random_state=seed, n_jobs=args.threads)
            with Timer() as timer:
                model.fit(X_train, y_train)
            accuracies.append(100 * model.score(X_test, np.asarray(y_test)))
        seconds.append(timer.seconds)
        chosen = model.featurizer_.crosses_ if chosen is None else chosen
    return float(np.mean(accuracies)), float(np.std(accuracies)), float(np.median(seconds)), chosen


rows, gains = [], []
for family, (data, columns) in families().items():
    reference, reference_seconds = peers.boosting_reference(data, args.threads, columns)
    rows.append([family, "HistGradientBoostingClassifier", f"{reference:.2f}", "", f"{reference_seconds:.2f}", ""])
    without = udt(data, crosses=None)
    auto = udt(data, crosses="auto")
    gains.append(auto[0] - without[0])
    rows.append([family, "UDT, crosses=None", f"{without[0]:.2f} ± {without[1]:.2f}", "", f"{without[2]:.2f}", ""])
    rows.append([family, 'UDT, crosses="auto"', f"{auto[0]:.2f} ± {auto[1]:.2f}", f"{gains[-1]:+.2f}",
                 f"{auto[2]:.2f}", ", ".join(f"{j}x{k}" for j, k in auto[3]) or "none"])
    print(*rows[-3:], sep="\n", flush=True)

summary = (f"Mean change over the {len(gains)} families: {np.mean(gains):+.2f} points; better by more than "
           f"0.05 on {sum(g > 0.05 for g in gains)}, worse by more than 0.05 on {sum(g < -0.05 for g in gains)}.")
table = markdown_table(["family", "model", f"test accuracy % (mean ± sd of {len(SEEDS)} seeds)",
                        "auto vs none (points)", "fit s (median)", "crossed columns (seed 0)"], rows)
report("crosses", "Column crosses chosen automatically, against none",
       f"{machine_line(args.threads)}\n\n{summary}\n\n{table}")
