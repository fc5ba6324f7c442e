"""NaiveForecaster: alignment, strategies, dates, model selection and errors."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score

from sklearn_rnn._naive import NaiveForecaster
from sklearn_rnn.datasets import load_airline

STRATEGIES = [
    dict(strategy="last"),
    dict(strategy="mean"),
    dict(strategy="mean", window=3),
    dict(strategy="drift"),
    dict(strategy="drift", window=4),
    dict(strategy="seasonal", sp=3),
]


@pytest.mark.parametrize("horizon", [1, 4])
def test_last_repeats_the_value_before_each_row(horizon):
    y = np.arange(20.0)
    Y = NaiveForecaster(horizon=horizon).fit(y).predict(y).reshape(20, horizon)
    # Row t forecasts y[t] from y[:t]; row 0 has no history: the training mean.
    np.testing.assert_array_equal(Y[1:], np.repeat(y[:-1, None], horizon, axis=1))
    np.testing.assert_array_equal(Y[0], np.full(horizon, y.mean()))


def test_naive_last_scored_by_sklearn_is_not_perfect():
    # The trap as a user hit it: with predict(X)[t] forecasting y[t+1], this
    # gave a perfect -0.0 on every fold.
    y = np.random.RandomState(0).normal(size=60).cumsum()
    scores = cross_val_score(NaiveForecaster(), y, y, cv=TimeSeriesSplit(3),
                             scoring="neg_mean_absolute_error")
    assert np.all(scores < -0.1)


@pytest.mark.parametrize("window", [None, 2, 5])
def test_drift_on_a_line_is_exact(window):
    y = np.arange(30.0)
    Y = NaiveForecaster(strategy="drift", window=window, horizon=3).fit(y).predict(y)
    # Row 1 has one value of history, hence no slope.
    np.testing.assert_array_equal(Y[1], [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(Y[2:], np.arange(1, 29)[:, None] + [1, 2, 3])


def test_mean_uses_the_last_window_values_or_what_there_is():
    y = np.array([1.0, 3.0, 5.0, 7.0, 9.0])
    Y = NaiveForecaster(strategy="mean", window=2, horizon=2).fit(y).predict(y)
    np.testing.assert_allclose(Y[:, 0], [5.0, 1.0, 2.0, 4.0, 6.0])
    np.testing.assert_array_equal(Y[:, 0], Y[:, 1])
    Y = NaiveForecaster(strategy="mean").fit(y).predict(y)
    np.testing.assert_allclose(Y, [5.0, 1.0, 2.0, 3.0, 4.0])


@pytest.mark.parametrize("horizon", [1, 5, 12])
def test_seasonal_is_exact_on_a_periodic_series(horizon):
    season = np.array([3.0, -1.0, 4.0, 1.0, -5.0])
    y = np.tile(season, 8)
    forecaster = NaiveForecaster(strategy="seasonal", sp=5, horizon=horizon).fit(y)
    Y = forecaster.predict(y).reshape(len(y), horizon)
    periodic = np.tile(season, 20)
    for t in range(5, len(y)):
        np.testing.assert_array_equal(Y[t], periodic[t : t + horizon])
    # Less than a season of history: the last value.
    for t in range(1, 5):
        np.testing.assert_array_equal(Y[t], np.full(horizon, y[t - 1]))


def test_seasonal_with_sp_1_is_last():
    y = np.random.RandomState(0).normal(size=15)
    seasonal = NaiveForecaster(strategy="seasonal", sp=1, horizon=3).fit(y)
    last = NaiveForecaster(horizon=3).fit(y)
    np.testing.assert_array_equal(seasonal.predict(y), last.predict(y))


@pytest.mark.parametrize(
    "params",
    [p for p in STRATEGIES if p.get("window") or p["strategy"] in ("last", "seasonal")],
)
def test_last_row_needs_only_window_rows(params):
    y = np.random.RandomState(1).normal(size=40).cumsum()
    forecaster = NaiveForecaster(horizon=3, **params).fit(y)
    window = params.get("window") or params.get("sp", 1)
    np.testing.assert_allclose(forecaster.forecast(y[-window:]),
                               forecaster.forecast(y))
    np.testing.assert_allclose(forecaster.forecast(y[:-1]), forecaster.predict(y)[-1])


@settings(max_examples=30, deadline=None)
@given(
    y=arrays(np.float64, st.integers(5, 40), elements=st.floats(-1e3, 1e3)),
    params=st.sampled_from(STRATEGIES),
    data=st.data(),
)
def test_rows_only_use_the_past(y, params, data):
    t = data.draw(st.integers(0, len(y) - 1))
    forecaster = NaiveForecaster(horizon=2, **params).fit(y)
    changed = y.copy()
    changed[t:] += 1e4
    np.testing.assert_allclose(
        forecaster.predict(changed)[: t + 1], forecaster.predict(y)[: t + 1]
    )
    np.testing.assert_allclose(forecaster.forecast(y[:t]), forecaster.predict(y)[t])


def test_forecast_of_airline_is_dated_after_the_data():
    passengers = load_airline()
    forecaster = NaiveForecaster(strategy="seasonal", sp=12, horizon=14)
    forecast = forecaster.fit(passengers).forecast(passengers)
    assert forecast.index[0] == pd.Timestamp("1961-01-01")
    assert forecast.index[-1] == pd.Timestamp("1962-02-01")
    assert forecast.index.freqstr == "MS"
    assert forecast.name == "passengers"
    np.testing.assert_array_equal(forecast.iloc[:12], passengers.iloc[-12:])
    np.testing.assert_array_equal(forecast.iloc[12:], passengers.iloc[-12:-10])


@pytest.mark.parametrize("horizon", [1, 3])
def test_score_of_naive_last_is_exactly_zero(horizon):
    passengers = load_airline()
    assert NaiveForecaster(horizon=horizon).fit(passengers).score(passengers) == 0.0


def test_seasonal_beats_last_on_airline():
    passengers = load_airline()
    seasonal = NaiveForecaster(strategy="seasonal", sp=12, horizon=12)
    assert seasonal.fit(passengers).score(passengers) > 0.5


def test_target_by_column_name():
    frame = pd.DataFrame({"noise": np.ones(10), "sales": np.arange(10.0)})
    forecaster = NaiveForecaster(strategy="drift", target="sales", horizon=2)
    forecaster.fit(frame)
    assert forecaster.target_index_ == 1
    np.testing.assert_array_equal(forecaster.forecast(frame), [10.0, 11.0])


def test_y_equal_to_a_column_is_that_column():
    X = np.c_[np.ones(10), np.arange(10.0)]
    forecaster = NaiveForecaster(strategy="drift").fit(X, X[:, 1])
    assert forecaster.target_index_ == 1
    np.testing.assert_array_equal(forecaster.forecast(X), [10.0])


def test_y_not_a_column_forecasts_column_target_and_warns():
    # The forecast reads the target's past from X: a y that X does not hold
    # cannot be forecast, so the forecast is of column `target`, said aloud.
    X = np.c_[np.arange(10.0), 5 + np.arange(10.0)]
    with pytest.warns(UserWarning, match="forecast column target=1 of X"):
        forecaster = NaiveForecaster(target=1).fit(X, np.zeros(10))
    assert forecaster.target_index_ is None
    np.testing.assert_array_equal(forecaster.predict(X)[1:], X[:-1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        NaiveForecaster().fit(X, X[:, 1])  # a column of X: no warning


def test_grid_search_over_strategies_with_time_series_split():
    passengers = load_airline()
    grid = {
        "strategy": ["last", "mean", "drift", "seasonal"],
        "window": [None, 24],
    }
    search = GridSearchCV(
        NaiveForecaster(sp=12, horizon=6), grid, cv=TimeSeriesSplit(3)
    ).fit(passengers)
    assert search.best_params_["strategy"] == "seasonal"
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.forecast(passengers).index[0].year == 1961


def test_cross_val_score_with_and_without_y():
    y = np.random.RandomState(0).normal(size=60).cumsum()
    forecaster = NaiveForecaster(strategy="drift", window=10)
    cv = TimeSeriesSplit(4)
    scores = cross_val_score(forecaster, y.reshape(-1, 1), cv=cv)
    np.testing.assert_allclose(
        scores, cross_val_score(forecaster, y.reshape(-1, 1), y, cv=cv)
    )


def test_clone_and_get_params():
    forecaster = NaiveForecaster(strategy="seasonal", sp=12, window=24, horizon=3)
    assert forecaster.get_params() == {
        "strategy": "seasonal",
        "sp": 12,
        "window": 24,
        "horizon": 3,
        "target": 0,
    }
    copy = clone(forecaster)
    assert copy.get_params() == forecaster.get_params()
    assert not hasattr(copy.set_params(horizon=1), "target_index_")


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(strategy="median"), "'strategy' parameter .* Got 'median' instead"),
        (dict(sp=0), "'sp' parameter .* Got 0 instead"),
        (dict(window=0), "'window' parameter .* Got 0 instead"),
        (dict(horizon=0), "'horizon' parameter .* Got 0 instead"),
        (dict(target=-1), "'target' parameter .* Got -1 instead"),
    ],
)
def test_invalid_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        NaiveForecaster(**params).fit(np.ones(10))


def test_seasonal_window_shorter_than_a_season_is_an_error():
    with pytest.raises(ValueError, match="at least sp=12. Got window=6 instead"):
        NaiveForecaster(strategy="seasonal", sp=12, window=6).fit(np.ones(30))


def test_too_short_a_series_is_an_error():
    with pytest.raises(ValueError, match=r"horizon \+ 1 = 6 time steps"):
        NaiveForecaster(horizon=5).fit(np.ones(5))


@pytest.mark.parametrize("params", STRATEGIES)
def test_long_series_predicts_every_row(params):
    # Speed belongs in benchmarks/; this checks a long series works at all.
    y = np.random.RandomState(0).normal(size=200_000).cumsum()
    forecaster = NaiveForecaster(horizon=4, **params).fit(y)
    assert forecaster.predict(y).shape == (200_000, 4)
