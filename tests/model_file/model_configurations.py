"""The estimator configurations the model-file tests save and load: each builds a fitted
model, the rows its answers are compared on, and its training data (X, y)."""
import datetime

import numpy as np
import pandas as pd
from scipy import sparse

from sparsenet import SparseMLPClassifier, UDTClassifier, UDTFeaturizer
from sparsenet.datasets import make_extreme_classification


def _quick(**params):
    return SparseMLPClassifier(**{"hidden_layer_sizes": (16,), "max_iter": 3, "random_state": 0, "n_jobs": 1,
                                  **params})


def _classes(n=300, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 12))
    return X, (X[:, :n_classes] + 0.3 * rng.normal(size=(n, n_classes))).argmax(axis=1)


def _table(n=200, seed=0):
    rng = np.random.default_rng(seed)
    words = np.array(["goal", "match", "oven", "flour", "guitar", "piano", "team", "sugar"])
    label = rng.integers(0, 2, size=n)
    texts = [" ".join(rng.choice(words[label[i]::2], size=4)) for i in range(n)]
    days = rng.integers(0, 900, size=n)
    return pd.DataFrame({
        "text": texts,
        "colour": rng.choice(["red", "green", "blue"], size=n),
        "price": rng.lognormal(3, 1, size=n).round(2),
        "day": [datetime.date(2021, 1, 1) + datetime.timedelta(days=int(d)) for d in days],
    }), np.where(label == 1, "cooking", "sport")


def dense_multiclass():
    X, y = _classes()
    return _quick().fit(X, y), X, (X, y)


def binary_string_classes():
    X, y = _classes(n_classes=2)
    y = np.array(["no", "yes"])[y]
    return _quick(early_stopping=True, max_iter=6).fit(X, y), X, (X, y)


def two_hidden_layers_sampled():
    X, y = _classes(n_classes=3)
    return _quick(hidden_layer_sizes=(16, 64), hidden_sparsity=0.25).fit(X, y), X, (X, y)


def sampled_multilabel():
    X, Y = make_extreme_classification(n_samples=400, n_features=200, n_labels=20000, random_state=0)
    return _quick(max_iter=2, hash_family="mips").fit(X, Y), X[:60], (X, Y)


def sampled_dwta_sparse_input():
    X, Y = make_extreme_classification(n_samples=400, n_features=200, n_labels=20000, random_state=1)
    X = sparse.csr_matrix(X)
    return _quick(max_iter=2, output_sparsity=0.05).fit(X, Y), X[:60], (X, Y)


def dense_multilabel_indicator():
    X, Y = make_extreme_classification(n_samples=300, n_features=100, n_labels=30, random_state=2)
    Y = Y.toarray() if sparse.issparse(Y) else Y
    return _quick().fit(X, Y), X, (X, Y)


def udt_every_column_type():
    table, labels = _table()
    model = UDTClassifier(hidden_layer_sizes=(16,), max_iter=3, random_state=0, n_jobs=1).fit(table, labels)
    return model, table, (table, labels)


def udt_texts():
    table, labels = _table()
    texts = table["text"].tolist()
    return UDTClassifier(max_iter=2, random_state=0, n_jobs=1).fit(texts, labels), texts, (texts, labels)


def udt_multilabel():
    table, labels = _table()
    Y = sparse.csr_matrix(np.stack([labels == "sport", table["price"].to_numpy() > 20], axis=1).astype(np.int8))
    model = UDTClassifier(hidden_layer_sizes=(16,), max_iter=3, random_state=0, n_jobs=1).fit(table, Y)
    return model, table, (table, Y)


def udt_streamed():
    table, labels = _table()
    model = UDTClassifier(hidden_layer_sizes=(16,), random_state=0, n_jobs=1)
    model.partial_fit(table.iloc[:100], labels[:100], classes=["cooking", "sport"])
    model.partial_fit(table.iloc[100:], labels[100:])
    return model, table, (table, labels)


def mlp_streamed_sparse_targets():
    X, Y = make_extreme_classification(n_samples=400, n_features=200, n_labels=6000, random_state=3)
    model = _quick(output_sparsity=0.2)
    for start in (0, 200):
        model.partial_fit(X[start:start + 200], Y[start:start + 200])
    return model, X[:60], (X, Y)


def udt_featurizer():
    table, labels = _table()
    return UDTFeaturizer(n_jobs=1).fit(table), table, (table, labels)


CONFIGURATIONS = {build.__name__: build for build in (
    dense_multiclass, binary_string_classes, two_hidden_layers_sampled, sampled_multilabel,
    sampled_dwta_sparse_input, dense_multilabel_indicator, udt_every_column_type, udt_texts, udt_multilabel,
    udt_streamed, mlp_streamed_sparse_targets, udt_featurizer)}


def answers(model, X):
    """Everything a model answers on X, as arrays (sparse ones dense)."""
    if isinstance(model, UDTFeaturizer):
        return [model.transform(X).toarray()]
    out = []
    predicted = model.predict(X)
    out.append(predicted.toarray() if sparse.issparse(predicted) else np.asarray(predicted))
    if len(model.classes_) <= 1000:
        out.append(model.predict_proba(X))
    k = min(5, len(model.classes_))
    for exact in (False, True):
        labels, scores = model.predict_topk(X, k, return_scores=True, exact=exact)
        out.extend([np.asarray(labels), np.asarray(scores)])
    return out
