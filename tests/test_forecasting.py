"""Recurrent forecasters: the row contract, alignment, leakage, strategies."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from skorch.callbacks import Callback

import sklearn_rnn._forecasting as forecasting
from sklearn_rnn import ConvGRUForecaster, GRUForecaster, NaiveForecaster
from sklearn_rnn._ridge import ridge_gcv, ridge_one_se
from sklearn_rnn.datasets import load_airline
from sklearn_rnn.metrics import skill_score

FORECASTERS = [GRUForecaster, ConvGRUForecaster]
STRATEGIES = ["direct", "recursive", "seq2seq"]
TINY = {"hidden_size": 8, "max_epochs": 2, "window": 6, "random_state": 0,
        "early_stopping": False}


class RecordSplit(Callback):
    """Remembers the rows of the training and validation datasets.

    ``runs`` lists every training run's rows, in order (fit copies its
    callbacks, so the rows are kept outside them).
    """

    runs = []

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.rows = {}
        type(self).runs.append(self.rows)

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.rows["train"] = dataset_train.rows.numpy().copy()
        self.rows["valid"] = (None if dataset_valid is None
                              else dataset_valid.rows.numpy().copy())


def _fitted_recorder(forecaster):
    # fit copies user callbacks (parameters stay untouched); read the copy.
    return next(cb for _, cb in forecaster.net_.callbacks_
                if isinstance(cb, RecordSplit))


@pytest.mark.parametrize("cls", FORECASTERS)
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_ramp_forecasts_are_aligned(cls, strategy):
    # On y = t row t of predict must forecast t .. t+horizon-1 (from the rows
    # before t): an off-by-one anywhere (windows, targets, seq2seq read-out,
    # recursion, the mixin's shift) shows up as 1.
    n, horizon, window = 40, 3, 6
    y = np.arange(n, dtype=float)
    model = cls(window=window, horizon=horizon, strategy=strategy, hidden_size=16,
                max_epochs=30, random_state=0).fit(y)
    expected = np.arange(n)[:, None] + np.arange(horizon)
    full_history = slice(window, None)
    np.testing.assert_allclose(model.predict(y)[full_history],
                               expected[full_history], atol=0.5)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_fit_trains_only_on_rows_whose_future_is_known(strategy):
    n, horizon = 30, 4
    recorder = RecordSplit()
    model = GRUForecaster(horizon=horizon, strategy=strategy,
                          callbacks=[recorder], **TINY).fit(np.arange(n, dtype=float))
    rows = _fitted_recorder(model).rows["train"]
    steps = 1 if strategy == "recursive" else horizon
    # Every row with a whole future is used, and no target reaches past n-1.
    np.testing.assert_array_equal(rows, np.arange(n - steps))
    assert rows.max() + steps == n - 1


@pytest.mark.parametrize("horizon", [1, 5])
def test_validation_tail_shares_no_target_step_with_training(horizon):
    RecordSplit.runs.clear()
    GRUForecaster(horizon=horizon, validation_fraction=0.2, callbacks=[RecordSplit()],
                  **{**TINY, "early_stopping": True}).fit(np.sin(np.arange(80.0)))
    (rows,) = RecordSplit.runs
    last_train_target = rows["train"].max() + horizon
    first_valid_target = rows["valid"].min() + 1
    assert last_train_target < first_valid_target
    assert rows["valid"].min() - rows["train"].max() > horizon
    # The tail is the end of the series, in time order.
    assert rows["valid"].max() == 80 - horizon - 1
    assert np.all(np.diff(rows["valid"]) == 1)


@pytest.mark.parametrize("cls", FORECASTERS)
@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("difference", [False, True])
def test_last_window_gives_the_same_forecast(cls, strategy, difference):
    y = np.sin(np.arange(50) / 3.0) * 10 + np.arange(50)
    model = cls(strategy=strategy, horizon=3, difference=difference,
                **TINY).fit(y)
    full = model.predict(y)
    # Differenced, the window's first difference needs the row before it.
    history = TINY["window"] + difference
    np.testing.assert_allclose(model.forecast(y[-history:]),
                               model.forecast(y), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(model.forecast(y[:-1]), full[-1], rtol=1e-5,
                               atol=1e-5)
    assert full.shape == (50, 3)


def test_horizon_one_predicts_a_vector():
    y = np.arange(30.0)
    assert GRUForecaster(**TINY).fit(y).predict(y).shape == (30,)


def test_forecast_of_a_dated_series_is_dated():
    y = load_airline()
    model = GRUForecaster(horizon=3, **TINY).fit(y)
    forecast = model.forecast(y)
    assert isinstance(forecast, pd.Series)
    assert list(forecast.index.strftime("%Y-%m")) == ["1961-01", "1961-02", "1961-03"]
    assert forecast.name == "passengers"


def test_dataframe_target_by_name_and_covariates():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=60), "sales": np.arange(60.0)})
    model = GRUForecaster(target="sales", horizon=2, **TINY).fit(frame)
    assert model.target_index_ == 1
    assert model.predict(frame).shape == (60, 2)


def test_y_not_a_column_of_x_works_for_direct():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    y = np.cumsum(rng.normal(size=50))
    model = GRUForecaster(**TINY).fit(X, y)
    assert model.target_index_ is None
    assert np.isfinite(model.score(X, y))


def test_recursive_refuses_covariates_with_unknown_future():
    X = np.random.default_rng(0).normal(size=(40, 2))
    with pytest.raises(ValueError, match="columns whose future values are unknown"):
        GRUForecaster(strategy="recursive", **TINY).fit(X)


def test_recursive_needs_the_target_as_a_column():
    X = np.random.default_rng(0).normal(size=(40, 1))
    with pytest.raises(ValueError, match="target must be a column of X"):
        GRUForecaster(strategy="recursive", **TINY).fit(X, X[:, 0] + 1)


def test_seq2seq_rejects_strided_convolutions_and_long_loss_steps():
    y = np.arange(40.0)
    with pytest.raises(ValueError, match="Use stride=1"):
        ConvGRUForecaster(strategy="seq2seq", stride=2, **TINY).fit(y)
    with pytest.raises(ValueError, match="loss_steps must be at most window=6"):
        GRUForecaster(strategy="seq2seq", loss_steps=7, **TINY).fit(y)


def test_score_is_skill_against_naive():
    y = np.arange(40.0)
    model = GRUForecaster(max_epochs=30, hidden_size=16, window=6,
                          random_state=0).fit(y)
    predictions = model.predict(y)
    # score covers every row with history and a known future, warm-up rows
    # included; the naive forecast of row t is y[t-1].
    expected = skill_score(y[1:], predictions[1:], y[:-1])
    assert model.score(y) == pytest.approx(expected)
    # On a ramp the naive forecast is always off by one; with a full window
    # of history the model learns the step.
    assert skill_score(y[6:], predictions[6:], y[5:-1]) > 0.9
    assert NaiveForecaster().fit(y).score(y) == 0


def test_grid_search_with_time_series_split():
    y = np.sin(np.arange(120) / 4.0)
    search = GridSearchCV(
        GRUForecaster(**TINY),
        {"cell": ["rnn", "lstm", "gru"], "strategy": ["direct", "seq2seq"]},
        cv=TimeSeriesSplit(n_splits=2),
    ).fit(y)
    assert len(search.cv_results_["mean_test_score"]) == 6
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    scores = cross_val_score(NaiveForecaster(strategy="seasonal", sp=25), y,
                             cv=TimeSeriesSplit(n_splits=2))
    assert scores.shape == (2,)


def test_same_random_state_same_forecast():
    y = np.sin(np.arange(60) / 3.0)
    first = GRUForecaster(**TINY).fit(y).predict(y)
    second = clone(GRUForecaster(**TINY)).fit(y).predict(y)
    np.testing.assert_array_equal(first, second)


def test_warm_up_rows_get_real_forecasts():
    y = np.sin(np.arange(40) / 3.0)
    predictions = GRUForecaster(horizon=2, **TINY).fit(y).predict(y)
    assert np.isfinite(predictions).all()


@pytest.mark.parametrize("normalize", [None, "last", "standard"])
def test_normalize_options_fit_a_trending_series(normalize):
    y = load_airline().to_numpy()
    model = GRUForecaster(normalize=normalize, **TINY).fit(y)
    assert np.isfinite(model.predict(y)).all()


@pytest.mark.parametrize("cls", FORECASTERS)
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_predictions_do_not_depend_on_block_and_batch_sizes(cls, strategy, monkeypatch):
    # Long series are forecast in blocks of rows, each in module batches;
    # neither cut may change a row's forecast (warm-up rows included).
    X = np.sin(np.arange(60) / 3) + np.arange(60) / 30
    model = cls(**{**TINY, "window": 7}, horizon=2, strategy=strategy).fit(X)
    whole = model.predict(X)
    monkeypatch.setattr(forecasting, "BLOCK_VALUES", 1)  # one window a block
    monkeypatch.setattr(forecasting, "PREDICT_BATCH_SIZE", 3)
    np.testing.assert_allclose(model.predict(X), whole, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.forecast(X[:-1]), whole[-1], rtol=1e-5,
                               atol=1e-6)


# -- traps of issue 13, as users hit them ----------------------------------

def test_time_series_split_fold_of_a_pandas_series_continues_its_training():
    # A fold's first rows are forecast from the end of its training fold.
    y = load_airline()
    train, test = y.iloc[:100], y.iloc[100:]
    model = GRUForecaster(**TINY).fit(train)
    np.testing.assert_allclose(model.predict(test), model.predict(y)[100:],
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(model.predict(test)[0],
                               model.forecast(train).iloc[0], rtol=1e-5)


@pytest.mark.parametrize("params", [dict(horizon=3), dict(window=4),
                                    dict(strategy="seq2seq"), dict(hidden_size=4)])
def test_set_params_after_fit_asks_for_a_refit(params):
    # Was an internal RuntimeError (the hook's shape check) for horizon=3.
    y = np.sin(np.arange(40) / 3.0)
    model = GRUForecaster(**TINY).fit(y).set_params(**params)
    for method in ("predict", "forecast", "score"):
        with pytest.raises(NotFittedError, match="Call fit again"):
            getattr(model, method)(y)
    assert model.fit(y).predict(y).shape[0] == 40


def test_warm_start_may_change_max_epochs_and_lr():
    y = np.sin(np.arange(40) / 3.0)
    model = GRUForecaster(**TINY, warm_start=True).fit(y)
    model.set_params(max_epochs=1, lr=1e-3)
    assert np.isfinite(model.predict(y)).all()
    assert np.isfinite(model.fit(y).score(y))


@pytest.mark.parametrize("params", [dict(horizon=3), dict(window=9)])
def test_warm_start_refuses_parameters_that_reshape_the_network(params):
    # Was silent: the kept network was trained against reshaped targets.
    y = np.sin(np.arange(40) / 3.0)
    model = GRUForecaster(**TINY, warm_start=True).fit(y).set_params(**params)
    with pytest.raises(ValueError, match="warm_start=True continues"):
        model.fit(y)
    assert model.set_params(warm_start=False).fit(y).predict(y).shape[0] == 40


def test_transformed_target_regressor_with_explicit_y():
    # Explicit y is the target: the forecaster learns it in the transformed
    # units and TransformedTargetRegressor brings forecasts back.
    y = load_airline().to_numpy()
    model = TransformedTargetRegressor(
        GRUForecaster(**TINY), transformer=StandardScaler())
    model.fit(y.reshape(-1, 1), y)
    inner = model.regressor_
    assert inner.target_index_ is None
    scaled = model.transformer_.transform(y.reshape(-1, 1)).ravel()
    expected = model.transformer_.inverse_transform(
        inner.predict(y.reshape(-1, 1)).reshape(-1, 1)).ravel()
    np.testing.assert_allclose(model.predict(y.reshape(-1, 1)), expected)
    assert np.abs(scaled).max() < 5  # the inner forecaster saw scaled units
    assert abs(np.mean(model.predict(y.reshape(-1, 1))) - y.mean()) < y.std()


def test_scaler_in_a_pipeline_forecasts_in_scaled_units_unless_y_is_given():
    # What the user guide says: a transformer in front changes X, so the
    # target column (and the forecasts of it) are in transformed units;
    # pass y to forecast it in its own units.
    y = load_airline().to_numpy()
    X = y.reshape(-1, 1)
    scaled = make_pipeline(StandardScaler(), GRUForecaster(**TINY)).fit(X)
    assert np.abs(scaled.predict(X)).max() < 10
    raw = make_pipeline(StandardScaler(), GRUForecaster(**TINY)).fit(X, y)
    assert raw.predict(X).mean() > 100


@pytest.mark.parametrize("sp, window", [(1, 8), (4, 12), (12, 36), (52, 48)])
def test_auto_window_is_three_seasons_clipped(sp, window):
    model = GRUForecaster(sp=sp, **{**TINY, "window": "auto"}).fit(np.sin(np.arange(120.0)))
    assert model.window_ == window
    assert model.net_.module_.highway.window == window


def test_difference_auto_follows_the_kpss_test():
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(size=150))
    noise = rng.normal(size=150)
    assert GRUForecaster(**TINY).fit(walk).difference_
    assert not GRUForecaster(**TINY).fit(noise).difference_
    assert not GRUForecaster(difference=False, **TINY).fit(walk).difference_
    assert GRUForecaster(difference=True, **TINY).fit(noise).difference_


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_differenced_forecasts_continue_a_trend_beyond_the_training_levels(strategy):
    # Differences carry no level: a model fit on a ramp forecasts the ramp
    # far above anything it saw in training.
    y = np.arange(60.0)
    model = GRUForecaster(horizon=3, strategy=strategy, difference=True,
                          **TINY).fit(y)
    future = y + 1000
    np.testing.assert_allclose(model.forecast(future), future[-1] + [1, 2, 3],
                               atol=0.05)


def test_difference_needs_the_target_in_x():
    X = np.random.default_rng(0).normal(size=(50, 1))
    y = np.cumsum(X[:, 0]) + 5
    with pytest.raises(ValueError, match="difference=True forecasts changes"):
        GRUForecaster(difference=True, **TINY).fit(X, y)
    assert not GRUForecaster(**TINY).fit(X, y).difference_


def test_highway_starts_from_the_ridge_autoregression():
    # An AR(2) series: the linear path alone (network head at zero, a learning
    # rate too small to move it) forecasts as the least-squares AR model.
    rng = np.random.default_rng(0)
    y = np.zeros(400)
    for t in range(2, 400):
        y[t] = 1.2 * y[t - 1] - 0.5 * y[t - 2] + rng.normal(scale=0.1)
    model = GRUForecaster(window=2, difference=False, lr=1e-12, max_epochs=1,
                          early_stopping=False, random_state=0).fit(y)
    for t in range(100, 400, 50):
        expected = 1.2 * y[t] - 0.5 * y[t - 1]
        np.testing.assert_allclose(model.forecast(y[: t + 1]), [expected], atol=0.02)
    head = model.net_.module_.linear
    assert not head.weight.detach().abs().max() > 1e-6


def test_linear_path_kept_takes_the_one_se_penalty():
    # The final refit of the linear path (network dropped here: it cannot
    # move at this learning rate) is the ridge regression whose penalty the
    # one-SE rule picks on blocks of `horizon` rows, not the GCV one.
    rng = np.random.default_rng(0)
    n, horizon, window = 240, 3, 6
    y = np.zeros(n)
    for t in range(2, n):
        y[t] = 0.6 * y[t - 1] - 0.2 * y[t - 2] + rng.normal()
    model = GRUForecaster(horizon=horizon, window=window, difference=False,
                          lr=1e-12, max_epochs=2, hidden_size=4,
                          random_state=0).fit(y)
    assert model.best_epoch_ == 0
    x = (y - y.mean()) / y.std()
    padded = np.r_[np.zeros(window - 1), x]
    A = np.stack([np.r_[padded[r: r + window], 1.0] for r in range(n)])
    rows = np.arange(n - horizon)
    Y = np.stack([x[rows + h] for h in range(1, horizon + 1)], axis=1)
    sums = (A[rows].T @ A[rows], A[rows].T @ Y, (Y**2).sum(axis=0))
    one_se = ridge_one_se(*sums, lambda: iter([(A[rows], Y)]), horizon)
    gcv = ridge_gcv(*sums)
    forecast = model.forecast(y)
    for (coef, intercept), close in ((one_se, True), (gcv, False)):
        expected = (A[-1, :-1] @ coef + intercept) * y.std() + y.mean()
        assert np.allclose(forecast, expected, atol=1e-5) == close


@pytest.mark.parametrize("cls", FORECASTERS)
def test_network_is_kept_only_when_it_clearly_beats_the_linear_start(cls):
    # One-standard-error rule. On an AR(2) series the linear path is the
    # whole model: the network's validation gain is chance (the rule before
    # this one kept the network after 3 epochs of GRU, 6 of ConvGRU, at this
    # seed), so the linear start is kept, the network's head still at zero.
    # On the noisy logistic map (quadratic in the last value) the network
    # wins by far and is kept.
    rng = np.random.default_rng(0)
    linear, quadratic = np.zeros(200), np.full(200, 0.3)
    for t in range(2, 200):
        linear[t] = 1.2 * linear[t - 1] - 0.5 * linear[t - 2] + rng.normal(scale=0.1)
        quadratic[t] = 1 - 1.8 * quadratic[t - 1] ** 2 + rng.normal(scale=0.01)
    params = {"horizon": 3, "window": 8, "hidden_size": 8, "random_state": 2}
    model = cls(**params).fit(linear)
    assert model.best_epoch_ == 0
    assert not model.net_.module_.linear.weight.detach().abs().max() > 0
    assert cls(**params).fit(quadratic).best_epoch_ > 0


def test_highway_off_has_no_linear_path():
    model = GRUForecaster(highway=False, **TINY).fit(np.sin(np.arange(50.0)))
    assert model.net_.module_.highway is None


def test_max_epochs_auto_is_a_step_budget():
    y = np.sin(np.arange(101.0))
    model = GRUForecaster(**{**TINY, "max_epochs": "auto"}, batch_size=25).fit(y)
    # 100 rows in 4 batches: 125 epochs make the 500-step budget.
    assert model.n_iter_ == 125


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_calibration_residuals_are_the_tail_forecast_errors(strategy):
    n, horizon = 120, 4
    y = np.sin(np.arange(n) / 3.0)
    model = GRUForecaster(horizon=horizon, strategy=strategy,
                          **{**TINY, "early_stopping": True}).fit(y)
    steps = 1 if strategy == "recursive" else horizon
    tail = np.arange(n - steps)[-int(np.ceil(0.2 * (n - steps))):]
    tail = tail[tail < n - horizon]
    residuals = model.calibration_residuals_
    assert residuals.shape == (len(tail), horizon)
    assert np.isfinite(residuals).all()
    # Out of sample: not the residuals of the final network, which saw the tail.
    final = forecasting.future_targets(y, horizon)[tail] - np.array(
        [model.forecast(y[: t + 1]) for t in tail])
    assert not np.allclose(residuals, final)
    assert GRUForecaster(**TINY).fit(y).calibration_residuals_ is None
