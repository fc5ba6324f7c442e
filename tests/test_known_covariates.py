"""Known future covariates: read over the forecast steps, given by X_future."""

import numpy as np
import pandas as pd
import pytest

from sklearn_rnn import GRUForecaster, NaiveForecaster
from sklearn_rnn.model_selection import backtest

HORIZON = 3


def _promo(n=160, seed=0):
    """Sales jump on promotion days, which are planned (known) ahead."""
    rng = np.random.default_rng(seed)
    promo = (rng.random(n) < 0.25).astype(float)
    return pd.DataFrame(
        {"sales": 10 + 5 * promo + rng.normal(0, 0.3, n), "promo": promo,
         "noise": rng.normal(size=n)},
        index=pd.date_range("2020-01-01", periods=n, freq="D", name="day"),
    )


def _model(**params):
    params = {"window": 8, "horizon": HORIZON, "hidden_size": 16, "max_epochs": 25,
              "random_state": 0, **params}
    return GRUForecaster(**params)


def test_known_covariates_are_read_over_the_forecast_steps():
    X = _promo()
    train, test = X.iloc[:120], X.iloc[120:]
    blind = _model().fit(train)
    known = _model(known=["promo"]).fit(train)
    assert known.score(test) > blind.score(test) + 0.2
    # predict(X)[t] is forecast(X[:t]) with the known future of rows t...
    t = 20
    forecast = known.forecast(test.iloc[:t], test.iloc[t:t + HORIZON][["promo"]])
    np.testing.assert_allclose(known.predict(test)[t], forecast, rtol=1e-5)
    # ... and the last horizon - 1 rows, whose known future is not in X, are NaN.
    Y = known.predict(test)
    assert np.isnan(Y[-(HORIZON - 1):]).all()
    assert np.isfinite(Y[:-(HORIZON - 1)]).all()
    # One column may be named alone (was refused as not array-like).
    future = test.iloc[:HORIZON][["promo"]]
    np.testing.assert_array_equal(
        _model(known="promo").fit(train).forecast(train, future),
        known.forecast(train, future))
    # Positions work for arrays.
    by_position = _model(known=[1]).fit(train.to_numpy())
    np.testing.assert_allclose(
        by_position.forecast(train.to_numpy(), test[["promo"]].to_numpy()[:HORIZON]),
        known.forecast(train, test.iloc[:HORIZON][["promo"]]).to_numpy(), rtol=1e-5)


def test_future_covariates_errors():
    X = _promo()
    train = X.iloc[:120]
    model = _model(known=["promo"], max_epochs=1).fit(train)
    future = X.iloc[120:120 + HORIZON]
    with pytest.raises(ValueError, match="forecast needs X_future.*Got X_future=None"):
        model.forecast(train)
    with pytest.raises(ValueError, match=r"next horizon=3 steps. Got 2 row"):
        model.forecast(train, future[["promo"]].iloc[:2])
    with pytest.raises(ValueError, match=r"exactly the known columns \['promo'\].*"
                                         r"not known \['sales', 'noise'\]"):
        model.forecast(train, future)
    with pytest.raises(ValueError, match=r"missing \['promo'\]"):
        model.forecast(train, future[["noise"]])
    with pytest.raises(ValueError, match="must cover the 3 steps after X"):
        model.forecast(train, X.iloc[121:121 + HORIZON][["promo"]])
    with pytest.raises(ValueError, match=r"shape \(horizon, n_known\) = \(3, 1\)"):
        model.forecast(train, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="finite"):
        model.forecast(train, np.full(3, np.nan))
    for blind in [_model(max_epochs=1).fit(train), NaiveForecaster().fit(train)]:
        with pytest.raises(ValueError, match="has none"):
            blind.forecast(train, future[["promo"]])


@pytest.mark.parametrize("known, match", [
    (["price"], "'price' is not a column of X"),
    (["promo", "promo"], "names column 'promo' twice"),
    (["sales"], "known names the target column 'sales'"),
])
def test_known_must_name_other_columns(known, match):
    with pytest.raises(ValueError, match=match):
        _model(known=known, max_epochs=1).fit(_promo())


def test_recursive_strategy_refuses_known_covariates():
    with pytest.raises(ValueError, match="recursive.*known"):
        _model(known=["promo"], strategy="recursive").fit(_promo()[["sales", "promo"]])


def test_known_covariates_on_panels_and_in_backtests():
    a, b = _promo(seed=1), _promo(seed=2)
    panel = pd.concat({"a": a.iloc[:120], "b": b.iloc[:120]}, names=["id", "day"])
    future = pd.concat({"a": a.iloc[120:123], "b": b.iloc[120:123]},
                       names=["id", "day"])[["promo"]]
    model = _model(known=["promo"], max_epochs=2).fit(panel)
    forecast = model.forecast(panel, future)
    assert forecast.index.names == ["id", "day"] and len(forecast) == 6
    alone = _model(known=["promo"], max_epochs=2).fit(panel.loc[["a"]])
    np.testing.assert_allclose(
        alone.forecast(a.iloc[:120], a.iloc[120:123][["promo"]]).to_numpy(),
        alone.forecast(panel.loc[["a"]], future.loc[["a"]]).to_numpy())
    with pytest.raises(ValueError, match=r"every series of X.*missing \['b'\]"):
        model.forecast(panel, future.loc[["a"]])
    with pytest.raises(ValueError, match="X is a MultiIndex panel, so X_future"):
        model.forecast(panel, a.iloc[120:123][["promo"]])
    # backtest hands each origin the known covariates of its test rows.
    result = backtest(_model(known=["promo"], max_epochs=2), a["sales"], a, cv=2)
    for fold in result.index:
        origin = a.index.get_loc(result.loc[fold, "cutoff"]) + 1
        history = a.iloc[:origin]
        expected = _model(known=["promo"], max_epochs=2).fit(
            history, history["sales"]).forecast(
            history, a.iloc[origin:origin + HORIZON][["promo"]])
        np.testing.assert_allclose(result.loc[fold, "forecast"], expected)


def test_future_covariates_of_the_wrong_kind_are_refused():
    X = _promo()
    train, future = X.iloc[:120], X.iloc[120:120 + HORIZON][["promo"]]
    model = _model(known=["promo"], max_epochs=1).fit(train)
    # A panel of futures for one series was read as one series (was silent).
    with pytest.raises(ValueError, match="X is one series, so X_future"):
        model.forecast(train, pd.concat({"a": future}, names=["id", "day"]))
    # Text is not converted to numbers (was silent).
    with pytest.raises(ValueError, match="X_future must hold numbers"):
        model.forecast(train, future.astype(str))
    a, b = _promo(seed=1), _promo(seed=2)
    panel = pd.concat({"a": a.iloc[:120], "b": b.iloc[:120]}, names=["id", "day"])
    futures = pd.concat({"a": a.iloc[120:123], "b": b.iloc[120:123],
                         "c": b.iloc[120:123]}, names=["id", "day"])[["promo"]]
    model.fit(panel)
    with pytest.raises(ValueError, match=r"not in X \['c'\]"):
        model.forecast(panel, futures)
    with pytest.raises(ValueError, match="X is a MultiIndex panel, so X_future"):
        model.forecast(panel, [futures.loc["a"], futures.loc["b"]])
    arrays = [a.iloc[:120].to_numpy(), b.iloc[:120].to_numpy()]
    model = _model(known=[1], max_epochs=1).fit(arrays)
    with pytest.raises(ValueError, match="X is a list of 2 series.*NumPy array"):
        model.forecast(arrays, [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match=r"X_future of series 1 must hold numbers"):
        model.forecast(arrays, [np.ones(3), np.array(["1", "0", "0"])])
