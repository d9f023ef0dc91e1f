"""Tables: UDTClassifier (defaults, raw columns) against gradient boosting and a linear model.

Three tables, each split in training and test rows:

- Adult census, the standard split (32,561 training and 16,281 test rows, 6 numeric and 8
  categorical columns);
- two generated tables of every column type UDT reads (``_mixed_tables.py``: a review text,
  a store of 300, a price, a quantity, an order date, 0-5 tags as "a|b|c"; 3 classes;
  20,000 training and 10,000 test rows), "additive" and "interacting" (effects of column
  pairs).

Contenders, each on ``--threads`` threads, each doing its preprocessing inside ``fit``
(``_tabular_peers.py``): UDTClassifier with its defaults on the raw DataFrame;
HistGradientBoostingClassifier (native categories), defaults; one-hot + TF-IDF +
LogisticRegression; LightGBM and CatBoost, defaults, where installed (CatBoost with its
text features took over 6 minutes on a generated table here: it runs on those only with
``--catboost-text``). Three seeds for UDTClassifier and scikit-learn's gradient boosting,
one for the others. Usage:

    python benchmarks/bench_tabular.py [--threads 2] [--tables Adult,additive,interacting] [--catboost-text]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report


def options(parser):
    parser.add_argument("--tables", default="Adult,additive,interacting", help="comma-separated tables to run")
    parser.add_argument("--catboost-text", action="store_true",
                        help="also run CatBoost on the tables with text (over 6 minutes a fit here)")


args = parse_args(__doc__, options)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import _tabular_peers as peers  # noqa: E402
from _data import load_adult  # noqa: E402
from _mixed_tables import mixed_table  # noqa: E402
from sparsenet import UDTClassifier  # noqa: E402

SEEDS = (0, 1, 2)
N_TRAIN, N_TEST = 20_000, 10_000


def adult():
    X_train, y_train, X_test, y_test = load_adult()
    categorical = [c for c in X_train.columns if not pd.api.types.is_numeric_dtype(X_train[c])]
    numeric = [c for c in X_train.columns if c not in categorical]
    return (X_train, y_train, X_test, y_test), peers.Columns(categorical=categorical, numeric=numeric)


def generated(family):
    X, y = mixed_table(N_TRAIN + N_TEST, family, seed=0)
    columns = peers.Columns(text=["review"], categorical=["store"], numeric=["price", "quantity"],
                            date=["ordered"], multi_valued=["tags"])
    return (X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:].reset_index(drop=True), y[N_TRAIN:]), columns


def udt(columns, seed, threads):
    return UDTClassifier(random_state=seed, n_jobs=threads)


TABLES = {"Adult": adult, "additive": lambda: generated("additive"),
          "interacting": lambda: generated("interacting")}
CONTENDERS = {
    "sparsenet UDTClassifier (defaults)": (udt, SEEDS),
    "HistGradientBoostingClassifier": (peers.hist_gradient_boosting, SEEDS),
    "one-hot + LogisticRegression": (peers.one_hot_logistic_regression, (0,)),
}
if peers.installed("lightgbm"):
    CONTENDERS["LightGBM"] = (peers.lightgbm, (0,))
if peers.installed("catboost"):
    CONTENDERS["CatBoost"] = (peers.catboost, (0,))
REFERENCE = "HistGradientBoostingClassifier"

sections = []
for table_name in args.tables.split(","):
    (X_train, y_train, X_test, y_test), columns = TABLES[table_name]()
    results = {}
    for name, (make, seeds) in CONTENDERS.items():
        if name == "CatBoost" and columns.text and not args.catboost_text:
            continue
        accuracies, seconds = [], []
        for seed in seeds:
            model = make(columns, seed, args.threads)
            with Timer() as timer:
                model.fit(X_train, y_train)
            seconds.append(timer.seconds)
            accuracies.append(model.score(X_test, y_test))
            print(f"{table_name}, {name}, seed {seed}: accuracy {accuracies[-1]:.4f}, fit {timer.seconds:.2f} s",
                  flush=True)
        results[name] = (np.mean(accuracies), np.std(accuracies), np.median(seconds), len(seeds))
    base_acc, _, base_time, _ = results[REFERENCE]
    rows = [[name, f"{acc * 100:.2f} ± {std * 100:.2f} ({n})", f"{sec:.2f}", f"{sec / base_time:.2f}x",
             f"{(acc - base_acc) * 100:+.2f}"] for name, (acc, std, sec, n) in results.items()]
    table = markdown_table(["model", "test accuracy % (mean ± sd (seeds))", "fit s (median)",
                            "fit time vs HistGradientBoosting", "accuracy vs HistGradientBoosting (points)"], rows)
    title = "Adult census" if table_name == "Adult" else f"Generated mixed table, {table_name}"
    sections.append(f"### {title} ({len(X_train):,} training rows)\n\n{table}")
report("tabular", "Tables: UDTClassifier against gradient boosting",
       machine_line(args.threads) + "\n\n" + "\n\n".join(sections))
