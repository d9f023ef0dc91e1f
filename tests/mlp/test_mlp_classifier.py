"""SparseMLPClassifier as a user sees it: fitting, predicting, the scikit-learn tooling."""
import pickle
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from conftest import small_model, wide_sparse_problem
from sparsenet import SparseMLPClassifier



def test_learns_a_multiclass_problem(blobs):
    X, y = blobs
    clf = small_model().fit(X, y)
    assert clf.score(X, y) > 0.95
    assert clf.n_features_in_ == 20
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert len(clf.loss_curve_) == clf.n_iter_
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_string_labels_and_probabilities(blobs):
    X, y = blobs
    names = np.array(["cat", "dog", "emu"])[y]
    clf = small_model().fit(X, names)
    assert set(clf.predict(X)) <= {"cat", "dog", "emu"}
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-10)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


def test_predict_topk_orders_labels_by_probability(blobs):
    X, y = blobs
    clf = small_model().fit(X, y)
    labels, scores = clf.predict_topk(X, k=3, return_scores=True)
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(labels, clf.classes_[np.argsort(-proba, axis=1, kind="stable")])
    np.testing.assert_allclose(scores, np.sort(proba, axis=1)[:, ::-1], rtol=1e-5)
    np.testing.assert_array_equal(labels[:, 0], clf.predict(X))
    with pytest.raises(ValueError, match="k must be"):
        clf.predict_topk(X, k=4)


def test_binary_decision_function_is_the_log_odds():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    y = (X[:, 0] > 0).astype(int)
    clf = small_model().fit(X, y)
    decision = clf.decision_function(X)
    assert decision.shape == (200,)
    proba = clf.predict_proba(X)[:, 1]
    np.testing.assert_allclose(np.log(proba / (1 - proba)), decision, rtol=1e-4, atol=1e-4)
    assert clf.score(X, y) > 0.95


def test_sparse_multilabel_stays_sparse_and_learns(sparse_multilabel):
    X, Y = sparse_multilabel
    clf = small_model(hidden_layer_sizes=(64,), max_iter=80).fit(X, Y)
    predicted = clf.predict(X)
    assert sparse.issparse(predicted) and predicted.shape == Y.shape
    np.testing.assert_array_equal(clf.classes_, np.arange(Y.shape[1]))
    top = clf.predict_topk(X, k=1)[:, 0]
    precision_at_1 = Y[np.arange(Y.shape[0]), top].mean()
    assert precision_at_1 > 0.9
    dense_fit = small_model(hidden_layer_sizes=(64,), max_iter=80).fit(X, Y.toarray())
    assert isinstance(dense_fit.predict(X[:5]), np.ndarray)
    np.testing.assert_array_equal(dense_fit.predict(X), predicted.toarray())


def test_every_sparse_format_gives_the_same_model(blobs):
    X, y = blobs
    reference = small_model(max_iter=5).fit(X, y).predict_proba(X)
    for fmt in ("csr", "csc", "coo", "lil", "dok", "bsr"):
        Xs = sparse.csr_matrix(X).asformat(fmt)
        np.testing.assert_allclose(small_model(max_iter=5).fit(Xs, y).predict_proba(Xs), reference, rtol=1e-5)


def test_same_seed_one_thread_is_bit_identical(blobs):
    X, y = blobs
    first = small_model().fit(X, y).predict_proba(X)
    second = small_model().fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    other_seed = small_model(random_state=1).fit(X, y).predict_proba(X)
    assert not np.array_equal(first, other_seed)


def test_thread_count_does_not_change_the_result(blobs):
    X, y = blobs
    one = small_model(n_jobs=1).fit(X, y)
    two = small_model(n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))


def test_pickle_and_joblib_round_trips(blobs, tmp_path):
    X, y = blobs
    clf = small_model().fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    joblib.dump(clf, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib", mmap_mode="r")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # a memory-mapped (read-only) model can still be trained further
    loaded.partial_fit(X, y)
    restored.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict_proba(X), restored.predict_proba(X))


def test_clone_is_unfitted_with_same_params(blobs):
    X, y = blobs
    clf = small_model(alpha=0.01).fit(X, y)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "network_")


def test_pipeline_grid_search_and_cross_validation(blobs):
    X, y = blobs
    pipe = make_pipeline(StandardScaler(), small_model(max_iter=20))
    search = GridSearchCV(pipe, {"sparsemlpclassifier__hidden_layer_sizes": [(8,), (32,)]}, cv=3)
    search.fit(X, y)
    assert search.best_score_ > 0.9
    scores = cross_val_score(small_model(max_iter=20), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.85


def test_coefs_match_sklearn_layout(blobs):
    X, y = blobs
    clf = small_model(hidden_layer_sizes=(16, 8)).fit(X, y)
    assert [c.shape for c in clf.coefs_] == [(20, 16), (16, 8), (8, 3)]
    assert [b.shape for b in clf.intercepts_] == [(16,), (8,), (3,)]
    hidden = np.maximum(X @ clf.coefs_[0] + clf.intercepts_[0], 0)
    hidden = np.maximum(hidden @ clf.coefs_[1] + clf.intercepts_[1], 0)
    logits = hidden @ clf.coefs_[2] + clf.intercepts_[2]
    np.testing.assert_allclose(clf.decision_function(X), logits, rtol=1e-3, atol=1e-3)


def test_auto_loss_gives_multilabel_rows_a_sigmoid_per_label(sparse_multilabel):
    X, Y = sparse_multilabel
    clf = small_model(hidden_layer_sizes=(64,), max_iter=40).fit(X, Y)
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape and np.all((proba >= 0) & (proba <= 1))
    # each label on its own: rows need not sum to one, and predict keeps p >= 0.5
    assert not np.allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X).toarray(), (proba >= 0.5).astype(int))
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-10)
    labels, scores = clf.predict_topk(X, k=3, return_scores=True)
    np.testing.assert_allclose(scores, np.take_along_axis(proba, labels, axis=1), rtol=1e-5)
    np.testing.assert_allclose(clf.decision_function(X), np.log(proba / (1 - proba)), rtol=1e-4, atol=1e-4)
    # the softmax loss shares one unit of probability among a row's labels
    shared = small_model(hidden_layer_sizes=(64,), max_iter=40, loss="softmax").fit(X, Y)
    np.testing.assert_allclose(shared.predict_proba(X).sum(axis=1), 1.0)


def test_binary_output_biases_start_at_the_label_log_odds(sparse_multilabel):
    X, Y = sparse_multilabel
    # a step too small to move them: the biases are still where training started
    clf = small_model(max_iter=1, learning_rate=1e-9).fit(X, Y)
    rate = (np.asarray(Y.sum(axis=0)).ravel() + 1.0) / (Y.shape[0] + 2.0)
    np.testing.assert_allclose(clf.intercepts_[-1], np.log(rate / (1 - rate)), rtol=1e-5)
    # partial_fit starts from its first batch's frequencies
    streamed = small_model(learning_rate=1e-9).partial_fit(X[:100], Y[:100])
    rate = (np.asarray(Y[:100].sum(axis=0)).ravel() + 1.0) / 102.0
    np.testing.assert_allclose(streamed.intercepts_[-1], np.log(rate / (1 - rate)), rtol=1e-5)


def test_binary_loss_for_class_labels_is_one_vs_rest(blobs):
    X, y = blobs
    clf = small_model(loss="binary").fit(X, y)
    assert clf.score(X, y) > 0.95
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    sigmoids = 1.0 / (1.0 + np.exp(-clf.decision_function(X)))
    np.testing.assert_allclose(proba, sigmoids / sigmoids.sum(axis=1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-10)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


def test_auto_loss_keeps_the_softmax_on_sampled_layers(sparse_multilabel):
    X, Y = sparse_multilabel
    clf = small_model(output_sparsity=0.5, max_iter=5).fit(X, Y)
    np.testing.assert_allclose(clf.predict_proba(X[:20]).sum(axis=1), 1.0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_delicious_with_default_settings_ranks_true_tags_first():
    from conftest import shared_data
    from sparsenet.datasets import load_xc_repo
    from sparsenet.metrics import precision_at_k

    X, Y = load_xc_repo(shared_data("delicious", "train.txt"))
    X_test, Y_test = load_xc_repo(shared_data("delicious", "test.txt"))
    clf = SparseMLPClassifier(max_iter=8, random_state=0, early_stopping=False).fit(X, Y)
    # the most frequent tag alone gives 0.396; trees (omikuji, napkinXC) reach 0.69 after full
    # training; 8 epochs of the softmax loss reached 0.662, of the binary one (auto) 0.685
    assert precision_at_k(Y_test, clf.predict_topk(X_test, k=1), 1) > 0.67



def test_concurrent_predictions_match_sequential():
    X, y = wide_sparse_problem(n=1500)
    clf = SparseMLPClassifier(hidden_layer_sizes=(32,), max_iter=5, random_state=0, n_jobs=2).fit(X, y)
    chunks = [X[i : i + 50] for i in range(0, X.shape[0], 50)]
    sequential = [(clf.predict(c), clf.predict_proba(c), clf.predict_topk(c, k=2)) for c in chunks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(lambda c: (clf.predict(c), clf.predict_proba(c), clf.predict_topk(c, k=2)),
                                   chunks * 3))
    for i, result in enumerate(concurrent):
        expected = sequential[i % len(chunks)]
        for got, want in zip(result, expected):
            np.testing.assert_array_equal(got, want)
