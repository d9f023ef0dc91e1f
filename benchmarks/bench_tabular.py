"""Tables without text: UDTClassifier (defaults) against gradient boosting and a linear model.

Adult census, the standard split (32,561 training and 16,281 test rows, 6 numeric and 8
categorical columns). Contenders, each on 2 threads: UDTClassifier with its defaults on the
raw DataFrame; HistGradientBoostingClassifier with native categorical support (categories as
pandas ``category`` columns), defaults; one-hot categories + standardised numbers +
LogisticRegression. Three seeds for the seeded models. Usage:

    python benchmarks/bench_tabular.py [--threads 2]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

args = parse_args(__doc__)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.compose import make_column_transformer  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

from _data import load_adult  # noqa: E402
from sparsenet import UDTClassifier  # noqa: E402

SEEDS = (0, 1, 2)
X_train, y_train, X_test, y_test = load_adult()
categorical = [c for c in X_train.columns if not pd.api.types.is_numeric_dtype(X_train[c])]
numeric = [c for c in X_train.columns if c not in categorical]


def as_categories(frame):
    frame = frame.copy()
    for column in categorical:
        frame[column] = frame[column].astype("category")
    return frame


def hist_gradient_boosting(seed):
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=seed)
    return model, as_categories


def one_hot_logistic_regression(seed):
    encode = make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), categorical),
        (StandardScaler(), numeric))
    return make_pipeline(encode, LogisticRegression(max_iter=2000)), None


def udt(seed):
    return UDTClassifier(random_state=seed, n_jobs=args.threads), None


contenders = {
    "sparsenet UDTClassifier (defaults)": (udt, SEEDS),
    "HistGradientBoostingClassifier (native categories)": (hist_gradient_boosting, SEEDS),
    "one-hot + LogisticRegression": (one_hot_logistic_regression, (0,)),
}
results = {}
for name, (make, seeds) in contenders.items():
    accuracies, seconds = [], []
    for seed in seeds:
        model, prepare = make(seed)
        train, test = (X_train, X_test) if prepare is None else (prepare(X_train), prepare(X_test))
        with Timer() as timer:
            model.fit(train, y_train)
        seconds.append(timer.seconds)
        accuracies.append(model.score(test, y_test))
        print(f"{name} seed {seed}: accuracy {accuracies[-1]:.4f}, fit {timer.seconds:.2f} s", flush=True)
    results[name] = (np.mean(accuracies), np.std(accuracies), np.median(seconds))

base_acc, _, base_time = results["HistGradientBoostingClassifier (native categories)"]
rows = [[name, f"{acc * 100:.2f} ± {std * 100:.2f}", f"{sec:.2f}", f"{sec / base_time:.2f}x",
         f"{(acc - base_acc) * 100:+.2f}"] for name, (acc, std, sec) in results.items()]
table = markdown_table(["model", "test accuracy % (mean ± sd)", "fit s (median)", "fit time vs gradient boosting",
                        "accuracy vs gradient boosting (points)"], rows)
report("tabular", "Adult census: UDTClassifier against gradient boosting", f"{machine_line(args.threads)}\n\n{table}")
