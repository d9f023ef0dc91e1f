"""The subcommands train, predict, evaluate and info: each reads its arguments, works, and
prints what it did; a user error is a ValueError whose message is the whole story."""
import csv
import json
import os
import sys
import time

import numpy as np
from scipy import sparse

from sparsenet.cli._data_files import format_of, read_data
from sparsenet.metrics import ndcg_at_k, precision_at_k
from sparsenet.mlp import SparseMLPClassifier
from sparsenet.model_file import load, read_header
from sparsenet.udt import UDTClassifier

COLUMN_TYPE_OPTIONS = {"text_columns": "text", "categorical_columns": "categorical",
                       "numeric_columns": "numeric", "date_columns": "date"}
# what the command line records about the data a model was trained on
DATA_ATTRIBUTES = ("cli_format_", "cli_target_", "label_names_")


def parse_params(pairs, estimator):
    """``NAME=VALUE`` pairs (VALUE as JSON, else a string) -> checked parameters."""
    params = {}
    known = estimator.get_params()
    for pair in pairs or []:
        name, equals, text = pair.partition("=")
        if not equals or not name:
            raise ValueError(f"--param {pair!r}: expected NAME=VALUE, e.g. --param max_iter=5")
        if name not in known:
            raise ValueError(f"--param {name}: {type(estimator).__name__} has no parameter {name!r} "
                             f"(it has {', '.join(sorted(known))})")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        params[name] = tuple(value) if isinstance(value, list) else value
    return params


def column_types(args, data):
    """The ``column_types`` the --*-columns options give (None when none is given)."""
    given = {}
    for option, kind in COLUMN_TYPE_OPTIONS.items():
        for name in filter(None, (getattr(args, option) or "").split(",")):
            if data.format not in ("csv", "tsv", "parquet"):
                raise ValueError(f"--{option.replace('_', '-')} applies to tables, not to {data.format} files")
            if name not in data.X.columns:
                raise ValueError(f"--{option.replace('_', '-')}: no column {name!r} in {args.data} "
                                 f"(its columns are {list(data.X.columns)})")
            given[name] = kind
    return given or None


def train(args):
    form = format_of(args.data, args.format)
    data = read_data(args.data, form, target=args.target, label_prefix=args.label_prefix)
    if data.y is None:
        raise ValueError(f"{args.data}: the file holds no labels to train on")
    model = SparseMLPClassifier() if form == "xmc" else UDTClassifier()
    params = parse_params(args.param, model)
    types = column_types(args, data)
    if types is not None:
        params["column_types"] = types
    if args.verbose:
        params["verbose"] = True
    model.set_params(**params)
    started = time.perf_counter()
    model.fit(data.X, data.y)
    seconds = time.perf_counter() - started
    model.cli_format_, model.cli_target_, model.label_names_ = form, args.target, data.label_names
    model.save(args.output, optimizer_state=not args.compact)
    n_labels = len(model.classes_) if data.label_names is None else len(data.label_names)
    print(f"trained {type(model).__name__} on {data.n_rows:,} rows ({form}, {n_labels:,} labels) in "
          f"{seconds:.1f} s, {model.n_iter_} epochs; saved to {args.output}")


def _loaded(path):
    model = load(path)
    if not hasattr(model, "classes_"):
        raise ValueError(f"{path}: the model is not fitted")
    return model


def _data_for(model, args, needs_target):
    try:
        form = format_of(args.data, args.format)
    except ValueError:
        # a name that says nothing: the format the model was trained on, if it was by the CLI
        if getattr(model, "cli_format_", None) is None:
            raise
        form = model.cli_format_
    target = getattr(args, "target", None) or getattr(model, "cli_target_", None)
    data = read_data(args.data, form, target=target, label_prefix=args.label_prefix,
                     label_names=getattr(model, "label_names_", None), needs_target=needs_target)
    expects_tables = isinstance(model, UDTClassifier)
    if expects_tables == (form == "xmc"):
        raise ValueError(f"{args.data}: a {form} file, but the model ({type(model).__name__}) was trained on "
                         f"{'tables or texts' if expects_tables else 'sparse features (xmc)'}")
    return data


def _label_names(model, labels):
    """A multi-label model's labels (its columns 0..n-1) by the names it was trained with."""
    names = getattr(model, "label_names_", None)
    return labels if names is None else np.asarray(names)[labels]


def predict(args):
    model = _loaded(args.model)
    data = _data_for(model, args, needs_target=False)
    k = min(args.k, len(model.classes_))
    if k < 1:
        raise ValueError(f"-k must be at least 1, got {args.k}")
    labels, scores = model.predict_topk(data.X, k, return_scores=True)
    names = _label_names(model, labels)
    out = open(args.output, "w", newline="", encoding="utf-8") if args.output else sys.stdout
    try:
        writer = csv.writer(out)
        writer.writerow([f"{part}_{i + 1}" for i in range(k) for part in ("label", "score")])
        for row_names, row_scores in zip(names, scores):
            writer.writerow([value for pair in zip(row_names.tolist(), (f"{s:.6g}" for s in row_scores)) for value in pair])
    finally:
        if args.output:
            out.close()
    if args.output:
        print(f"wrote the top {k} labels of {data.n_rows:,} rows to {args.output}", file=sys.stderr)


def evaluate(args):
    model = _loaded(args.model)
    data = _data_for(model, args, needs_target=True)
    if data.y is None:
        raise ValueError(f"{args.data}: the file holds no labels to evaluate against")
    results = {"rows": data.n_rows}
    started = time.perf_counter()
    if sparse.issparse(data.y):
        n_labels = len(model.classes_)
        if data.y.shape[1] != n_labels:
            raise ValueError(f"{args.data}: {data.y.shape[1]} label columns, but the model has {n_labels}")
        ids = model.predict_topk(data.X, min(5, n_labels))  # a multi-label model's classes are 0..n-1
        for k in (1, 3, 5):
            if k <= ids.shape[1]:
                results[f"P@{k}"] = precision_at_k(data.y, ids, k)
        for k in (3, 5):
            if k <= ids.shape[1]:
                results[f"nDCG@{k}"] = ndcg_at_k(data.y, ids, k)
    else:
        from sklearn.metrics import accuracy_score, f1_score
        predicted = model.predict(data.X)
        truth = np.asarray(data.y).astype(model.classes_.dtype) if model.classes_.dtype.kind in "iuf" else data.y
        results["accuracy"] = accuracy_score(truth, predicted)
        results["macro_F1"] = f1_score(truth, predicted, average="macro")
    results["seconds"] = time.perf_counter() - started
    if args.json:
        print(json.dumps(results))
    else:
        for name, value in results.items():
            print(f"{name:10s} {value:,}" if isinstance(value, int) else f"{name:10s} {value:.4f}")


def info(args):
    header = read_header(args.model)
    summary = header["summary"]
    if args.json:
        print(json.dumps({**header, "params": {k: repr(v) for k, v in header["params"].items()}}, default=str))
        return
    print(f"{args.model}: {header['estimator']}, {os.path.getsize(args.model):,} bytes")
    print(f"  written by sparsenet {header['sparsenet_version']} (model file format {header['format_version']}, "
          f"numpy {header['numpy_version']}, Python {header['python_version']}) at {header['created']}")
    if "layers" in summary:
        shapes = " -> ".join([f"{summary['layers'][0][0]:,}"] + [f"{n_out:,}" for _, n_out in summary["layers"]])
        sampled = ", ".join(str(layer) for layer in summary["sampled_layers"]) or "none"
        print(f"  network: {shapes} ({summary['n_parameters']:,} parameters; LSH-sampled layers: {sampled})")
    if "n_classes" in summary:
        print(f"  labels: {summary['n_classes']:,}; trained {summary.get('n_iter_', 0)} epochs "
              f"({summary.get('t_', 0):,} rows seen)")
    if summary.get("loss_curve_"):
        losses = summary["loss_curve_"]
        print(f"  training loss: first {losses[0]:.4f}, last {losses[-1]:.4f}")
    if summary.get("validation_scores_"):
        scores = summary["validation_scores_"]
        print(f"  validation score: best {max(scores):.4f}, last {scores[-1]:.4f}")
    print("  parameters:")
    for name, value in sorted(header["params"].items()):
        print(f"    {name} = {value!r}")

