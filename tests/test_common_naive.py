"""scikit-learn's common estimator checks on NaiveForecaster."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn._naive import NaiveForecaster

ESTIMATORS = [
    NaiveForecaster(),
    NaiveForecaster(strategy="mean", window=3),
    NaiveForecaster(strategy="drift"),
    NaiveForecaster(strategy="seasonal", sp=2),
    NaiveForecaster(strategy="drift", window=4, horizon=3),
]


def _expected_failed_checks(estimator):
    failed = {
        "check_fit1d": (
            "A 1-D X is a univariate series, one column of time steps, by design."
        ),
    }
    reason = (
        "Rows are consecutive time steps and row t is forecast from the rows "
        "before t, so predictions depend on the order and the subset of rows, "
        "by design."
    )
    failed["check_methods_subset_invariance"] = reason
    failed["check_methods_sample_order_invariance"] = reason
    if estimator.horizon > 1:
        failed["check_regressors_train"] = (
            "With horizon > 1, predict returns (n_timesteps, horizon), one column "
            "per step ahead, not the shape of the 1-D y."
        )
    return failed


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=_expected_failed_checks, xfail_strict=True
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
