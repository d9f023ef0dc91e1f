"""The data of a distributed fit: partitions of rows, each checked and encoded once where it
lives, and what the driver needs to know of them (their size and labels) without the rows."""
from typing import NamedTuple

import numpy as np
from scipy import sparse

from sparsenet.mlp._inputs import check_features, take_rows
from sparsenet.mlp._targets import TargetEncoder, is_indicator_matrix, multiclass_labels, sorted_classes


class Survey(NamedTuple):
    """What a partition holds, before a model exists: its row count, its feature count, and
    its labels (class labels, or the column count of an indicator y)."""

    n_rows: int
    n_features: int
    multilabel: bool
    sparse_targets: bool
    labels: object


def survey_partition(X, y):
    """The Survey of one partition (X, y), checked as ``fit`` checks them."""
    return survey_targets(X.shape[0], X.shape[1], y)


def survey_targets(n_rows, n_features, y):
    """The Survey of a partition of ``n_rows`` rows and ``n_features`` features (or raw
    columns) whose targets are ``y``."""
    if is_indicator_matrix(y):
        if np.shape(y)[0] != n_rows:
            raise ValueError(f"a partition's X has {n_rows} rows but its y has {np.shape(y)[0]}")
        return Survey(n_rows, n_features, True, sparse.issparse(y), np.shape(y)[1])
    labels = multiclass_labels(y)
    if labels.shape[0] != n_rows:
        raise ValueError(f"a partition's X has {n_rows} rows but its y has {labels.shape[0]}")
    return Survey(n_rows, n_features, False, False, sorted_classes(labels))


def target_encoder_of(surveys):
    """The label space of every partition together (one kind of y for all)."""
    kinds = {survey.multilabel for survey in surveys}
    if len(kinds) > 1:
        raise ValueError("some partitions hold class labels and others a multi-label indicator")
    if kinds == {True}:
        widths = {survey.labels for survey in surveys}
        if len(widths) > 1:
            raise ValueError(f"the partitions' indicator y have different label counts: {sorted(widths)}")
        return TargetEncoder(np.arange(widths.pop()), True, any(s.sparse_targets for s in surveys))
    return TargetEncoder(sorted_classes(np.concatenate([s.labels for s in surveys])), False, False)


class Partition(NamedTuple):
    """One partition as the engine reads it: X in the engine's layout and its EncodedTargets."""

    X: object
    targets: object


def prepare_partition(template, n_features, target_encoder, X, y):
    """Check X as ``fit`` does (``template``: an unfitted estimator of the model's class)
    and encode y in the label space of the whole fit."""
    X = check_features(template, X, reset=True)
    if X.shape[1] != n_features:
        raise ValueError(f"a partition has {X.shape[1]} features, the first one {n_features}")
    return Partition(X, target_encoder.encode(y, X.shape[0]))


class Summary(NamedTuple):
    """What the driver keeps of a prepared partition: its row count, each label's count and,
    for class labels, the label of every row (to stratify the held-out rows)."""

    n_rows: int
    label_counts: np.ndarray
    row_labels: object


def summarize_partition(partition, n_labels, multilabel):
    """The Summary of a prepared partition."""
    targets = partition.targets
    return Summary(partition.X.shape[0], targets.label_counts(n_labels), None if multilabel else targets.indices)


def held_out_part(partition, rows):
    """The rows ``rows`` of a partition as (X, targets), for validation scores."""
    return take_rows(partition.X, rows), partition.targets.take(rows)
