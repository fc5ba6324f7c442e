"""The row contract shared by every forecaster, without torch.

A forecaster's ``X`` is one time series: rows are consecutive, equally spaced
time steps in time order and columns are the channels observed at each step.
This module validates such series (:func:`validate_series`), holds
:class:`ForecasterMixin`, which turns one private hook, ``_forecast_rows``,
into ``predict``, ``forecast`` and ``score``, and the forecast scorers that
read the same rows as ``score`` (re-exported by :mod:`sklearn_rnn.metrics`).
"""

# SPDX-License-Identifier: BSD-3-Clause

import inspect
from collections.abc import Sequence
from numbers import Integral
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy import sparse
from sklearn.base import RegressorMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from ._docstrings import SCORER_PARAMETERS
from ._intervals import (
    SCALE_ROWS,
    check_coverage,
    conformal_quantiles,
    interval_frame,
    local_scales,
    scale_lags,
    scaled_margins,
)
from ._metrics import skill_score
from ._panel import is_panel, split_panel
from ._time_index import (
    check_regular_index,
    is_time_index,
    first_label_key,
    index_after,
    next_step_key,
)
from ._validation import (
    check_no_bool_numbers,
    check_numeric,
    check_positive_int,
    check_y_length,
    target_position,
)

__all__ = [
    "ForecasterMixin",
    "SeriesData",
    "future_targets",
    "make_forecast_scorer",
    "resolve_target",
    "skill_scorer",
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


class PanelSeries(Sequence):
    """A validated panel's series, each a SeriesData made when read.

    A SeriesData with its ``X`` and ``y`` views per series would stay alive
    through ``fit``: Python objects for every series of a large panel. The
    views are made each time a series is read instead; ``index`` is None
    (what ``fit`` needs of the time labels is read during validation).

    Parameters
    ----------
    X : ndarray of shape (n_rows, n_channels) or list of ndarray
        Every series' rows one after the other (series ``k``'s are rows
        ``bounds[k]:bounds[k + 1]``), or one float64 array per series, a
        1-D array standing for its one column.
    y : ndarray, list of ndarray or None
        The targets, laid out as ``X``; None when each series' target is
        its column ``target_indexes[k]`` of ``X``.
    target_indexes : list of int or None
        Per series, the column of ``X`` that holds its target.
    bounds : ndarray of int or None
        With one array ``X``, where each series' rows start and stop.
    """

    def __init__(self, X, y, target_indexes, bounds=None):
        self._X, self._y, self._bounds = X, y, bounds
        # -1: no column of X is the target.
        self.target_indexes = np.array(
            [-1 if index is None else index for index in target_indexes],
            dtype=np.int64)
        if bounds is None:
            self.sizes = np.array([len(x) for x in X], dtype=np.int64)
            first = X[0]
            self.n_columns = 1 if first.ndim == 1 else first.shape[1]
        else:
            self.sizes = np.diff(bounds)
            self.n_columns = X.shape[1]

    def __len__(self):
        return len(self.sizes)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        k = range(len(self))[k]
        if self._bounds is None:
            X = self._X[k]
            X = X.reshape(-1, 1) if X.ndim == 1 else X
            y = None if self._y is None else self._y[k]
        else:
            rows = slice(self._bounds[k], self._bounds[k + 1])
            X = self._X[rows]
            y = None if self._y is None else self._y[rows]
        target_index = int(self.target_indexes[k])
        if target_index < 0:
            target_index = None
        elif y is None:
            y = X[:, target_index]
        return SeriesData(X, y, target_index, None)


def _is_column_of(X, series):
    """Whether the one-column ``X`` is the 1-D float64 array ``series``
    seen as a column (the same memory)."""
    return (isinstance(series, np.ndarray) and series.ndim == 1
            and series.dtype == X.dtype and X.shape == (len(series), 1)
            and X.strides[0] == series.strides[0]
            and X.__array_interface__["data"][0]
            == series.__array_interface__["data"][0])


def _target_columns(X, y, bounds, first):
    """Per series (rows ``bounds[k]:bounds[k + 1]`` of ``X`` and ``y``), the
    column of ``X`` equal to ``y``: ``first`` tried first, then the others
    from left to right; None when none is (``validate_series``'s rule)."""
    equal = np.logical_and.reduceat(X == y[:, None], bounds[:-1], axis=0)
    columns = [first, *(j for j in range(X.shape[1]) if j != first)]
    found = []
    for row in equal:
        found.append(next((j for j in columns if row[j]), None))
    return found


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


def _is_valid_fitted_series(estimator, X):
    """Whether ``validate_data(estimator, X, reset=False)`` would return ``X``.

    True only for a finite, non-empty float64 array of the fitted width from
    an estimator fit without feature names: what a forecaster sees call after
    call when it serves one window at a time. Next to a small network's
    forward pass on one window, ``validate_data`` on such an array is not
    negligible, so these inputs skip it; anything else goes through
    ``validate_data``, which accepts or explains.
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

    The rule of :func:`sklearn_rnn._validation.target_position`, the column
    names being the fitted (or just set) ``feature_names_in_``.

    Parameters
    ----------
    estimator : forecaster
        Its ``target`` parameter is a column name or a column position.
    n_channels : int
        The number of columns of ``X``.

    Returns
    -------
    position : int
        The column position, in ``[0, n_channels)``.
    """
    names = getattr(estimator, "feature_names_in_", None)
    return target_position(estimator.target, names, n_channels)


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
        arrays, lists, pandas Series and DataFrames are accepted; a pandas
        integer, ``DatetimeIndex`` or ``PeriodIndex`` must be sorted, unique
        and evenly spaced, and a ``MultiIndex`` (a panel) is refused. After
        fit (``reset=False``) and without ``y``, ``X`` may have no rows.
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
    check_regular_index(index)
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
            # After fit, an empty series is a history of nothing (see
            # ForecasterMixin.forecast).
            X = validate_data(estimator, X, reset=reset, dtype=np.float64,
                              ensure_min_samples=1 if reset else 0)
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

    The training targets of the hook rows (see :class:`ForecasterMixin`):
    the forecast made from rows ``<= t`` is of steps ``t+1 ... t+horizon``.

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
    ``t`` of ``predict(X)`` forecasts ``y[t] ... y[t+horizon-1]`` from the rows
    *before* ``t`` only, so ``predict(X)[t] == forecast(X[:t])`` and any
    scikit-learn regression scorer compares each one-step forecast with the
    value it forecasts. With ``window=3`` and ``horizon=2``::

        time step      0    1    2    3    4    5    6    7  | 8    9
        X              x0   x1   x2   x3   x4   x5   x6   x7 |
        predict(X)[5]            [ window=3  ]
                                 x2   x3   x4 -> y5   y6
        forecast(X)                        [ window=3  ]
                                           x5   x6   x7 -> y8   y9
        predict(X)[2]  [x0   x1] -> y2   y3    (short history: uses what it has)
        predict(X)[0]  (no history) -> the training mean of y, every step

        fit trains on the windows whose whole future is in the data.
        score compares rows 1..6 with y[t..t+1] and with the naive y[t-1].

    **Row 0 and history across a split.** Row 0 has no rows before it: its
    forecast is that of an empty history, the mean of the training target at
    every step (finite, so every scorer works), and ``forecast`` of a series
    with no rows returns the same. When ``X`` is a pandas object whose index
    continues the training series (it starts one step after the training
    index ends: the next date, period or integer, as in the test fold of a
    :class:`~sklearn.model_selection.TimeSeriesSplit` of a pandas series),
    the end of the training series is the history of the first rows, for
    ``predict``, ``forecast`` and ``score`` alike.

    **Panels.** ``X`` may also be a panel of many series: a pandas object
    with a (series id, time) ``MultiIndex`` or a list of single series (see
    :mod:`sklearn_rnn._panel`). ``predict``, ``forecast`` and ``score`` cut
    it into its series, forecast each from its own rows (and its own
    training end, by series id) and answer in the panel's layout.

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
    - ``_fit_dependent_params``: the names of the parameters whose change
      after ``fit`` changes the forecasts' shape or meaning; ``predict``,
      ``forecast`` and ``score`` refuse to run until the next ``fit`` when
      one of them changed (others, like ``max_epochs`` for ``warm_start``,
      may change freely).
    - ``fit(X, y=None)`` that starts with ``data = self._validate_fit_series(X,
      y)``: it validates the series, sets ``n_features_in_``,
      ``feature_names_in_`` (DataFrame input) and ``target_index_`` (the
      position of the target column in ``X``, None when ``y`` was passed and is
      not a column of ``X``), keeps the end of the series that later
      forecasts need (``_history_length`` rows, ``window`` by default), and
      checks that there are at least ``horizon + 1`` rows. ``data.X``,
      ``data.y`` are float64 arrays that may share memory with the user's
      data (never write to them); the training rows are ``0 .. n - horizon -
      1`` and their targets are ``future_targets(data.y, horizon)``. A
      forecaster that fits panels calls ``pieces =
      self._validate_fit_panel(X, y)`` instead: a sequence of SeriesData,
      one per series (one for a single series), whose ends and means it
      keeps by series id.
    - ``_forecast_rows(self, X, rows)``, the hook: ``X`` is the validated
      float64 array ``(n_timesteps, n_channels)`` holding all history;
      ``rows`` a non-empty increasing int ndarray of unique row positions in
      ``[0, n_timesteps)``. Returns a float64 array ``(len(rows), horizon)``
      in the target's units, row ``i`` forecasting steps ``rows[i]+1 ...
      rows[i]+horizon`` from ``X[:rows[i]+1]`` only (the last ``window`` of
      those rows, or fewer near the start). The mixin asks for row ``t - 1``
      to answer ``predict(X)[t]``. Forecasters with per-series state (their
      scaling) override ``_forecast_series_rows(X, rows, series)`` instead,
      ``series`` being the position of the series in the fitted panel (None
      for a single series or one not seen in fit).
    - Optionally a ``known`` parameter (column names or positions of ``X``
      whose future is known ahead): the hook's ``X`` then has, after the
      columns of ``X``, each known column ``horizon`` steps ahead (see
      ``_with_known_leads``), and ``forecast`` takes ``X_future``.
    - ``calibration_residuals_`` and ``calibration_scales_``, set in ``fit``
      by ``self._set_calibration(pieces, runs, residuals)`` from
      out-of-sample forecast errors ``y_true - forecast`` and the rows they
      were made at: the errors, a float64 array ``(n_rows, horizon)`` in the
      target's units (NaN where a step has none), and the local scale of the
      series at each origin (``_local_scales``: the changes over whole seasons, about
      their mean, when the forecaster has a season ``sp``, see
      ``_scale_season``). ``predict_interval`` and
      ``forecast(X, coverage=...)`` widen the point forecast of each step by
      the conformal quantile of that step's scaled residuals times the
      local scale of the forecast's own origin.

    Notes
    -----
    ``predict`` returns ``(n_timesteps, horizon)``, and ``(n_timesteps,)`` when
    ``horizon == 1``, scikit-learn's convention for single-output regressors
    (and what its common checks expect). With ``horizon > 1`` a scikit-learn
    scorer refuses the 2-D forecasts (its own shape error); the scorers of
    :mod:`sklearn_rnn.metrics` score every step.

    ``score`` is a skill score against the naive last-value forecast (see
    :meth:`score`), not the :math:`R^2` of other regressors.
    """

    _forecaster_parameter_constraints: dict = {
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "target": [Interval(Integral, 0, None, closed="left"), str],
    }

    _fit_dependent_params: tuple = ("horizon", "window", "target")

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
        if window is not None and window != "auto":
            check_positive_int(window, "window", "an integer >= 1 or None")
        check_positive_int(horizon, "horizon")
        if n_timesteps < horizon + 1:
            raise ValueError(
                f"{type(self).__name__} with horizon={horizon} needs at least "
                f"horizon + 1 = {horizon + 1} time steps (rows of X) so that one "
                "row has its whole future in the data. Got X with "
                f"{n_timesteps} time step(s) (n_samples={n_timesteps}) instead; "
                "pass a longer series or a smaller horizon."
            )

    def _history_length(self):
        """Rows of history a forecast reads at most (None: all of them)."""
        return self.window

    def _validate_fit_series(self, X, y=None):
        """Validate a series in ``fit``; keep what forecasts need; return SeriesData."""
        self._check_warm_start(None)
        data = validate_series(self, X, y, reset=True)
        self._validate_window_horizon(data.X.shape[0])
        self.target_index_ = data.target_index
        end = self._end_of(data)
        self._empty_history_forecast = end.pop("empty")
        self._training_end = end
        self._series_ids = None
        self._remember_fitted_params()
        return data

    def _validate_fit_panel(self, X, y=None):
        """Validate the series or the panel given to ``fit``.

        Returns a sequence of SeriesData, one per series (a list of one for
        a single series, as :meth:`_validate_fit_series` returns it). A
        panel's series must share their columns and each have at least
        ``horizon + 1`` rows; its fitted state is kept per series id. A
        panel's SeriesData are made each time one is read (see
        :class:`PanelSeries`), without an ``index``.
        """
        if not is_panel(X):
            return [self._validate_fit_series(X, y)]
        panel = split_panel(X, y)
        self._check_warm_start(panel.ids)
        if panel.is_list:
            pieces, next_steps = self._validate_list_panel(panel)
        else:
            pieces, next_steps = self._validate_frame_panel(panel, y)
        for k, size in enumerate(pieces.sizes):
            if size < self.horizon + 1:
                raise ValueError(
                    f"Series {panel.ids[k]!r} of X has {size} time "
                    f"step(s); {type(self).__name__} with horizon={self.horizon} "
                    f"needs at least horizon + 1 = {self.horizon + 1} in every "
                    "series so that each has a row whose whole future is known. "
                    "Drop the short series or use a smaller horizon."
                )
        self._validate_window_horizon(int(np.min(pieces.sizes)))
        found = set(pieces.target_indexes.tolist())
        self.target_index_ = (None if len(found) > 1 or -1 in found
                              else found.pop())
        self._series_ids = panel.ids
        self._series_ends = self._panel_ends(pieces, next_steps)
        # A series met after fit (or a single series) has no training end.
        self._training_end = {"X": np.empty((0, pieces.n_columns)),
                              "last_y": np.nan, "next_step": None,
                              "y": np.empty(0),
                              "scales": _mean_scales(self._series_ends["scales"])}
        self._empty_history_forecast = _concatenated_mean(
            [data.y for data in pieces])
        self._remember_fitted_params()
        return pieces

    def _validate_list_panel(self, panel):
        """Validate a list panel series by series: ``(PanelSeries, next steps)``."""
        targets = panel.y if panel.y is not None else [None] * len(panel)
        X, y, target_indexes, next_steps = [], [], [], []
        for k, (piece, target) in enumerate(zip(panel.X, targets)):
            data = validate_series(self, piece, target, reset=k == 0)
            if k == 0:
                # Later series without y find their target where the first did.
                self.target_index_ = data.target_index
            # A 1-D float64 array's column is a view of it: keep the array.
            X.append(piece if _is_column_of(data.X, piece) else data.X)
            if target is not None:
                y.append(data.y)
            target_indexes.append(data.target_index)
            next_steps.append(next_step_key(data.index))
        return PanelSeries(X, None if panel.y is None else y,
                           target_indexes), next_steps

    def _validate_frame_panel(self, panel, y):
        """Validate a MultiIndex panel at once: ``(PanelSeries, next steps)``.

        Its series share one array of values (their rows in series order),
        validated as one series would be; a target given as ``y`` is looked
        for among the columns series by series, as for a list.
        """
        X, y, bounds = panel.stacked(y)
        data = validate_series(self, X, y, reset=True)
        target_indexes = [data.target_index] * len(panel)
        if y is not None:
            target_indexes = _target_columns(data.X, data.y, bounds,
                                             resolve_target(self, data.X.shape[1]))
        next_steps = [next_step_key(panel.time_index(k)) for k in range(len(panel))]
        return PanelSeries(data.X, None if y is None else data.y, target_indexes,
                           bounds), next_steps

    def _check_warm_start(self, ids):
        """Refuse a ``warm_start`` fit the fitted network cannot continue.

        Its shape and inputs were set by the fit-dependent parameters, and
        its scaling (and series identities) belong to the series of the
        first fit, by position: ``ids`` are the series ids of this fit
        (None for a single series).
        """
        if not (getattr(self, "warm_start", False)
                and hasattr(self, "_fitted_params")):
            return
        changed = self._changed_fitted_params()
        if changed:
            raise ValueError(
                "warm_start=True continues training the fitted network, "
                f"whose shape and inputs were set by other parameters "
                f"({'; '.join(changed)}). Set them back, or set "
                "warm_start=False to fit anew."
            )
        fitted = getattr(self, "_series_ids", None)
        if ids != fitted:
            raise ValueError(
                "warm_start=True continues training on the series of the first "
                "fit, each scaled by its own statistics, so it needs the same "
                f"series in the same order: {_describe_series(fitted)}. Got "
                f"{_describe_series(ids)} instead; pass those series, or set "
                "warm_start=False to fit anew."
            )

    def _end_rows(self):
        """Rows of a fitted series' end that forecasts continuing it read:
        of ``X`` (None: all) and of the target (for its local scales)."""
        return self._history_length(), SCALE_ROWS + int(self._scale_lags()[-1])

    def _end_of(self, data):
        """What forecasts of a fitted series need: its end and its mean."""
        # Plain data only (save/load stores fitted attributes as such).
        keep, keep_y = self._end_rows()
        n = data.X.shape[0]
        return {
            "X": np.array(data.X[0 if keep is None else max(0, n - keep):]),
            "last_y": float(data.y[-1]),
            "next_step": next_step_key(data.index),
            "empty": float(np.mean(data.y)),
            "y": np.array(data.y[max(0, n - keep_y):]),
            "scales": self._local_scales(data.y, [n - 1])[0],
        }

    def _panel_ends(self, pieces, next_steps):
        """What forecasts of a panel's fitted series need (``_end_of`` of
        each), each key's values of every series in one array made once.

        ``X`` and ``y`` hold the series' ends one after the other, series
        ``k``'s ending at ``X_stop[k]`` and ``y_stop[k]``. They are read
        only to forecast data that continues a series, so a series whose
        next time step is unknown (a list's array has no time labels) keeps
        none.
        """
        keep, keep_y = self._end_rows()
        sizes = pieces.sizes
        kept = np.array([key is not None for key in next_steps], dtype=bool)
        x_rows = np.where(kept, sizes if keep is None else np.minimum(sizes, keep), 0)
        y_rows = np.where(kept, np.minimum(sizes, keep_y), 0)
        n_series = len(pieces)
        ends = {"X": np.empty((int(x_rows.sum()), pieces.n_columns)),
                "y": np.empty(int(y_rows.sum())),
                "X_stop": np.cumsum(x_rows), "y_stop": np.cumsum(y_rows),
                "last_y": np.empty(n_series), "empty": np.empty(n_series),
                "scales": np.empty((n_series, self.horizon)),
                "next_step": list(next_steps)}
        for k, data in enumerate(pieces):
            n = sizes[k]
            stop = ends["X_stop"][k]
            ends["X"][stop - x_rows[k]:stop] = data.X[n - x_rows[k]:]
            stop = ends["y_stop"][k]
            ends["y"][stop - y_rows[k]:stop] = data.y[n - y_rows[k]:]
            ends["last_y"][k] = data.y[-1]
            ends["empty"][k] = np.mean(data.y)
            ends["scales"][k] = self._local_scales(data.y, [n - 1])[0]
        return ends

    def _scale_season(self):
        """The season of the changes that scale the intervals (1: none)."""
        return getattr(self, "sp", 1)

    def _scale_lags(self):
        """Per horizon step, the lag of the changes its interval is scaled by."""
        return scale_lags(self.horizon, self._scale_season())

    def _local_scales(self, y, origins, full=False):
        """:func:`~sklearn_rnn._intervals.local_scales` of ``y`` at ``origins``:
        at the lags of ``_scale_season``, the changes over whole seasons
        taken about their mean."""
        return local_scales(y, origins, self._scale_lags(), full=full,
                            centered=self._scale_season() > 1)

    def _set_calibration(self, pieces, runs, residuals):
        """Keep out-of-sample errors and the local scales of their origins.

        ``residuals`` holds the errors ``y_true - forecast``, ``(n_rows,
        horizon)``, in runs of consecutive origins (the rows the forecasts
        were made at, the last row each read): ``runs`` is an int array-like
        ``(n_runs, 3)`` of ``(k, first origin, count)`` per run, ``k`` the
        series' position in ``pieces``, the runs in the order of the rows.
        The scales go into one array made once: none is kept per series.
        """
        runs = np.asarray(runs, dtype=np.int64).reshape(-1, 3)
        if runs[:, 2].sum() != len(residuals):
            raise RuntimeError(
                f"{type(self).__name__}._set_calibration needs one row of "
                "residuals per origin of runs. Got "
                f"{int(runs[:, 2].sum())} origins and {len(residuals)} rows "
                "instead."
            )
        scales = np.empty((len(residuals), self.horizon))
        stop = 0
        for run in runs:
            k, first, count = run.tolist()
            scales[stop: stop + count] = self._local_scales(
                pieces[k].y, np.arange(first, first + count), full=True)
            stop += count
        self.calibration_residuals_ = residuals
        self.calibration_scales_ = scales

    def _row_scales(self, data, rows, series=None):
        """Local scales ``(len(rows), horizon)`` of the forecasts of ``rows``.

        Row ``t``'s forecast is made at origin ``t - 1``, and its scale reads
        the target up to there (the training end first, when ``data``
        continues the training series). Rows without enough history, and
        every row when the target is not in ``X`` (fit on a ``y`` that is
        not a column of ``X``), get the scale at the end of training.
        """
        end = self._end(series)
        rows = np.asarray(rows)
        scales = np.full((len(rows), self.horizon), np.nan)
        if data.y is not None:
            key = first_label_key(data.index)
            tail = end["y"] if key is not None and key == end["next_step"] else []
            scales = self._local_scales(np.concatenate([tail, data.y]),
                                        rows + len(tail) - 1)
        return np.where(np.isnan(scales), end["scales"], scales)

    def _remember_fitted_params(self):
        self._known = self._resolve_known()
        self._fitted_params = {
            name: getattr(self, name) for name in self._fit_dependent_params
        }

    def _resolve_known(self):
        """Positions of the columns named by ``known`` (none without it)."""
        known = getattr(self, "known", None)
        if known is None:
            return []
        if isinstance(known, (str, Integral)):
            known = [known]
        names = getattr(self, "feature_names_in_", None)
        n_columns = self.n_features_in_
        positions = []
        for column in known:
            matches = [] if names is None else np.flatnonzero(names == column)
            if len(matches):
                position = int(matches[0])
            elif (isinstance(column, Integral) and not isinstance(column, bool)
                  and 0 <= column < n_columns):
                position = int(column)
            else:
                where = (f"whose columns are {list(names)}" if names is not None
                         else f"with {n_columns} unnamed column(s): use positions")
                raise ValueError(
                    f"known names the columns of X whose future is known, but "
                    f"{column!r} is not a column of X, {where}. Got "
                    f"known={self.known!r} instead."
                )
            if position in positions:
                raise ValueError(
                    f"known names column {column!r} twice. Got known={self.known!r} "
                    "instead."
                )
            if position == self.target_index_:
                raise ValueError(
                    f"known names the target column {column!r}, whose future is "
                    "what the forecaster forecasts, so it cannot be known ahead. "
                    f"Got known={self.known!r} instead; leave the target out."
                )
            positions.append(position)
        return positions

    def _with_known_leads(self, X, future=None):
        """``X`` and, per known column, its value ``horizon`` steps later.

        Row ``s`` gains ``X[s + horizon, known]``, so the window of rows
        before ``t`` carries the known covariates up to step ``t + horizon
        - 1``: the whole horizon when ``window >= horizon``. ``future``
        holds the known columns over the ``horizon`` steps after ``X``; where
        neither gives a value (the last rows, without ``future``), the leads
        are NaN and so are the forecasts that read them.
        """
        known = self._known
        if not known:
            return X
        horizon = self.horizon
        values = X[:, known]
        if future is not None:
            values = np.concatenate([values, future])
        leads = np.full((len(X), len(known)), np.nan)
        available = min(len(X), len(values) - horizon)
        if available > 0:
            leads[:available] = values[horizon: horizon + available]
        return np.concatenate([X, leads], axis=1)

    def _check_future(self, X_future, index, name="X_future"):
        """The known covariates over the horizon, ``(horizon, n_known)`` float64.

        ``index`` is the index of the series forecast (None for arrays);
        a pandas ``X_future`` must be labelled with the steps after it.
        """
        known = self._known
        horizon = self.horizon
        if not known:
            if X_future is not None:
                raise ValueError(
                    f"{name} holds the future of the covariates named by known, "
                    f"but {type(self).__name__} has none (known="
                    f"{getattr(self, 'known', None)!r}). Got {name} instead; "
                    "leave it out, or name the known columns and fit again."
                )
            return None
        names = getattr(self, "feature_names_in_", None)
        labels = [names[j] if names is not None else j for j in known]
        if X_future is None:
            raise ValueError(
                f"{type(self).__name__} reads the known covariates {labels} over "
                f"the forecast steps, so forecast needs {name}: their values for "
                f"the next horizon={horizon} steps. Got {name}=None instead."
            )
        if (isinstance(X_future, (pd.Series, pd.DataFrame))
                and isinstance(X_future.index, pd.MultiIndex)):
            raise ValueError(
                f"X is one series, so {name} holds its known covariates over "
                f"the next horizon={horizon} steps, one row per step. Got a "
                f"panel (a MultiIndex {list(X_future.index.names)}) instead; "
                f"pass X as a panel too, or one series' rows, "
                f"{name}.xs(series_id)."
            )
        check_numeric(X_future, name=name,
                      strings_hint="encode the covariates as numbers, as in X.")
        if isinstance(X_future, pd.Series):
            X_future = X_future.to_frame()
        if isinstance(X_future, pd.DataFrame):
            columns = list(X_future.columns)
            missing = [c for c in labels if c not in columns]
            extra = [c for c in columns if c not in labels]
            if missing or extra:
                raise ValueError(
                    f"{name} must have exactly the known columns {labels}. Got "
                    f"columns {columns} instead"
                    + (f"; missing {missing}" if missing else "")
                    + (f"; not known {extra}" if extra else "") + "."
                )
            future_index = X_future.index
            values = X_future[labels].to_numpy(dtype=np.float64)
        else:
            future_index = None
            values = np.asarray(X_future, dtype=np.float64)
            if values.ndim == 1 and len(known) == 1:
                values = values[:, np.newaxis]
            if values.ndim != 2 or values.shape[1] != len(known):
                raise ValueError(
                    f"{name} must be of shape (horizon, n_known) = ({horizon}, "
                    f"{len(known)}), one column per known covariate {labels}. "
                    f"Got shape {values.shape} instead."
                )
        if len(values) != horizon:
            raise ValueError(
                f"{name} must hold the known covariates for the next "
                f"horizon={horizon} steps. Got {len(values)} row(s) instead."
            )
        if not np.isfinite(values).all():
            raise ValueError(
                f"{name} must hold finite values: the known covariates are "
                f"inputs. Got NaN or infinite values instead."
            )
        expected = index_after(index, horizon) if index is not None else None
        if (expected is not None and future_index is not None
                and is_time_index(future_index)
                and not future_index.equals(expected)):
            raise ValueError(
                f"{name} must cover the {horizon} steps after X, "
                f"{list(expected.astype(str))}: label its rows with them (an "
                "array's rows are read as those steps in order). Got "
                f"{name} indexed {list(future_index.astype(str))} instead."
            )
        return values

    def _check_fitted_params(self):
        """Raise unless the parameters that shape the forecasts are as fit."""
        check_is_fitted(self)
        changed = self._changed_fitted_params()
        if changed:
            raise NotFittedError(
                f"This {type(self).__name__} was fit with other parameters "
                f"({'; '.join(changed)}), which change what it forecasts. Call "
                "fit again (or set them back) before predict, forecast or score."
            )

    def _changed_fitted_params(self):
        """``"name=old at fit, new now"`` for each fit-dependent parameter changed."""
        return [
            f"{name}={old!r} at fit, {getattr(self, name)!r} now"
            for name, old in self._fitted_params.items()
            if not _same_value(old, getattr(self, name))
        ]

    def _fitted_series(self, panel):
        """Per series of ``panel``, its position among the fitted series.

        None for a series the forecaster was not fit on: it is forecast from
        its own rows only (no training end), as a single series would be.
        """
        known = {series_id: k for k, series_id in
                 enumerate(getattr(self, "_series_ids", None) or [])}
        return [known.get(series_id) for series_id in panel.ids]

    def _end(self, series):
        """The training end of fitted panel series ``series`` (None: the single)."""
        if series is None:
            return {**self._training_end, "empty": self._empty_history_forecast}
        ends = self._series_ends
        end = {key: ends[key][series] for key in ("last_y", "next_step", "empty",
                                                  "scales")}
        for key in ("X", "y"):
            stop = ends[f"{key}_stop"]
            end[key] = ends[key][stop[series - 1] if series else 0: stop[series]]
        return end

    def _history(self, data, series=None):
        """The rows forecasts read and the position of ``data``'s first row.

        The training end comes first when ``data`` continues the training
        series in time, else ``data`` stands alone.
        """
        end = self._end(series)
        key = first_label_key(data.index)
        if key is not None and key == end["next_step"]:
            tail = end["X"]
            return np.concatenate([tail, data.X]), len(tail)
        return data.X, 0

    def _forecasts(self, data, rows, series=None, future=None):
        """Forecasts of ``y[t] ... y[t+horizon-1]`` from the rows before each t."""
        X, offset = self._history(data, series)
        X = self._with_known_leads(X, future)
        hook_rows = np.asarray(rows) + offset - 1
        Y = np.full((len(hook_rows), self.horizon), self._end(series)["empty"])
        has_history = hook_rows >= 0
        if has_history.any():
            Y[has_history] = self._checked_forecast_rows(
                X, hook_rows[has_history], series)
        return Y, offset

    def _forecast_series_rows(self, X, rows, series):
        """``_forecast_rows`` for series ``series`` of the fitted panel.

        ``series`` is the series' position in the panel given to ``fit``, or
        None for the single series fit on or a series not seen in fit.
        Forecasters that keep state per series (their scaling) override it;
        the default serves every series with the one fitted model.
        """
        return self._forecast_rows(X, rows)

    def _checked_forecast_rows(self, X, rows, series=None):
        Y = np.asarray(self._forecast_series_rows(X, rows, series),
                       dtype=np.float64)
        if Y.shape != (len(rows), self.horizon):
            raise RuntimeError(
                f"{type(self).__name__}._forecast_rows must return an array of "
                f"shape (len(rows), horizon) = {(len(rows), self.horizon)}. "
                f"Got shape {Y.shape} instead."
            )
        return Y

    def _panel_series(self, X, y=None):
        """``(panel, [(SeriesData, fitted position) per series])``."""
        panel = split_panel(X, y)
        targets = panel.y if panel.y is not None else [None] * len(panel)
        return panel, [
            (validate_series(self, piece, target, reset=False), series)
            for piece, target, series in zip(panel.X, targets,
                                             self._fitted_series(panel))
        ]

    def predict(self, X):
        """Forecast every row of the series from the rows before it.

        Parameters
        ----------
        X : array-like of shape (n_timesteps,) or (n_timesteps, n_channels), \
                or a panel
            The series, with the columns seen in ``fit``, rows in time order;
            or a panel of them (a pandas object with a (series id, time)
            ``MultiIndex``, or a list of series).

        Returns
        -------
        Y : ndarray of shape (n_timesteps, horizon), or (n_timesteps,) when \
                horizon == 1
            Row ``t`` is the forecast of ``y[t] ... y[t+horizon-1]`` made from
            rows ``< t`` of ``X``: ``predict(X)[t] == forecast(X[:t])``. Rows
            with less than ``window`` history use what they have; row 0, with
            none, gets the mean of the training target, unless ``X`` is a
            pandas object whose index continues the training series (then the
            training end is its history). With ``horizon == 1`` the result is
            1-D, as for any single-output scikit-learn regressor, so its
            scorers compare row ``t`` with ``y[t]``. For a MultiIndex panel
            the rows follow ``X``'s rows, each forecast from the rows of its
            own series before it; for a list of series, a list of arrays.
        """
        self._check_fitted_params()
        if is_panel(X):
            panel, pieces = self._panel_series(X)
            return panel.rows([self._predict_series(data, series)
                               for data, series in pieces])
        return self._predict_series(validate_series(self, X, reset=False))

    def _predict_series(self, data, series=None):
        Y, _ = self._forecasts(data, np.arange(data.X.shape[0]), series)
        return Y[:, 0] if self.horizon == 1 else Y

    def forecast(self, X, X_future=None, coverage=None):
        """Forecast the ``horizon`` steps after the end of the series.

        The forecast a row after the last would get from ``predict``,
        computed from the last rows only.

        Parameters
        ----------
        X : array-like or pandas object of shape (n_timesteps,) or \
                (n_timesteps, n_channels), or a panel
            The series, with the columns seen in ``fit``, rows in time order.
            It may have no rows: the forecast of an empty history is the mean
            of the training target at every step (``predict``'s row 0). Or a
            panel (a pandas object with a (series id, time) ``MultiIndex``,
            or a list of series): every series is forecast.
        X_future : array-like or pandas DataFrame of shape (horizon, n_known), \
                default=None
            The values of the ``known`` covariates over the ``horizon`` steps
            to forecast, for forecasters fit with ``known`` columns (and only
            for them). A DataFrame has exactly the known columns and, when
            ``X`` has a time index, is labelled with the steps after it. For
            a panel, a panel of them: the same ids with ``horizon`` rows each
            (MultiIndex), or a list with one per series.
        coverage : float in (0, 1), list of such floats, or None, default=None
            None gives the point forecast. A coverage (0.9 for 90%) gives a
            DataFrame with the forecast and the bounds of its conformal
            interval (see :meth:`predict_interval`), each series of a panel
            scaled by its own recent changes.

        Returns
        -------
        forecast : ndarray of shape (horizon,) or (n_series, horizon), \
                pandas.Series or DataFrame
            Without ``coverage``: a Series labelled with the next ``horizon``
            time steps when ``X`` is a non-empty pandas object with a
            ``DatetimeIndex`` (its ``freq``, or the frequency
            :func:`pandas.infer_freq` finds), a ``PeriodIndex`` or an integer
            index (``RangeIndex`` included); else an ndarray. For a
            MultiIndex panel, a Series indexed by (series id, time) holding
            each series' next ``horizon`` steps; for a list of series, an
            array ``(n_series, horizon)``.

            With ``coverage``: a DataFrame with one row per horizon step,
            indexed by those time steps (by the positions after ``X``
            otherwise), and columns ``forecast``, ``lower``, ``upper``. A
            list of coverages gives a pair of columns per coverage,
            ``lower_0.8``, ``upper_0.8``, ``lower_0.9``, ... (the coverage as
            written by ``f"{coverage:g}"``). For a panel, the series' frames
            one after the other, indexed by (series id, time) (by (series
            position, step position) for a list of series).
        """
        if coverage is not None:
            coverages, scalar = check_coverage(coverage)
            quantiles = self._interval_quantiles(coverages)
        self._check_fitted_params()
        names = getattr(self, "feature_names_in_", None)
        target = self.target_index_
        name = names[target] if names is not None and target is not None else None
        if is_panel(X):
            panel, pieces = self._panel_series(X)
            panel.check_dated()
            futures = self._panel_futures(panel, X_future)
        else:
            data = validate_series(self, X, reset=False)
            pieces = [(data, None)]
            futures = [self._check_future(X_future, data.index)]
        forecasts = [self._forecast_series(data, series, name, future)
                     for (data, series), future in zip(pieces, futures)]
        if coverage is not None:
            # Each series' forecast, scaled by its own recent changes.
            forecasts = [
                interval_frame(
                    point, scaled_margins(quantiles, self._row_scales(
                        data, [data.X.shape[0]], series))[0],
                    coverages, scalar, data)
                for point, (data, series) in zip(forecasts, pieces)]
            if not is_panel(X):
                return forecasts[0]
            return pd.concat(forecasts, keys=panel.ids,
                             names=None if panel.is_list else list(panel.names))
        if not is_panel(X):
            return forecasts[0]
        return panel.forecasts(forecasts, name=name)

    def _panel_futures(self, panel, X_future):
        """Per series of ``panel``, its checked known covariates (or None)."""
        if X_future is None or not self._known:
            return [self._check_future(X_future, None)] * len(panel)
        if panel.is_list:
            if not (isinstance(X_future, list) and len(X_future) == len(panel)
                    and is_panel(X_future)):
                raise ValueError(
                    f"X is a list of {len(panel)} series, so X_future must be a "
                    f"list of {len(panel)} too, each a NumPy array or pandas "
                    "object holding that series' known covariates over the "
                    f"horizon. Got {_kind(X_future)} instead."
                )
        elif not (isinstance(X_future, (pd.Series, pd.DataFrame))
                  and is_panel(X_future)):
            raise ValueError(
                "X is a MultiIndex panel, so X_future must be one too: a pandas "
                "object indexed by (series id, time) with horizon rows per "
                f"series. Got {_kind(X_future)} instead."
            )
        future = split_panel(X_future, name="X_future")
        by_id = dict(zip(future.ids, future.X))
        missing = [i for i in panel.ids if i not in by_id]
        extra = [i for i in future.ids if i not in set(panel.ids)]
        if missing or extra:
            raise ValueError(
                "X_future must hold the known covariates of every series of X, "
                "and only those. Got "
                + "; ".join(([f"series missing {missing[:5]}"] if missing else [])
                            + ([f"series not in X {extra[:5]}"] if extra else []))
                + " instead."
            )
        return [
            self._check_future(by_id[i], piece.index
                               if isinstance(piece, (pd.Series, pd.DataFrame))
                               else None, name=f"X_future of series {i!r}")
            for i, piece in zip(panel.ids, panel.X)
        ]

    def _forecast_series(self, data, series, name, future=None):
        Y, _ = self._forecasts(data, [data.X.shape[0]], series, future)
        future = index_after(data.index, self.horizon)
        if future is None:
            return Y[0]
        return pd.Series(Y[0], index=future, name=name)

    def _score_arrays(self, X, y=None):
        """Known futures, forecasts and naive forecasts of the scored rows.

        The scored rows ``t`` have history (``t >= 1``, or ``t >= 0`` when
        ``X`` continues the training series) and a known horizon
        (``t + horizon <= n_timesteps``). Returns ``(Y_true, Y_pred, Y_naive,
        y)``, the first three of shape ``(n_scored, horizon)`` and ``y`` the
        whole target series. For a panel, the scored rows of every series
        with at least one are stacked, and ``y`` is the targets of all series
        one after the other (no series: see :meth:`_score_parts`).
        """
        return tuple(np.concatenate(arrays)
                     for arrays in zip(*self._score_parts(X, y)))

    def _score_parts(self, X, y=None):
        """:meth:`_score_arrays` of each series that has a scored row, a list."""
        self._check_fitted_params()
        if not is_panel(X):
            data = validate_series(self, X, y, reset=False)
            return [self._score_series(data, None, required=True)]
        _, pieces = self._panel_series(X, y)
        parts = [self._score_series(data, series, required=False)
                 for data, series in pieces]
        parts = [part for part in parts if part is not None]
        if not parts:
            raise ValueError(
                f"Scoring a forecaster with horizon={self.horizon} needs a series "
                "with a row that has history and its whole horizon known: at "
                f"least horizon + 1 = {self.horizon + 1} time steps (horizon when "
                "it continues its training series). Got a panel whose series "
                "are all shorter instead."
            )
        return parts

    def _score_series(self, data, series, required):
        if data.y is None:
            raise ValueError(
                f"{type(self).__name__} was fit on a y that is not a column of X, "
                "so scoring needs that series: pass y. Got y=None instead."
            )
        n, horizon = data.X.shape[0], self.horizon
        rows = self._scored_rows(data, series)
        if not len(rows):
            if not required:
                return None
            raise ValueError(
                f"Scoring a forecaster with horizon={horizon} needs at least "
                f"horizon + 1 = {horizon + 1} time steps (rows of X) so that one "
                "row has history and its whole horizon known (horizon rows when "
                "X continues the training series). Got "
                f"{n} time step(s) instead."
            )
        Y_pred, _ = self._forecasts(data, rows, series)
        Y_true = sliding_window_view(data.y, horizon)[rows[0]:]
        previous = np.concatenate(([self._end(series)["last_y"]], data.y))
        Y_naive = np.repeat(previous[rows][:, np.newaxis], horizon, axis=1)
        return Y_true, Y_pred, Y_naive, data.y

    def _scored_rows(self, data, series):
        """The rows ``score`` scores: with history, their whole horizon known."""
        first = 0 if self._history(data, series)[1] else 1
        return np.arange(first, data.X.shape[0] - self.horizon + 1)

    def score(self, X, y=None):
        """Skill against the naive last-value forecast, on rows with known future.

        ``1 - MSE(forecast) / MSE(naive)`` over the rows ``t`` that have
        history and whose whole horizon ``y[t] ... y[t+horizon-1]`` is in the
        data, the naive forecast of row ``t`` repeating ``y[t-1]``. 1 is a
        perfect forecast, 0 is as good as the naive forecast, negative is
        worse. Row 0 has no history unless ``X`` continues the training series
        (a pandas index that starts one step after the training index ends),
        and is then scored against the training end.

        For a panel, the scored rows of every series are pooled into the two
        mean squared errors, so series in large units weigh most; for a
        comparison free of units, score with
        ``make_forecast_scorer(mean_absolute_scaled_error)``
        (:func:`~sklearn_rnn.metrics.make_forecast_scorer`), which scales
        each series by its own changes.

        Parameters
        ----------
        X : array-like of shape (n_timesteps,) or (n_timesteps, n_channels), \
                or a panel
            The series, with the columns seen in ``fit``, rows in time order.
            At least ``horizon + 1`` rows (``horizon`` when it continues the
            training series); or a panel of them (a pandas object with a
            (series id, time) ``MultiIndex``, or a list of series), its
            series with fewer rows left out.
        y : array-like of shape (n_timesteps,), default=None
            The target series; by default the target column of ``X``, as in
            ``fit``. For a panel, aligned with its rows (a list of targets
            for a list of series).

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

    def _interval_quantiles(self, coverages):
        """Conformal quantiles ``(len(coverages), horizon)`` of the scaled residuals."""
        self._check_fitted_params()
        residuals = getattr(self, "calibration_residuals_", None)
        scales = getattr(self, "calibration_scales_", None)
        if residuals is None or scales is None:
            hint = (" Fit with early_stopping=True: the errors on the "
                    "validation tail are kept." if "early_stopping" in
                    self.get_params() else "")
            raise AttributeError(
                f"{type(self).__name__} keeps no out-of-sample residuals "
                "(calibration_residuals_ is None or missing), which its "
                "intervals are calibrated on, or not the local scales of "
                "their origins (calibration_scales_; set both with "
                f"_set_calibration).{hint}"
            )
        return conformal_quantiles(residuals, scales, coverages,
                                   estimator_name=type(self).__name__)

    def _series_bounds(self, data, rows, Y, quantiles, series=None):
        """Bounds ``(len(rows), horizon, 2, n_coverages)`` of forecasts ``Y`` of ``rows``."""
        margins = scaled_margins(quantiles, self._row_scales(data, rows, series))
        return np.stack([Y[..., np.newaxis] - margins,
                         Y[..., np.newaxis] + margins], axis=2)

    def _score_bounds(self, X, y, coverage):
        """``(Y_true, lower, upper)`` of the rows ``score`` scores, at ``coverage``."""
        quantiles = self._interval_quantiles((coverage,))
        if is_panel(X):
            _, pieces = self._panel_series(X, y)
        else:
            pieces = [(validate_series(self, X, y, reset=False), None)]
        parts = []
        for data, series in pieces:
            scored = self._score_series(data, series, required=not is_panel(X))
            if scored is None:
                continue
            rows = self._scored_rows(data, series)
            bounds = self._series_bounds(data, rows, scored[1], quantiles, series)
            parts.append((scored[0], bounds[:, :, 0, 0], bounds[:, :, 1, 0]))
        if not parts:
            self._score_arrays(X, y)  # raises: no series has a scored row
        return tuple(np.concatenate(arrays) for arrays in zip(*parts))

    def predict_interval(self, X, coverage=0.9):
        """Conformal interval of every row's forecast, aligned like ``predict``.

        The interval of horizon step ``h`` of row ``t`` is ``predict(X)[t,
        h] +- q_h * s_th``: ``s_th`` is the local scale of the series where
        the forecast is made, the mean absolute change of the target over
        the ``h``-step lag (whole seasons when the forecaster has a season
        ``sp``) in the 24 steps up to row ``t - 1``; ``q_h`` is the
        split-conformal quantile of the forecaster's out-of-sample errors at
        step ``h`` (``calibration_residuals_``), each divided by the local
        scale of its own origin (``calibration_scales_``): with ``n``
        errors, the ``ceil((n + 1) * coverage)``-th smallest. The coverage
        holds, on average, when the scaled errors to come are exchangeable
        with those; no distribution is assumed. Rows without history get
        the scale at the end of training.

        Parameters
        ----------
        X : array-like of shape (n_timesteps,) or (n_timesteps, n_channels), \
                or a panel
            The series, with the columns seen in ``fit``, rows in time order;
            or a panel of them (a pandas object with a (series id, time)
            ``MultiIndex``, or a list of series), each scaled by its own
            recent changes.
        coverage : float in (0, 1) or list of such floats, default=0.9
            The probability that the interval holds the value that happens.

        Returns
        -------
        bounds : ndarray of shape (n_timesteps, horizon, 2)
            ``bounds[t, h] = (lower, upper)`` of the forecast ``predict(X)[t,
            h]``. As in ``predict``, the horizon axis is dropped when
            ``horizon == 1``, giving ``(n_timesteps, 2)``. A list of
            coverages adds a last axis, one entry per coverage:
            ``(n_timesteps, horizon, 2, n_coverages)``. For a MultiIndex
            panel the rows follow ``X``'s rows; for a list of series, a list
            of such arrays.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_rnn import NaiveForecaster
        >>> rng = np.random.default_rng(0)
        >>> y = rng.normal(size=200).cumsum()
        >>> model = NaiveForecaster(horizon=2).fit(y[:150])
        >>> bounds = model.predict_interval(y, coverage=0.9)
        >>> bounds.shape
        (200, 2, 2)
        >>> point = model.predict(y)
        >>> bool(np.all((bounds[..., 0] <= point) & (point <= bounds[..., 1])))
        True
        >>> model.forecast(y, coverage=[0.8, 0.9]).columns.tolist()
        ['forecast', 'lower_0.8', 'upper_0.8', 'lower_0.9', 'upper_0.9']
        """
        coverages, scalar = check_coverage(coverage)
        quantiles = self._interval_quantiles(coverages)
        if is_panel(X):
            panel, pieces = self._panel_series(X)
            return panel.rows([self._interval_series(data, quantiles, scalar, series)
                               for data, series in pieces])
        return self._interval_series(validate_series(self, X, reset=False),
                                     quantiles, scalar)

    def _interval_series(self, data, quantiles, scalar, series=None):
        rows = np.arange(data.X.shape[0])
        Y, _ = self._forecasts(data, rows, series)
        bounds = self._series_bounds(data, rows, Y, quantiles, series)
        if scalar:
            bounds = bounds[..., 0]
        return bounds[:, 0] if self.horizon == 1 else bounds


def _kind(value):
    """What ``value`` is, for a message: its type, and a list's elements'."""
    if isinstance(value, list):
        kinds = sorted({type(v).__name__ for v in value})
        return f"a list of {len(value)} ({', '.join(kinds) or 'empty'})"
    return type(value).__name__


def _describe_series(ids):
    """``ids`` (a fit's series ids, None for one series) for a message."""
    if ids is None:
        return "one series"
    shown = ", ".join(repr(i) for i in ids[:5])
    return f"{len(ids)} series [{shown}{', ...' if len(ids) > 5 else ''}]"


def _mean_scales(scales):
    """Mean end scales of the fitted series (``(n_series, horizon)``): the
    scale of a series not seen in fit."""
    known = np.isfinite(scales)
    total = np.where(known, scales, 0.0).sum(axis=0)
    count = known.sum(axis=0)
    return np.divide(total, count, out=np.full(len(total), np.nan), where=count > 0)


# Values numpy's pairwise summation adds in one unrolled loop (its
# PW_BLOCKSIZE) and the loop's unrolling: blocks of more values are split in
# two, the first part a multiple of the unrolling.
_PAIRWISE_BLOCK, _PAIRWISE_UNROLL = 128, 8


def _concatenated_mean(arrays):
    """``np.mean(np.concatenate(arrays))`` to the bit, without the concatenation.

    The panel's values are as large as the data: their float64 copy would
    be the largest array of the fit. NumPy sums a float64 array pairwise,
    splitting it in two (the first part a multiple of 8 values) down to
    blocks of at most 128 values; the same split is followed over the
    arrays as if concatenated, and a part within one array, or a block, is
    summed by NumPy itself (the same splits from there on), so the sum is
    NumPy's own.
    """
    sizes = np.array([len(array) for array in arrays])
    starts = np.concatenate([[0], np.cumsum(sizes)])

    def pairwise(first, n):
        k = int(np.searchsorted(starts, first, side="right")) - 1
        offset = first - starts[k]
        if offset + n <= sizes[k]:
            return np.add.reduce(arrays[k][offset: offset + n])
        if n <= _PAIRWISE_BLOCK:
            last = int(np.searchsorted(starts, first + n, side="left"))
            block = np.concatenate(
                [arrays[j][max(first - starts[j], 0): first + n - starts[j]]
                 for j in range(k, last)])
            return np.add.reduce(block)
        half = n // 2
        half -= half % _PAIRWISE_UNROLL
        return pairwise(first, half) + pairwise(first + half, n - half)

    return float(pairwise(0, int(starts[-1])) / starts[-1])


def _same_value(old, new):
    # True == 1 to Python, but a bool is never the number it was.
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    try:
        return bool(old == new)
    except (TypeError, ValueError):
        return old is new


def make_forecast_scorer(metric, *, greater_is_better=True, **kwargs):
    """Make a scorer that evaluates a forecaster with ``metric`` on every step.

    The scorer ``scorer(estimator, X, y=None)`` forecasts the rows of ``X``
    that ``score`` scores (rows with history whose whole horizon is in ``X``)
    and calls ``metric(Y_true, Y_pred, **kwargs)`` with two ``(n_rows,
    horizon)`` arrays, row ``t`` holding ``y[t] ... y[t+horizon-1]`` and its
    forecast from the rows before ``t``. ``y`` defaults to the target column of
    ``X``, as in the forecaster's ``fit``. Pass it as
    ``GridSearchCV(scoring=scorer)``. For ``horizon=1`` scikit-learn's own
    scorers work too (they also score row 0, forecast from an empty history
    unless ``X`` continues the training series); for ``horizon > 1`` they
    refuse the 2-D forecasts and these scorers are the ones to use.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_pred, **kwargs) -> float``. When ``metric`` has a
        parameter named ``y_naive`` it also receives the naive last-value
        forecast (row ``t`` repeating ``y[t-1]``); when it has one named
        ``y_train`` it receives the target series being scored (so
        :func:`mean_absolute_scaled_error` is scaled by the naive error on the
        scored series itself). On a panel, the rows of every series are
        scored together, except by a metric with ``y_train``: it scores each
        series with its own target and the scorer returns the mean over the
        series (a series' scale is never read across another's).
    greater_is_better : bool, default=True
        False for losses: the scorer then returns ``-metric(...)``, since
        scikit-learn maximises scores.
    **kwargs
        Passed to ``metric``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import mean_absolute_error
    >>> from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    >>> from sklearn_rnn import NaiveForecaster
    >>> from sklearn_rnn.metrics import make_forecast_scorer
    >>> from sklearn_rnn.metrics import mean_absolute_scaled_error
    >>> X = np.arange(48.0) + np.tile([0.0, 6.0, 3.0], 16)  # trend + season of 3
    >>> neg_mae = make_forecast_scorer(mean_absolute_error, greater_is_better=False)
    >>> search = GridSearchCV(
    ...     NaiveForecaster(sp=3, horizon=2),
    ...     {"strategy": ["last", "drift", "seasonal"]},
    ...     scoring=neg_mae,
    ...     cv=TimeSeriesSplit(3),
    ... ).fit(X)
    >>> search.best_params_
    {'strategy': 'seasonal'}
    >>> search.cv_results_["mean_test_score"].round(2)
    array([-4.35, -5.33, -3.3 ])
    >>> neg_mase = make_forecast_scorer(
    ...     mean_absolute_scaled_error, greater_is_better=False, sp=3
    ... )
    >>> neg_mase(search.best_estimator_, X)
    -1.02...
    """
    parameters = inspect.signature(metric).parameters
    wants_naive = "y_naive" in parameters
    wants_train = "y_train" in parameters
    sign = 1.0 if greater_is_better else -1.0

    def scorer(estimator, X, y=None):
        if not isinstance(estimator, ForecasterMixin):
            raise TypeError(
                "A forecast scorer needs a sklearn-rnn forecaster "
                "(GRUForecaster, ConvGRUForecaster, NaiveForecaster, ...). "
                f"Got {type(estimator).__name__} instead."
            )
        if wants_train:
            # A scale read from the series (MASE's) is each series' own: the
            # metric of every series, averaged over the series.
            parts = estimator._score_parts(X, y)
        else:
            parts = [estimator._score_arrays(X, y)]
        values = []
        for Y_true, Y_pred, Y_naive, series in parts:
            extra = dict(kwargs)
            if wants_naive:
                extra["y_naive"] = Y_naive
            if wants_train:
                extra["y_train"] = series
            values.append(float(metric(Y_true, Y_pred, **extra)))
        return sign * float(np.mean(values))

    scorer.__name__ = f"forecast_scorer({getattr(metric, '__name__', metric)!s})"
    return scorer


skill_scorer = make_forecast_scorer(skill_score)
skill_scorer.__doc__ = """A forecaster's skill over the naive last-value forecast.

``skill_scorer(estimator, X, y=None)`` equals ``estimator.score(X, y)``;
pass ``GridSearchCV(scoring=skill_scorer)`` to make the choice explicit.

""" + SCORER_PARAMETERS + """
Returns
-------
score : float
    ``1 - MSE / MSE of the naive last-value forecast`` over every scored
    step (greater is better).

Examples
--------
>>> import numpy as np
>>> from sklearn.model_selection import cross_val_score, TimeSeriesSplit
>>> from sklearn_rnn import NaiveForecaster
>>> from sklearn_rnn.metrics import skill_scorer
>>> y = np.random.default_rng(0).normal(size=300)
>>> scores = cross_val_score(NaiveForecaster(strategy="mean"), y,
...                          scoring=skill_scorer, cv=TimeSeriesSplit(3))
>>> bool(np.all(scores > 0))
True
"""
