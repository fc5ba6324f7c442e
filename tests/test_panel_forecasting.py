"""Forecasters on panels: many series, one model."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score

from sklearn_rnn import ConvGRUForecaster, GRUForecaster, NaiveForecaster
from sklearn_rnn.model_selection import PanelSplit

FORECASTERS = [
    NaiveForecaster(strategy="drift", window=5, horizon=3),
    NaiveForecaster(strategy="seasonal", sp=4, horizon=2),
    GRUForecaster(window=6, horizon=2, hidden_size=8, max_epochs=2,
                  random_state=0),
    GRUForecaster(window=6, horizon=3, strategy="seq2seq", hidden_size=8,
                  max_epochs=2, early_stopping=True, patience=1, random_state=0),
    ConvGRUForecaster(window=6, horizon=1, strategy="recursive", hidden_size=8,
                      max_epochs=2, random_state=0),
]


def _series(seed, n, start):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 10 * seed + 0.3 * t + np.sin(t * np.pi / 2) + rng.normal(0, 0.2, n)
    return pd.DataFrame(
        {"y": values, "x": np.cos(t / 3.0)},
        index=pd.period_range(start, periods=n, freq="M", name="month"),
    )


def _panel(columns=("y", "x")):
    return pd.concat({"a": _series(1, 40, "2000-01"), "b": _series(2, 30, "2000-11"),
                      "c": _series(3, 35, "2000-06")},
                     names=["id", "month"])[list(columns)]


def _panel_for(forecaster):
    # The recursive strategy takes the target alone.
    recursive = getattr(forecaster, "strategy", None) == "recursive"
    return _panel(("y",) if recursive else ("y", "x"))


@pytest.mark.parametrize("forecaster", FORECASTERS, ids=repr)
def test_panel_list_and_single_series_forecast_alike(forecaster):
    panel = _panel_for(forecaster)
    a = panel.xs("a")
    single = clone(forecaster).fit(a)
    from_panel = clone(forecaster).fit(panel.loc[["a"]])
    from_list = clone(forecaster).fit([a])
    expected = single.forecast(a)
    pd.testing.assert_series_equal(from_panel.forecast(panel.loc[["a"]]).xs("a"),
                                   expected)
    np.testing.assert_array_equal(from_list.forecast([a])[0], expected.to_numpy())
    np.testing.assert_array_equal(from_panel.predict(panel.loc[["a"]]),
                                  single.predict(a))
    np.testing.assert_array_equal(from_list.predict([a])[0], single.predict(a))
    assert from_panel.score(panel.loc[["a"]]) == single.score(a)


@pytest.mark.parametrize("forecaster", FORECASTERS[::2], ids=repr)
def test_multiindex_panel_and_its_list_of_series_fit_alike(forecaster):
    # Rows interleaved in time, not grouped by series: ids in order of first
    # appearance, a, c, b.
    panel = _panel_for(forecaster).sort_index(level=1, sort_remaining=False)
    series = [panel.xs(i) for i in ("a", "c", "b")]
    from_frame = clone(forecaster).fit(panel, panel["y"])
    from_list = clone(forecaster).fit(series, [part["y"] for part in series])
    assert from_frame.target_index_ == from_list.target_index_ == 0
    forecast = from_frame.forecast(panel)
    for k, series_id in enumerate(("a", "c", "b")):
        np.testing.assert_array_equal(forecast.xs(series_id).to_numpy(),
                                      from_list.forecast(series)[k])
    np.testing.assert_array_equal(from_frame.calibration_residuals_,
                                  from_list.calibration_residuals_)


def test_a_panel_target_is_a_column_only_if_it_is_in_every_series():
    panel = _panel()
    # y is column "x" in series a only: no column holds every series' target.
    y = panel["y"].copy()
    y.loc["a"] = panel.loc["a", "x"].to_numpy()
    series = [panel.xs(i) for i in ("a", "b", "c")]
    for X, target in [(panel, y), (series, [y.loc[i].to_numpy()
                                            for i in ("a", "b", "c")])]:
        with pytest.warns(UserWarning, match="y is not a column of X"):
            model = NaiveForecaster(horizon=2).fit(X, target)
        assert model.target_index_ is None


def test_each_series_is_scaled_by_its_own_statistics():
    # b is a in other units: standardised, the network sees the same series,
    # so b's forecast is a's in b's units.
    a = _series(1, 40, "2000-01")[["y"]]
    b = a * 1000.0 + 5.0
    panel = pd.concat({"a": a, "b": b}, names=["id", "month"])
    model = GRUForecaster(window=6, horizon=2, hidden_size=8, max_epochs=2,
                          random_state=0).fit(panel)
    forecast = model.forecast(panel)
    np.testing.assert_allclose(forecast.loc["b"], forecast.loc["a"] * 1000.0 + 5.0,
                               rtol=1e-5)
    np.testing.assert_allclose(model.predict(panel.loc[["b"]]),
                               model.predict(panel.loc[["a"]]) * 1000.0 + 5.0,
                               rtol=1e-5)
    # A series it was not fit on is scaled by its own rows.
    new = pd.concat({"new": a * 2.0 - 3.0}, names=["id", "month"])
    np.testing.assert_allclose(model.forecast(new).to_numpy(),
                               forecast.loc["a"].to_numpy() * 2.0 - 3.0, rtol=1e-4)


@pytest.mark.parametrize("forecaster", FORECASTERS, ids=repr)
def test_panel_forecast_of_one_series_ignores_the_others(forecaster):
    panel = _panel_for(forecaster)
    model = clone(forecaster).fit(panel)
    changed = panel.copy()
    changed.loc["b", "y"] = changed.loc["b", "y"].to_numpy() * -3.0 + 7.0
    before, after = model.forecast(panel), model.forecast(changed)
    pd.testing.assert_series_equal(before.drop("b"), after.drop("b"))
    assert not before.loc["b"].equals(after.loc["b"])
    rows = panel.index.get_level_values("id") != "b"
    np.testing.assert_array_equal(model.predict(panel)[rows],
                                  model.predict(changed)[rows])


def test_panel_outputs_keep_the_input_layout():
    panel = _panel()
    model = NaiveForecaster(horizon=2).fit(panel)
    forecast = model.forecast(panel)
    assert forecast.index.names == ["id", "month"]
    assert forecast.name == "y"
    assert forecast.loc["b"].index[0] == pd.Period("2003-05", freq="M")
    # predict follows X's rows, in whatever order they come.
    shuffled = panel.sort_index(level="month", sort_remaining=False)
    Y = model.predict(shuffled)
    assert Y.shape == (len(panel), 2)
    np.testing.assert_array_equal(Y[shuffled.index.get_loc(("c", pd.Period(
        "2001-01", freq="M")))], [panel.loc[("c", "2000-12"), "y"]] * 2)
    assert model.forecast([panel.xs("a"), panel.xs("b")]).shape == (2, 2)


def test_panel_test_fold_continues_each_series():
    panel = _panel()
    month = panel.index.get_level_values("month")
    cut = pd.Period("2002-06", freq="M")
    train, test = panel[month <= cut], panel[month > cut]
    model = NaiveForecaster(horizon=1).fit(train)
    # Row 0 of each series' test part repeats that series' last training value.
    first_rows = ~test.index.get_level_values("id").duplicated()
    np.testing.assert_array_equal(
        model.predict(test)[first_rows],
        train.groupby(level="id", sort=False)["y"].last().to_numpy())


def test_grid_search_over_a_panel_with_the_panel_splitter():
    panel = _panel()
    cv = PanelSplit(n_splits=3, test_size=4)
    search = GridSearchCV(
        NaiveForecaster(sp=4, horizon=2),
        {"strategy": ["last", "drift", "seasonal"]}, cv=cv,
    ).fit(panel)
    # Each fold's score is the skill of a model fit on the training rows of
    # every series, scored on the test rows that continue them.
    for i, strategy in enumerate(["last", "drift", "seasonal"]):
        for fold, (train, test) in enumerate(cv.split(panel)):
            model = NaiveForecaster(strategy=strategy, sp=4, horizon=2)
            expected = model.fit(panel.iloc[train]).score(panel.iloc[test])
            assert search.cv_results_[f"split{fold}_test_score"][i] == \
                pytest.approx(expected)
    assert search.cv_results_["mean_test_score"][0] == pytest.approx(0.0)
    # scikit-learn's scorers compare predict's rows with y's.
    drift = NaiveForecaster(strategy="drift")
    scores = cross_val_score(drift, panel, panel["y"], cv=cv,
                             scoring="neg_mean_absolute_error")
    for score, (train, test) in zip(scores, cv.split(panel)):
        model = clone(drift).fit(panel.iloc[train], panel["y"].iloc[train])
        error = np.abs(model.predict(panel.iloc[test]) - panel["y"].iloc[test])
        assert score == pytest.approx(-error.mean())


def test_panel_fit_errors_name_the_series():
    panel = _panel()
    short = pd.concat([panel, pd.DataFrame(
        {"y": [1.0, 2.0], "x": [0.0, 0.0]},
        index=pd.MultiIndex.from_tuples([("d", pd.Period("2000-01", "M")),
                                         ("d", pd.Period("2000-02", "M"))],
                                        names=["id", "month"]))])
    with pytest.raises(ValueError, match="Series 'd' of X has 2 time step"):
        NaiveForecaster(horizon=2).fit(short)
    with pytest.raises(ValueError, match="same columns"):
        NaiveForecaster().fit([panel.xs("a"), panel.xs("b")[["y"]]])
    model = NaiveForecaster().fit(panel)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(panel.rename(columns={"x": "z"}))


def test_backtest_of_a_panel_matches_each_series_alone():
    from sklearn_rnn.model_selection import backtest

    panel = _panel()
    y = panel["y"]
    naive = NaiveForecaster(strategy="drift", window=6, horizon=3)
    result = backtest(naive, y, cv=2)
    assert result.index.names == ["fold", "series"]
    assert set(result.index.get_level_values("series")) == {"a", "b", "c"}
    for series_id in ["a", "b", "c"]:
        own = y.xs(series_id)
        last = own.index[-1]
        for fold in [0, 1]:
            row = result.loc[(fold, series_id)]
            origin = own.index.get_loc(row["cutoff"]) + 1
            history = own.iloc[:origin]
            expected = NaiveForecaster(strategy="drift", window=6, horizon=3).fit(
                history).forecast(history)
            pd.testing.assert_series_equal(row["forecast"], expected,
                                           check_names=False)
            pd.testing.assert_series_equal(row["actual"],
                                           own.iloc[origin:origin + 3],
                                           check_names=False)
        # Every series is cut at the same times: the panel's last time points.
        assert result.loc[(1, series_id), "actual"].index[-1] == last
    with pytest.raises(ValueError, match="X and y must share their index"):
        backtest(naive, y, X=panel.reset_index(drop=True))


def test_backtest_of_a_list_of_series():
    from sklearn_rnn.model_selection import backtest

    panel = _panel()
    naive = NaiveForecaster(strategy="drift", window=6, horizon=3)
    # pandas series keep their times: the same result as the MultiIndex panel.
    series = [panel["y"].xs(k) for k in ["a", "b", "c"]]
    as_list = backtest(naive, series, cv=2)
    stacked = backtest(naive, panel["y"], cv=2)
    assert as_list.index.names == ["fold", "series"]
    assert as_list["MAE"].tolist() == stacked["MAE"].tolist()
    assert as_list["cutoff"].tolist() == stacked["cutoff"].tolist()
    # Arrays are aligned at their ends: every series holds out its last
    # steps, labelled by position, and X comes as a list too.
    arrays = [s.to_numpy() for s in series]
    covariates = [np.c_[a, np.arange(len(a))] for a in arrays]
    for X in [None, covariates]:
        result = backtest(naive, arrays, X, cv=2)
        for k, values in enumerate(arrays):
            for fold, origin in enumerate([len(values) - 6, len(values) - 3]):
                row = result.loc[(fold, k)]
                assert row["cutoff"] == origin - 1
                history = values[:origin] if X is None else X[k][:origin]
                model = clone(naive).fit(history, None if X is None
                                         else values[:origin])
                np.testing.assert_allclose(row["forecast"], model.forecast(history))
                np.testing.assert_array_equal(row["actual"].index,
                                              np.arange(origin, origin + 3))
                np.testing.assert_array_equal(row["actual"],
                                              values[origin:origin + 3])
    with pytest.raises(ValueError, match="X must be a list of 3"):
        backtest(naive, arrays, covariates[0], cv=2)
    with pytest.raises(ValueError, match=r"X\[1\] must have one row"):
        backtest(naive, arrays, [covariates[0]] * 3, cv=2)
    with pytest.raises(TypeError, match="mixes arrays and pandas"):
        backtest(naive, [arrays[0], series[1]], cv=2)


def test_series_embedding_tells_series_apart():
    y = _series(1, 40, "2000-01")["y"]
    twins = pd.concat({"a": y, "b": y}, names=["id", "month"])
    # Without early stopping the trained network is kept (with it, the
    # linear start may be, which has no embedding).
    params = dict(window=6, horizon=2, hidden_size=8, max_epochs=5,
                  early_stopping=False, random_state=0)
    # Without identity, two equal series get equal forecasts; with it, each
    # its own.
    plain = GRUForecaster(**params).fit(twins).forecast(twins)
    np.testing.assert_allclose(plain.loc["a"], plain.loc["b"])
    model = GRUForecaster(series_embedding=3, **params).fit(twins)
    assert model.net_.module_.series_embedding.weight.shape == (2, 3)
    forecast = model.forecast(twins)
    assert not np.allclose(forecast.loc["a"], forecast.loc["b"])
    # A series the fit did not see reads the mean vector.
    weight = model.net_.module_.series_embedding.weight
    with torch.no_grad():
        weight[:] = weight.mean(0)
    new = pd.concat({"c": y}, names=["id", "month"])
    np.testing.assert_allclose(model.forecast(new).loc["c"],
                               model.forecast(twins).loc["a"], rtol=1e-5)
    # One series alone or as a one-element list: the same forecast.
    alone = GRUForecaster(series_embedding=3, **params).fit(y)
    listed = GRUForecaster(series_embedding=3, **params).fit([y])
    np.testing.assert_allclose(listed.forecast([y])[0], alone.forecast(y))


def _ar1(phi, n, seed):
    rng = np.random.default_rng(seed)
    y = np.zeros(n)
    for t in range(1, n):
        y[t] = phi * y[t - 1] + rng.normal()
    return y


def test_highway_series_gives_each_series_its_own_linear_path():
    # Two stationary series with opposite dynamics: one shared linear map
    # cannot fit both; a correction per series can.
    panel = [_ar1(0.8, 200, 0), _ar1(-0.8, 200, 1)]
    params = dict(window=4, horizon=1, hidden_size=4, max_epochs=1,
                  difference=False, random_state=0)
    model = GRUForecaster(highway="series", **params).fit(panel)
    highway = model.net_.module_.highway
    assert highway.series_weight.shape == (2, 1, 4)
    # The coefficient of each series' last value, shared plus correction.
    last = (highway.conv.weight[0, 0, -1] + highway.series_weight[:, 0, -1]).detach()
    assert last[0] > 0.5 and last[1] < -0.5
    shared = GRUForecaster(highway=True, **params).fit(panel)
    assert shared.net_.module_.highway.series_weight is None


def test_highway_series_on_one_series_is_the_shared_highway():
    y = _series(1, 40, "2000-01")["y"]
    params = dict(window=6, horizon=2, hidden_size=8, max_epochs=2,
                  random_state=0)
    np.testing.assert_array_equal(
        GRUForecaster(highway="series", **params).fit(y).forecast(y),
        GRUForecaster(highway=True, **params).fit(y).forecast(y))


def test_highway_series_unseen_series_reads_the_shared_map():
    panel = pd.concat({k: pd.Series(_ar1(phi, 120, k), name="y")
                       for k, phi in enumerate([0.8, -0.5, 0.3])}, names=["id", "t"])
    model = GRUForecaster(window=4, horizon=2, hidden_size=4, max_epochs=1,
                          difference=False, random_state=0).fit(panel)
    new = pd.concat({"new": pd.Series(_ar1(0.5, 60, 3), name="y")},
                    names=["id", "t"])
    before, fitted = model.forecast(new), model.forecast(panel)
    # Corrections of the fitted series reach them, never a new one.
    with torch.no_grad():
        model.net_.module_.highway.series_weight.add_(1.0)
        model.net_.module_.highway.series_bias.add_(1.0)
    pd.testing.assert_series_equal(model.forecast(new), before)
    assert not np.allclose(model.forecast(panel), fitted)


def test_warm_start_on_a_panel_needs_its_series_and_parameters():
    panel = _panel(("y",))
    params = dict(window=6, horizon=2, hidden_size=4, max_epochs=1,
                  random_state=0, warm_start=True)
    model = GRUForecaster(**params).fit(panel)
    forecast = model.forecast(panel)
    # The kept scaling and identities are those of each series of the first
    # fit: other series, or the same in another order, would be read with
    # another series' statistics (was silent).
    for other in [panel.loc[["c", "b", "a"]], panel.loc[["a", "b"]],
                  [panel.xs(k) for k in "abc"]]:
        with pytest.raises(ValueError, match="same series in the same order"):
            model.fit(other)
        pd.testing.assert_series_equal(model.forecast(panel), forecast)
    # Parameters that reshape the network are refused on a panel as on one
    # series (was silent: the network kept its size).
    model.set_params(hidden_size=8)
    with pytest.raises(ValueError, match="warm_start=True continues"):
        model.fit(panel)
    model.set_params(hidden_size=4, max_epochs=2).fit(panel)
    assert np.isfinite(model.forecast(panel)).all()


def test_backtest_of_a_panel_leaves_out_series_too_short_at_an_origin():
    from sklearn_rnn.model_selection import backtest

    rng = np.random.default_rng(0)
    # b starts late (3 steps before the first origin) and ends early (1
    # step after the last origin); d starts at the first origin.
    frames = {"a": (0, 40), "b": (28, 38), "c": (5, 40), "d": (31, 40)}
    panel = pd.concat({
        k: pd.DataFrame({"y": rng.normal(size=stop - start),
                         "promo": rng.integers(0, 2, stop - start).astype(float)},
                        index=pd.RangeIndex(start, stop))
        for k, (start, stop) in frames.items()}, names=["id", "t"])
    for model in [NaiveForecaster(horizon=3),
                  GRUForecaster(window=4, horizon=3, hidden_size=4, max_epochs=1,
                                known=["promo"], early_stopping=False,
                                random_state=0)]:
        result = backtest(model, panel["y"], panel, cv=3)
        # Origins 31, 34, 37: b has 3 training steps at the first (fewer than
        # horizon + 1: was an error naming "Series 'b' of X") and 1 test step
        # at the last (with known covariates, was an error on its X_future).
        assert result.index.tolist() == [(0, "a"), (0, "c"), (1, "a"), (1, "b"),
                                         (1, "c"), (2, "a"), (2, "c"), (2, "d")]
        # Each row is the forecast of a model fit on the series long enough.
        fold1 = panel[(panel.index.get_level_values("t") < 34)
                      & (panel.index.get_level_values("id") != "d")]
        expected = clone(model).fit(fold1, fold1["y"])
        future = panel[panel.index.get_level_values("t").isin([34, 35, 36])]
        forecast = expected.forecast(
            fold1, future.drop("d")[["promo"]]
            if getattr(model, "known", None) else None)
        for series_id in "abc":
            np.testing.assert_allclose(result.loc[(1, series_id), "forecast"],
                                       forecast.loc[series_id], rtol=1e-6)
        fold0 = panel[panel.index.get_level_values("t") < 31].drop("b")
        expected = clone(model).fit(fold0, fold0["y"])
        future = panel[panel.index.get_level_values("t").isin([31, 32, 33])]
        forecast = expected.forecast(
            fold0, future.drop(["b", "d"])[["promo"]]
            if getattr(model, "known", None) else None)
        np.testing.assert_allclose(result.loc[(0, "a"), "forecast"],
                                   forecast.loc["a"], rtol=1e-6)


def test_scaled_scorers_scale_each_series_of_a_panel_by_itself():
    from sklearn.metrics import mean_absolute_error

    from sklearn_rnn.metrics import (make_forecast_scorer,
                                     mean_absolute_scaled_error, skill_scorer)

    rng = np.random.default_rng(0)
    # b lives 1,000 above a: the step from a's end to b's start is no
    # change of either series (it scaled the panel's MASE down ~20 times).
    panel = pd.concat({"a": pd.Series(rng.normal(size=30).cumsum()),
                       "b": pd.Series(1000 + rng.normal(size=24).cumsum())},
                      names=["id", "t"])
    model = NaiveForecaster(strategy="mean", horizon=2).fit(panel)
    mase = make_forecast_scorer(mean_absolute_scaled_error,
                                greater_is_better=False)
    per_series = [mase(model, panel.loc[[k]]) for k in "ab"]
    # Each series scaled by its own changes, the series averaged.
    assert mase(model, panel) == pytest.approx(np.mean(per_series))
    # Metrics without y_train pool the rows, as score does.
    mae = make_forecast_scorer(mean_absolute_error)
    rows = [len(panel.loc[k]) - 2 for k in "ab"]
    assert mae(model, panel) == pytest.approx(
        np.average([mae(model, panel.loc[[k]]) for k in "ab"], weights=rows))
    assert skill_scorer(model, panel) == model.score(panel)
    # A list panel alike.
    as_list = [panel.xs(k) for k in "ab"]
    model.fit(as_list)
    assert mase(model, as_list) == pytest.approx(np.mean(per_series))


def test_forecast_of_a_panel_series_too_short_for_its_dates_says_so():
    days = pd.date_range("2020-01-01", periods=30, freq="D")
    panel = pd.concat({"a": pd.Series(np.arange(30.0), index=days),
                       "b": pd.Series([1.0, 2.0], index=days[-2:])},
                      names=["id", "day"])
    model = NaiveForecaster(horizon=1).fit(panel)
    # Two dates are too few to infer a frequency; the message said to set
    # X's freq (X = X.asfreq(...)), which a panel's time level has not.
    with pytest.raises(ValueError, match=r"Series 'b' of X has 2 date\(s\).*periods"):
        model.forecast(panel)
    # Periods carry their frequency.
    periods = panel.copy()
    periods.index = periods.index.set_levels(
        periods.index.levels[1].to_period("D"), level=1)
    assert model.fit(periods).forecast(periods).index[-1] == (
        "b", pd.Period("2020-01-31", "D"))
