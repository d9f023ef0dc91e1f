"""What a model keeps of its labels' frequencies: the counts (``label_counts_``), the most
frequent labels that sparse inference always scores, and the output biases a binary output
layer starts from."""
import numpy as np

# Sparse inference also scores this many of the most frequent training labels for every row:
# hashing compares directions only, and misses the large weights such labels grow (on
# generated 20K-label problems, adding 32 to 128 of them raised P@1 by 12 points; 512 helped less)
FREQUENT_LABELS_ALWAYS_SCORED = 64


def start_from_label_frequencies(model, targets):
    """Binary outputs: each output bias starts at its label's log-odds in targets (add-one
    smoothed), so the first steps need not push thousands of outputs down to the labels'
    rates before they can learn anything else."""
    start_from_counts(model, targets.label_counts(model._targets.n_classes), targets.n_rows)


def start_from_counts(model, counts, n_rows):
    """start_from_label_frequencies from each label's count among ``n_rows`` rows."""
    if not model._binary_outputs:
        return
    rate = (counts + 1.0) / (n_rows + 2.0)
    model.network_.biases[-1][...] = np.log(rate) - np.log1p(-rate)


def count_labels(model, targets):
    """Add a training call's label occurrences to ``label_counts_`` and refresh the labels
    that sparse inference scores for every row (the most frequent ones)."""
    add_label_counts(model, targets.label_counts(model._targets.n_classes))


def add_label_counts(model, counts):
    """count_labels from each label's count."""
    # a new array: a model loaded from a read-only memory map may hold a read-only one
    model.label_counts_ = model.label_counts_ + counts
    n_frequent = min(FREQUENT_LABELS_ALWAYS_SCORED, model._targets.n_classes)
    counts = model.label_counts_
    head = np.argpartition(-counts, n_frequent - 1)[:n_frequent] if n_frequent < len(counts) else np.arange(len(counts))
    model._frequent_labels = np.sort(head[counts[head] > 0]).astype(np.int32)
