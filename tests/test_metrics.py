"""Forecast metrics and scorers."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import (
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score

from sklearn_rnn import GRUForecaster, NaiveForecaster
from sklearn_rnn.datasets import load_airline
from sklearn_rnn.metrics import (
    make_forecast_scorer,
    mean_absolute_scaled_error,
    skill_score,
    skill_scorer,
)


def test_skill_score_values():
    y_true = np.array([[1.0, 2.0], [3.0, 4.0]])
    y_naive = np.zeros((2, 2))
    assert skill_score(y_true, y_true, y_naive) == 1.0
    assert skill_score(y_true, y_naive, y_naive) == 0.0
    y_pred = y_true + 1.0
    expected = 1 - 1.0 / np.mean(y_true**2)
    assert skill_score(y_true, y_pred, y_naive) == pytest.approx(expected)
    assert skill_score(y_true[:, 0], y_pred[:, 0], y_naive[:, 0]) == pytest.approx(
        1 - 1.0 / 5.0
    )


def test_skill_score_with_an_exact_reference():
    y = np.ones(4)
    assert skill_score(y, y + 1, y) == 0.0
    assert skill_score(y, y, y) == 0.0
    assert skill_score(y, y + 1, y, force_finite=False) == -np.inf
    assert np.isnan(skill_score(y, y, y, force_finite=False))


@pytest.mark.parametrize(
    "args, match",
    [
        ((np.ones(3), np.ones(4), np.ones(3)), "same shape"),
        ((np.ones((2, 2, 2)),) * 3, r"\(n_rows, horizon\)"),
        ((np.ones(0),) * 3, "non-empty"),
        ((np.ones(3), np.array([1.0, np.nan, 1.0]), np.ones(3)),
         "y_pred must hold finite numbers. Got nan"),
    ],
)
def test_skill_score_errors(args, match):
    with pytest.raises(ValueError, match=match):
        skill_score(*args)


def test_mase_matches_its_definition():
    rng = np.random.RandomState(0)
    y_train = rng.normal(size=50).cumsum()
    y_true, y_pred = rng.normal(size=(2, 10, 3))
    for sp in [1, 4]:
        scale = np.mean(np.abs(y_train[sp:] - y_train[:-sp]))
        expected = np.mean(np.abs(y_true - y_pred)) / scale
        assert mean_absolute_scaled_error(
            y_true, y_pred, y_train=y_train, sp=sp
        ) == pytest.approx(expected)


def test_mase_of_the_naive_forecast_in_sample_is_one():
    y = np.array([1.0, 4.0, 2.0, 8.0, 3.0])
    assert mean_absolute_scaled_error(y[1:], y[:-1], y_train=y) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(y_train=np.ones(5)), "must be positive and finite. Got 0.0 instead"),
        (dict(y_train=np.arange(3.0), sp=3), "more than sp=3 values to .* Got 3"),
        (dict(y_train=np.ones((3, 2))), "1-D series. Got shape"),
        (dict(y_train=np.arange(5.0), sp=0), "Got sp=0 instead"),
        (dict(y_train=[1.0, np.nan, 2.0]), r"y_train must hold finite numbers. "
                                           r"Got nan at position \(1,\)"),
        (dict(y_train=["a", "b", "c"]), "y_train must hold numbers: could not"),
    ],
)
def test_mase_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mean_absolute_scaled_error(np.ones(2), np.zeros(2), **kwargs)


def test_skill_scorer_is_the_forecaster_score():
    passengers = load_airline()
    forecaster = NaiveForecaster(strategy="seasonal", sp=12, horizon=3).fit(passengers)
    assert skill_scorer(forecaster, passengers) == forecaster.score(passengers)
    assert skill_scorer(forecaster, passengers, passengers) == forecaster.score(
        passengers
    )


def test_forecast_scorer_sees_rows_with_known_future():
    y = np.array([0.0, 2.0, 1.0, 5.0, 4.0])
    forecaster = NaiveForecaster(horizon=2).fit(y)
    seen = {}

    def metric(y_true, y_pred):
        seen["y_true"], seen["y_pred"] = y_true, y_pred
        return 1.5

    assert make_forecast_scorer(metric)(forecaster, y) == 1.5
    np.testing.assert_array_equal(seen["y_true"], [[2.0, 1.0], [1.0, 5.0], [5.0, 4.0]])
    np.testing.assert_array_equal(seen["y_pred"], [[0.0, 0.0], [2.0, 2.0], [1.0, 1.0]])


def test_forecast_scorer_sign_and_kwargs():
    y = np.random.RandomState(0).normal(size=30).cumsum()
    forecaster = NaiveForecaster(strategy="drift", horizon=2).fit(y)
    # Rows 1 .. n-2: history before them and y[t], y[t+1] known.
    Y_true = np.lib.stride_tricks.sliding_window_view(y[1:], 2)
    Y_pred = forecaster.predict(y)[1:-1]
    mse = mean_squared_error(Y_true, Y_pred)
    neg_mse = make_forecast_scorer(mean_squared_error, greater_is_better=False)
    assert neg_mse(forecaster, y) == pytest.approx(-mse)
    weighted = make_forecast_scorer(mean_squared_error, multioutput=[1.0, 0.0])
    assert weighted(forecaster, y) == pytest.approx(
        mean_squared_error(Y_true[:, 0], Y_pred[:, 0])
    )


def test_forecast_scorer_passes_naive_and_series_when_asked():
    y = np.random.RandomState(1).normal(size=30).cumsum()
    forecaster = NaiveForecaster(strategy="mean", window=3, horizon=2).fit(y)
    assert make_forecast_scorer(skill_score)(forecaster, y) == forecaster.score(y)
    mase = make_forecast_scorer(mean_absolute_scaled_error, sp=2)
    Y_true = np.lib.stride_tricks.sliding_window_view(y[1:], 2)
    expected = mean_absolute_scaled_error(
        Y_true, forecaster.predict(y)[1:-1], y_train=y, sp=2
    )
    assert mase(forecaster, y) == pytest.approx(expected)


def test_forecast_scorer_rejects_non_forecasters():
    X, y = np.ones((5, 1)), np.arange(5.0)
    with pytest.raises(TypeError, match="needs a sklearn-rnn forecaster.*LinearRegression"):
        skill_scorer(LinearRegression().fit(X, y), X, y)


def test_scorers_in_model_selection():
    passengers = load_airline()
    neg_mae = make_forecast_scorer(mean_absolute_error, greater_is_better=False)
    search = GridSearchCV(
        NaiveForecaster(sp=12, horizon=3),
        {"strategy": ["last", "drift", "seasonal"]},
        scoring={"skill": skill_scorer, "neg_mae": neg_mae},
        refit="neg_mae",
        cv=TimeSeriesSplit(3),
    ).fit(passengers)
    assert search.best_params_ == {"strategy": "seasonal"}
    np.testing.assert_allclose(
        search.cv_results_["mean_test_skill"],
        [
            cross_val_score(
                NaiveForecaster(strategy=s, sp=12, horizon=3),
                passengers,
                cv=TimeSeriesSplit(3),
            ).mean()
            for s in ["last", "drift", "seasonal"]
        ],
    )
    assert search.cv_results_["mean_test_skill"][0] == 0.0


# -- scikit-learn's scorers on time-series folds (issue 13's "done when") ---

SKLEARN_SCORERS = {
    "neg_mean_absolute_error": lambda y, p: -mean_absolute_error(y, p),
    "neg_root_mean_squared_error": lambda y, p: -root_mean_squared_error(y, p),
    "r2": r2_score,
}
FORECASTERS = {
    "naive": lambda: NaiveForecaster(),
    "gru": lambda: GRUForecaster(window=6, hidden_size=8, max_epochs=2,
                                 random_state=0),
}


@pytest.mark.parametrize("name", list(FORECASTERS))
@pytest.mark.parametrize("pandas", [False, True], ids=["numpy", "pandas"])
def test_sklearn_scorers_on_time_series_folds_score_one_step_forecasts(name, pandas):
    # The user's call: cross_val_score(est, y, y, cv=TimeSeriesSplit(3),
    # scoring=...). Each fold's score is the metric of the forecasts made
    # from each test row's history: for a pandas series that continues the
    # training fold, the true out-of-sample forecast from the whole past;
    # for a NumPy array (no index), the test fold alone, its row 0 from an
    # empty history.
    passengers = load_airline()
    y = passengers if pandas else passengers.to_numpy()
    cv = TimeSeriesSplit(3)
    for scoring, metric in SKLEARN_SCORERS.items():
        scores = cross_val_score(FORECASTERS[name](), y, y, cv=cv, scoring=scoring)
        for score, (train, test) in zip(scores, cv.split(y)):
            model = FORECASTERS[name]().fit(y[train] if not pandas
                                            else passengers.iloc[train])
            if pandas:
                forecasts = [model.forecast(passengers.iloc[:t]).iloc[0]
                             for t in test]
            else:
                forecasts = [model.forecast(y[test][:i])[0]
                             for i in range(len(test))]
            truth = passengers.to_numpy()[test]
            assert score == pytest.approx(metric(truth, forecasts), rel=1e-6)


def test_sklearn_scorer_refuses_a_multi_step_forecast():
    y = load_airline().to_numpy()
    with pytest.raises(ValueError, match="different number of output"):
        cross_val_score(NaiveForecaster(horizon=3), y, y, cv=TimeSeriesSplit(3),
                        scoring="neg_mean_absolute_error", error_score="raise")


@pytest.mark.parametrize("metric", [
    lambda y_pred: skill_score([1.0, 2.0], y_pred, [1.0, 1.0]),
    lambda y_pred: mean_absolute_scaled_error([1.0, 2.0], y_pred,
                                              y_train=[1.0, 2.0, 4.0]),
])
def test_forecast_metrics_name_the_argument_that_is_not_numbers(metric):
    with pytest.raises(ValueError, match=r"y_pred must hold finite numbers. Got "
                                         r"inf at position \(1,\)"):
        metric([1.0, np.inf])
    with pytest.raises(ValueError, match="y_pred must hold numbers: could not "
                                         "convert string to float: 'a'"):
        metric(["a", "b"])
