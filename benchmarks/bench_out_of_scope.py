"""Out-of-scope requests: CLINC150's 150 intents plus requests that belong to none.

Each model trains on the in-scope training requests only (15,000; 150 intents). A request
is refused when the model's top probability falls below a threshold, chosen on the
validation split (3,000 in-scope and 100 out-of-scope requests) as the one that maximises
in-scope accuracy plus out-of-scope recall, both counted as shares. Reported on the test
split (4,500 in-scope, 1,000 out-of-scope): in-scope accuracy (a refused in-scope request
counts wrong) and out-of-scope recall, as in Larson et al. (EMNLP 2019). Contenders on 2
threads: UDTClassifier (defaults, ``predict(reject_below=...)``) and TF-IDF (1-2 grams) +
LogisticRegression(C=10) with the same rule. Usage:

    python benchmarks/bench_out_of_scope.py [--threads 2]
"""
from _common import Timer, machine_line, markdown_table, parse_args, report

args = parse_args(__doc__)

import json  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from _data import DATA_DIR  # noqa: E402
from sparsenet import UDTClassifier  # noqa: E402

with open(DATA_DIR / "clinc150" / "data_full.json", encoding="utf-8") as stream:
    splits = json.load(stream)


def texts_and_labels(name):
    rows = splits[name]
    return [text for text, _ in rows], np.array([label for _, label in rows], dtype=object)


train_texts, train_labels = texts_and_labels("train")
val_in, val_in_labels = texts_and_labels("val")
val_out, _ = texts_and_labels("oos_val")
test_in, test_in_labels = texts_and_labels("test")
test_out, _ = texts_and_labels("oos_test")


def scores(model, texts_in, labels_in, texts_out, threshold):
    """(in-scope accuracy, out-of-scope recall) when rows below ``threshold`` are refused."""
    proba_in, proba_out = model.predict_proba(texts_in), model.predict_proba(texts_out)
    answered = np.where(proba_in.max(axis=1) >= threshold, model.classes_[proba_in.argmax(axis=1)], None)
    return float(np.mean(answered == labels_in)), float(np.mean(proba_out.max(axis=1) < threshold))


def best_threshold(model):
    candidates = np.unique(np.quantile(model.predict_proba(val_in + val_out).max(axis=1), np.linspace(0, 1, 201)))
    return max(candidates, key=lambda t: sum(scores(model, val_in, val_in_labels, val_out, t)))


contenders = {
    "sparsenet UDTClassifier": lambda: UDTClassifier(random_state=0, n_jobs=args.threads),
    "TF-IDF + LogisticRegression": lambda: make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(C=10, max_iter=1000)),
}
rows = []
for name, make in contenders.items():
    model = make()
    with Timer() as timer:
        model.fit(train_texts, train_labels)
    threshold = best_threshold(model)
    accuracy, recall = scores(model, test_in, test_in_labels, test_out, threshold)
    plain = float(np.mean(model.predict(test_in) == test_in_labels))
    rows.append([name, f"{plain * 100:.2f}", f"{threshold:.3f}", f"{accuracy * 100:.2f}", f"{recall * 100:.2f}",
                 f"{timer.seconds:.2f}"])
    print(rows[-1], flush=True)
# the rejection API refuses exactly what the rule above counts
udt = UDTClassifier(random_state=0, n_jobs=args.threads).fit(train_texts, train_labels)
threshold = best_threshold(udt)
refused = udt.predict(test_out, reject_below=threshold, rejected_label="oos")
assert np.mean(refused == "oos") == scores(udt, test_in, test_in_labels, test_out, threshold)[1]
table = markdown_table(["model", "in-scope accuracy, no rejection %", "threshold (chosen on val)",
                        "in-scope accuracy %", "out-of-scope recall %", "fit s"], rows)
report("out_of_scope", "CLINC150: in-scope accuracy and out-of-scope recall", f"{machine_line(args.threads)}\n\n{table}")
