"""predict_topk's arguments: k is an integer (never a bool) and the flags are real booleans
(a string such as "no" is not taken for True)."""
import numpy as np
import pytest
from conftest import small_model

from sparsenet.mlp._outputs import checked_top_k_arguments


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    return small_model(max_iter=2).fit(X, np.arange(60) % 4), X


@pytest.mark.parametrize("k", [True, False, np.True_, 2.0, "2", None, 0, 5])
def test_k_must_be_an_integer_within_the_classes(fitted, k):
    clf, X = fitted
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 4\]") as error:
        clf.predict_topk(X, k=k)
    assert isinstance(error.value, TypeError)  # a wrong type is also a TypeError


@pytest.mark.parametrize("name", ["return_scores", "exact"])
@pytest.mark.parametrize("flag", ["no", "False", 0, 1, None, np.array([True])])
def test_flags_must_be_booleans(fitted, name, flag):
    clf, X = fitted
    with pytest.raises(TypeError, match=rf"{name} must be True or False") as error:
        clf.predict_topk(X, k=2, **{name: flag})
    assert isinstance(error.value, ValueError)


def test_numpy_integers_and_booleans_are_accepted(fitted):
    clf, X = fitted
    labels, scores = clf.predict_topk(X, k=np.int64(2), return_scores=np.True_, exact=np.False_)
    assert labels.shape == scores.shape == (len(X), 2)
    assert clf.predict_topk(X, k=np.uint8(4), return_scores=False).shape == (len(X), 4)


def test_checked_arguments_are_plain_python_values():
    k, return_scores, exact = checked_top_k_arguments(np.int32(3), 3, np.True_, False)
    assert (k, return_scores, exact) == (3, True, False)
    assert type(k) is int and type(return_scores) is bool and type(exact) is bool
