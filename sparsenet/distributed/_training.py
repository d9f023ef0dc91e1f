"""A SparseMLPClassifier trained data-parallel on partitions of engine-ready rows: the
partitions checked and encoded where they live, then the averaging rounds."""
from sparsenet.distributed._partitions import (
    prepare_partition,
    summarize_partition,
    survey_partition,
    target_encoder_of,
)
from sparsenet.distributed._rounds import train_rounds
from sparsenet.mlp._initial_state import start_training_state
from sparsenet.mlp._label_frequencies import add_label_counts, start_from_counts
from sparsenet.mlp._parameters import early_stopping_on
from sparsenet.mlp._row_norms import agreed_row_norm, rescaled_rows, row_norm_stats


def train_on_sources(estimator, executor, sources, rounds_per_epoch, learning_rate_scaling):
    """Fit the SparseMLPClassifier ``estimator`` on the (X, y) ``sources`` (pairs, or
    handles the executor resolves), one replica per source."""
    surveys = executor.run(survey_source, [(source,) for source in sources])
    sources, surveys = without_empty(sources, surveys)
    n_features = {survey.n_features for survey in surveys}
    if len(n_features) > 1:
        raise ValueError(f"the partitions have different feature counts: {sorted(n_features)}")
    n_features = n_features.pop()
    encoder = target_encoder_of(surveys)
    # an unfitted estimator of the same class checks each partition's X (not a clone:
    # callbacks may hold what cannot be pickled)
    template = type(estimator)()
    partitions = executor.place(prepare_source, [(template, n_features, encoder, source) for source in sources])
    # input_norm: one norm agreed over every partition's rows, each partition rescaled where it lives
    norm = None
    if estimator.input_norm is not None:  # off by default: no pass over the partitions then
        norm = agreed_row_norm(estimator.input_norm,
                               executor.run(partition_norm_stats, [(part,) for part in partitions]))
    if norm is not None:
        partitions = executor.place(rescaled_partition, [(part, norm) for part in partitions])
    summaries = executor.run(summarize_partition,
                             [(part, encoder.n_classes, encoder.multilabel) for part in partitions])
    for attribute in ("feature_names_in_",):
        estimator.__dict__.pop(attribute, None)
    estimator.n_features_in_ = n_features
    start_training_state(estimator, n_features, encoder)
    estimator.input_norm_ = norm
    n_rows = sum(summary.n_rows for summary in summaries)
    counts = sum(summary.label_counts for summary in summaries)
    start_from_counts(estimator, counts, n_rows)
    add_label_counts(estimator, counts)
    train_rounds(estimator, executor, partitions, summaries, epochs=estimator.max_iter,
                 use_early_stopping=early_stopping_on(estimator.early_stopping, n_rows),
                 rounds_per_epoch=rounds_per_epoch, learning_rate_scaling=learning_rate_scaling)
    return estimator


def without_empty(sources, surveys):
    """The sources (and their surveys) that hold rows: a filtered dask collection often has
    empty partitions."""
    kept = [i for i, survey in enumerate(surveys) if survey.n_rows > 0]
    if not kept:
        raise ValueError(f"every partition is empty ({len(surveys)} given): fit_distributed needs rows to train on")
    return [sources[i] for i in kept], [surveys[i] for i in kept]


def survey_source(source):
    X, y = source
    return survey_partition(X, y)


def partition_norm_stats(partition):
    return row_norm_stats(partition.X)


def rescaled_partition(partition, norm):
    return partition._replace(X=rescaled_rows(partition.X, norm))


def prepare_source(template, n_features, encoder, source):
    X, y = source
    return prepare_partition(template, n_features, encoder, X, y)
