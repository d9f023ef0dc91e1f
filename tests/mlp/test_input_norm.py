"""input_norm: rows rescaled to one l2 norm, fitted once and applied in every prediction."""
import pickle

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone

from sparsenet import SparseMLPClassifier
from sparsenet.mlp._inputs import csr_for_engine


def bag_of_words(n_rows=240, n_features=60, seed=0):
    """Binary rows of very different lengths (1 to 30 nonzeros), a few of them empty, and
    labels that depend on which features a row holds."""
    rng = np.random.RandomState(seed)
    rows = []
    for i in range(n_rows):
        row = np.zeros(n_features, dtype=np.float32)
        if i % 40 != 7:
            row[rng.choice(n_features, rng.randint(1, 31), replace=False)] = 1.0
        rows.append(row)
    X = np.array(rows)
    y = (X[:, :20].sum(1) > X[:, 20:40].sum(1)).astype(int) + (X[:, 40:].sum(1) > 5)
    return sparse.csr_matrix(X), y


def norms_of(X):
    X = X.toarray() if sparse.issparse(X) else X
    return np.sqrt((X.astype(np.float64) ** 2).sum(1))


def by_hand(X, norm):
    """Each nonzero row of X at l2 norm ``norm``, written without the module under test."""
    dense = X.toarray().astype(np.float64)
    lengths = norms_of(dense)
    scale = np.array([norm / n if n > 0 else 0.0 for n in lengths])
    return sparse.csr_matrix((dense * scale[:, None]).astype(np.float32))


def small(**params):
    """A short fit, input_norm="l2" unless given."""
    return SparseMLPClassifier((16,), max_iter=4, random_state=0, **{"input_norm": "l2", **params})


def test_the_norm_is_the_root_mean_square_of_the_nonempty_training_rows():
    X, y = bag_of_words()
    lengths = norms_of(X)
    expected = np.sqrt(np.mean(lengths[lengths > 0] ** 2))
    clf = small().fit(X, y)
    assert clf.input_norm_ == pytest.approx(expected, rel=1e-12)


def test_prediction_reads_rows_rescaled_to_the_fitted_norm():
    X, y = bag_of_words()
    clf = small().fit(X, y)
    X_test, _ = bag_of_words(seed=1)
    expected = clf.network_.logits(csr_for_engine(by_hand(X_test, clf.input_norm_)))
    np.testing.assert_allclose(clf.decision_function(X_test), expected, rtol=1e-5, atol=1e-6)
    # so a row and the same row twice as loud are one input
    np.testing.assert_array_equal(clf.predict_proba(X_test * 2), clf.predict_proba(X_test))


def test_a_rescaled_fit_differs_from_one_on_rows_as_given():
    X, y = bag_of_words()
    assert not np.array_equal(small().fit(X, y).predict_proba(X), small(input_norm=None).fit(X, y).predict_proba(X))


def test_one_row_predictions_match_the_batch():
    X, y = bag_of_words()
    clf = small().fit(X, y)
    batch = clf.predict_proba(X[:12])
    for i in range(12):
        np.testing.assert_array_equal(clf.predict_proba(X[i]), batch[i:i + 1])


def test_empty_rows_stay_empty():
    X, y = bag_of_words()
    clf = small().fit(X, y)
    empty = sparse.csr_matrix((2, X.shape[1]), dtype=np.float32)
    np.testing.assert_array_equal(clf.decision_function(empty), clf.network_.logits(csr_for_engine(empty)))
    assert np.isfinite(clf.predict_proba(empty)).all()


def test_rows_of_equal_norm_are_used_as_given():
    X, y = bag_of_words()
    unit = by_hand(X, 1.0)
    unit = unit[norms_of(unit) > 0]
    labels = y[norms_of(X) > 0]
    auto = small().fit(unit, labels)
    assert auto.input_norm_ is None
    np.testing.assert_array_equal(auto.predict_proba(unit), small(input_norm=None).fit(unit, labels).predict_proba(unit))


def test_dense_rows_are_rescaled_as_sparse_ones_are():
    X, y = bag_of_words()
    dense = small().fit(X.toarray(), y)
    assert dense.input_norm_ == pytest.approx(small().fit(X, y).input_norm_, rel=1e-12)
    np.testing.assert_allclose(dense.predict_proba(X.toarray()), small().fit(X, y).predict_proba(X), rtol=1e-5,
                               atol=1e-7)


def test_by_default_rows_are_used_as_given():
    X, y = bag_of_words()
    assert SparseMLPClassifier((16,), max_iter=4, random_state=0).fit(X, y).input_norm_ is None


def test_partial_fit_and_warm_start_keep_the_first_norm():
    X, y = bag_of_words()
    clf = small().partial_fit(X[:120], y[:120], classes=np.unique(y))
    first = clf.input_norm_
    lengths = norms_of(X[:120])
    assert first == pytest.approx(np.sqrt(np.mean(lengths[lengths > 0] ** 2)), rel=1e-12)
    clf.partial_fit(X[120:] * 5, y[120:])
    assert clf.input_norm_ == first
    warm = small(warm_start=True).fit(X, y)
    norm = warm.input_norm_
    warm.fit(X[:50] * 3, y[:50])
    assert warm.input_norm_ == norm


def test_the_norm_is_the_same_for_any_thread_count():
    X, y = bag_of_words()
    one, two = small(n_jobs=1).fit(X, y), small(n_jobs=2).fit(X, y)
    assert one.input_norm_ == two.input_norm_
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))


def test_pickling_and_clone_keep_it():
    X, y = bag_of_words()
    clf = small().fit(X, y)
    copy = pickle.loads(pickle.dumps(clf))
    assert copy.input_norm_ == clf.input_norm_
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
    assert clone(clf).get_params()["input_norm"] == "l2"


def test_the_model_file_keeps_it(tmp_path):
    X, y = bag_of_words()
    clf = small().fit(X, y)
    import sparsenet

    clf.save(tmp_path / "model.snet")
    loaded = sparsenet.load(tmp_path / "model.snet")
    assert loaded.input_norm_ == clf.input_norm_
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_a_model_saved_before_input_norm_uses_rows_as_given():
    X, y = bag_of_words()
    clf = small(input_norm=None).fit(X, y)
    expected = clf.predict_proba(X)
    del clf.__dict__["input_norm"], clf.__dict__["input_norm_"]  # as an older release pickled it
    old = pickle.loads(pickle.dumps(clf))
    assert old.get_params()["input_norm"] is None
    np.testing.assert_array_equal(old.predict_proba(X), expected)


def test_norms_beyond_float32_are_refused_by_name():
    X = sparse.csr_matrix(np.full((4, 3), 3e38, dtype=np.float32))
    with pytest.raises(ValueError, match="input_norm"):
        small().fit(X, [0, 1, 0, 1])


def test_an_unknown_value_is_refused():
    X, y = bag_of_words()
    with pytest.raises(ValueError, match="input_norm"):
        small(input_norm="auto").fit(X, y)


def test_a_distributed_fit_agrees_one_norm_over_its_partitions():
    from sparsenet.distributed import fit_distributed

    X, y = bag_of_words()
    here = small().fit(X, y)
    one = fit_distributed(small(), [(X, y)])
    assert fit_distributed(small(input_norm=None), [(X, y)]).input_norm_ is None
    assert one.input_norm_ == here.input_norm_
    np.testing.assert_array_equal(one.predict_proba(X), here.predict_proba(X))
    two = fit_distributed(small(), [(X[:100], y[:100]), (X[100:], y[100:])])
    assert two.input_norm_ == pytest.approx(here.input_norm_, rel=1e-12)
