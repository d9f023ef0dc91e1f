"""Small training sets: what early stopping does to a default fit below 10,000 rows.

``SparseMLPClassifier(early_stopping="auto")`` holds out a validation share only above
10,000 training rows; below that a default fit runs up to ``max_iter=200`` epochs on every
row. This script measures, on training subsets of 500, 1,000, 2,500, 5,000 and 9,000 rows
(the whole training split where it is smaller), four variants, all other parameters at their
defaults:

- ``a``: ``early_stopping=False`` (today's default below 10,000 rows);
- ``b``: ``early_stopping=True`` (``validation_fraction=0.1``, ``n_iter_no_change=10``);
- ``c``: ``early_stopping=True, n_iter_no_change=5``;
- ``d``: ``early_stopping=True, validation_fraction=0.2``;
- ``e`` (only when asked for): ``c`` and ``d`` together.

Families (``--families``), each tested on its standard test split (SMS: a fixed stratified
20 % split):

- ``bibtex``: Bibtex (4,880 train rows, 159 labels, sparse binary features): P@1;
- ``delicious``: Delicious (12,920 train rows, 983 labels, 500 features): P@1;
- ``cooking``: cooking.stackexchange questions (12,404 train / 3,000 valid rows, 736 labels),
  the tf-idf of ``clinc`` fitted on the subset: P@1;
- ``20ng``: 20 Newsgroups "bydate", ``TfidfVectorizer(sublinear_tf=True, min_df=2)`` fitted on
  the training subset: accuracy;
- ``letter``: Letter (16 dense features, 26 classes), standardised on the training subset:
  accuracy;
- ``clinc``: CLINC150 intents (150 classes, in-scope rows only),
  ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`` fitted on the subset: accuracy;
- ``clinc_udt``: CLINC150 with ``UDTClassifier`` on the raw text (its own defaults: 10 epochs
  at these sizes, linear step decay). UDTClassifier has no ``validation_fraction``: variant
  ``d`` sets it on the network UDTClassifier builds (a subclass, see ``UDTValidationShare``);
- ``sms``: SMS spam, the tf-idf of ``clinc``: accuracy;
- ``fashion``: Fashion-MNIST subsample (784 dense features scaled to [0, 1]): accuracy.

The training subset of seed s is drawn with ``RandomState(s)``, and the model gets
``random_state=s``. Every cell records the test metric, the fit seconds (featurization not
counted, except inside UDTClassifier) and the epochs run (``n_iter_``); the table gives the
means over the seeds, and by training size the mean difference of each variant to ``a`` over
the single-label and the multi-label families. Each cell is also appended as a JSON line to
``results/small_data_cells.jsonl`` (``--table-from FILE`` rebuilds the table from such a file).

``--curves`` runs a diagnostic instead of the grid (not for ``clinc_udt``): each subset is fitted
once with early stopping's split (``validation_fraction=0.1``) for all ``--max-iter`` epochs
(``n_iter_no_change`` above ``max_iter``), the test metric recorded after every epoch by a
callback. Since a seeded fit is deterministic, the run up to its stop is the run of any smaller
patience, so one fit gives what ``n_iter_no_change`` 5, 10, 20 and 50 keep (SparseMLPClassifier's
own rule: the weights of the last epoch that raised the best validation score), against the
best epoch for the test set; written to ``results/small_data_curves.md`` (cells in
``results/small_data_curves_cells.jsonl``).

Usage (from benchmarks/):

    python bench_small_data.py [--threads 2] [--families bibtex delicious cooking 20ng letter clinc clinc_udt sms fashion]
        [--sizes 500 1000 2500 5000 9000] [--seeds 0 1] [--variants a b c d] [--max-iter 200]
    python bench_small_data.py --curves [--families ...] [--sizes ...]

On two cores shared with another busy process, the default grid took about 21 minutes and
``--curves`` on the sizes up to 5,000 (eight families, two seeds) about 18.

The script sets ``OMP_WAIT_POLICY=PASSIVE`` unless the environment sets it: these fits take
milliseconds an epoch, and on a two-core machine shared with one other busy process the
default (spinning) wait of libgomp made a 20-epoch Letter fit on 5,000 rows with n_jobs=2
take 74 s instead of 0.14 s, and one on 500 rows 3.4 s instead of 0.02 s (1 thread: 0.11 s
and 0.02 s either way). Scores do not depend on it (fits are bit-identical for any threads).
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before anything loads libgomp

from _common import Timer, machine_line, markdown_table, parse_args, report  # noqa: E402

FAMILIES = ("bibtex", "delicious", "cooking", "20ng", "letter", "clinc", "clinc_udt", "sms", "fashion")
MULTILABEL = ("bibtex", "delicious", "cooking")
DEFAULT_FAMILIES = FAMILIES
VARIANTS = {
    "a": ("early_stopping=False", dict(early_stopping=False)),
    "b": ("early_stopping=True", dict(early_stopping=True)),
    "c": ("early_stopping=True, n_iter_no_change=5", dict(early_stopping=True, n_iter_no_change=5)),
    "d": ("early_stopping=True, validation_fraction=0.2", dict(early_stopping=True, validation_fraction=0.2)),
    # not run by default: (c) and (d) together
    "e": ("early_stopping=True, n_iter_no_change=5, validation_fraction=0.2",
          dict(early_stopping=True, n_iter_no_change=5, validation_fraction=0.2)),
}


def options(parser):
    parser.add_argument("--families", nargs="+", choices=FAMILIES, default=list(DEFAULT_FAMILIES))
    parser.add_argument("--sizes", nargs="+", type=int, default=[500, 1000, 2500, 5000, 9000],
                        help="training rows (capped at the training split)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=["a", "b", "c", "d"])
    parser.add_argument("--max-iter", type=int, default=200, help="epoch cap of every SparseMLPClassifier fit")
    parser.add_argument("--append", action="store_true", help="append to the cells file (results/"
                        "small_data_cells.jsonl or small_data_curves_cells.jsonl) instead of starting it afresh")
    parser.add_argument("--curves", action="store_true",
                        help="instead of the grid: early stopping's split trained for every epoch, the test metric "
                        "recorded after each (not for clinc_udt)")
    parser.add_argument("--table-from", default=None,
                        help="only print the table of the cells in this JSON-lines file")


args = parse_args(__doc__, options)

import gzip  # noqa: E402
import json  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import _data  # noqa: E402
from _common import RESULTS_DIR  # noqa: E402
from sparsenet import SparseMLPClassifier, UDTClassifier  # noqa: E402
from sparsenet.callbacks import Callback  # noqa: E402
from sparsenet.datasets import load_xc_repo  # noqa: E402
from sparsenet.metrics import precision_at_k  # noqa: E402

warnings.simplefilter("ignore")  # ConvergenceWarning of the 200-epoch fits


class UDTValidationShare(UDTClassifier):
    """UDTClassifier whose network holds out ``validation_share`` of the rows for early
    stopping (UDTClassifier always passes the network's default, 0.1)."""

    validation_share = 0.1

    def _new_classifier(self, shape):
        return super()._new_classifier(shape).set_params(validation_fraction=self.validation_share)


# ---------------------------------------------------------------- data: (train, test, featurize, metric)

def xc_family(name):
    X_train, Y_train = load_xc_repo(_data.DATA_DIR / name / "train.txt")
    X_test, Y_test = load_xc_repo(_data.DATA_DIR / name / "test.txt")
    return (X_train, Y_train), (X_test, Y_test), None, "P@1"


def tfidf(**settings):
    def featurize(train_texts, test_texts):
        vectorizer = TfidfVectorizer(dtype=np.float32, **settings)
        return vectorizer.fit_transform(train_texts), vectorizer.transform(test_texts)
    return featurize


def standardize(X_train, X_test):
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train).astype(np.float32), scaler.transform(X_test).astype(np.float32)


def load_clinc():
    with open(_data.DATA_DIR / "clinc150" / "data_full.json", encoding="utf-8") as handle:
        data = json.load(handle)
    texts = {part: [text for text, _ in data[part]] for part in ("train", "test")}
    labels = {part: np.array([intent for _, intent in data[part]]) for part in ("train", "test")}
    return (texts["train"], labels["train"]), (texts["test"], labels["test"])


def load_fashion():
    def read(name, offset):
        with gzip.open(_data.DATA_DIR / "fashion_mnist" / name) as handle:
            return np.frombuffer(handle.read(), dtype=np.uint8, offset=offset)
    X_train = read("train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
    X_test = read("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
    return ((X_train, read("train-labels-idx1-ubyte.gz", 8)), (X_test, read("t10k-labels-idx1-ubyte.gz", 8)))


def load_family(name):
    if name in ("bibtex", "delicious"):
        return xc_family(name)
    if name == "cooking":
        return (*_data.load_cooking(), tfidf(ngram_range=(1, 2), sublinear_tf=True), "P@1")
    if name == "20ng":
        train_texts, train_labels, test_texts, test_labels = _data.load_20newsgroups()
        return (train_texts, train_labels), (test_texts, test_labels), tfidf(sublinear_tf=True, min_df=2), "accuracy"
    if name == "letter":
        X_train, y_train, X_test, y_test = _data.load_letter()
        return (X_train, y_train), (X_test, y_test), standardize, "accuracy"
    if name in ("clinc", "clinc_udt"):
        train, test = load_clinc()
        featurize = tfidf(ngram_range=(1, 2), sublinear_tf=True) if name == "clinc" else None
        return train, test, featurize, "accuracy"
    if name == "sms":
        train_texts, train_labels, test_texts, test_labels = _data.load_sms_spam()
        return (train_texts, train_labels), (test_texts, test_labels), tfidf(ngram_range=(1, 2), sublinear_tf=True), "accuracy"
    if name == "fashion":
        train, test = load_fashion()
        return train, test, None, "accuracy"
    raise ValueError(name)


def take(values, rows):
    return [values[i] for i in rows] if isinstance(values, list) else values[rows]


def new_model(family, variant, seed):
    settings = dict(VARIANTS[variant][1])
    if family == "clinc_udt":
        share = settings.pop("validation_fraction", None)
        model = UDTValidationShare(random_state=seed, n_jobs=args.threads, **settings)
        if share is not None:
            model.validation_share = share
        return model
    return SparseMLPClassifier(random_state=seed, n_jobs=args.threads, max_iter=args.max_iter, **settings)


def score(model, X_test, y_test, metric):
    if metric == "P@1":
        return 100 * precision_at_k(y_test, model.predict_topk(X_test, 1), 1)
    return 100 * float(np.mean(model.predict(X_test) == y_test))


def training_subsets(family):
    """(nominal size, rows, seed, X_train, y_train, X_test, y_test, metric) for each requested
    size and seed, featurized; a size the training split caps counts as the first requested
    size it caps."""
    (X_all, y_all), (X_test_raw, y_test), featurize, metric = load_family(family)
    n_train = len(X_all) if isinstance(X_all, list) else X_all.shape[0]
    sizes = {}
    for size in sorted(args.sizes):
        sizes.setdefault(min(size, n_train), size)
    for size, nominal in sizes.items():
        for seed in args.seeds:
            rows = np.sort(np.random.RandomState(seed).permutation(n_train)[:size])
            X_train, y_train = take(X_all, rows), take(y_all, rows)
            X_test = X_test_raw
            if featurize is not None:
                X_train, X_test = featurize(X_train, X_test_raw)
            yield nominal, size, seed, X_train, y_train, X_test, y_test, metric


def run_family(family, cells_out):
    cells = []
    for nominal, size, seed, X_train, y_train, X_test, y_test, metric in training_subsets(family):
        for variant in args.variants:
            model = new_model(family, variant, seed)
            with Timer() as timer:
                model.fit(X_train, y_train)
            cell = dict(family=family, metric=metric, size=nominal, rows=size, seed=seed, variant=variant,
                        score=score(model, X_test, y_test, metric), seconds=timer.seconds,
                        epochs=int(model.n_iter_))
            cells.append(cell)
            cells_out.write(json.dumps(cell) + "\n")
            cells_out.flush()
            print(f"{family:9} {size:5} rows seed {seed} ({variant}) {metric} {cell['score']:6.2f}  "
                  f"{cell['seconds']:7.1f} s  {cell['epochs']:3d} epochs", flush=True)
    return cells


# ---------------------------------------------------------------- tables

def nominal_size(cell):
    return cell.get("size", cell["rows"])


def mean_cells(cells):
    """{(family, size, variant): (mean score, mean seconds, mean epochs, rows, scores of the seeds)}"""
    groups = {}
    for cell in cells:
        groups.setdefault((cell["family"], nominal_size(cell), cell["variant"]), []).append(cell)
    return {key: (np.mean([c["score"] for c in group]), np.mean([c["seconds"] for c in group]),
                  np.mean([c["epochs"] for c in group]), group[0]["rows"], [c["score"] for c in group])
            for key, group in groups.items()}


def tables(cells):
    means = mean_cells(cells)
    variants = [v for v in VARIANTS if any(key[2] == v for key in means)]
    others = [v for v in variants if v != "a"]
    families = [f for f in FAMILIES if any(key[0] == f for key in means)]
    n_seeds = max(len(value[4]) for value in means.values())
    sizes = sorted({key[1] for key in means})
    header = ["family", "rows"] + [f"({v}) metric / s / epochs" for v in variants] + [f"({v}) - (a)" for v in others]
    rows = []
    for family in families:
        metric = next(c["metric"] for c in cells if c["family"] == family)
        for size in sizes:
            if not any((family, size, v) in means for v in variants):
                continue
            n_rows = next(means[(family, size, v)][3] for v in variants if (family, size, v) in means)
            row = [f"{family} ({metric})", f"{n_rows:,}"]
            for v in variants:
                value = means.get((family, size, v))
                row.append("" if value is None else f"{value[0]:.2f} / {value[1]:.1f} / {value[2]:.0f}")
            base = means.get((family, size, "a"))
            for v in others:
                value = means.get((family, size, v))
                row.append("" if value is None or base is None else f"{value[0] - base[0]:+.2f}")
            rows.append(row)
    # each variant's difference to (a), by training size, over the single- and multi-label families
    summary_header = ["rows", "families"] + [f"({v}) - (a): mean, range" for v in others] + [
        f"({v}) fit s / (a) fit s" for v in others]
    summary = []
    for size in sizes:
        for kind, members in (("single-label", [f for f in families if f not in MULTILABEL]),
                              ("multi-label", [f for f in families if f in MULTILABEL])):
            present = [f for f in members if (f, size, "a") in means]
            if not present:
                continue
            row, speed = [f"{size:,}", f"{kind} ({len(present)})"], []
            for v in others:
                diffs = [means[(f, size, v)][0] - means[(f, size, "a")][0] for f in present if (f, size, v) in means]
                row.append(f"{np.mean(diffs):+.2f} ({min(diffs):+.1f} to {max(diffs):+.1f})" if diffs else "")
                ratios = [means[(f, size, v)][1] / means[(f, size, "a")][1] for f in present if (f, size, v) in means]
                speed.append(f"{np.exp(np.mean(np.log(ratios))):.2f}" if ratios else "")
            summary.append(row + speed)
    legend = "; ".join(f"({v}) {label}" for v, (label, _) in VARIANTS.items() if v in variants)
    return (f"Means over {n_seeds} seeds (subsample and random_state); metric in %, fit seconds, epochs run "
            f"(n_iter_). {legend}.\n\n{markdown_table(header, rows)}\n\nBy training size (a family capped "
            f"at its training split counts at the first size it caps; fit-time ratios are geometric means):"
            f"\n\n{markdown_table(summary_header, summary)}")


# ---------------------------------------------------------------- curves

class TestCurve(Callback):
    """The test metric (and the validation score) after every epoch."""

    def __init__(self, X_test, y_test, metric):
        self.X_test, self.y_test, self.metric = X_test, y_test, metric
        self.test, self.validation = [], []

    def on_epoch_end(self, estimator, info):
        self.test.append(score(estimator, self.X_test, self.y_test, self.metric))
        self.validation.append(info.validation_score)
        return False


def stopped_at(validation, patience, tol=1e-4):
    """(epochs run, epoch whose weights are kept) under SparseMLPClassifier's rule: stop
    once the validation score has not improved by tol for more than `patience` epochs; keep
    the weights of the epoch that last raised the best score."""
    best, best_epoch, count = -np.inf, 0, 0
    for epoch, value in enumerate(validation):
        if value > best:
            best_epoch = epoch
        improved = value >= best + tol
        best = max(best, value)
        count = 0 if improved else count + 1
        if count > patience:
            return epoch + 1, best_epoch
    return len(validation), best_epoch


CURVE_PATIENCES = (5, 10, 20, 50)


def run_curves(family, cells_out):
    """Early stopping's split, trained for every epoch (n_iter_no_change=max_iter + 1) with
    the test metric recorded after each: what patience 5, 10, 20, 50 or none would have
    kept, against the best epoch for the test set."""
    cells = []
    for nominal, size, seed, X_train, y_train, X_test, y_test, metric in training_subsets(family):
        curve = TestCurve(X_test, y_test, metric)
        SparseMLPClassifier(random_state=seed, n_jobs=args.threads, max_iter=args.max_iter, early_stopping=True,
                            n_iter_no_change=args.max_iter + 1, callbacks=[curve]).fit(X_train, y_train)
        cell = dict(family=family, metric=metric, size=nominal, rows=size, seed=seed,
                    test=curve.test, validation=curve.validation)
        cells.append(cell)
        cells_out.write(json.dumps(cell) + "\n")
        cells_out.flush()
        kept = {p: stopped_at(curve.validation, p) for p in CURVE_PATIENCES}
        print(f"{family:9} {size:5} rows seed {seed}: best test {max(curve.test):.2f} at epoch "
              f"{int(np.argmax(curve.test)) + 1}, " + ", ".join(
                  f"patience {p}: {curve.test[k[1]]:.2f} (stop {k[0]})" for p, k in kept.items()), flush=True)
    return cells


def curve_table(cells):
    header = (["family", "rows", "best test epoch: metric [epoch]", "best validation over all epochs"]
              + [f"patience {p}: metric [epochs run]" for p in CURVE_PATIENCES]
              + [f"epoch {args.max_iter} (no stop, last weights)"])
    groups = {}
    for cell in cells:
        groups.setdefault((cell["family"], nominal_size(cell)), []).append(cell)
    rows = []
    for (family, size), group in sorted(groups.items(), key=lambda item: (FAMILIES.index(item[0][0]), item[0][1])):
        best = [(max(c["test"]), int(np.argmax(c["test"])) + 1) for c in group]
        never = [c["test"][stopped_at(c["validation"], len(c["validation"]))[1]] for c in group]
        row = [f"{family} ({group[0]['metric']})", f"{group[0]['rows']:,}",
               f"{np.mean([b[0] for b in best]):.2f} [{np.mean([b[1] for b in best]):.0f}]", f"{np.mean(never):.2f}"]
        for p in CURVE_PATIENCES:
            kept = [stopped_at(c["validation"], p) for c in group]
            row.append(f"{np.mean([c['test'][k[1]] for c, k in zip(group, kept)]):.2f} "
                       f"[{np.mean([k[0] for k in kept]):.0f}]")
        row.append(f"{np.mean([c['test'][-1] for c in group]):.2f}")
        rows.append(row)
    return (f"Early stopping's split (validation_fraction 0.1) trained for {args.max_iter} epochs, test metric after "
            f"every epoch; means over {len(group)} seeds. Patience p: the weights SparseMLPClassifier keeps with "
            f"n_iter_no_change=p (the same run up to its stop).\n\n{markdown_table(header, rows)}")


def main():
    if args.table_from:
        with open(args.table_from) as handle:
            cells = [json.loads(line) for line in handle if line.strip()]
        print(curve_table(cells) if "test" in cells[0] else tables(cells))
        return
    RESULTS_DIR.mkdir(exist_ok=True)
    run, name = (run_curves, "small_data_curves") if args.curves else (run_family, "small_data")
    cells = []
    with open(RESULTS_DIR / f"{name}_cells.jsonl", "a" if args.append else "w") as cells_out:
        for family in args.families:
            cells += run(family, cells_out)
    if args.curves:
        report(name, "Small training sets: test metric along early stopping's epochs",
               f"{machine_line(args.threads)}\n\n{curve_table(cells)}")
    else:
        report(name, "Small training sets: early stopping below 10,000 rows",
               f"{machine_line(args.threads)}\n\n{tables(cells)}")


main()
