from functools import partial

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LinearRegression
from sklearn.metrics import (
    mean_absolute_error,
    median_absolute_error,
    root_mean_squared_error,
)
from sklearn.model_selection import TimeSeriesSplit

from sklearn_rnn import GRUForecaster, NaiveForecaster
from sklearn_rnn._series import ForecasterMixin
from sklearn_rnn.datasets import load_airline
from sklearn_rnn.metrics import mean_absolute_scaled_error, skill_score
from sklearn_rnn.model_selection import PanelSplit, backtest


class FitMean(ForecasterMixin, BaseEstimator):
    """Forecasts the mean of the series it was fit on: shows which fit served."""

    def __init__(self, *, horizon=1, window=None, target=0):
        self.horizon = horizon
        self.window = window
        self.target = target

    def fit(self, X, y=None):
        self.mean_ = float(np.mean(self._validate_fit_series(X, y).y))
        return self

    def _forecast_rows(self, X, rows):
        return np.full((len(rows), self.horizon), self.mean_)


def test_backtest_of_naive_matches_forecasts_by_hand_at_each_fold_end():
    y = load_airline()
    horizon = 12
    naive = NaiveForecaster(strategy="seasonal", sp=12, horizon=horizon)
    cv = TimeSeriesSplit(n_splits=4, test_size=horizon)
    result = backtest(naive, y, cv=cv)
    assert list(result.index) == [0, 1, 2, 3]
    for fold, (train, test) in enumerate(cv.split(y)):
        history = y.iloc[train]
        forecast = NaiveForecaster(strategy="seasonal", sp=12,
                                   horizon=horizon).fit(history).forecast(history)
        actual = y.iloc[test]
        row = result.loc[fold]
        pd.testing.assert_series_equal(row["forecast"], forecast)
        pd.testing.assert_series_equal(row["actual"], actual.astype(np.float64))
        assert row["cutoff"] == y.index[train[-1]]
        assert row["train_size"] == len(train)
        assert row["MAE"] == pytest.approx(mean_absolute_error(actual, forecast))
        assert row["RMSE"] == pytest.approx(root_mean_squared_error(actual, forecast))
        assert row["MASE"] == pytest.approx(mean_absolute_scaled_error(
            actual, forecast, y_train=history))
    # An int is the same last origins, one horizon apart.
    by_int = backtest(naive, y, cv=4)
    pd.testing.assert_frame_equal(
        by_int.drop(columns=["fit_time", "forecast_time"]),
        result.drop(columns=["fit_time", "forecast_time"]))


def test_backtest_of_a_network_matches_its_forecasts_by_hand():
    y = load_airline()
    gru = GRUForecaster(window=12, horizon=6, hidden_size=4, max_epochs=3,
                        random_state=0)
    cv = TimeSeriesSplit(n_splits=2, test_size=6)
    result = backtest(gru, y, cv=cv, scoring=["MAE"])
    for fold, (train, test) in enumerate(cv.split(y)):
        history = y.iloc[train]
        forecast = clone(gru).fit(history).forecast(history)
        np.testing.assert_allclose(result.loc[fold, "forecast"], forecast)
        assert result.loc[fold, "MAE"] == pytest.approx(
            mean_absolute_error(y.iloc[test], forecast))


def test_backtest_on_arrays_by_hand():
    y = np.array([1.0, 2.0, 4.0, 5.0, 7.0, 8.0, 10.0, 11.0])
    result = backtest(NaiveForecaster(horizon=2), y, cv=2, scoring="MAE")
    # Origins 6 and 8 - 2: the last value 5 (row 3) and 8 (row 5) repeated.
    assert list(result["cutoff"]) == [3, 5]
    np.testing.assert_array_equal(result.loc[0, "forecast"], [5.0, 5.0])
    np.testing.assert_array_equal(result.loc[1, "forecast"], [8.0, 8.0])
    assert list(result.loc[1, "forecast"].index) == [6, 7]
    np.testing.assert_array_equal(result.loc[1, "actual"], [10.0, 11.0])
    assert list(result["MAE"]) == [2.5, 2.5]
    assert list(result.columns) == ["cutoff", "train_size", "refit", "fit_time",
                                    "forecast_time", "forecast", "actual", "MAE"]


@pytest.mark.parametrize("refit, fitted_at", [
    (True, [0, 1, 2, 3, 4]),
    (1, [0, 1, 2, 3, 4]),
    (False, [0, 0, 0, 0, 0]),
    (2, [0, 0, 2, 2, 4]),
    (3, [0, 0, 0, 3, 3]),
])
def test_refit_decides_which_fit_forecasts(refit, fitted_at):
    y = np.arange(30.0) ** 1.5
    result = backtest(FitMean(horizon=3), y, cv=5, refit=refit, scoring="MAE")
    origins = [15, 18, 21, 24, 27]
    assert list(result["refit"]) == [fold in fitted_at for fold in range(5)]
    for fold, origin in enumerate(origins):
        fit_origin = origins[fitted_at[fold]]
        expected = np.full(3, y[:fit_origin].mean())
        np.testing.assert_allclose(result.loc[fold, "forecast"], expected)
        # The forecast starts from its own origin, whatever model serves it.
        assert result.loc[fold, "train_size"] == origin
    assert (result.loc[~result["refit"], "fit_time"] == 0.0).all()
    assert (result["forecast_time"] >= 0).all()


def test_sliding_window_splitter_fits_and_forecasts_from_the_window():
    y = pd.Series(np.arange(40.0) ** 2)
    cv = TimeSeriesSplit(n_splits=3, test_size=4, max_train_size=10)
    result = backtest(FitMean(horizon=4), y, cv=cv)
    assert list(result["train_size"]) == [10, 10, 10]
    assert list(result["cutoff"]) == [27, 31, 35]
    np.testing.assert_allclose(result.loc[2, "forecast"], np.full(4, y[26:36].mean()))


@pytest.mark.parametrize("make_index", [
    lambda n: pd.date_range("2000-01-01", periods=n, freq="D"),
    lambda n: pd.period_range("2000-01", periods=n, freq="M"),
    lambda n: pd.RangeIndex(100, 100 + n),
    lambda n: pd.Index(np.arange(n) * 5),
])
def test_pandas_output_is_dated_like_y(make_index):
    index = make_index(36)
    y = pd.Series(np.sin(np.arange(36.0)) + 10, index=index, name="level")
    result = backtest(NaiveForecaster(strategy="drift", horizon=5), y, cv=3)
    for fold, origin in enumerate([21, 26, 31]):
        assert result.loc[fold, "cutoff"] == index[origin - 1]
        for column in ("forecast", "actual"):
            series = result.loc[fold, column]
            assert series.index.equals(index[origin:origin + 5])
            assert series.name == "level"


def test_covariates_x_with_the_target_column():
    y = load_airline()
    X = pd.DataFrame({"passengers": y, "month": y.index.month.astype(float)})
    naive = NaiveForecaster(strategy="seasonal", sp=12, horizon=6)
    with_x = backtest(naive, y, X, cv=2)
    alone = backtest(naive, y, cv=2)
    for fold in range(2):
        pd.testing.assert_series_equal(with_x.loc[fold, "forecast"],
                                       alone.loc[fold, "forecast"])
    assert with_x["MAE"].tolist() == alone["MAE"].tolist()
    as_arrays = backtest(naive, y.to_numpy(), X.to_numpy(), cv=2)
    assert list(as_arrays["cutoff"]) == [131, 137]
    assert as_arrays["MAE"].tolist() == alone["MAE"].tolist()


def test_recurrent_forecaster_with_covariates_and_refit_false():
    y = load_airline()
    X = pd.DataFrame({"passengers": y, "month": y.index.month.astype(float)})
    gru = GRUForecaster(window=12, horizon=3, hidden_size=4, max_epochs=2,
                        random_state=0)
    result = backtest(gru, y, X, cv=2, refit=False)
    assert list(result["refit"]) == [True, False]
    assert result.loc[1, "forecast"].index.equals(y.index[-3:])
    assert np.isfinite(result[["MAE", "RMSE", "MASE"]].to_numpy()).all()
    # The estimator passed in is cloned, never fitted.
    assert not hasattr(gru, "net_")


def test_scoring_names_callables_and_dicts():
    y = load_airline()
    naive = NaiveForecaster(strategy="seasonal", sp=12, horizon=12)
    result = backtest(naive, y, cv=2, scoring={
        "seasonal MASE": partial(mean_absolute_scaled_error, sp=12),
        "skill": "skill",
        "medae": "median_absolute_error",
    })
    named = backtest(naive, y, cv=2, scoring=["MAPE", median_absolute_error])
    assert list(named.columns[-2:]) == ["MAPE", "median_absolute_error"]
    for fold, origin in enumerate([120, 132]):
        actual = y.to_numpy()[origin:origin + 12]
        forecast = result.loc[fold, "forecast"].to_numpy()
        assert result.loc[fold, "seasonal MASE"] == pytest.approx(
            mean_absolute_scaled_error(actual, forecast, y_train=y[:origin], sp=12))
        assert result.loc[fold, "skill"] == pytest.approx(skill_score(
            actual, forecast, np.full(12, y.iloc[origin - 1])))
        assert result.loc[fold, "medae"] == named.loc[fold, "median_absolute_error"]


@pytest.mark.parametrize("cv, message", [
    (TimeSeriesSplit(3, test_size=4), "test part has 4 time step\\(s\\), shorter "
                                      "than the horizon=6"),
    (TimeSeriesSplit(3), "test part has 12 time steps, but a backtest compares"),
    (TimeSeriesSplit(3, test_size=6, gap=2), "right after its training part"),
    ([(np.array([0, 1, 5, 6]), np.arange(7, 13))], "consecutive time steps"),
    ([(np.arange(30), np.arange(30, 36)), (np.arange(20), np.arange(20, 26))],
     "move forward in time"),
    (9, "cv=9 origins spaced by horizon=6 need more than 54"),
    (0, "number of forecast origins, >= 1"),
    ("five", "cv must be an int"),
])
def test_bad_folds_are_explained(cv, message):
    y = np.arange(50.0)
    with pytest.raises(ValueError if not isinstance(cv, str) else TypeError,
                       match=message):
        backtest(NaiveForecaster(horizon=6), y, cv=cv)


@pytest.mark.parametrize("refit", [0, -2, 1.5, "yes", None])
def test_bad_refit_values(refit):
    with pytest.raises(ValueError, match="refit must be True .* Got refit="):
        backtest(NaiveForecaster(), np.arange(20.0), cv=2, refit=refit)


@pytest.mark.parametrize("estimator", [LinearRegression(), "naive", None])
def test_non_forecasters_are_refused(estimator):
    with pytest.raises(TypeError, match="backtest needs a forecaster"):
        backtest(estimator, np.arange(20.0), cv=2)


@pytest.mark.parametrize("scoring, error, message", [
    ("neg_mean_absolute_error", ValueError, "scorer name; backtest reports the "
                                            "metric itself, e.g. 'mean_absolute"),
    ("accuracy", ValueError, "scoring names a metric"),
    (3, TypeError, "scoring must be None"),
    ({"a": 3}, TypeError, "scoring\\['a'\\] must be a metric name"),
    (["MAE", "MAE"], ValueError, "names the column 'MAE' twice"),
])
def test_bad_scoring(scoring, error, message):
    with pytest.raises(error, match=message):
        backtest(NaiveForecaster(), np.arange(20.0), cv=2, scoring=scoring)


def test_bad_series_are_explained():
    y = load_airline()
    naive = NaiveForecaster()
    with pytest.raises(ValueError, match="y must be one series.*DataFrame"):
        backtest(naive, y.to_frame(), cv=2)
    with pytest.raises(ValueError, match="y must be one series.*shape \\(144, 2\\)"):
        backtest(naive, np.c_[y, y], cv=2)
    with pytest.raises(ValueError, match="X has 143 rows and y has 144"):
        backtest(naive, y, y.iloc[1:].to_frame(), cv=2)
    with pytest.raises(ValueError, match="share their index"):
        backtest(naive, y, y.reset_index(drop=True).to_frame(), cv=2)
    with pytest.raises(ValueError, match="y must hold numbers: could not convert"):
        backtest(naive, pd.Series(list("abcdefghij")), cv=2)


def test_a_failing_metric_names_its_column_and_fold():
    # MASE has no scale on a constant training series.
    with pytest.raises(ValueError, match="scoring 'MASE' failed on fold 0 "
                                         "\\(cutoff 17\\): The in-sample naive"):
        backtest(NaiveForecaster(), np.ones(20), cv=2)


def test_bad_horizon_of_the_estimator():
    with pytest.raises(ValueError, match="horizon must be an int >= 1. Got "
                                         "horizon=0"):
        backtest(NaiveForecaster(horizon=0), np.arange(20.0), cv=2)


def test_forecast_of_the_wrong_shape_is_reported():
    class TwoSeries(FitMean):
        def forecast(self, X):
            return np.zeros((self.horizon, 2))

    with pytest.raises(ValueError, match="forecast must return horizon=2 values"):
        backtest(TwoSeries(horizon=2), np.arange(20.0), cv=1)


def test_plot_backtest_draws_each_origin():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_rnn.plotting import plot_backtest

    y = load_airline().to_period("M")
    result = backtest(NaiveForecaster(strategy="seasonal", sp=12, horizon=12),
                      y, cv=2)
    try:
        ax = plot_backtest(result, y)
        lines = {line.get_label(): line for line in ax.get_lines()
                 if not line.get_label().startswith("_")}
        assert list(lines) == ["actual", "from 1958-12", "from 1959-12"]
        forecast_line = lines["from 1959-12"]
        np.testing.assert_array_equal(forecast_line.get_ydata(),
                                      result.loc[1, "forecast"].to_numpy())
        ax = plot_backtest(result)
        assert [t.get_text() for t in ax.get_legend().get_texts()][0] == "actual"
        with pytest.raises(TypeError, match="backtest returns"):
            plot_backtest(y)
    finally:
        plt.close("all")


def _two_series_panel(n=30):
    index = pd.MultiIndex.from_product([["a", "b"], range(n)], names=["id", "t"])
    return pd.Series(np.arange(2.0 * n), index=index, name="y")


def test_panel_split_counts_rows_of_a_series_with_labels_without_time():
    # Sorting the labels would train on later rows than it tests on.
    y = pd.Series(np.arange(6.0), index=list("fedcba"))
    ours = list(PanelSplit(n_splits=2, test_size=2).split(y))
    theirs = list(TimeSeriesSplit(n_splits=2, test_size=2).split(y))
    for (a, b), (c, d) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


def test_panel_split_refuses_a_time_level_without_time_order():
    panel = _two_series_panel(12)
    panel.index = panel.index.set_levels([f"t{i}" for i in range(12)], level=1)
    with pytest.raises(ValueError, match="second index level must hold integers, "
                                         "dates or periods. Got a level 't'"):
        list(PanelSplit(n_splits=2).split(panel))


@pytest.mark.parametrize("cv", ["five", 2.5, True])
def test_bad_folds_of_a_panel_are_explained_as_for_one_series(cv):
    with pytest.raises(TypeError, match="cv must be an int .* Got"):
        backtest(NaiveForecaster(horizon=3), _two_series_panel(), cv=cv)


def test_plot_backtest_of_a_panel_asks_for_one_series():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_rnn.plotting import plot_backtest, plot_forecast

    y = _two_series_panel()
    naive = NaiveForecaster(horizon=3)
    result = backtest(naive, y, cv=2)
    try:
        with pytest.raises(ValueError, match="backtest of one series. Got a panel"):
            plot_backtest(result, y)
        with pytest.raises(ValueError, match="y must be one series; a .* panel"):
            plot_backtest(result.xs("a", level="series"), y)
        with pytest.raises(ValueError, match="forecast 'forecast' must be one "
                                             "series; a .* panel"):
            plot_forecast(None, naive.fit(y).forecast(y))
        # The fix the messages suggest.
        ax = plot_backtest(result.xs("a", level="series"), y.xs("a"))
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            "actual", "from 23", "from 26"]
    finally:
        plt.close("all")


def test_a_panel_test_part_longer_than_the_horizon_is_refused_as_for_one_series():
    # Truncating it to the horizon would leave the other steps unscored.
    with pytest.raises(ValueError, match="Fold 0's test part has 4 time steps of "
                                         "a series, but .* horizon=2"):
        backtest(NaiveForecaster(horizon=2), _two_series_panel(),
                 cv=PanelSplit(n_splits=2, test_size=4))
    result = backtest(NaiveForecaster(horizon=2), _two_series_panel(),
                      cv=PanelSplit(n_splits=2, test_size=2))
    assert len(result) == 4


def test_a_list_panel_with_covariates_on_other_times_is_refused():
    # Aligned by position, X's rows would silently stand for other times.
    y = [pd.Series(np.arange(20.0)), pd.Series(2 * np.arange(20.0))]
    X = [part.to_frame("y") for part in y]
    backtest(NaiveForecaster(horizon=2), y, X, cv=2)
    X[0] = X[0].set_axis(pd.RangeIndex(100, 120))
    with pytest.raises(ValueError, match=r"X\[0\] and y\[0\] must share their "
                                         r"index.*Got X\[0\] indexed \[100, 101"):
        backtest(NaiveForecaster(horizon=2), y, X, cv=2)
