"""Backtesting: forecast the full horizon from the end of each training fold.

:func:`backtest` is the forecaster's counterpart of
:func:`~sklearn.model_selection.cross_validate`. Where a scikit-learn scorer
scores every row of a test fold (row ``t`` forecast from the rows before it),
a backtest stands at the end of each training fold, the forecast origin, and
forecasts the ``horizon`` steps after it, the way a forecast is used.
"""

# SPDX-License-Identifier: BSD-3-Clause

import inspect
import time
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn import metrics as sk_metrics
from sklearn.base import clone

from . import metrics as rnn_metrics
from ._panel import is_panel, split_panel
from ._splitters import PanelSplit
from ._validation import check_positive_int

__all__ = ["backtest"]

# Short names of the usual forecast metrics; the full function names of
# scikit-learn's regression metrics and of sklearn_rnn.metrics work too.
_METRIC_ALIASES = {
    "MAE": sk_metrics.mean_absolute_error,
    "MSE": sk_metrics.mean_squared_error,
    "RMSE": sk_metrics.root_mean_squared_error,
    "MAPE": sk_metrics.mean_absolute_percentage_error,
    "R2": sk_metrics.r2_score,
    "MASE": rnn_metrics.mean_absolute_scaled_error,
    "skill": rnn_metrics.skill_score,
}
_REGRESSION_METRICS = (
    "max_error", "mean_absolute_error", "mean_squared_error",
    "root_mean_squared_error", "mean_squared_log_error",
    "root_mean_squared_log_error", "median_absolute_error",
    "mean_absolute_percentage_error", "mean_pinball_loss", "r2_score",
    "explained_variance_score", "mean_tweedie_deviance",
    "mean_poisson_deviance", "mean_gamma_deviance", "d2_absolute_error_score",
)
_PACKAGE_METRICS = ("mean_absolute_scaled_error", "skill_score")
DEFAULT_SCORING = ("MAE", "RMSE", "MASE")


def _float_values(y):
    """``y``'s values as float64, or a ValueError saying it must hold numbers."""
    try:
        return np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"y must hold numbers: {exc}. Got y of dtype {y.dtype} instead."
        ) from None


def _metric_by_name(name):
    if name in _METRIC_ALIASES:
        return _METRIC_ALIASES[name]
    if name in _REGRESSION_METRICS:
        return getattr(sk_metrics, name)
    if name in _PACKAGE_METRICS:
        return getattr(rnn_metrics, name)
    hint = ""
    if name.startswith("neg_"):
        hint = (f" {name!r} is a scikit-learn scorer name; backtest reports the "
                f"metric itself, e.g. {name[len('neg_'):]!r}.")
    raise ValueError(
        f"scoring names a metric: one of {sorted(_METRIC_ALIASES)}, a regression "
        f"metric of sklearn.metrics ({', '.join(_REGRESSION_METRICS)}) or of "
        f"sklearn_rnn.metrics ({', '.join(_PACKAGE_METRICS)}), or a callable "
        f"metric(y_true, y_pred).{hint} Got {name!r} instead."
    )


def _metric_name(metric):
    function = getattr(metric, "func", metric)  # functools.partial
    return getattr(function, "__name__", type(function).__name__)


def _resolve_scoring(scoring):
    """``{column name: metric callable}`` from the ``scoring`` argument."""
    if scoring is None:
        scoring = DEFAULT_SCORING
    if isinstance(scoring, str) or callable(scoring):
        scoring = [scoring]
    if isinstance(scoring, dict):
        items = list(scoring.items())
        for name, _ in items:
            if not isinstance(name, str):
                raise TypeError(
                    "scoring as a dict maps column names (str) to metrics. Got "
                    f"the key {name!r} instead."
                )
    elif isinstance(scoring, (list, tuple)):
        items = [(m if isinstance(m, str) else _metric_name(m), m)
                 for m in scoring]
    else:
        raise TypeError(
            "scoring must be None, a metric name, a callable metric(y_true, "
            "y_pred), or a list or dict of them. Got "
            f"{type(scoring).__name__} instead."
        )
    resolved = {}
    for name, metric in items:
        if isinstance(metric, str):
            metric = _metric_by_name(metric)
        elif not callable(metric):
            raise TypeError(
                f"scoring[{name!r}] must be a metric name or a callable "
                f"metric(y_true, y_pred). Got {metric!r} instead."
            )
        if name in resolved:
            raise ValueError(
                f"scoring names the column {name!r} twice; pass a dict to name "
                "the columns."
            )
        resolved[name] = metric
    return resolved


def _call_metric(metric, y_true, y_pred, y_train):
    """``metric(y_true, y_pred)``, with ``y_train``/``y_naive`` when it takes them."""
    try:
        parameters = inspect.signature(metric).parameters
    except (TypeError, ValueError):
        parameters = {}
    extra = {}
    if "y_train" in parameters:
        extra["y_train"] = y_train
    if "y_naive" in parameters:
        extra["y_naive"] = np.full_like(y_true, y_train[-1])
    return float(metric(y_true, y_pred, **extra))


def _check_forecaster(estimator):
    params = estimator.get_params() if hasattr(estimator, "get_params") else {}
    if not callable(getattr(estimator, "forecast", None)) or "horizon" not in params:
        raise TypeError(
            "backtest needs a forecaster: an estimator with a horizon parameter "
            "and a forecast method, such as NaiveForecaster or GRUForecaster. "
            f"Got {type(estimator).__name__} instead."
        )
    return check_positive_int(params["horizon"], "horizon", "an int >= 1")


def _refit_every(refit):
    """Refit every this many origins; 0 fits on the first origin only."""
    if isinstance(refit, (bool, np.bool_)):
        return 1 if refit else 0
    if isinstance(refit, Integral) and refit >= 1:
        return int(refit)
    raise ValueError(
        "refit must be True (fit at every origin), False (fit at the first "
        "origin only) or an int k >= 1 (fit at every k-th origin). Got "
        f"refit={refit!r} instead."
    )


def _check_series(y, X):
    if isinstance(y, pd.DataFrame):
        raise ValueError(
            "y must be one series: a pandas Series or a 1-D array. Got a "
            f"DataFrame with columns {list(y.columns)} instead; pass one column, "
            "and the others as X."
        )
    if not isinstance(y, pd.Series):
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(
                "y must be one series: a pandas Series or a 1-D array. Got an "
                f"array of shape {y.shape} instead."
            )
    values = _float_values(y)
    if X is not None:
        n_rows = X.shape[0] if hasattr(X, "shape") else len(X)
        if n_rows != len(y):
            raise ValueError(
                f"X and y must have one row per time step: X has {n_rows} rows "
                f"and y has {len(y)}. Got X of {n_rows} rows instead."
            )
        if (isinstance(X, (pd.Series, pd.DataFrame)) and isinstance(y, pd.Series)
                and not X.index.equals(y.index)):
            raise ValueError(
                "X and y must share their index, one row per time step. Got X "
                f"indexed {X.index[:3].tolist()}... and y indexed "
                f"{y.index[:3].tolist()}... instead."
            )
    return y, values


def _splits(cv, n, horizon, y):
    """``(train, test)`` integer arrays, from an int or a splitter."""
    if isinstance(cv, Integral) and not isinstance(cv, (bool, np.bool_)):
        check_positive_int(cv, "cv", "the number of forecast origins, >= 1")
        first = n - cv * horizon
        if first < 1:
            raise ValueError(
                f"cv={cv} origins spaced by horizon={horizon} need more than "
                f"{cv * horizon} time steps (one training step at least before the "
                f"first origin). Got y with {n} instead; use fewer origins."
            )
        return [(np.arange(origin), np.arange(origin, origin + horizon))
                for origin in range(first, n, horizon)]
    return _folds(cv, np.zeros((n, 1)), y)


def _folds(cv, X, y):
    """``(train, test)`` integer arrays of a splitter or an iterable of folds."""
    # A str has a split method and is iterable, but is no splitter.
    if isinstance(cv, (str, bytes)) or not (
            hasattr(cv, "split") or hasattr(cv, "__iter__")):
        raise TypeError(
            "cv must be an int (the number of origins), a splitter such as "
            "TimeSeriesSplit(n_splits, test_size=horizon), or an iterable of "
            f"(train, test) index arrays. Got {cv!r} instead."
        )
    folds = cv.split(X, y) if hasattr(cv, "split") else cv
    return [(np.asarray(train, dtype=np.intp), np.asarray(test, dtype=np.intp))
            for train, test in folds]


def _check_split(fold, train, test, horizon, n, previous_origin):
    if train.ndim != 1 or train.size == 0:
        raise ValueError(f"Fold {fold} has an empty training part; backtest needs "
                         "history to forecast from.")
    if np.any(np.diff(train) != 1) or train[0] < 0 or train[-1] >= n:
        raise ValueError(
            f"Fold {fold}'s training part must be consecutive time steps within "
            f"y's {n}, as TimeSeriesSplit makes. Got rows {train[:3].tolist()}... "
            f"to {train[-1]} instead."
        )
    origin = int(train[-1]) + 1
    if test.size < horizon:
        raise ValueError(
            f"Fold {fold}'s test part has {test.size} time step(s), shorter than "
            f"the horizon={horizon} that each origin forecasts. Use test folds of "
            f"horizon steps, e.g. TimeSeriesSplit(n_splits, test_size={horizon}), "
            "or cv=<number of origins>."
        )
    if test.size > horizon:
        raise ValueError(
            f"Fold {fold}'s test part has {test.size} time steps, but a backtest "
            f"compares each origin's forecast with the horizon={horizon} steps "
            "after it; the rest would go unscored. Use test folds of horizon "
            f"steps, e.g. TimeSeriesSplit(n_splits, test_size={horizon}), or "
            "cv=<number of origins>."
        )
    if not np.array_equal(test, np.arange(origin, origin + horizon)):
        raise ValueError(
            f"Fold {fold}'s test part must be the {horizon} time steps right after "
            f"its training part, rows {origin} to {origin + horizon - 1} (no gap, "
            f"in order). Got rows {test.tolist()} instead."
        )
    if origin <= previous_origin:
        raise ValueError(
            f"Folds must move forward in time: fold {fold}'s training part ends "
            f"at row {origin - 1}, not after the previous fold's "
            f"({previous_origin - 1})."
        )
    return origin


def _known_future(model, X, test):
    """``{"X_future": ...}``: the known covariates of the test rows, if any."""
    known = getattr(model, "_known", None)
    if not known:
        return {}
    if isinstance(X, pd.DataFrame):
        return {"X_future": X.iloc[test, known]}
    return {"X_future": np.asarray(X)[test][:, known]}


def _rows(data, start, stop):
    if isinstance(data, (pd.Series, pd.DataFrame)):
        return data.iloc[start:stop]
    return data[start:stop]


def backtest(estimator, y, X=None, *, cv=5, refit=True, scoring=None):
    """Forecast the full horizon from the end of each training fold, and score it.

    For each split of ``cv``, in time order, the forecast origin is the end of
    the training part: a clone of ``estimator`` is fit on the training part
    (or the last fitted one is reused, see ``refit``), forecasts the
    ``horizon`` steps after it with ``forecast(<training part>)``, and the
    forecast is compared with what happened: the test part, exactly the
    ``horizon`` steps after the origin. Like sktime's ``evaluate``,
    skforecast's ``backtesting_forecaster`` and darts' ``historical_forecasts``,
    with scikit-learn's splitters::

        time step   0 1 2 3 4 5 6 7 8 9 10 11         (horizon=2, cv=3)
        fold 0      t t t t t t f f                   fit on 0..5, forecast 6, 7
        fold 1      t t t t t t t t f f               fit on 0..7, forecast 8, 9
        fold 2      t t t t t t t t t t f  f          fit on 0..9, forecast 10, 11

    Parameters
    ----------
    estimator : forecaster
        An estimator with a ``horizon`` parameter and a ``forecast`` method
        that returns the ``horizon`` values after the series it is given:
        :class:`~sklearn_rnn.NaiveForecaster`, :class:`~sklearn_rnn.GRUForecaster`,
        :class:`~sklearn_rnn.ConvGRUForecaster` or your own. It is cloned,
        never fitted itself.
    y : pandas.Series or array-like of shape (n_timesteps,), or a panel
        The series to forecast, rows being consecutive time steps. A pandas
        index (dates, periods or integers) dates the output. A Series with a
        (series id, time) ``MultiIndex``, or a list of 1-D series, is a panel
        (see Notes).
    X : array-like or pandas object of shape (n_timesteps, n_channels), \
            default=None
        Covariates, as the forecaster takes them (including the target's own
        column when it should see it), aligned with ``y`` row by row. Each fit
        gets ``fit(X[train], y[train])`` and each forecast
        ``forecast(X[train])``, with ``X_future`` the ``known`` columns of
        ``X[test]`` for a forecaster fit with known covariates. When None,
        ``fit(y[train])`` and ``forecast(y[train])``.
    cv : int, cross-validation splitter or iterable, default=5
        - int ``k``: the last ``k`` origins spaced by the horizon, the last
          test part ending the series (``TimeSeriesSplit(k,
          test_size=horizon)``, which also allows ``k=1``). Each training part
          starts at the first time step (an expanding window).
        - a splitter with ``split(X)``, e.g.
          :class:`~sklearn.model_selection.TimeSeriesSplit` with
          ``test_size=horizon`` (``max_train_size`` gives a sliding window), or
          an iterable of ``(train, test)`` integer arrays. Each training part
          must be consecutive time steps, each test part the ``horizon`` steps
          right after it (so no ``gap``), origins moving forward in time.
    refit : bool or int, default=True
        True fits a clone at every origin. False fits one clone at the first
        origin and reuses it at later origins, which it forecasts from their
        own (longer) history: faster, and it shows how a model ages. An int
        ``k`` fits at every ``k``-th origin (origins 0, k, 2k...).
    scoring : str, callable, list or dict, default=None
        Metrics to compute for each origin, one column each, over the
        ``horizon`` forecast steps. A name: ``"MAE"``, ``"MSE"``, ``"RMSE"``,
        ``"MAPE"``, ``"R2"``, ``"MASE"``, ``"skill"``, or the function name of a
        regression metric of :mod:`sklearn.metrics` (e.g.
        ``"median_absolute_error"``) or of :mod:`sklearn_rnn.metrics`. A
        callable ``metric(y_true, y_pred)`` also gets ``y_train`` (the training
        part's target values) and ``y_naive`` (the naive last-value forecast)
        when it has parameters of those names, so
        ``functools.partial(mean_absolute_scaled_error, sp=12)`` gives a
        seasonal MASE. A list names columns by metric name; a dict maps column
        names to metrics. None means ``["MAE", "RMSE", "MASE"]`` (MASE with
        the lag-1 naive scale of the training part).

    Returns
    -------
    result : pandas.DataFrame
        One row per origin (index ``fold``, from 0), in time order, with
        columns:

        - ``cutoff``: the last time step of the training part: its label when
          ``y`` is a pandas Series, else its position.
        - ``train_size``: the training part's time steps, the history the
          forecast starts from.
        - ``refit``: whether a clone was fit at this origin (else the last
          fitted one forecast).
        - ``fit_time``, ``forecast_time``: seconds (``fit_time`` 0.0 without a
          fit).
        - ``forecast``, ``actual``: pandas Series of ``horizon`` values, indexed
          like ``y`` over the forecast steps (positions for arrays).
        - one column per metric of ``scoring``.

    See Also
    --------
    sklearn_rnn.plotting.plot_backtest : Draw the forecasts over the series.
    sklearn.model_selection.TimeSeriesSplit : Time-ordered splits.

    Notes
    -----
    A one-step scikit-learn scorer with
    :func:`~sklearn.model_selection.cross_val_score` measures forecasts one
    step ahead, every row of each test fold; a backtest measures the forecast
    of the whole horizon from one origin per fold, which is how a forecast of
    a fixed horizon is used.

    **Panels.** When ``y`` is a panel, a pandas Series with a (series id,
    time) ``MultiIndex`` (``X`` indexed alike), every series is cut at the
    same times (an int ``cv`` is :class:`~sklearn_rnn.model_selection.PanelSplit`
    with ``test_size=horizon``), one model is fit on the training part of
    all series at each origin, and the result has one row per origin and
    series, indexed by ``(fold, series)``; ``cutoff`` and ``train_size`` are
    the series' own. A series with fewer than ``horizon + 1`` time steps
    before an origin (none, or too few for a training row whose future is
    known) is left out of that origin's fit and forecast; one with fewer
    than ``horizon`` steps after it is fit on but not forecast nor scored
    there (with ``known`` covariates, none are needed past its end).
    A list of series (``X``, when given, a list aligned with it) is the
    panel whose series ids are the list positions: pandas series keep their
    time index; arrays, which have none, are aligned at their last rows (all
    end now, as ``forecast`` takes a list), so an int ``cv`` holds out the
    same last steps of every series, and their times are positions within
    each series. A splitter ``cv`` splits the list stacked into a
    ``MultiIndex`` panel.

    Examples
    --------
    >>> from sklearn_rnn import NaiveForecaster
    >>> from sklearn_rnn.datasets import load_airline
    >>> from sklearn_rnn.model_selection import backtest
    >>> y = load_airline()
    >>> seasonal = NaiveForecaster(strategy="seasonal", sp=12, horizon=12)
    >>> result = backtest(seasonal, y, cv=3)
    >>> result.set_index("cutoff")[["train_size", "MAE", "RMSE", "MASE"]].round(2)
                train_size    MAE   RMSE  MASE
    cutoff
    1957-12-01         108  12.58  17.01  0.62
    1958-12-01         120  47.33  49.25  2.14
    1959-12-01         132  47.83  50.71  1.99
    >>> result.loc[2, "forecast"].head(3)
    month
    1960-01-01    360.0
    1960-02-01    342.0
    1960-03-01    406.0
    Freq: MS, Name: passengers, dtype: float64

    A panel: one model per origin for every series, one row per origin and
    series; a series that starts late joins once it has history.

    >>> import pandas as pd
    >>> panel = pd.concat({
    ...     "early": pd.Series(range(10), index=pd.RangeIndex(0, 10), dtype=float),
    ...     "late": pd.Series(range(5), index=pd.RangeIndex(5, 10), dtype=float),
    ... }, names=["id", "t"])
    >>> drift = NaiveForecaster(strategy="drift", horizon=2)
    >>> backtest(drift, panel, cv=2)[["cutoff", "train_size", "MAE"]]
                cutoff  train_size  MAE
    fold series
    0    early       5           6  0.0
    1    early       7           8  0.0
         late        7           3  0.0
    """
    horizon = _check_forecaster(estimator)
    every = _refit_every(refit)
    metrics = _resolve_scoring(scoring)
    if isinstance(y, list) and is_panel(y):
        y, X, shifts = _stacked(y, X)
        result = _backtest_panel(estimator, y, X, cv, horizon, every, metrics)
        return _shifted_back(result, shifts)
    if isinstance(getattr(y, "index", None), pd.MultiIndex):
        return _backtest_panel(estimator, y, X, cv, horizon, every, metrics)
    y, values = _check_series(y, X)
    n = len(y)
    splits = _splits(cv, n, horizon, y)
    if not splits:
        raise ValueError(f"cv made no splits. Got cv={cv!r} instead.")
    index = y.index if isinstance(y, pd.Series) else None
    name = y.name if isinstance(y, pd.Series) else None
    rows = []
    model = None
    previous = 0
    for fold, (train, test) in enumerate(splits):
        origin = _check_split(fold, train, test, horizon, n, previous)
        previous = origin
        start = int(train[0])
        history_y = _rows(y, start, origin)
        history = history_y if X is None else _rows(X, start, origin)
        fit_now = fold == 0 or (every > 0 and fold % every == 0)
        model, forecast, fit_time, forecast_time = _fit_and_forecast(
            estimator, None if fit_now else model, history, history_y, X, test)
        predicted = np.asarray(forecast, dtype=np.float64)
        if predicted.shape != (horizon,):
            raise ValueError(
                f"{type(model).__name__}.forecast must return horizon={horizon} "
                f"values for one series. Got shape {predicted.shape} instead."
            )
        steps = pd.RangeIndex(origin, origin + horizon) if index is None \
            else index[origin:origin + horizon]
        actual = values[origin:origin + horizon]
        y_train = values[start:origin]
        row = {
            "cutoff": origin - 1 if index is None else index[origin - 1],
            "train_size": origin - start,
            "refit": fit_now,
            "fit_time": fit_time,
            "forecast_time": forecast_time,
            "forecast": pd.Series(predicted, index=steps, name=name),
            "actual": pd.Series(actual, index=steps, name=name),
        }
        row.update(_scores(metrics, actual, predicted, y_train,
                           f"fold {fold} (cutoff {row['cutoff']})"))
        rows.append(row)
    result = pd.DataFrame(rows)
    result.index.name = "fold"
    return result


def _stacked(y, X):
    """A list panel ``y`` (and ``X``) as MultiIndex panels, and the shift of each
    series' time labels from its positions (arrays are aligned at their ends)."""
    if X is not None and not (isinstance(X, list) and len(X) == len(y)):
        raise ValueError(
            f"y is a list of {len(y)} series, so X must be a list of {len(y)} "
            "covariate series, one per series of y. Got "
            f"{type(X).__name__} instead."
        )
    panel = split_panel(y, name="y")
    for k, series in enumerate(panel.X):
        if series.ndim != 1:
            raise ValueError(
                f"y is a list of target series, so each must be 1-D. Got series "
                f"{k} of shape {series.shape} instead; pass the other columns as "
                "X."
            )
        if X is not None and len(X[k]) != len(series):
            raise ValueError(
                f"X[{k}] must have one row per time step of y[{k}] "
                f"({len(series)}). Got {len(X[k])} rows instead."
            )
        if (X is not None and isinstance(series, pd.Series)
                and isinstance(X[k], (pd.Series, pd.DataFrame))
                and not X[k].index.equals(series.index)):
            raise ValueError(
                f"X[{k}] and y[{k}] must share their index, one row per time "
                f"step. Got X[{k}] indexed {X[k].index[:3].tolist()}... and "
                f"y[{k}] indexed {series.index[:3].tolist()}... instead."
            )
    is_array = [not isinstance(series, pd.Series) for series in panel.X]
    if any(is_array) and not all(is_array):
        raise TypeError(
            "y is a list that mixes arrays and pandas Series: arrays have no "
            "times to line up with the Series' index. Got a mixed list instead; "
            "pass all arrays or all pandas Series."
        )
    end = max(len(series) for series in panel.X)
    shifts = [end - len(series) if array else 0
              for series, array in zip(panel.X, is_array)]
    indexes = [pd.RangeIndex(shift, end, name="step") if array else series.index
               for series, array, shift in zip(panel.X, is_array, shifts)]
    y = pd.concat([pd.Series(np.asarray(series), index=index)
                   for series, index in zip(panel.X, indexes)],
                  keys=range(len(indexes)), names=["series", indexes[0].name])
    if X is not None:
        X = pd.concat([
            part.set_axis(index) if isinstance(part, (pd.Series, pd.DataFrame))
            else pd.DataFrame(np.asarray(part).reshape(len(index), -1), index=index)
            for part, index in zip(X, indexes)
        ], keys=range(len(indexes)), names=y.index.names)
    return y, X, shifts


def _shifted_back(result, shifts):
    """``result`` of a stacked list panel, times back to positions in each series."""
    if not any(shifts):
        return result
    result = result.copy()
    for (fold, k), row in result.iterrows():
        shift = shifts[k]
        for column in ("forecast", "actual"):
            values = row[column]
            result.at[(fold, k), column] = values.set_axis(values.index - shift)
        result.at[(fold, k), "cutoff"] = row["cutoff"] - shift
    return result


def _backtest_panel(estimator, y, X, cv, horizon, every, metrics):
    """:func:`backtest` of a panel: one row per origin and series."""
    if isinstance(y, pd.DataFrame):
        raise ValueError(
            "y must be one target series per panel series: a pandas Series with "
            f"a (series id, time) MultiIndex. Got a DataFrame with columns "
            f"{list(y.columns)} instead; pass one column, and the others as X."
        )
    panel = split_panel(y, name="y")
    if X is not None and not (isinstance(X, (pd.Series, pd.DataFrame))
                              and X.index.equals(y.index)):
        raise ValueError(
            "X and y must share their index, one row per (series id, time). Got "
            "X with another index instead; align it with X.reindex(y.index)."
        )
    values = _float_values(y)
    if isinstance(cv, Integral) and not isinstance(cv, (bool, np.bool_)):
        if cv < 1:
            raise ValueError(
                f"cv as an int is the number of forecast origins, >= 1. Got cv={cv} "
                "instead."
            )
        splitter = PanelSplit(max(cv, 2), test_size=horizon)
        folds = list(splitter.split(y))[-cv:]
    else:
        folds = _folds(cv, y, None)
    if not folds:
        raise ValueError(f"cv made no splits. Got cv={cv!r} instead.")
    ids = np.asarray(y.index.get_level_values(0))
    rows = []
    model = None
    for fold, (train, test) in enumerate(folds):
        if train.size == 0:
            raise ValueError(f"Fold {fold} has an empty training part; backtest "
                             "needs history to forecast from.")
        longest = np.unique(ids[test], return_counts=True)[1].max(initial=0)
        if longest > horizon:
            raise ValueError(
                f"Fold {fold}'s test part has {longest} time steps of a series, "
                f"but a backtest compares each origin's forecast with the "
                f"horizon={horizon} steps after it; the rest would go unscored. "
                f"Use test parts of horizon steps, e.g. PanelSplit(n_splits, "
                f"test_size={horizon}), or cv=<number of origins>."
            )
        # A series with fewer than horizon + 1 steps before the origin has
        # no training row whose future is known: it is left out of this
        # origin, as one that starts after it.
        train_ids = pd.Index(ids[train])
        steps_before = train_ids.value_counts()
        train = train[train_ids.isin(steps_before.index[steps_before >= horizon + 1])]
        if train.size == 0:
            raise ValueError(
                f"Fold {fold} has no series with horizon + 1 = {horizon + 1} "
                "time steps before its origin; backtest needs history to "
                "forecast from. Start the origins later (fewer origins)."
            )
        # A series that ends within the horizon has nothing to compare with
        # here: only the others are forecast (their forecasts do not depend
        # on it), so no known covariates past its end are asked for.
        test_ids, train_ids = pd.Index(ids[test]), pd.Index(ids[train])
        steps_after = test_ids.value_counts()
        scored = steps_after.index[steps_after == horizon]
        scored = scored[scored.isin(train_ids)]
        history_y = y.iloc[train]
        history = history_y if X is None else X.iloc[train]
        fit_now = fold == 0 or (every > 0 and fold % every == 0)
        model, forecast, fit_time, forecast_time = _fit_and_forecast(
            estimator, None if fit_now else model, history, history_y, X,
            test[test_ids.isin(scored)], np.flatnonzero(train_ids.isin(scored)))
        if forecast is not None and not (
                isinstance(forecast, pd.Series)
                and isinstance(forecast.index, pd.MultiIndex)):
            raise ValueError(
                f"{type(model).__name__}.forecast must return a Series indexed "
                "by (series id, time) for a panel. Got "
                f"{type(forecast).__name__} instead."
            )
        for series_id in panel.ids:
            if series_id not in scored:
                continue
            own_train = train[ids[train] == series_id]
            own_test = test[ids[test] == series_id]
            steps = y.index[own_test].get_level_values(1)
            predicted = forecast.loc[series_id]
            if not predicted.index.equals(steps):
                raise ValueError(
                    f"Fold {fold}'s test part of series {series_id!r} must be "
                    f"the {horizon} time steps right after its training part "
                    f"({list(predicted.index.astype(str))}). Got "
                    f"{list(steps.astype(str))} instead."
                )
            predicted = predicted.to_numpy(dtype=np.float64)
            actual = values[own_test]
            y_train = values[own_train]
            row = {
                "series": series_id,
                "cutoff": y.index[own_train[-1]][1],
                "train_size": own_train.size,
                "refit": fit_now,
                "fit_time": fit_time,
                "forecast_time": forecast_time,
                "forecast": pd.Series(predicted, index=steps, name=y.name),
                "actual": pd.Series(actual, index=steps, name=y.name),
            }
            row.update(_scores(metrics, actual, predicted, y_train,
                               f"fold {fold}, series {series_id!r}"))
            row["fold"] = fold
            rows.append(row)
    result = pd.DataFrame(rows).set_index(["fold", "series"])
    return result


def _fit_and_forecast(estimator, model, history, history_y, X, test,
                      forecast_rows=None):
    """Fit a clone on ``history`` unless ``model`` is given, then forecast.

    The forecast is made from the rows ``forecast_rows`` of ``history`` (all
    when None; the series of a panel that are scored), with the known
    covariates of the ``test`` rows. Returns ``(model, forecast,
    fit_seconds, forecast_seconds)``; the fit takes 0 seconds when ``model``
    is reused, the forecast is None when there are no rows to forecast from.
    """
    fit_time = 0.0
    if model is None:
        model = clone(estimator)
        tic = time.perf_counter()
        if X is None:
            model.fit(history)
        else:
            model.fit(history, history_y)
        fit_time = time.perf_counter() - tic
    if forecast_rows is not None:
        if not len(forecast_rows):
            return model, None, fit_time, 0.0
        history = history.iloc[forecast_rows]
    tic = time.perf_counter()
    forecast = model.forecast(history, **_known_future(model, X, test))
    return model, forecast, fit_time, time.perf_counter() - tic


def _scores(metrics, actual, predicted, y_train, where):
    """Each metric of one forecast; a failing one names its column and ``where``."""
    scores = {}
    for column, metric in metrics.items():
        try:
            scores[column] = _call_metric(metric, actual, predicted, y_train)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"scoring {column!r} failed on {where}: {exc}") from exc
    return scores
