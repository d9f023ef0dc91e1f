"""UDTClassifier's and UDTFeaturizer's parameters: a bool is never taken for a number,
n_jobs stays within what a machine can run, and predict_topk's arguments are checked."""
import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sparsenet import UDTClassifier, UDTFeaturizer

TEXTS = ["great film", "awful plot", "loved it", "boring and long"] * 10
LABELS = ["pos", "neg", "pos", "neg"] * 10

# listed by hand: a parameter whose constraint stopped refusing bools must fail here
CLASSIFIER_NUMBERS = ["feature_hash_range", "word_ngrams", "all_pairs_max_tokens", "n_bins", "hidden_layer_sizes",
                      "learning_rate", "max_iter", "batch_size", "alpha", "n_iter_no_change", "output_sparsity",
                      "random_state", "hash_seed", "n_jobs"]
FEATURIZER_NUMBERS = ["feature_hash_range", "word_ngrams", "all_pairs_max_tokens", "n_bins", "random_state", "n_jobs"]


@pytest.mark.parametrize("flag", [True, False])
@pytest.mark.parametrize("name", CLASSIFIER_NUMBERS)
def test_classifier_refuses_a_bool_for_a_number(name, flag):
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter of UDTClassifier.*Got {flag!r}"):
        UDTClassifier(**{name: flag}).fit(TEXTS, LABELS)


@pytest.mark.parametrize("flag", [True, False])
@pytest.mark.parametrize("name", FEATURIZER_NUMBERS)
def test_featurizer_refuses_a_bool_for_a_number(name, flag):
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter of UDTFeaturizer.*Got {flag!r}"):
        UDTFeaturizer(**{name: flag}).fit(TEXTS)


@pytest.mark.parametrize("sizes", [(True, 3), (2, False)])
def test_char_ngrams_and_hidden_sizes_refuse_bools(sizes):
    with pytest.raises(ValueError, match="char_ngrams"):
        UDTFeaturizer(char_ngrams=sizes).fit(TEXTS)
    with pytest.raises(ValueError, match="char_ngrams"):
        UDTClassifier(char_ngrams=sizes, n_jobs=1).fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        UDTClassifier(hidden_layer_sizes=sizes, n_jobs=1).fit(TEXTS, LABELS)


@pytest.mark.parametrize("estimator", [UDTClassifier, UDTFeaturizer])
@pytest.mark.parametrize("n_jobs", [0, 2**31, -(2**31)])
def test_n_jobs_out_of_range_is_a_clear_error(estimator, n_jobs):
    with pytest.raises(InvalidParameterError, match=r"'n_jobs' parameter.*\[1, 32768\]"):
        estimator(n_jobs=n_jobs).fit(TEXTS, LABELS)


def test_predict_topk_forwards_the_argument_checks():
    clf = UDTClassifier(max_iter=2, n_jobs=1, random_state=0).fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 2\]"):
        clf.predict_topk(TEXTS, k=True)
    with pytest.raises(TypeError, match="exact must be True or False"):
        clf.predict_topk(TEXTS, k=1, exact="no")
    with pytest.raises(TypeError, match="return_scores must be True or False"):
        clf.predict_topk(TEXTS, k=1, return_scores="yes")
    labels, scores = clf.predict_topk(TEXTS, k=np.int64(2), return_scores=np.True_)
    assert labels.shape == scores.shape == (len(TEXTS), 2)
