"""The row contract shared by every forecaster, without torch.

A forecaster's ``X`` is one time series: rows are consecutive, equally spaced
time steps in time order and columns are the channels observed at each step.
This module validates such series (:func:`validate_series`), lines up each row
with its known future (:func:`future_targets`, :func:`naive_last`) and holds
:class:`ForecasterMixin`, which turns one private hook, ``_forecast_rows``, into
``predict``, ``forecast`` and ``score``.
"""

# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy import sparse
from sklearn.base import RegressorMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from ._validation import check_no_bool_numbers, check_numeric, check_y_length
from .metrics import skill_score

__all__ = [
    "ForecasterMixin",
    "SeriesData",
    "date_frequency",
    "future_targets",
    "naive_last",
    "resolve_target",
    "validate_series",
    "window_start",
]


class SeriesData(NamedTuple):
    """A validated series, as returned by :func:`validate_series`.

    Attributes
    ----------
    X : ndarray of shape (n_timesteps, n_channels), dtype float64
        The series, one row per time step.
    y : ndarray of shape (n_timesteps,), dtype float64, or None
        The target series aligned with the rows of ``X``. None only after
        fitting, when ``y`` was not passed and the forecaster was fit on a ``y``
        that is not a column of ``X`` (``target_index_`` is None).
    target_index : int or None
        Position of the column of ``X`` that holds the target, or None when the
        target is not a column of ``X``.
    index : pandas.Index or None
        The index of ``X`` when ``X`` was a pandas Series or DataFrame (the
        dates, for dated series), else None.
    """

    X: np.ndarray
    y: np.ndarray | None
    target_index: int | None
    index: pd.Index | None


def _as_2d_series(X):
    """Turn a 1-D series into one column, leaving the rest to validate_data.

    Returns ``(X, was_1d)``.
    """
    if isinstance(X, pd.Series):
        # A Series is a one-column DataFrame: its name becomes the column name.
        return X.to_frame(), True
    if isinstance(X, pd.DataFrame) or sparse.issparse(X):
        return X, False
    if getattr(X, "ndim", None) is None:
        # Lists and other array-likes; np.ndim would miss objects that only
        # define __array__.
        X = np.asarray(X)
    if X.ndim == 1:
        return np.reshape(X, (-1, 1)), True
    return X, False


def date_frequency(index):
    """The frequency of a DatetimeIndex: its ``freq``, else the inferred one.

    Like :func:`pandas.infer_freq`, the inference gives None for fewer than
    3 dates or uneven ones.
    """
    if index.freq is not None:
        return index.freq
    return pd.DatetimeIndex(index, freq="infer").freq


def _is_valid_fitted_series(estimator, X):
    """Whether ``validate_data(estimator, X, reset=False)`` would return ``X``.

    True only for a finite, non-empty float64 array of the fitted width from
    an estimator fit without feature names: what a forecaster sees call after
    call when it serves one window at a time. ``validate_data`` takes 66 us
    on such an array, a third of a small LSTM's forward pass on one window,
    so these inputs skip it; anything else goes through ``validate_data``,
    which accepts or explains.
    """
    return (
        type(X) is np.ndarray
        and X.dtype == np.float64
        and X.ndim == 2
        and X.shape[0] >= 1
        and X.shape[1] == getattr(estimator, "n_features_in_", None)
        and not hasattr(estimator, "feature_names_in_")
        and bool(np.isfinite(X).all())
    )


def _check_y_is_one_series(y):
    shape = getattr(y, "shape", None)
    if shape is None:
        shape = np.asarray(y).shape
    if len(shape) > 2 or (len(shape) == 2 and shape[1] != 1):
        raise ValueError(
            "y must be one series of shape (n_timesteps,) or (n_timesteps, 1): "
            "forecasters forecast one series (fit one forecaster per series to "
            f"forecast several). Got y of shape {shape} instead."
        )


def resolve_target(estimator, n_channels):
    """Position of the column of ``X`` named by ``estimator.target``.

    Parameters
    ----------
    estimator : forecaster
        Its ``target`` parameter is an int (column position) or a str (column
        name, looked up in the fitted or just-set ``feature_names_in_``).
    n_channels : int
        The number of columns of ``X``.

    Returns
    -------
    position : int
        The column position, in ``[0, n_channels)``.
    """
    target = estimator.target
    if isinstance(target, str):
        names = getattr(estimator, "feature_names_in_", None)
        if names is None:
            raise ValueError(
                f"target={target!r} names a column, which needs X to be a pandas "
                "DataFrame (or a named Series) with string column names. Got X "
                "without column names instead; pass target as a column position."
            )
        matches = np.flatnonzero(names == target)
        if matches.size == 0:
            raise ValueError(
                f"target={target!r} is not a column of X, whose columns are "
                f"{list(names)}. Got target={target!r} instead."
            )
        return int(matches[0])
    if not isinstance(target, Integral) or not 0 <= target < n_channels:
        raise ValueError(
            f"target must be a column name or a column position in "
            f"[0, {n_channels - 1}] for X with {n_channels} column(s). "
            f"Got target={target!r} instead."
        )
    return int(target)


def validate_series(estimator, X, y=None, *, reset):
    """Validate a series for a forecaster and find its target.

    ``X`` goes through :func:`sklearn.utils.validation.validate_data`, so
    ``n_features_in_`` and ``feature_names_in_`` are set when ``reset=True`` and
    checked otherwise; complex, string, NaN, infinite and sparse input is
    rejected. A 1-D ``X`` (array or pandas Series) is one column first. After
    ``fit``, a finite float64 array of the fitted width skips
    ``validate_data``, whose outcome for it is known: ``X`` itself.

    Parameters
    ----------
    estimator : forecaster
        Reads the ``target`` parameter and, when ``reset=False``, the fitted
        ``target_index_``.
    X : array-like of shape (n_timesteps,) or (n_timesteps, n_channels)
        The series, rows being consecutive equally spaced time steps. Numpy
        arrays, lists, pandas Series and DataFrames are accepted.
    y : array-like of shape (n_timesteps,) or (n_timesteps, 1), default=None
        The series to forecast, aligned with the rows of ``X`` by position. A
        column vector is accepted with scikit-learn's ``DataConversionWarning``.
    reset : bool
        True in ``fit``: set ``n_features_in_``/``feature_names_in_``. False
        afterwards: check ``X`` against them.

    Returns
    -------
    data : SeriesData
        Named tuple ``(X, y, target_index, index)``: ``X`` as float64 of shape
        ``(n_timesteps, n_channels)``; ``y`` as float64 of shape
        ``(n_timesteps,)``; ``target_index`` the target's column in ``X``;
        ``index`` the pandas index of ``X`` (None for non-pandas ``X``).

    Notes
    -----
    How the target is found:

    - ``y`` is None and ``reset=True``: the target is the column named by
      ``estimator.target`` (a position, or a column name when ``X`` has string
      column names) and ``y`` is a view of that column.
    - ``y`` is None and ``reset=False``: the target is column
      ``estimator.target_index_`` (the column found in ``fit``); when that is
      None, ``y`` and ``target_index`` are None.
    - ``y`` is given: ``target_index`` is the column of ``X`` whose values equal
      ``y`` exactly (the column named by ``target`` is tried first, then the
      others from left to right), or None when no column does. ``target`` must
      still name a valid column of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import NaiveForecaster
    >>> from sklearn_rnn._series import validate_series
    >>> X = np.c_[np.arange(4.0), np.ones(4)]
    >>> data = validate_series(NaiveForecaster(target=0), X, reset=True)
    >>> data.y, data.target_index
    (array([0., 1., 2., 3.]), 0)
    >>> validate_series(NaiveForecaster(), X, X[:, 1], reset=True).target_index
    1
    """
    index = X.index if isinstance(X, (pd.Series, pd.DataFrame)) else None
    X, was_1d = _as_2d_series(X)
    check_numeric(X, strings_hint="encode them as numbers first.")
    n_features = getattr(estimator, "n_features_in_", 1)
    if was_1d and not reset and n_features != 1:
        raise ValueError(
            f"X is 1-D, one channel, but {type(estimator).__name__} was fit on "
            f"{n_features} channels. Reshape your data: pass X of shape "
            f"(n_timesteps, {n_features}). Got X of shape ({X.shape[0]},) instead."
        )
    if y is None:
        if reset or not _is_valid_fitted_series(estimator, X):
            X = validate_data(estimator, X, reset=reset, dtype=np.float64)
        if reset:
            target_index = resolve_target(estimator, X.shape[1])
        else:
            target_index = estimator.target_index_
        y = None if target_index is None else X[:, target_index]
        return SeriesData(X, y, target_index, index)

    _check_y_is_one_series(y)
    check_numeric(y, name="y", strings_hint="a forecaster forecasts numbers.")
    check_y_length(y, X.shape[0], unit="time step")
    X, y = validate_data(
        estimator, X, y, reset=reset, dtype=np.float64, y_numeric=True
    )
    y = np.asarray(y, dtype=np.float64)
    first = resolve_target(estimator, X.shape[1])
    target_index = None
    for j in [first, *(j for j in range(X.shape[1]) if j != first)]:
        if np.array_equal(X[:, j], y):
            target_index = j
            break
    return SeriesData(X, y, target_index, index)


def future_targets(y, horizon):
    """The known future of each row: row ``t`` holds ``y[t+1 : t+1+horizon]``.

    Parameters
    ----------
    y : ndarray of shape (n_timesteps,)
        The target series.
    horizon : int
        Number of steps ahead.

    Returns
    -------
    Y : ndarray of shape (n_timesteps - horizon, horizon)
        A read-only strided view of ``y`` (no copy). Rows ``t >=
        n_timesteps - horizon`` have an incomplete future and are left out.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn._series import future_targets
    >>> future_targets(np.arange(5.0), horizon=2)
    array([[1., 2.],
           [2., 3.],
           [3., 4.]])
    """
    y = np.asarray(y)
    if len(y) < horizon + 1:
        return np.empty((0, horizon), dtype=y.dtype)
    return sliding_window_view(y[1:], horizon)


def naive_last(y, horizon):
    """The naive last-value forecast: row ``t`` repeats ``y[t]`` ``horizon`` times.

    Parameters
    ----------
    y : ndarray of shape (n_timesteps,)
        The target series.
    horizon : int
        Number of steps ahead.

    Returns
    -------
    Y : ndarray of shape (n_timesteps, horizon)
        A read-only broadcast view of ``y`` (no copy).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn._series import naive_last
    >>> naive_last(np.array([1.0, 5.0]), horizon=3)
    array([[1., 1., 1.],
           [5., 5., 5.]])
    """
    y = np.asarray(y)
    return np.broadcast_to(y[:, np.newaxis], (len(y), horizon))


def window_start(rows, window):
    """First row of the history each row sees: ``max(0, t - window + 1)``.

    Parameters
    ----------
    rows : ndarray of int
        Row positions ``t``.
    window : int or None
        Steps of history, the row itself included; None means all history.

    Returns
    -------
    start : ndarray of int, same shape as ``rows``
        Row ``t`` sees ``X[start : t + 1]``, fewer than ``window`` rows when
        ``t < window - 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn._series import window_start
    >>> window_start(np.arange(5), window=3)
    array([0, 0, 0, 1, 2])
    """
    rows = np.asarray(rows)
    if window is None:
        return np.zeros_like(rows)
    return np.maximum(rows - window + 1, 0)


class ForecasterMixin(RegressorMixin):
    """Mixin for forecasters: ``predict``, ``forecast`` and ``score`` over time steps.

    A forecaster's ``X`` is one time series, ``(n_timesteps, n_channels)`` or
    1-D, rows being consecutive equally spaced time steps in time order. Row
    ``t`` of ``predict(X)`` is the forecast of steps ``t+1 ... t+horizon`` made
    from rows ``<= t``. With ``window=3`` and ``horizon=2``::

        time step      0    1    2    3    4    5    6    7
        X              x0   x1   x2   x3   x4   x5   x6   x7
        row t=4                  [ window=3  ]
                                 x2   x3   x4 -> y5   y6        predict(X)[4]
        row t=7                            [ window=3  ]
                                           x5   x6   x7 -> y8  y9
                                     (last row: the out-of-sample forecast)
        row t=1        [x0   x1] -> y2   y3      (short history: uses what it has)

        fit trains on rows 0..5, whose whole future (up to y7) is in the data.
        score compares rows 0..5 with y[t+1..t+2] and with the naive y[t].

    Put it left of :class:`~sklearn.base.BaseEstimator`:
    ``class MyForecaster(ForecasterMixin, BaseEstimator)``. It is a
    :class:`~sklearn.base.RegressorMixin` whose ``y`` is optional, so
    scikit-learn treats forecasters as regressors.

    **What a subclass provides**

    - Parameters ``horizon`` (int >= 1, steps ahead), ``window`` (int >= 1 or
      None, steps of history the model sees) and ``target`` (int column position
      or str column name of ``X`` holding the series to forecast when ``y`` is
      omitted). ``_forecaster_parameter_constraints`` holds the constraints of
      ``horizon`` and ``target`` to merge into ``_parameter_constraints``.
    - ``fit(X, y=None)`` that starts with ``data = self._validate_fit_series(X,
      y)``: it validates the series, sets ``n_features_in_``,
      ``feature_names_in_`` (DataFrame input) and ``target_index_`` (the
      position of the target column in ``X``, None when ``y`` was passed and is
      not a column of ``X``), and checks that there are at least
      ``horizon + 1`` rows. ``data.X``, ``data.y`` are float64 arrays that
      may share memory with the user's data (never write to them); the
      training rows are ``0 .. n - horizon - 1`` and their targets are
      ``future_targets(data.y, horizon)``.
    - ``_forecast_rows(self, X, rows)``: ``X`` is the validated float64 array
      ``(n_timesteps, n_channels)`` holding all history; ``rows`` an increasing
      int ndarray of unique row positions in ``[0, n_timesteps)``. Returns a
      float64 array ``(len(rows), horizon)`` in the target's units, row ``i``
      forecasting steps ``rows[i]+1 ... rows[i]+horizon`` from ``X[:rows[i]+1]``
      only (the last ``window`` of those rows, or fewer near the start).

    Notes
    -----
    ``predict`` returns ``(n_timesteps, horizon)``, and ``(n_timesteps,)`` when
    ``horizon == 1``, scikit-learn's convention for single-output regressors
    (and what its common checks expect).

    ``score`` is a skill score against the naive last-value forecast (see
    :meth:`score`), not the :math:`R^2` of other regressors.
    """

    _forecaster_parameter_constraints: dict = {
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "target": [Interval(Integral, 0, None, closed="left"), str],
    }

    def _validate_params(self):
        super()._validate_params()
        check_no_bool_numbers(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # y may be omitted: the target is then a column of X.
        tags.target_tags.required = False
        tags.regressor_tags.poor_score = True
        return tags

    def _validate_window_horizon(self, n_timesteps):
        """Check ``window``/``horizon`` and that a fit has a row with known future."""
        window, horizon = self.window, self.horizon
        if window is not None and (not isinstance(window, Integral) or window < 1):
            raise ValueError(
                f"window must be an int >= 1 or None. Got window={window!r} instead."
            )
        if not isinstance(horizon, Integral) or horizon < 1:
            raise ValueError(
                f"horizon must be an int >= 1. Got horizon={horizon!r} instead."
            )
        if n_timesteps < horizon + 1:
            raise ValueError(
                f"{type(self).__name__} with horizon={horizon} needs at least "
                f"horizon + 1 = {horizon + 1} time steps (rows of X) so that one "
                "row has its whole future in the data. Got X with "
                f"{n_timesteps} time step(s) (n_samples={n_timesteps}) instead; "
                "pass a longer series or a smaller horizon."
            )

    def _validate_fit_series(self, X, y=None):
        """Validate a series in ``fit``; set ``target_index_``; return SeriesData."""
        data = validate_series(self, X, y, reset=True)
        self._validate_window_horizon(data.X.shape[0])
        self.target_index_ = data.target_index
        return data

    def _checked_forecast_rows(self, X, rows):
        Y = np.asarray(self._forecast_rows(X, rows), dtype=np.float64)
        if Y.shape != (len(rows), self.horizon):
            raise RuntimeError(
                f"{type(self).__name__}._forecast_rows must return an array of "
                f"shape (len(rows), horizon) = {(len(rows), self.horizon)}. "
                f"Got shape {Y.shape} instead."
            )
        return Y

    def predict(self, X):
        """Forecast the next ``horizon`` steps from every row of the series.

        Parameters
        ----------
        X : array-like of shape (n_timesteps,) or (n_timesteps, n_channels)
            The series, with the columns seen in ``fit``, rows in time order.

        Returns
        -------
        Y : ndarray of shape (n_timesteps, horizon), or (n_timesteps,) when \
                horizon == 1
            Row ``t`` is the forecast of steps ``t+1 ... t+horizon`` made from
            rows ``<= t`` of ``X``; the last row is the out-of-sample forecast.
            Rows with less than ``window`` history use what they have. With
            ``horizon == 1`` the result is 1-D, as for any single-output
            scikit-learn regressor.
        """
        check_is_fitted(self)
        data = validate_series(self, X, reset=False)
        Y = self._checked_forecast_rows(data.X, np.arange(data.X.shape[0]))
        return Y[:, 0] if self.horizon == 1 else Y

    def forecast(self, X):
        """Forecast the ``horizon`` steps after the end of the series.

        Equal to ``predict(X)[-1]``, computed from the last row only.

        Parameters
        ----------
        X : array-like or pandas object of shape (n_timesteps,) or \
                (n_timesteps, n_channels)
            The series, with the columns seen in ``fit``, rows in time order.

        Returns
        -------
        forecast : ndarray of shape (horizon,) or pandas.Series
            A Series indexed by the next ``horizon`` dates when ``X`` is a
            pandas object with a ``DatetimeIndex`` (its ``freq``, or the
            frequency :func:`pandas.infer_freq` finds) or a ``PeriodIndex``;
            else an ndarray.
        """
        check_is_fitted(self)
        data = validate_series(self, X, reset=False)
        n = data.X.shape[0]
        values = self._checked_forecast_rows(data.X, np.array([n - 1]))[0]
        index = data.index
        if not isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
            return values
        steps = np.arange(1, self.horizon + 1)
        if isinstance(index, pd.PeriodIndex):
            future = pd.PeriodIndex([index[-1] + k for k in steps], name=index.name)
        else:
            freq = date_frequency(index)
            if freq is None:
                raise ValueError(
                    "forecast needs the frequency of X's DatetimeIndex to date the "
                    "forecast, but it has no freq and pandas.infer_freq cannot "
                    "infer one (it needs at least 3 equally spaced dates). Set it, "
                    "e.g. X = X.asfreq('MS'). Got an index ending in "
                    f"{list(index[-3:].astype(str))} instead."
                )
            future = pd.DatetimeIndex(
                [index[-1] + k * freq for k in steps], freq=freq, name=index.name
            )
        names = getattr(self, "feature_names_in_", None)
        target = self.target_index_
        name = names[target] if names is not None and target is not None else None
        return pd.Series(values, index=future, name=name)

    def _score_arrays(self, X, y=None):
        """Known futures, forecasts and naive forecasts on rows with a full future.

        Returns ``(Y_true, Y_pred, Y_naive, y)``, the first three of shape
        ``(n_timesteps - horizon, horizon)`` and ``y`` the whole target series.
        """
        check_is_fitted(self)
        data = validate_series(self, X, y, reset=False)
        if data.y is None:
            raise ValueError(
                f"{type(self).__name__} was fit on a y that is not a column of X, "
                "so scoring needs that series: pass y. Got y=None instead."
            )
        n, horizon = data.X.shape[0], self.horizon
        if n < horizon + 1:
            raise ValueError(
                f"Scoring a forecaster with horizon={horizon} needs at least "
                f"horizon + 1 = {horizon + 1} time steps (rows of X) so that one "
                f"row has its whole future known. Got {n} time step(s) instead."
            )
        rows = np.arange(n - horizon)
        Y_pred = self._checked_forecast_rows(data.X, rows)
        Y_true = future_targets(data.y, horizon)
        Y_naive = naive_last(data.y, horizon)[: n - horizon]
        return Y_true, Y_pred, Y_naive, data.y

    def score(self, X, y=None):
        """Skill against the naive last-value forecast, on rows with known future.

        ``1 - MSE(forecast) / MSE(naive)`` over the rows ``t`` whose whole
        future ``t+1 ... t+horizon`` is in the data, the naive forecast at row
        ``t`` repeating the target's value at ``t``. 1 is a perfect forecast, 0
        is as good as the naive forecast, negative is worse.

        Parameters
        ----------
        X : array-like of shape (n_timesteps,) or (n_timesteps, n_channels)
            The series, with the columns seen in ``fit``, rows in time order.
            At least ``horizon + 1`` rows.
        y : array-like of shape (n_timesteps,), default=None
            The target series; by default the target column of ``X``, as in
            ``fit``.

        Returns
        -------
        score : float
            The skill score. When the naive forecast is exact (the target is
            constant over every scored future), the ratio is undefined and the
            score is 0.0, as :func:`~sklearn.metrics.r2_score` does for a
            constant ``y_true``; see :func:`sklearn_rnn.metrics.skill_score`.
        """
        Y_true, Y_pred, Y_naive, _ = self._score_arrays(X, y)
        return skill_score(Y_true, Y_pred, Y_naive)
