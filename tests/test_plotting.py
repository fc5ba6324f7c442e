import sys

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.dates import date2num  # noqa: E402
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit  # noqa: E402

from sklearn_rnn import GRUForecaster, NaiveForecaster  # noqa: E402
from sklearn_rnn.datasets import load_airline  # noqa: E402
from sklearn_rnn.plotting import (  # noqa: E402
    plot_cv_results,
    plot_forecast,
    plot_learning_curve,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()
            if not line.get_label().startswith("_")}


def test_plot_forecast_lines_up_dated_forecast_with_truth():
    y = load_airline()
    train, test = y[:-12], y[-12:]
    naive = NaiveForecaster(strategy="seasonal", sp=12, horizon=12).fit(train)
    ax = plot_forecast(test, {"naive": naive.forecast(train),
                              "flat": np.full(12, 400.0)}, history=train)
    lines = _lines(ax)
    assert set(lines) == {"history", "actual", "naive", "flat"}
    dates = date2num(test.index)
    for label in ("actual", "naive", "flat"):
        np.testing.assert_allclose(date2num(lines[label].get_xdata()), dates)
    np.testing.assert_allclose(lines["naive"].get_ydata(), train[-12:].to_numpy())
    assert len(lines["history"].get_xdata()) == len(train)


def test_plot_forecast_places_arrays_after_the_history():
    history = np.arange(10.0)
    ax = plot_forecast([10.0, 11.0, 12.0], [9.0, 9.0, 9.0], history=history)
    lines = _lines(ax)
    np.testing.assert_array_equal(lines["actual"].get_xdata(), [10, 11, 12])
    np.testing.assert_array_equal(lines["forecast"].get_xdata(), [10, 11, 12])
    # Without truth nor history, a forecast starts at 0.
    ax = plot_forecast(None, [1.0, 2.0])
    np.testing.assert_array_equal(_lines(ax)["forecast"].get_xdata(), [0, 1])


def test_plot_forecast_after_dated_history_without_truth():
    y = load_airline()
    ax = plot_forecast(None, np.ones(3), history=y)
    x = date2num(_lines(ax)["forecast"].get_xdata())
    expected = date2num(pd.date_range("1961-01-01", periods=3, freq="MS"))
    np.testing.assert_allclose(x, expected)


def test_plot_forecast_draws_on_given_axes():
    _, ax = plt.subplots()
    assert plot_forecast([1.0, 2.0], [1.0, 1.0], ax=ax, title="t") is ax
    assert ax.get_title() == "t"


def test_plot_forecast_rejects_mismatched_forecast():
    with pytest.raises(ValueError, match="one value per value of y"):
        plot_forecast([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="must be 1-D"):
        plot_forecast(np.ones((3, 2)), np.ones(3))


def test_plot_learning_curve_shows_losses_grad_norm_and_best_epoch():
    y = load_airline()
    # Without the linear path the best epoch is one of the 4 (with it, the
    # linear start may be kept: best_epoch_ 0, no epoch to mark).
    model = GRUForecaster(max_epochs=4, hidden_size=8, early_stopping=True,
                          highway=False, random_state=0).fit(y)
    assert model.best_epoch_ >= 1
    ax = plot_learning_curve(model)
    lines = _lines(ax)
    assert set(lines) == {"train_loss", "valid_loss"}
    np.testing.assert_allclose(lines["valid_loss"].get_ydata(),
                               model.history_[:, "valid_loss"])
    twin = [other for other in ax.figure.axes if other is not ax]
    assert len(twin) == 1
    np.testing.assert_allclose(_lines(twin[0])["grad_norm"].get_ydata(),
                               model.history_[:, "grad_norm"])
    best = [line for line in ax.get_lines() if line.get_label().startswith("_")]
    assert best[0].get_xdata()[0] == model.best_epoch_
    assert ax.get_yscale() == "log"


def test_plot_learning_curve_accepts_a_history_list():
    history = [{"epoch": 1, "train_loss": 2.0}, {"epoch": 2, "train_loss": 1.0}]
    ax = plot_learning_curve(history, log_scale=False, grad_norm=False)
    assert set(_lines(ax)) == {"train_loss"}
    assert len(ax.figure.axes) == 1
    with pytest.raises(TypeError, match="fitted recurrent estimator"):
        plot_learning_curve(GRUForecaster())


CV_RESULTS = {
    "param_gru__cell": ["rnn", "gru", "lstm", "rnn", "gru", "lstm"],
    "param_gru__hidden_size": [8, 8, 8, 16, 16, 16],
    "mean_test_score": [0.1, 0.5, 0.4, 0.3, 0.6, np.nan],
    "std_test_score": [0.05, 0.04, 0.02, 0.05, 0.03, np.nan],
}


def test_plot_cv_results_bars_are_the_best_candidate_per_value():
    ax = plot_cv_results(CV_RESULTS, param="cell")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["rnn", "gru", "lstm"]
    heights = [patch.get_height() for patch in ax.patches]
    assert heights == [0.3, 0.6, 0.4]
    assert ax.get_xlabel() == "gru__cell"


def test_plot_cv_results_from_a_fitted_search():
    y = load_airline()
    search = GridSearchCV(
        NaiveForecaster(horizon=3),
        {"strategy": ["last", "drift", "mean"], "window": [6, 12]},
        cv=TimeSeriesSplit(3),
    ).fit(y)
    ax = plot_cv_results(search, param="strategy")
    best = [max(score for s, score in zip(search.cv_results_["param_strategy"],
                                          search.cv_results_["mean_test_score"])
                if s == strategy) for strategy in ("last", "drift", "mean")]
    np.testing.assert_allclose([p.get_height() for p in ax.patches], best)


def test_plot_cv_results_errors_name_the_choices():
    with pytest.raises(ValueError, match="gru__cell"):
        plot_cv_results(CV_RESULTS, param="window")
    with pytest.raises(ValueError, match="score must be one of"):
        plot_cv_results(CV_RESULTS, score="train_score")
    with pytest.raises(TypeError, match="cv_results_"):
        plot_cv_results([1, 2])


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"sklearn-rnn\[plot\]"):
        plot_forecast([1.0], [1.0])


@pytest.mark.parametrize("index", ["period", "integer", "datetime"])
def test_plot_forecast_takes_every_index_forecast_returns(index):
    # plot_forecast crashed on the PeriodIndex that forecast() returns.
    y = load_airline()
    if index == "period":
        y = y.to_period("M")
    elif index == "integer":
        y = y.reset_index(drop=True)
    train, test = y.iloc[:-12], y.iloc[-12:]
    forecast = NaiveForecaster(horizon=12).fit(train).forecast(train)
    assert isinstance(forecast, pd.Series)
    ax = plot_forecast(test, forecast, history=train)
    lines = _lines(ax)
    np.testing.assert_array_equal(lines["forecast"].get_xdata(),
                                  lines["actual"].get_xdata())
    # An array forecast is placed right after the history.
    ax = plot_forecast(None, forecast.to_numpy(), history=train)
    np.testing.assert_array_equal(_lines(ax)["forecast"].get_xdata(),
                                  lines["actual"].get_xdata())


def test_plot_forecast_draws_a_band_per_coverage():
    y = load_airline()
    train, test = y[:-12], y[-12:]
    model = NaiveForecaster(strategy="seasonal", sp=12, horizon=12).fit(train)
    frame = model.forecast(train, coverage=[0.8, 0.95])
    ax = plot_forecast(test, {"naive": frame}, history=train[-24:])
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["history", "actual", "naive", "naive 95%", "naive 80%"]
    assert len(ax.collections) == 2  # the two bands
    # The line is the forecast column, at the forecast's dates.
    line = ax.get_lines()[2]
    np.testing.assert_array_equal(line.get_ydata(), frame["forecast"])
    single = plot_forecast(None, model.forecast(train, coverage=0.9))
    assert [t.get_text() for t in single.get_legend().get_texts()] == [
        "forecast", "forecast interval"]
    bad = frame.drop(columns="upper_0.8")
    with pytest.raises(ValueError, match="'lower_0.8' but no 'upper_0.8'"):
        plot_forecast(None, bad)
