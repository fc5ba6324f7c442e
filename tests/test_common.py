"""scikit-learn's own estimator checks on every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn import ConvGRUForecaster, GRUForecaster, LSTMClassifier, RNNRegressor

# Small, fast, seeded networks: the checks fit dozens of times. The sequence
# estimators get enough epochs to pass the accuracy checks they are held to.
FAST = {"hidden_size": 16, "max_epochs": 30, "lr": 0.01, "random_state": 0}
FAST_FORECAST = {"hidden_size": 8, "max_epochs": 2, "window": 8, "random_state": 0}

ESTIMATORS = [
    RNNRegressor(**FAST),
    LSTMClassifier(**FAST),
    GRUForecaster(**FAST_FORECAST),
    GRUForecaster(strategy="seq2seq", horizon=1, **FAST_FORECAST),
    ConvGRUForecaster(stride=2, **FAST_FORECAST),
]

# Forecasters read rows as consecutive time steps: row t is forecast from the
# rows before it. That is the point of them, and it breaks exactly the checks
# that assume rows are independent samples.
_FORECASTER_FAILURES = {
    "check_methods_sample_order_invariance": (
        "rows are time steps: shuffling them changes each row's history, so "
        "forecasts change by design"
    ),
    "check_methods_subset_invariance": (
        "a row's forecast depends on the rows before it; predicting on a "
        "subset gives a row a different history by design"
    ),
    "check_fit1d": (
        "a 1-D X is a univariate series, the most common forecasting input, "
        "and is accepted by design"
    ),
}


def expected_failed_checks(estimator):
    """Checks that fail by design, each with its reason."""
    if isinstance(estimator, (GRUForecaster, ConvGRUForecaster)):
        return _FORECASTER_FAILURES
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
