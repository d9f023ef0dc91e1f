"""SparseMLPClassifier with a sampled output layer: it learns, predicts sparsely, pickles,
and stays safe at extreme sampling settings."""
import pickle

import numpy as np
import pytest

from sparsenet import SparseMLPClassifier
from sparsenet.metrics import precision_at_k


def test_sampled_classifier_learns_and_predicts_sparsely(xmc_problem):
    X, Y = xmc_problem
    clf = SparseMLPClassifier(hidden_layer_sizes=(64,), max_iter=15, random_state=0, learning_rate=3e-3,
                              output_sparsity=0.05, n_jobs=2)
    clf.fit(X[:2500], Y[:2500])
    assert clf.network_.output_sampler is not None
    stats = clf.sampling_stats_
    assert stats["table_builds"] >= 2 and 0 <= stats["lsh_recall"] <= 1
    assert stats["mean_active"] >= 0.05 * Y.shape[1]
    exact = clf.predict_topk(X[2500:], k=5, exact=True)
    sparse_top = clf.predict_topk(X[2500:], k=5)
    assert all(len(set(row)) == 5 for row in sparse_top.tolist())
    p1_exact = precision_at_k(Y[2500:], exact, k=1)
    p1_sparse = precision_at_k(Y[2500:], sparse_top, k=1)
    head_label = np.asarray(Y[:2500].sum(axis=0)).argmax()
    assert p1_exact > Y[2500:, head_label].mean() + 0.3
    assert p1_sparse > p1_exact - 0.1
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_topk(X[2500:], k=5), sparse_top)
    labels, probabilities = clf.predict_topk(X[2500:2510], k=3, return_scores=True)
    assert np.all(np.diff(probabilities, axis=1) <= 0) and np.all(probabilities <= 1)


@pytest.mark.parametrize(
    "settings",
    [
        dict(n_tables=1, hashes_per_table=1, bucket_capacity=1),
        dict(n_tables=200, hashes_per_table=8, bucket_capacity=100000),
        dict(hash_family="simhash", hashes_per_table=20, n_tables=3),
        dict(hash_family="mips", hashes_per_table=1, n_tables=2),
        dict(hash_family="mips", bucket_capacity=1),
        dict(output_sparsity=1e-6),
    ],
)
def test_extreme_sampling_settings_train_safely(xmc_problem, settings):
    X, Y = xmc_problem
    clf = SparseMLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0, output_sparsity=0.05,
                              rebuild_interval=3, redraw_hashes_every=2)
    clf.set_params(**settings).fit(X[:500], Y[:500])
    top = clf.predict_topk(X[:20], k=3)
    assert top.min() >= 0 and top.max() < Y.shape[1]
    assert all(np.isfinite(w).all() for w in clf.coefs_)
