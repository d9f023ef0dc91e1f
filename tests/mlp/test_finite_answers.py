"""A model never answers with NaN: input that would overflow is refused, a diverging fit
stops with an error that says why, the reported loss stays finite, and denormal inputs
are read as the zeros they nearly are."""
import numpy as np
import pytest
from conftest import small_model
from scipy import sparse

from sparsenet import UDTClassifier
from sparsenet.mlp._inputs import check_features


@pytest.fixture(scope="module")
def fitted(request):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 20)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    return small_model(max_iter=20).fit(X, y), X, y


@pytest.mark.parametrize("n_rows", [3, 16, 17, 50])
def test_float64_values_beyond_float32_are_refused_for_any_row_count(fitted, n_rows):
    """Small CSR input takes a fast path: it must refuse what the general one refuses."""
    model, _, _ = fitted
    X = sparse.csr_matrix(np.full((n_rows, 20), 1e300))
    for method in (model.predict, model.predict_proba, model.decision_function):
        with pytest.raises(ValueError, match="too large for dtype"):
            method(X)


@pytest.mark.parametrize("as_csr", [False, True])
def test_finite_input_that_overflows_the_network_is_refused_naming_the_row(fitted, as_csr):
    model, X, _ = fitted
    X = X[:5].copy()
    X[3] = 3e38
    X = sparse.csr_matrix(X) if as_csr else X
    for method in (model.predict, model.predict_proba, model.predict_log_proba, model.decision_function,
                   lambda rows: model.predict_topk(rows, k=2)):
        with pytest.raises(ValueError, match=r"X row 3: .* not finite.* largest \|value\| is 3e\+38"):
            method(X)


def test_sampled_inference_refuses_overflowing_rows_too():
    rng = np.random.RandomState(0)
    X = rng.rand(3000, 40).astype(np.float32)
    y = np.arange(3000) % 500
    model = small_model(max_iter=1, output_sparsity=0.05).fit(X, y)
    X_bad = X[:4].copy()
    X_bad[1] = 3e38
    with pytest.raises(ValueError, match="X row 1"):
        model.predict_topk(X_bad, k=3)
    assert np.isfinite(model.predict_topk(X[:4], k=3, return_scores=True)[1]).all()


def test_a_diverging_fit_stops_with_a_clear_error_and_no_nan_answers(fitted):
    _, X, y = fitted
    model = small_model(learning_rate=1e30, max_iter=5)
    with pytest.raises(ValueError, match=r"diverged in epoch 1, batch \d+ .* smaller learning_rate \(now 1e\+30\)"):
        model.fit(X, y)
    # what it keeps never answers NaN: finite answers, or the overflow refused
    try:
        proba = model.predict_proba(X)
    except ValueError as error:
        assert "not finite" in str(error)
    else:
        assert np.isfinite(proba).all()


def test_divergence_in_a_later_call_keeps_the_last_finite_weights(fitted):
    model, X, y = fitted
    model = small_model(max_iter=20).fit(X, y)
    before = [w.copy() for w in model.coefs_]
    score_before = model.score(X, y)
    assert score_before > 0.7
    with pytest.raises(ValueError, match="diverged"):
        model.partial_fit(np.full_like(X, 3e38), y)
    # the first step already overflowed: nothing was updated, and the model answers as before
    assert all(np.array_equal(a, b) for a, b in zip(before, model.coefs_))
    assert model.score(X, y) == score_before


def test_the_reported_loss_stays_finite_when_a_wrong_class_leads_far(fitted):
    """The loss of a label whose score trails by more than about 104 was log(0) = inf."""
    _, X, y = fitted
    model = small_model(max_iter=20).fit(X, y)
    model.partial_fit(X * 1000, (y + 1) % 3)
    assert np.isfinite(model.loss_curve_).all() and model.loss_curve_[-1] > 100


def test_denormal_inputs_are_read_as_zeros(fitted):
    _, X, y = fitted
    tiny = X.copy()
    tiny[:, :10] = np.float32(1e-41)  # denormal in float32
    zeros = X.copy()
    zeros[:, :10] = 0
    for make in (np.asarray, sparse.csr_matrix):
        a = small_model(max_iter=3).fit(make(tiny), y)
        b = small_model(max_iter=3).fit(make(zeros), y)
        assert a.loss_curve_ == b.loss_curve_
        assert np.array_equal(a.predict_proba(make(tiny[:5])), b.predict_proba(make(zeros[:5])))
    assert np.count_nonzero(tiny[:, :10]) == tiny[:, :10].size  # the caller's X is untouched
    # what the engine reads holds the zeros (denormal arithmetic is many times slower)
    model = small_model(max_iter=1).fit(X, y)
    for make in (np.asarray, sparse.csr_matrix):
        read = check_features(model, make(tiny), reset=False)
        values = read.data if sparse.issparse(read) else read
        assert not ((values != 0) & (np.abs(values) < np.finfo(np.float32).tiny)).any()


def test_udt_answers_finitely_for_numbers_beyond_the_training_range():
    pd = pytest.importorskip("pandas")
    model = UDTClassifier(max_iter=3, random_state=0).fit(pd.DataFrame({"x": np.linspace(0, 1, 40)}), [0, 1] * 20)
    answer = model.predict_proba(pd.DataFrame({"x": [0.5, 1e300, -1e300]}))
    assert np.isfinite(answer).all()


def test_one_vs_rest_probabilities_sum_to_one_far_from_every_class(fitted):
    """Every sigmoid underflows to zero for such a row: normalised in log space."""
    _, X, y = fitted
    model = small_model(max_iter=20, loss="binary").fit(X, y)
    far = np.full((2, 20), -1e6, dtype=np.float32)
    try:
        proba = model.predict_proba(far)
    except ValueError as error:  # refusing is allowed; a wrong answer is not
        assert "not finite" in str(error)
    else:
        assert np.allclose(proba.sum(axis=1), 1.0)


def test_a_learning_rate_beyond_float32_stops_the_fit(fitted):
    _, X, y = fitted
    with pytest.raises(ValueError, match="diverged in epoch 1"):
        small_model(learning_rate=1e300, max_iter=3).fit(X[:1], y[:1])


def test_python_ints_beyond_any_float_are_refused_clearly(fitted):
    model, _, _ = fitted
    X = np.zeros((1, 20), dtype=object)
    X[0, 0] = 10**400
    with pytest.raises(ValueError, match="too large for dtype"):
        model.predict(X)


def test_row_softmax_is_scipys_softmax_and_stays_finite_at_extreme_scores():
    from scipy.special import softmax

    from sparsenet.mlp._outputs import row_softmax

    rng = np.random.default_rng(0)
    for scale in (1.0, 50.0, 1e4, 1e300):
        scores = rng.normal(size=(7, 150)) * scale
        got = row_softmax(scores)
        np.testing.assert_array_equal(got, softmax(scores, axis=1))
        assert np.isfinite(got).all() and np.allclose(got.sum(axis=1), 1.0)
