"""The naive forecaster: the yardstick of every forecaster's score."""

# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from ._series import ForecasterMixin, resolve_target, window_start

__all__ = ["NaiveForecaster"]


class NaiveForecaster(ForecasterMixin, BaseEstimator):
    """Forecast a series by repeating, averaging or extrapolating its past.

    A scikit-learn regressor over time steps with the contract of every
    forecaster in this package: ``X`` is one series (rows are consecutive time
    steps) and row ``t`` of ``predict(X)`` forecasts ``y[t] ... y[t+horizon-1]``
    from the rows before ``t``. Nothing is learned; ``fit`` validates the
    data, finds the target column and keeps the end of the series that a
    later series continuing it needs. With ``window=3``, ``horizon=2`` and
    ``strategy="mean"``::

        time step      0    1    2    3    4    5    6
        target         y0   y1   y2   y3   y4   y5
        predict(X)[5]            [ window=3  ]
                                 y2   y3   y4 -> m    m     m = mean(y2, y3, y4)
        predict(X)[2]  [y0   y1] -> m'   m'       m' = mean(y0, y1): short history
        predict(X)[0]  (no history) -> the training mean of y, every step

    Parameters
    ----------
    strategy : {"last", "mean", "drift", "seasonal"}, default="last"
        - ``"last"``: every step repeats the last observed value (``y[t-1]``
          for row ``t``). This is the reference of :meth:`score`, so its
          score is 0.
        - ``"mean"``: every step is the mean of the last ``window`` values (all
          history when ``window`` is None).
        - ``"drift"``: the line through the first and last values of the last
          ``window`` values (all history when None), extrapolated: with ``l``
          the last observed step and ``s`` the first, step ``h`` ahead is
          ``y[l] + h * (y[l] - y[s]) / (l - s)``. A one-value history gives
          the last value.
        - ``"seasonal"``: each step repeats the value one season before it,
          ``y[l + h - sp * ceil(h / sp)]``, so the last ``sp`` values repeat
          with period ``sp``. Rows with fewer than ``sp`` values of history
          repeat the last value instead.
    sp : int, default=1
        Seasonal period, in time steps (12 for monthly data with a yearly
        cycle). Only used by ``strategy="seasonal"``.
    window : int or None, default=None
        Steps of history used by ``"mean"`` and ``"drift"``; None uses all
        history. ``"last"`` ignores it; ``"seasonal"`` needs it None or at
        least ``sp``.
    horizon : int, default=1
        Number of steps ahead to forecast.
    target : int or str, default=0
        The column of ``X`` holding the series to forecast: its position, or its
        name when ``X`` is a pandas DataFrame. Used when ``y`` is omitted, and
        by ``predict`` when ``y`` passed to ``fit`` is not a column of ``X``
        (with a warning, see Notes).

    Attributes
    ----------
    n_features_in_ : int
        Number of columns (channels) of ``X`` seen in ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names of ``X`` seen in ``fit``, when they are all strings.
    target_index_ : int or None
        Position of the column of ``X`` equal to the target; None when ``y``
        was passed to ``fit`` and is not a column of ``X``.
    calibration_residuals_ : ndarray of shape (n_rows, horizon)
        The errors ``y_true - forecast`` of the forecasts of the training
        rows whose whole future is known, leaving out the first rows, whose
        history is shorter than the strategy needs (``sp`` rows for
        ``"seasonal"``, ``window`` for ``"mean"`` and ``"drift"``). Every
        forecast reads only the past, so they are out-of-sample errors:
        ``predict_interval`` and ``forecast(X, coverage=...)`` are calibrated
        on them.
    calibration_scales_ : ndarray of shape (n_rows, horizon)
        The local scale of the series at each of those forecasts' origins
        (the mean absolute change over the step's lag in the 24 steps before
        it; for ``"seasonal"``, over whole seasons and about their mean), which
        the intervals divide the residuals by.

    See Also
    --------
    sklearn_rnn.metrics.skill_score : The score of every forecaster.

    Notes
    -----
    The forecast needs the target's past, which is read from ``X`` at predict
    time: column ``target_index_``, or column ``target`` when ``fit`` got a
    ``y`` that is not a column of ``X``. In that last case the forecast is of
    that column of ``X``, not of ``y``, and ``fit`` warns; pass ``y`` as a
    column of ``X`` (or omit it) to forecast it. It is a warning rather than
    an error because scikit-learn's estimator checks fit every regressor on
    a ``y`` unrelated to ``X``.

    ``predict`` returns ``(n_timesteps, horizon)``, or ``(n_timesteps,)`` when
    ``horizon == 1``. Every strategy is vectorised over rows. Row 0 has no
    history and gets the mean of the training target, unless ``X`` is a
    pandas object whose index continues the training series: then the end of
    the training series (the last value, the last season, the last
    ``window`` values or, with ``window=None``, all of it) is its history.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import NaiveForecaster
    >>> y = np.array([1.0, 2.0, 4.0, 5.0, 7.0])
    >>> forecaster = NaiveForecaster(strategy="drift", window=2, horizon=2)
    >>> forecaster.fit(y).predict(y)
    array([[3.8, 3.8],
           [1. , 1. ],
           [3. , 4. ],
           [6. , 8. ],
           [6. , 7. ]])
    >>> forecaster.forecast(y)
    array([ 9., 11.])
    >>> forecaster.forecast(y[:3]), forecaster.predict(y)[3]
    (array([6., 8.]), array([6., 8.]))
    >>> NaiveForecaster(strategy="last", horizon=2).fit(y).score(y)
    0.0

    A pandas series gets a dated forecast:

    >>> from sklearn_rnn.datasets import load_airline
    >>> passengers = load_airline()
    >>> seasonal = NaiveForecaster(strategy="seasonal", sp=12, horizon=3)
    >>> seasonal.fit(passengers).forecast(passengers)
    month
    1961-01-01    417.0
    1961-02-01    391.0
    1961-03-01    419.0
    Freq: MS, Name: passengers, dtype: float64
    >>> seasonal.score(passengers)
    0.568...

    A panel (a pandas object indexed by series id and time, series of any
    length and start) gets each series' forecast:

    >>> import pandas as pd
    >>> sales = pd.concat({
    ...     "north": pd.Series([3.0, 4.0, 5.0, 6.0],
    ...                        index=pd.period_range("2024-01", periods=4, freq="M")),
    ...     "south": pd.Series([10.0, 8.0, 6.0],
    ...                        index=pd.period_range("2024-03", periods=3, freq="M")),
    ... }, names=["shop", "month"])
    >>> drift = NaiveForecaster(strategy="drift", horizon=2).fit(sales)
    >>> drift.forecast(sales)
    shop   month
    north  2024-05     7.0
           2024-06     8.0
    south  2024-06     4.0
           2024-07     2.0
    dtype: float64
    >>> drift.predict(sales).shape  # one row per row of sales
    (7, 2)
    """

    _parameter_constraints: dict = {
        **ForecasterMixin._forecaster_parameter_constraints,
        "strategy": [StrOptions({"last", "mean", "drift", "seasonal"})],
        "sp": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left"), None],
    }

    _fit_dependent_params = (*ForecasterMixin._fit_dependent_params, "strategy", "sp")

    def __init__(self, *, strategy="last", sp=1, window=None, horizon=1, target=0):
        self.strategy = strategy
        self.sp = sp
        self.window = window
        self.horizon = horizon
        self.target = target

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the series and find its target column.

        Parameters
        ----------
        X : array-like of shape (n_timesteps,) or (n_timesteps, n_channels), \
                or a panel
            The series, rows being consecutive equally spaced time steps, at
            least ``horizon + 1`` of them; or a panel of such series (a
            pandas object with a (series id, time) ``MultiIndex``, or a list
            of series), each forecast from its own past.
        y : array-like of shape (n_timesteps,), default=None
            The series to forecast; by default the column ``target`` of ``X``.
            For a panel, aligned with its rows (a list for a list of series).

        Returns
        -------
        self : NaiveForecaster
            The fitted forecaster.
        """
        if (
            self.strategy == "seasonal"
            and self.window is not None
            and self.window < self.sp
        ):
            raise ValueError(
                'strategy="seasonal" repeats the last season, so window must be '
                f"None or at least sp={self.sp}. Got window={self.window} instead."
            )
        pieces = self._validate_fit_panel(X, y)
        if self.target_index_ is None:
            warnings.warn(
                "NaiveForecaster forecasts the target from its own past, which "
                "it reads from X (predict and forecast get no y), and y is not "
                f"a column of X: it will forecast column target={self.target!r} "
                "of X instead. Omit y (the target is then column `target` of "
                "X) or add y to X as a column to forecast y.",
                UserWarning, stacklevel=2,
            )
        # Each row's forecast reads only the past, so its errors over the
        # training series are out of sample. Rows with less history than the
        # strategy needs forecast another way (see above) and are left out,
        # series by series; scored row i is time step i + 1, forecast at
        # origin i (i + 1 rows of history).
        panel = self._series_ids is not None
        skip = self._min_history() - 1
        runs, residuals = [], [np.empty((0, self.horizon))]
        for k, data in enumerate(pieces):
            scored = self._score_series(data, k if panel else None,
                                        required=not panel)
            if scored is not None and len(scored[0]) > skip:
                residuals.append((scored[0] - scored[1])[skip:])
                runs.append((k, skip, len(residuals[-1])))
        self._set_calibration(pieces, runs, np.concatenate(residuals))
        return self

    def _scale_season(self):
        # The other strategies forecast without the season: their errors,
        # and so their scales, are those of the h-step changes.
        return self.sp if self.strategy == "seasonal" else 1

    def _history_length(self):
        if self.strategy == "last":
            return 1
        if self.strategy == "seasonal":
            return self.sp
        return self.window

    def _min_history(self):
        """Rows of history the strategy needs to forecast the way it says."""
        # window=None means all history; a drift needs two values for a slope.
        return self._history_length() or (2 if self.strategy == "drift" else 1)

    def _forecast_rows(self, X, rows):
        column = self.target_index_
        if column is None:
            column = resolve_target(self, X.shape[1])
        y = X[:, column]
        horizon = self.horizon
        last = y[rows]
        if self.strategy == "last":
            return np.repeat(last[:, np.newaxis], horizon, axis=1)
        if self.strategy == "seasonal":
            steps = np.arange(1, horizon + 1)
            sp = self.sp
            source = rows[:, np.newaxis] - sp + 1 + (steps - 1) % sp
            # Less than one season of history: repeat the last value.
            source = np.where(rows[:, np.newaxis] >= sp - 1, source, rows[:, None])
            return y[source]
        start = window_start(rows, self.window)
        if self.strategy == "mean":
            cumsum = np.concatenate(([0.0], np.cumsum(y[: rows[-1] + 1])))
            mean = (cumsum[rows + 1] - cumsum[start]) / (rows + 1 - start)
            return np.repeat(mean[:, np.newaxis], horizon, axis=1)
        # drift
        span = rows - start
        slope = np.zeros(len(rows))
        np.divide(last - y[start], span, out=slope, where=span > 0)
        return last[:, np.newaxis] + slope[:, np.newaxis] * np.arange(1, horizon + 1)
