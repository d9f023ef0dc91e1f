"""Calibration: does a predicted probability mean what it says?

For each set, the contenders are UDTClassifier with its defaults, UDTClassifier with
``calibration="temperature"`` (a tenth of the training rows held out to fit the
temperature), and the usual peer of that kind of data (TF-IDF 1-2 grams +
LogisticRegression(C=10) for texts, HistGradientBoostingClassifier for tables), each
trained on the same training split and scored on the same test split, 2 threads each.
Reported: accuracy, expected calibration error (ECE, 15 equal-width bins of the top
probability, in points), negative log-likelihood (NLL) and the Brier score of the top
class, then the reliability curve (accuracy against confidence per bin) of every contender
on one set. Sets: SMS spam, SST-2, CLINC150 (in-scope intents), Adult, Letter. Usage:

    python benchmarks/bench_calibration.py [--threads 2] [--sets sms,sst2,clinc150,adult,letter]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report


def extra_arguments(parser):
    parser.add_argument("--sets", default="sms,sst2,clinc150,adult,letter")
    parser.add_argument("--curve-set", default="clinc150", help="set whose reliability curves are printed")


args = parse_args(__doc__, extra_arguments)

import numpy as np  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from _data import load_adult, load_clinc150, load_letter, load_sms_spam, load_sst2  # noqa: E402
from sparsenet import UDTClassifier  # noqa: E402

N_BINS = 15


SETS = {"sms": ("SMS spam", load_sms_spam, "text"), "sst2": ("SST-2", load_sst2, "text"),
        "clinc150": ("CLINC150 in-scope", load_clinc150, "text"), "adult": ("Adult", load_adult, "table"),
        "letter": ("Letter", load_letter, "table")}


def peer(kind):
    if kind == "text":
        return "TF-IDF + LogisticRegression", make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(C=10, max_iter=1000))
    return "HistGradientBoostingClassifier", HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=0)


def as_peer_table(X):
    """Adult's string columns as pandas categoricals, which gradient boosting reads natively."""
    if hasattr(X, "select_dtypes"):
        X = X.copy()
        for column in X.select_dtypes(exclude="number"):
            X[column] = X[column].astype("category")
    return X


def bins_of(confidence):
    return np.clip(np.ceil(confidence * N_BINS).astype(int) - 1, 0, N_BINS - 1)


def calibration_scores(proba, classes, y):
    """(accuracy %, ECE points, NLL, top-class Brier, per-bin (confidence, accuracy, rows))."""
    truth = np.searchsorted(classes, y)
    confidence, correct = proba.max(axis=1), proba.argmax(axis=1) == truth
    bins = bins_of(confidence)
    curve, ece = [], 0.0
    for b in range(N_BINS):
        rows = bins == b
        if rows.any():
            ece += rows.mean() * abs(correct[rows].mean() - confidence[rows].mean())
            curve.append((confidence[rows].mean(), correct[rows].mean(), int(rows.sum())))
        else:
            curve.append((None, None, 0))
    nll = -np.mean(np.log(np.clip(proba[np.arange(len(truth)), truth], 1e-15, 1.0)))
    brier = np.mean((confidence - correct) ** 2)
    return 100 * correct.mean(), 100 * ece, nll, brier, curve


rows, curves = [], {}
for key in args.sets.split(","):
    title, load, kind = SETS[key]
    X_train, y_train, X_test, y_test = load()
    peer_name, peer_model = peer(kind)
    contenders = [("UDTClassifier", UDTClassifier(random_state=0, n_jobs=args.threads)),
                  ('UDTClassifier, calibration="temperature"',
                   UDTClassifier(random_state=0, n_jobs=args.threads, calibration="temperature")),
                  (peer_name, peer_model)]
    for name, model in contenders:
        train, test = (as_peer_table(X_train), as_peer_table(X_test)) if name == peer_name else (X_train, X_test)
        with Timer() as timer:
            model.fit(train, y_train)
        accuracy, ece, nll, brier, curve = calibration_scores(model.predict_proba(test), model.classes_, y_test)
        temperature = f"{model.temperature_:.3f}" if hasattr(model, "temperature_") else ""
        rows.append([title, name, f"{accuracy:.2f}", f"{ece:.2f}", f"{nll:.4f}", f"{brier:.4f}", temperature,
                     f"{timer.seconds:.1f}"])
        print(*rows[-1], sep=" | ", flush=True)
        if key == args.curve_set:
            curves[name] = curve

text = machine_line(args.threads) + "\n\n" + markdown_table(
    ["set", "model", "accuracy %", "ECE (points)", "NLL", "Brier (top class)", "temperature", "fit s"], rows)
if curves:
    header = ["confidence bin"] + [f"{name}: confidence / accuracy (rows)" for name in curves]
    curve_rows = []
    for b in range(N_BINS):
        cells = [f"{b / N_BINS:.2f}-{(b + 1) / N_BINS:.2f}"]
        for curve in curves.values():
            confidence, accuracy, count = curve[b]
            cells.append("" if count == 0 else f"{confidence:.3f} / {accuracy:.3f} ({count})")
        curve_rows.append(cells)
    text += (f"\n\nReliability curves on {SETS[args.curve_set][0]} (a calibrated model's accuracy equals "
             "its confidence in every bin):\n\n" + markdown_table(header, curve_rows))
report("calibration", "Calibration of predicted probabilities (bench_calibration.py)", text)
