"""UDTClassifier's training settings on tables without text: its defaults against the
alternatives one would try first, on seven table families, beside gradient boosting.

Families (``_data.seven_table_families``): Adult, Letter read as a table, a generated
``make_classification`` problem, and four more of other structure: scikit-learn's
``make_hastie_10_2`` (a spherical boundary, 12,000 training rows),
``make_gaussian_quantiles`` (nested shells, 3 classes, 20,000 rows), and the digits and
breast-cancer sets shipped with scikit-learn (1,300 and 400 training rows, a seeded split).
Variants, each changing one setting from the defaults (whose hidden layers are (256, 256)
on tables of numbers alone, (256,) on the others): the step size (2e-3, 8e-3), twice the
epochs, hidden layers (512,), (256, 256) and (256,) (one of the last two is the family's
default), 16 or 64 numeric bins, and early stopping.
Two seeds each; HistGradientBoostingClassifier (defaults, random_state 0) for reference.
Usage:

    python benchmarks/bench_table_settings.py [--threads 2]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

args = parse_args(__doc__)

import warnings  # noqa: E402

import numpy as np  # noqa: E402

import _tabular_peers as peers  # noqa: E402
import sparsenet.udt._classifier as udt_settings  # noqa: E402
from _data import seven_table_families  # noqa: E402
from sparsenet import UDTClassifier  # noqa: E402

SEEDS = (0, 1)
VARIANTS = {
    "defaults": {},
    "learning_rate=2e-3": {"learning_rate": 2e-3},
    "learning_rate=8e-3": {"learning_rate": 8e-3},
    "twice the epochs": {"epochs": 2},
    "hidden (512,)": {"hidden_layer_sizes": (512,)},
    "hidden (256, 256)": {"hidden_layer_sizes": (256, 256)},
    "hidden (256,)": {"hidden_layer_sizes": (256,)},
    "n_bins=16": {"n_bins": 16},
    "n_bins=64": {"n_bins": 64},
    "early_stopping=True": {"early_stopping": True},
}


def udt_accuracy(data, settings, seed):
    X_train, y_train, X_test, y_test = data
    settings = dict(settings)
    epoch_factor = settings.pop("epochs", 1)
    planned = udt_settings.EPOCH_ROWS
    udt_settings.EPOCH_ROWS = planned * epoch_factor  # "auto" epochs, scaled (bounds kept)
    try:
        model = UDTClassifier(random_state=seed, n_jobs=args.threads, **settings)
        with Timer() as timer, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X_train, y_train)
    finally:
        udt_settings.EPOCH_ROWS = planned
    return 100 * model.score(X_test, np.asarray(y_test)), timer.seconds


rows, gaps = [], {name: [] for name in VARIANTS}
for family, data in seven_table_families().items():
    reference, seconds = peers.boosting_reference(data, args.threads)
    rows.append([family, "HistGradientBoostingClassifier", f"{reference:.2f}", "", f"{seconds:.2f}"])
    defaults = None
    for name, settings in VARIANTS.items():
        runs = [udt_accuracy(data, settings, seed) for seed in SEEDS]
        accuracy = float(np.mean([a for a, _ in runs]))
        defaults = accuracy if defaults is None else defaults
        gaps[name].append(accuracy - defaults)
        rows.append([family, f"UDT, {name}", f"{accuracy:.2f}", f"{accuracy - defaults:+.2f}",
                     f"{np.median([s for _, s in runs]):.2f}"])
        print(rows[-1], flush=True)

summary = [[name, f"{np.mean(gap):+.2f}", sum(g > 0.05 for g in gap), sum(g < -0.05 for g in gap)]
           for name, gap in gaps.items() if name != "defaults"]
table = markdown_table(["family", "model", "test accuracy % (mean of 2 seeds)", "vs UDT defaults (points)",
                        "fit s (median)"], rows)
overview = markdown_table(["variant", "mean change over the 7 families (points)", "families better by > 0.05",
                           "families worse by > 0.05"], summary)
report("table_settings", "UDTClassifier's settings on tables without text, seven families",
       f"{machine_line(args.threads)}\n\n{overview}\n\n{table}")
