"""scikit-learn's own estimator checks, run on every public estimator."""
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsenet import SparseMLPClassifier

# Each entry: check name -> the reason a user would accept for not passing it.
EXPECTED_FAILED_CHECKS = {}


def estimators():
    # small, seeded models keep the suite fast; defaults are exercised by the other tests
    return [
        SparseMLPClassifier(hidden_layer_sizes=(32,), random_state=0, n_jobs=1),
        # the LSH-sampled output layer, forced on even for a few classes
        SparseMLPClassifier(hidden_layer_sizes=(32,), random_state=0, n_jobs=1, output_sparsity=0.5),
    ]


@parametrize_with_checks(estimators(), expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
