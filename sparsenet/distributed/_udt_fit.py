"""``fit_distributed`` for a UDTClassifier: a featurizer learned from every partition, each
partition featurized where it lives, then the network's averaging rounds as for a
SparseMLPClassifier.

The column types and the numeric columns' bins are learned from a sample of rows drawn
from every partition in proportion to its size (every row, up to SAMPLE_ROWS in all); what
the featurizer learns of the texts (the features seen, their document frequencies), the
"auto" sizes and the network's input columns are added up over all rows exactly. With one
partition the model is the one ``UDTClassifier.fit`` trains.
"""
import functools
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sparsenet.distributed._partitions import Survey, survey_targets, target_encoder_of
from sparsenet.distributed._training import train_on_sources, without_empty
from sparsenet.udt._data_shape import DataShape, all_numeric
from sparsenet.udt._column_types import resolve_column_types, split_columns
from sparsenet.udt._feature_columns import FeatureColumns
from sparsenet.udt._table_rows import stacked_tables, table_rows

# rows the column types and bins are learned from: quantiles of 16 bins are within a
# fraction of a percent of the whole column's from this many rows
SAMPLE_ROWS = 20_000
SAMPLE_SEED = 20_000


def fit_udt_distributed(estimator, executor, sources, rounds_per_epoch, learning_rate_scaling):
    """Fit the UDTClassifier ``estimator`` on raw (X, y) ``sources``, one replica per
    source; it is fitted in place only once training succeeds (or stops on Ctrl-C)."""
    sources, surveys = without_empty(sources, executor.run(survey_raw_source, [(source,) for source in sources]))
    n_rows = sum(survey.n_rows for survey in surveys)
    n_labels = max(target_encoder_of(surveys).n_classes, 2)
    samples = executor.run(sample_source, [(source, take, index) for index, (source, take) in
                                           enumerate(zip(sources, sample_sizes([s.n_rows for s in surveys])))])
    table = stacked_tables([sample for sample, _, _ in samples])
    labels = [y for _, _, y in samples]  # the sample's labels, for crosses="auto"
    labels = None if any(y is None for y in labels) else np.concatenate(labels)
    column_types = resolve_column_types(table, estimator.column_types)
    texts = executor.run(text_size, [(source, column_types) for source in sources])
    shape = DataShape(n_rows, len(table.columns), sum(n for n, _ in texts), sum(c for _, c in texts), n_labels,
                      all_numeric(column_types))

    featurizer = estimator._new_featurizer(shape)
    featurizer._fit(samples[0][1], table, keep_text_blocks=False, column_types=column_types, count_text=False,
                    y=labels)
    if featurizer._learns_from_texts():
        counts = executor.run(text_counts, [(executor.share(featurizer), source) for source in sources])
        seen = np.zeros(featurizer.feature_hash_range, dtype=bool)
        for used, _ in counts:
            seen[used] = True
        frequency = None if counts[0][1] is None else functools.reduce(np.add, [f for _, f in counts])
        featurizer._adopt_text_counts(seen, frequency, n_rows)
    shared = executor.share(featurizer)
    hashed = executor.place(hashed_source, [(shared, source) for source in sources])
    used = functools.reduce(np.union1d, executor.run(used_features, [(part,) for part in hashed]))
    columns = FeatureColumns.of_used(used, featurizer.feature_hash_range)
    engine_sources = executor.place(engine_source, [(columns, part) for part in hashed])
    del hashed  # the cluster may release the hashed partitions once the engine's are made

    classifier = estimator._new_classifier(shape, featurizer, columns)
    with warnings.catch_warnings():
        if estimator.max_iter == "auto":
            # the epoch count was chosen for the data (as in fit)
            warnings.simplefilter("ignore", ConvergenceWarning)
        train_on_sources(classifier, executor, engine_sources, rounds_per_epoch, learning_rate_scaling)
    estimator.featurizer_, estimator.classifier_, estimator._columns = featurizer, classifier, columns
    estimator._copy_fitted_attributes()
    return estimator


def sample_sizes(row_counts, limit=None):
    """Rows to sample from partitions of these sizes: all of them up to ``limit`` rows in
    all (default SAMPLE_ROWS), else shares of ``limit`` in proportion to the sizes (at
    least one a partition)."""
    limit = SAMPLE_ROWS if limit is None else limit
    total = sum(row_counts)
    if total <= limit:
        return list(row_counts)
    return [min(n, max(1, round(limit * n / total))) for n in row_counts]


def survey_raw_source(source):
    """The Survey of a raw (X, y) partition: its rows, its column count and its labels."""
    X, y = source
    if (X.shape[0] if hasattr(X, "shape") else len(X)) == 0:
        return Survey(0, 0, False, False, None)  # left out of the fit
    table = split_columns(X)
    return survey_targets(table.n_rows, len(table.columns), y)


def sample_source(source, take, index):
    """``take`` rows of a raw partition, in their order (all of them, or drawn with a seed
    of the partition's index), as a Table; X's first row for its column names; and those
    rows' labels where y is 1-D (else None)."""
    X, y = source
    table = split_columns(X)
    if take >= table.n_rows:
        rows = np.arange(table.n_rows)
    else:
        rows = np.sort(np.random.default_rng((SAMPLE_SEED, index)).choice(table.n_rows, take, replace=False))
    names_carrier = X.iloc[:1] if table.names is not None else None
    y = np.asarray(y)
    return table_rows(table, rows), names_carrier, y[rows] if y.ndim == 1 and len(y) == table.n_rows else None


def text_size(source, column_types):
    """The text values and characters a raw partition holds (for the "auto" sizes)."""
    shape = DataShape.of(split_columns(source[0]), column_types)
    return shape.n_text_values, shape.text_chars


def text_counts(featurizer, source):
    """The text features a raw partition uses, and their document frequencies."""
    seen, frequency = featurizer._text_counts(split_columns(source[0]))
    return np.flatnonzero(seen), frequency


def hashed_source(featurizer, source):
    X, y = source
    return featurizer.transform(X), y


def used_features(hashed):
    return np.unique(hashed[0].indices)


def engine_source(columns, hashed):
    features, y = hashed
    return columns.apply(features), y
