"""Conformal forecast intervals: shapes, dates, coverage, metrics and errors."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sklearn_rnn import ConvGRUForecaster, GRUForecaster, NaiveForecaster
from sklearn_rnn._intervals import (
    SCALE_ROWS,
    check_coverage,
    conformal_quantiles,
    local_scales,
)
from sklearn_rnn._series import ForecasterMixin, future_targets
from sklearn_rnn.datasets import load_airline
from sklearn_rnn.metrics import (
    interval_coverage,
    interval_score,
    interval_scorer,
    make_interval_scorer,
    mean_interval_width,
)

STRATEGIES = [
    dict(strategy="last"),
    dict(strategy="mean", window=5),
    dict(strategy="drift"),
    dict(strategy="seasonal", sp=4),
]


def random_walk(n, seed=0):
    return np.random.default_rng(seed).normal(size=n).cumsum()


@pytest.mark.parametrize("params", STRATEGIES)
@pytest.mark.parametrize("horizon", [1, 3])
def test_bounds_are_ordered_around_the_point_forecast(params, horizon):
    y = random_walk(120)
    model = NaiveForecaster(horizon=horizon, **params).fit(y)
    point = model.predict(y)
    bounds = model.predict_interval(y, coverage=0.8)
    assert bounds.shape == point.shape + (2,)
    assert np.all(bounds[..., 0] <= point) and np.all(point <= bounds[..., 1])
    frame = model.forecast(y, coverage=0.8)
    assert np.all(frame["lower"] <= frame["forecast"])
    assert np.all(frame["forecast"] <= frame["upper"])
    np.testing.assert_array_equal(frame["forecast"], model.forecast(y))


def test_wider_coverage_gives_wider_nested_intervals():
    y = random_walk(300)
    model = NaiveForecaster(horizon=4).fit(y)
    bounds = model.predict_interval(y, coverage=[0.5, 0.8, 0.95])
    assert bounds.shape == (300, 4, 2, 3)
    widths = bounds[:, :, 1] - bounds[:, :, 0]
    assert np.all(np.diff(widths, axis=-1) >= 0)
    for i, c in enumerate([0.5, 0.8, 0.95]):
        np.testing.assert_array_equal(bounds[..., i],
                                      model.predict_interval(y, coverage=c))


def test_random_walk_intervals_match_the_known_noise_and_cover():
    # y is a Gaussian random walk: the h-step error of the last value is
    # N(0, h), so the 90% margin is 1.645 * sqrt(h). The margins scale with
    # the last errors, so one fit's coverage varies around the nominal one;
    # averaged over fits (the conformal guarantee) it holds.
    horizon, n_train = 3, 1000
    coverages = {0.8: [], 0.9: []}
    margins = []
    for seed in range(8):
        y = random_walk(n_train + 2000, seed=seed)
        model = NaiveForecaster(horizon=horizon).fit(y[:n_train])
        frame = model.forecast(y[:n_train], coverage=0.9)
        margins.append((frame["upper"] - frame["forecast"]).to_numpy())
        for c, hits in coverages.items():
            scorer = make_interval_scorer(interval_coverage, coverage=c,
                                          greater_is_better=True)
            hits.append(scorer(model, y[n_train:]))  # the next 2000 steps
    np.testing.assert_allclose(np.mean(margins, axis=0),
                               1.645 * np.sqrt([1, 2, 3]), rtol=0.1)
    for c, hits in coverages.items():
        assert abs(np.mean(hits) - c) < 0.03


def test_forecast_origins_cover_on_a_noisy_season():
    rng = np.random.default_rng(2)
    season = np.tile([0.0, 3.0, 1.0, -2.0], 300)
    y = season + rng.normal(scale=0.5, size=season.size)
    model = NaiveForecaster(strategy="seasonal", sp=4, horizon=2).fit(y[:600])
    hits = []
    for origin in range(600, 1190, 2):
        frame = model.forecast(y[: origin + 1], coverage=0.9)
        truth = y[origin + 1: origin + 3]
        hits += list((frame["lower"] <= truth) & (truth <= frame["upper"]))
    assert abs(np.mean(hits) - 0.9) < 0.05


def test_forecast_with_coverage_is_dated_like_forecast():
    y = load_airline()
    model = NaiveForecaster(strategy="seasonal", sp=12, horizon=3).fit(y)
    frame = model.forecast(y, coverage=0.9)
    assert list(frame.columns) == ["forecast", "lower", "upper"]
    pd.testing.assert_index_equal(frame.index, model.forecast(y).index)
    assert str(frame.index[0].date()) == "1961-01-01"


def test_forecast_with_a_list_of_coverages_names_the_columns():
    y = load_airline()
    model = NaiveForecaster(horizon=2).fit(y)
    frame = model.forecast(y, coverage=[0.8, 0.95])
    assert list(frame.columns) == ["forecast", "lower_0.8", "upper_0.8",
                                   "lower_0.95", "upper_0.95"]
    single = model.forecast(y, coverage=0.95)
    np.testing.assert_array_equal(frame["upper_0.95"], single["upper"])
    # A list of one coverage keeps the suffixed names: the type decides.
    assert "lower_0.8" in model.forecast(y, coverage=[0.8]).columns


def test_undated_forecast_is_indexed_by_the_positions_after_x():
    y = random_walk(50)
    model = NaiveForecaster(horizon=3).fit(y)
    frame = model.forecast(y, coverage=0.9)
    pd.testing.assert_index_equal(frame.index, pd.RangeIndex(50, 53))
    series = pd.Series(y, index=np.arange(100, 150))
    frame = model.fit(series).forecast(series, coverage=0.9)
    assert list(frame.index) == [150, 151, 152]
    pd.testing.assert_index_equal(frame.index, model.forecast(series).index)
    # Without coverage, forecast returns what it always did.
    assert isinstance(model.forecast(y), np.ndarray)


@pytest.mark.parametrize("coverage, error, match", [
    (1.0, ValueError, "strictly between 0 and 1"),
    (0, ValueError, "strictly between 0 and 1"),
    (-0.1, ValueError, "strictly between 0 and 1"),
    (90, ValueError, r"a fraction, not a percentage\).*Got coverage=90"),
    ("0.9", TypeError, "coverage must be a float in \\(0, 1\\)"),
    (True, TypeError, "Got bool True"),
    (None, TypeError, "Got NoneType None"),
    ([], ValueError, "non-empty list"),
    ([0.8, 0.8], ValueError, "must not repeat"),
    ([0.8, 1.5], ValueError, "Got coverage=1.5"),
    (float("nan"), ValueError, "strictly between"),
])
def test_bad_coverage_is_a_clear_error(coverage, error, match):
    y = random_walk(60)
    model = NaiveForecaster().fit(y)
    with pytest.raises(error, match=match):
        model.predict_interval(y, coverage=coverage)
    if coverage is not None:
        with pytest.raises(error, match=match):
            model.forecast(y, coverage=coverage)


def test_too_few_residuals_for_the_coverage_is_a_clear_error():
    y = random_walk(60)
    model = NaiveForecaster(horizon=2).fit(y)
    model.forecast(y, coverage=0.9)
    with pytest.raises(ValueError, match=r"99% conformal interval needs at least "
                                         r"99 out-of-sample residuals"):
        model.forecast(y, coverage=0.99)
    # Only forecasts made after 24 changes calibrate: 20 steps give none.
    short = NaiveForecaster(horizon=2).fit(y[:20])
    with pytest.raises(ValueError, match=r"made after 24 changes .* kept 0"):
        short.forecast(y[:20], coverage=0.8)


def test_forecaster_without_residuals_says_so():
    y = random_walk(30)
    model = NaiveForecaster().fit(y)
    del model.calibration_residuals_
    with pytest.raises(AttributeError, match="calibration_residuals_"):
        model.predict_interval(y)
    model = NaiveForecaster().fit(y)
    del model.calibration_scales_
    with pytest.raises(AttributeError, match="calibration_scales_; set both"):
        model.forecast(y, coverage=0.9)


def test_naive_residuals_are_its_out_of_sample_errors():
    y = random_walk(40)
    model = NaiveForecaster(strategy="seasonal", sp=4, horizon=2).fit(y)
    # Scored rows are time steps 1 ... 38; steps 1-3 have less than a season
    # of history and are left out, step 4 (a whole season behind it) is in.
    assert model.calibration_residuals_.shape == (40 - 2 - 3, 2)
    Y_true, Y_pred, _, _ = model._score_arrays(y)
    np.testing.assert_array_equal(model.calibration_residuals_,
                                  (Y_true - Y_pred)[3:])
    np.testing.assert_array_equal(model.calibration_residuals_[0],
                                  y[4:6] - y[0:2])


def test_conformal_quantile_has_the_finite_sample_correction():
    residuals = -np.arange(1.0, 10.0)[:, None]  # 9 errors
    ones = np.ones_like(residuals)
    # ceil(10 * 0.8) = 8th smallest absolute error; 0.9 needs the 9th.
    np.testing.assert_array_equal(conformal_quantiles(residuals, ones, (0.8, 0.9)),
                                  [[8.0], [9.0]])
    with pytest.raises(ValueError, match="needs at least 19"):
        conformal_quantiles(residuals, ones, (0.95,))
    # NaN residuals, and rows without a scale, are left out, per step.
    with_nan = np.c_[residuals, np.r_[residuals[:-1, 0], np.nan]]
    np.testing.assert_array_equal(
        conformal_quantiles(with_nan, np.ones_like(with_nan), (0.8,)), [[8.0, 8.0]])
    scales = np.c_[ones, np.r_[ones[:-1, 0], np.nan]]
    np.testing.assert_array_equal(
        conformal_quantiles(np.c_[residuals, residuals], scales, (0.8,)),
        [[8.0, 8.0]])
    # The scores are the errors over their scales.
    np.testing.assert_array_equal(
        conformal_quantiles(residuals, 2 * ones, (0.8,)), [[4.0]])


def test_local_scales_are_the_mean_changes_before_each_origin():
    y = np.random.default_rng(0).normal(size=100).cumsum()
    scales = local_scales(y, [5, 60, 99], lags=[1, 3])
    for i, origin in enumerate([5, 60, 99]):
        for j, lag in enumerate([1, 3]):
            steps = np.arange(max(lag, origin - SCALE_ROWS + 1), origin + 1)
            assert scales[i, j] == pytest.approx(
                np.mean(np.abs(y[steps] - y[steps - lag])))
    assert np.isnan(local_scales(y, [0, 2], lags=[3])).all()


def test_intervals_follow_swings_that_grow_and_still_cover():
    # A random walk whose steps grow fourfold: plain split conformal would
    # give every origin the errors' average size; scaled by the recent
    # changes, late intervals are wider than early ones and both cover.
    rng = np.random.default_rng(0)
    n = 3000
    sd = np.linspace(1.0, 4.0, n)
    y = (rng.normal(size=n) * sd).cumsum()
    model = NaiveForecaster(horizon=2).fit(y[:1500])
    bounds = model.predict_interval(y, coverage=0.9)
    width = (bounds[..., 1] - bounds[..., 0])[:, 1]
    assert width[2500:].mean() > 1.5 * width[200:700].mean()
    scorer = make_interval_scorer(interval_coverage, coverage=0.9,
                                  greater_is_better=True)
    assert abs(scorer(model, y[1500:]) - 0.9) < 0.03
    assert abs(scorer(model, y[:1500]) - 0.9) < 0.03


def test_centered_local_scales_are_the_spread_of_the_changes(monkeypatch):
    # Small blocks: the gathered windows of changes cross block boundaries.
    monkeypatch.setattr("sklearn_rnn._intervals._CENTERED_BLOCK", 7)
    y = np.random.default_rng(1).normal(size=100).cumsum()
    origins = np.arange(100)
    for full in (False, True):
        scales = local_scales(y, origins, lags=[1, 12], full=full, centered=True)
        for i, origin in enumerate(origins):
            for j, lag in enumerate([1, 12]):
                steps = np.arange(max(lag, origin - SCALE_ROWS + 1), origin + 1)
                if len(steps) < (SCALE_ROWS if full else 1):
                    assert np.isnan(scales[i, j])
                    continue
                changes = y[steps] - y[steps - lag]
                assert scales[i, j] == pytest.approx(
                    np.mean(np.abs(changes - changes.mean())))


def growing_season(growth, seed=0, sp=12, noise=1.0):
    """A season of amplitude 10 on a level that grows by ``growth[t]`` at
    step ``t``, plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(len(growth))
    return (np.cumsum(growth) + 10.0 * np.sin(2 * np.pi * t / sp)
            + rng.normal(scale=noise, size=len(growth)))


def test_seasonal_scales_leave_out_the_growth_of_a_year():
    # Year-on-year changes are the growth of a year plus noise: their mean
    # absolute value follows the growth rate, their spread only the noise.
    y = growing_season(np.r_[np.full(300, 2.0), np.full(300, 0.2)])
    lags = [12]
    fast, slow = [250], [550]
    plain = local_scales(y, fast + slow, lags)[:, 0]
    spread = local_scales(y, fast + slow, lags, centered=True)[:, 0]
    assert plain[0] > 5 * plain[1]
    assert spread[0] == pytest.approx(spread[1], rel=0.5)


class SeasonalDriftForecaster(ForecasterMixin, BaseEstimator):
    """Knows the season and follows the trend: the value one season back
    plus the mean change over a season in the last two seasons; calibrated
    on its errors over the training series, as NaiveForecaster is."""

    def __init__(self, *, sp=12, horizon=3, window=None, target=0):
        self.sp = sp
        self.horizon = horizon
        self.window = window
        self.target = target

    def fit(self, X, y=None):
        data = self._validate_fit_series(X, y)
        rows = np.arange(3 * self.sp, len(data.y) - self.horizon)
        residuals = (future_targets(data.y, self.horizon)[rows]
                     - self._forecast_rows(data.X, rows))
        self._set_calibration([data], [(0, rows[0], len(rows))], residuals)
        return self

    def _forecast_rows(self, X, rows):
        y, sp = X[:, 0], self.sp
        out = np.repeat(y[rows, np.newaxis], self.horizon, axis=1)
        for i, row in enumerate(rows):
            if row < 3 * sp:
                continue  # too little history: the last value
            steps = np.arange(1, self.horizon + 1)
            seasons = np.ceil(steps / sp)
            recent = np.arange(row - 2 * sp + 1, row + 1)
            drift = np.mean(y[recent] - y[recent - sp])
            out[i] = y[row + steps - sp * seasons.astype(int)] + seasons * drift
        return out


def test_a_seasonal_forecaster_covers_when_the_growth_slows():
    # Calibrated while the level grows fast, forecast after it slowed (the
    # airline's 1958): the errors are the noise throughout. Scaled by the
    # year-on-year changes themselves (their size is the growth), the
    # intervals would shrink tenfold after the slowdown and miss; about
    # their mean, they keep the size of the noise.
    y = growing_season(np.r_[np.full(600, 2.0), np.full(1200, 0.2)], seed=3)
    model = SeasonalDriftForecaster(horizon=3).fit(y[:600])
    rows = np.arange(700, len(y) - 3)  # forecasts after the slowdown
    truth = future_targets(y, 3)[rows - 1]
    for coverage in (0.8, 0.9):
        bounds = model.predict_interval(y, coverage=coverage)[rows]
        hits = (bounds[..., 0] <= truth) & (truth <= bounds[..., 1])
        assert abs(hits.mean() - coverage) < 0.03


def test_calibration_runs_must_match_the_residual_rows():
    # A forecaster's fit hands _set_calibration its errors and their
    # origins as runs; a miscount is the forecaster's bug, said as such.
    model = SeasonalDriftForecaster(horizon=3)
    with pytest.raises(RuntimeError, match="one row of residuals per origin"):
        model._set_calibration([], [(0, 5, 4)], np.zeros((3, 3)))


@pytest.mark.parametrize("strategy", ["last", "mean", "drift"])
def test_naive_forecaster_ignores_sp_unless_seasonal(strategy):
    # sp only acts through strategy="seasonal": the same forecasts get the
    # same intervals (their errors are the h-step changes either way).
    y = load_airline().to_numpy(float)
    plain = NaiveForecaster(strategy=strategy, horizon=3).fit(y)
    given = NaiveForecaster(strategy=strategy, sp=12, horizon=3).fit(y)
    np.testing.assert_array_equal(given.predict_interval(y, coverage=0.9),
                                  plain.predict_interval(y, coverage=0.9))


def test_check_coverage_keeps_the_order_and_says_if_scalar():
    assert check_coverage(0.9) == ((0.9,), True)
    assert check_coverage(np.float32(0.5)) == ((0.5,), True)
    assert check_coverage([0.9, 0.5]) == ((0.9, 0.5), False)
    assert check_coverage(np.array([0.8])) == ((0.8,), False)


def test_interval_metrics():
    y = np.array([1.0, 2.0, 5.0, -1.0])
    lower, upper = np.zeros(4), np.full(4, 3.0)
    assert interval_coverage(y, lower, upper) == 0.5
    assert mean_interval_width(y, lower, upper) == 3.0
    # misses by 2 (above) and 1 (below), penalised 2 / 0.2 each.
    assert interval_score(y, lower, upper, coverage=0.8) == pytest.approx(
        3.0 + 10.0 * 3 / 4)
    with pytest.raises(ValueError, match="lower bound must be at most"):
        interval_coverage(y, upper, lower)
    with pytest.raises(ValueError, match="same shape"):
        interval_score(y, lower[:3], upper, coverage=0.8)
    with pytest.raises(TypeError, match="one float"):
        interval_score(y, lower, upper, coverage=[0.8, 0.9])


def test_interval_scorer_in_a_grid_search():
    rng = np.random.default_rng(0)
    y = np.tile([0.0, 5.0, 2.0], 100) + rng.normal(scale=0.3, size=300)
    search = GridSearchCV(
        NaiveForecaster(sp=3, horizon=2),
        {"strategy": ["last", "mean", "seasonal"]},
        scoring=interval_scorer, cv=TimeSeriesSplit(3),
    ).fit(y)
    assert search.best_params_ == {"strategy": "seasonal"}
    assert np.all(search.cv_results_["mean_test_score"] < 0)
    with pytest.raises(TypeError, match="needs a forecaster"):
        interval_scorer(object(), y)


class ResidualForecaster(ForecasterMixin, BaseEstimator):
    """Forecasts the last value and keeps the residuals it is given."""

    def __init__(self, *, residuals=None, horizon=2, window=None, target=0):
        self.residuals = residuals
        self.horizon = horizon
        self.window = window
        self.target = target

    def fit(self, X, y=None):
        self._validate_fit_series(X, y)
        self.calibration_residuals_ = self.residuals
        self.calibration_scales_ = (None if self.residuals is None
                                    else np.ones_like(self.residuals))
        return self

    def _forecast_rows(self, X, rows):
        return np.repeat(X[rows, :1], self.horizon, axis=1)


def test_any_forecaster_with_residuals_gets_intervals():
    # One mechanism: the mixin turns any forecaster's residuals into intervals.
    residuals = np.c_[np.arange(1.0, 20.0), 2 * np.arange(1.0, 20.0)]
    y = random_walk(30)
    model = ResidualForecaster(residuals=residuals).fit(y)
    frame = model.forecast(y, coverage=0.9)
    # 19 residuals of scale 1: the 18th smallest of each step, times the
    # local scale of the end of the series (mean 1- and 2-step changes).
    end = local_scales(y, [29], [1, 2])[0]
    np.testing.assert_allclose(frame["upper"] - frame["forecast"],
                               [18.0, 36.0] * end)
    bounds = model.predict_interval(y, coverage=0.9)
    origins = np.arange(30) - 1
    scales = local_scales(y, origins, [1, 2])
    # Rows without a change of the lag before them: the training end's.
    scales = np.where(np.isnan(scales), model._training_end["scales"], scales)
    np.testing.assert_allclose(bounds[..., 1] - model.predict(y),
                               [18.0, 36.0] * scales)
    with pytest.raises(AttributeError, match="calibration_residuals_ is None or "
                                             r"missing\), which its intervals"):
        ResidualForecaster().fit(y).forecast(y, coverage=0.9)


def test_intervals_survive_save_and_load(tmp_path):
    from sklearn_rnn import load, save

    y = random_walk(100)
    model = NaiveForecaster(horizon=2).fit(y)
    save(model, tmp_path / "naive.skrnn")
    loaded = load(tmp_path / "naive.skrnn")
    np.testing.assert_array_equal(loaded.predict_interval(y, coverage=[0.8, 0.9]),
                                  model.predict_interval(y, coverage=[0.8, 0.9]))


@pytest.mark.parametrize("cls", [GRUForecaster, ConvGRUForecaster])
def test_recurrent_forecasters_give_intervals_from_their_validation_tail(cls):
    y = load_airline()
    model = cls(horizon=2, max_epochs=3, random_state=0).fit(y)
    assert model.calibration_residuals_.shape[1] == 2
    frame = model.forecast(y, coverage=[0.8, 0.9])
    assert str(frame.index[0].date()) == "1961-01-01"
    assert np.all(frame["lower_0.9"] <= frame["lower_0.8"])
    assert np.all(frame["lower_0.8"] <= frame["forecast"])
    assert np.all(frame["forecast"] <= frame["upper_0.8"])
    assert np.all(frame["upper_0.8"] <= frame["upper_0.9"])
    assert model.predict_interval(y).shape == (len(y), 2, 2)
    no_tail = cls(horizon=2, max_epochs=1, early_stopping=False).fit(y)
    with pytest.raises(AttributeError, match="Fit with early_stopping=True"):
        no_tail.forecast(y, coverage=0.9)


class WholeTailCalibration(GRUForecaster):
    """Calibrates on the residuals of the model picked on the whole tail."""

    def _cross_picked_residuals(self, pieces, valid, start, halves):
        return self._tail_residuals(pieces, [(valid, None)])


def test_each_half_of_the_tail_calibrates_on_the_other_halfs_pick():
    y = load_airline()
    params = dict(horizon=2, max_epochs=20, highway=False, random_state=0)
    model = GRUForecaster(**params).fit(y)
    whole = WholeTailCalibration(**params).fit(y)
    # The deployed model is picked on the whole tail, as before.
    assert model.best_epoch_ == whole.best_epoch_ == 15
    np.testing.assert_array_equal(model.predict(y), whole.predict(y))
    # The later half picks the fitted epoch, the earlier half another: the
    # earlier rows are forecast by the later half's pick, and vice versa.
    halves = dict(model.net_.callbacks_)["tail_halves"]
    assert halves.best_epochs_ == {0: 15, 1: 8}
    assert halves.groups is None and halves.best_states_ == {}
    earlier = len(model.calibration_residuals_) // 2
    assert not np.array_equal(model.calibration_residuals_[:earlier],
                              whole.calibration_residuals_[:earlier])
    np.testing.assert_array_equal(model.calibration_residuals_[earlier:],
                                  whole.calibration_residuals_[earlier:])
    np.testing.assert_array_equal(model.calibration_scales_,
                                  whole.calibration_scales_)


def two_series_panel():
    """A MultiIndex panel of two random walks, the second ten times the first."""
    a = random_walk(150, seed=3)
    times = pd.date_range("2000-01-01", periods=150, freq="D")
    index = pd.MultiIndex.from_product([["a", "b"], times], names=["id", "time"])
    return pd.Series(np.r_[a, 10 * a], index=index, name="value")


def test_panel_intervals_pool_the_scores_and_scale_each_series():
    X = two_series_panel()
    model = NaiveForecaster(horizon=3).fit(X)
    # Both series calibrate: one pool of scores for the panel.
    single = NaiveForecaster(horizon=3).fit(X.xs("a"))
    assert len(model.calibration_residuals_) == 2 * len(single.calibration_residuals_)
    frame = model.forecast(X, coverage=[0.8, 0.9])
    pd.testing.assert_index_equal(frame.index, model.forecast(X).index)
    np.testing.assert_array_equal(frame["forecast"], model.forecast(X))
    # Series b moves ten times as much: its margins are ten times a's, and
    # the scores, the same in both series, give a's the single fit's margins.
    margin = frame["upper_0.9"] - frame["forecast"]
    np.testing.assert_allclose(margin.loc["b"], 10 * margin.loc["a"])
    alone = single.forecast(X.xs("a"), coverage=0.9)
    np.testing.assert_allclose(margin.loc["a"], alone["upper"] - alone["forecast"])
    bounds = model.predict_interval(X, coverage=0.9)
    assert bounds.shape == (300, 3, 2)
    point = model.predict(X)
    assert np.all(bounds[..., 0] <= point) and np.all(point <= bounds[..., 1])
    # Rows after the first follow the series' own history, as the single fit's.
    np.testing.assert_allclose(bounds[1:150], single.predict_interval(X.xs("a"))[1:])


def test_list_panel_intervals():
    X = two_series_panel()
    series = [X.xs("a").to_numpy(), X.xs("b").to_numpy()[:120]]
    model = NaiveForecaster(horizon=2).fit(series)
    frame = model.forecast(series, coverage=0.9)
    assert list(frame.index) == [(0, 150), (0, 151), (1, 120), (1, 121)]
    np.testing.assert_array_equal(frame["forecast"].to_numpy().reshape(2, 2),
                                  model.forecast(series))
    bounds = model.predict_interval(series, coverage=[0.8, 0.9])
    assert [b.shape for b in bounds] == [(150, 2, 2, 2), (120, 2, 2, 2)]
    scorer = make_interval_scorer(interval_coverage, coverage=0.9,
                                  greater_is_better=True)
    assert 0.8 < scorer(model, series) <= 1.0


def test_recurrent_forecaster_panel_intervals():
    X = two_series_panel()
    model = GRUForecaster(horizon=2, max_epochs=2, random_state=0).fit(X)
    frame = model.forecast(X, coverage=0.8)
    assert frame.index.get_level_values(0).tolist() == ["a", "a", "b", "b"]
    assert np.all(frame["lower"] <= frame["forecast"])
    assert np.all(frame["forecast"] <= frame["upper"])
    # The validation tail of each series calibrates.
    assert len(model.calibration_residuals_) == len(model.calibration_scales_)


@pytest.mark.parametrize("strategy", ["direct", "recursive", "seq2seq"])
def test_cross_picked_calibration_keeps_every_row_and_the_forecasts(strategy):
    X = two_series_panel()
    params = dict(horizon=3, strategy=strategy, max_epochs=4, random_state=0)
    model = GRUForecaster(**params).fit(X)
    whole = WholeTailCalibration(**params).fit(X)
    np.testing.assert_array_equal(model.predict(X), whole.predict(X))
    # Each series' tail is split in two: both halves keep their rows.
    assert model.calibration_residuals_.shape == whole.calibration_residuals_.shape
    np.testing.assert_array_equal(np.sort(model.calibration_scales_, axis=0),
                                  np.sort(whole.calibration_scales_, axis=0))


def test_a_series_continuing_the_training_one_is_scaled_with_its_end():
    y = load_airline().astype(float)
    model = NaiveForecaster(horizon=3).fit(y[:100])
    # Ten new months: the scale reads the 24 months before the origin, most
    # of them from the training end, as forecasting the whole series does.
    short = model.forecast(y[100:110], coverage=0.9)
    whole = model.forecast(y[:110], coverage=0.9)
    pd.testing.assert_frame_equal(short, whole)
    np.testing.assert_allclose(model.predict_interval(y[100:110]),
                               model.predict_interval(y[:110])[100:])
