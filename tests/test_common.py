"""scikit-learn's own estimator checks on every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn import LSTMClassifier, RNNRegressor

# Small, fast, seeded networks: the checks fit dozens of times.
FAST = {"hidden_size": 16, "max_epochs": 30, "lr": 0.01, "random_state": 0}

ESTIMATORS = [
    RNNRegressor(**FAST),
    LSTMClassifier(**FAST),
]


def expected_failed_checks(estimator):
    """Checks that fail by design, each with its reason."""
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
