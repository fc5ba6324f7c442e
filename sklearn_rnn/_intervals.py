"""Conformal forecast intervals: a forecast with its out-of-sample residuals.

Every forecaster provides ``calibration_residuals_``, an array ``(n_rows,
horizon)`` of out-of-sample forecast errors ``y_true - forecast`` in the
target's units, one column per horizon step, and ``calibration_scales_``,
the local scale of the series at each of those rows' origins
(:func:`local_scales`: the mean absolute change of the target over the
``SCALE_ROWS`` steps before the origin, at the step's lag; for a forecaster
with a season, over whole seasons and about the changes' mean). An interval of
coverage ``c`` for step ``h`` is the point forecast plus or minus the
conformal quantile of the scaled absolute residuals of step ``h`` (split
conformal prediction on normalised scores, [1]_), times the local scale of
the forecast's own origin (:func:`conformal_quantiles`): with ``n`` scores,
the ``ceil((n + 1) c)``-th smallest. That finite-sample correction is what
makes the coverage at least ``c`` when the future scaled errors are
exchangeable with the calibration ones; no distribution is assumed, any
network can be wrapped, and the scale needs no residuals of its own, so a
few calibration rows serve a series whose swings grow.

Why not MAPIE (checked against its 1.x API; see docs/intervals.rst): its
split conformal regressor calibrates one output per sample, so it takes a
fitted forecaster with ``horizon=1`` as a prefit regressor but refuses
``(n_rows, horizon)`` forecasts; it needs rows the model did not see,
whereas the residuals here come from the fit the forecaster does anyway;
and its time-series regressor (EnbPI, adaptive conformal inference) fits
on block-bootstrap resamples, blocks concatenated in random order, which
are not the consecutive time steps a forecaster's ``X`` must be. Every
horizon step has its own residuals here (errors grow with the step). The
score is MAPIE's ``ResidualNormalisedScore`` (absolute error over a
predicted error size) with the size read from the series' recent changes
instead of learned by a second regressor on part of the few calibration
rows. The package does not require MAPIE.

References
----------
.. [1] V. Vovk, A. Gammerman and G. Shafer, "Algorithmic Learning in a Random
   World", Springer, 2005; J. Lei, M. G'Sell, A. Rinaldo, R. J. Tibshirani and
   L. Wasserman, "Distribution-free predictive inference for regression",
   JASA 113(523), 2018.
"""

# SPDX-License-Identifier: BSD-3-Clause

import inspect
import math
from numbers import Real

import numpy as np
import pandas as pd

from ._docstrings import SCORER_PARAMETERS
from ._metrics import _check_same_shape

__all__ = [
    "check_coverage",
    "conformal_quantiles",
    "interval_coverage",
    "interval_frame",
    "interval_score",
    "interval_scorer",
    "make_interval_scorer",
    "mean_interval_width",
    "local_scales",
    "min_residuals",
    "scale_lags",
    "scaled_margins",
]


def check_coverage(coverage):
    """Validate ``coverage``: a float in (0, 1) or a non-empty list of them.

    Returns
    -------
    coverages : tuple of float
        The coverages, in the order given.
    scalar : bool
        Whether ``coverage`` was one number (then the outputs drop the
        coverage axis).
    """
    scalar = isinstance(coverage, Real) and not isinstance(coverage, bool)
    values = [coverage] if scalar else coverage
    if not scalar:
        if isinstance(coverage, (str, bytes, dict)) or not hasattr(
            coverage, "__iter__"
        ):
            raise TypeError(
                "coverage must be a float in (0, 1), e.g. 0.9 for a 90% "
                "interval, or a list of such floats. Got "
                f"{type(coverage).__name__} {coverage!r} instead."
            )
        values = list(coverage)
        if not values:
            raise ValueError(
                "coverage must be a float in (0, 1) or a non-empty list of "
                "them. Got an empty list instead."
            )
    for value in values:
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(
                "coverage must be a float in (0, 1), e.g. 0.9 for a 90% "
                f"interval, or a list of such floats. Got {value!r} "
                f"({type(value).__name__}) instead."
            )
        if not 0 < value < 1:
            hint = " (a fraction, not a percentage)" if 1 < value <= 100 else ""
            raise ValueError(
                f"coverage must be strictly between 0 and 1{hint}, e.g. 0.9 for "
                f"a 90% interval. Got coverage={value!r} instead."
            )
    values = tuple(float(value) for value in values)
    if len(set(values)) != len(values):
        raise ValueError(
            f"coverage must not repeat a value. Got coverage={list(values)} "
            "instead."
        )
    return values, scalar


def min_residuals(coverage):
    """Fewest residuals whose conformal quantile at ``coverage`` is finite.

    ``ceil((n + 1) c) <= n`` holds from ``n = ceil(c / (1 - c))`` on.
    """
    return math.ceil(coverage / (1.0 - coverage) - 1e-9)


#: Changes of the target before an origin whose mean is its local scale.
SCALE_ROWS = 24


def scale_lags(horizon, sp=1):
    """Per horizon step, the lag of the change that scales its errors.

    Step ``h`` (from 1) of a forecaster without a season (``sp == 1``) is
    scaled by the ``h``-step changes of the target, the errors of the
    last-value forecast; with a season, by the changes over the whole
    seasons ``sp * ceil(h / sp)``, taken about their recent mean (see
    :func:`local_scales`): the errors of the seasonal naive forecast with
    drift.
    """
    steps = np.arange(1, horizon + 1)
    return steps if sp == 1 else sp * np.ceil(steps / sp).astype(int)


#: Origins whose windows of changes are gathered at once by
#: :func:`local_scales` with ``centered=True``: its memory stays bounded on
#: long series and panels.
_CENTERED_BLOCK = 4096


def local_scales(y, origins, lags, *, full=False, centered=False):
    """Local scale of the target at each origin, per horizon step.

    Entry ``[i, h]`` is the mean absolute change ``|y[s] - y[s - lags[h]]|``
    over the (at most) ``SCALE_ROWS`` steps ``s <= origins[i]`` with ``s >=
    lags[h]``: how much the series moved over that lag just before the
    origin, known at the origin. NaN where no such step exists or, with
    ``full=True``, where fewer than ``SCALE_ROWS`` do: calibration rows are
    scaled as a forecast at the end of a long series is, so that their
    scores are exchangeable with its score.

    With ``centered=True`` each change is taken about the mean of those
    changes: the mean absolute deviation of the changes, the recent errors
    of the forecast that adds their mean (the drift) to the value ``lag``
    steps back. The changes of a trending series over whole seasons carry a
    year's growth, of one sign and swinging with the growth rate, which a
    forecaster that knows the season follows; their spread about that
    growth is what it cannot foresee.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn._intervals import local_scales
    >>> y = np.array([0.0, 1.0, 3.0, 6.0])
    >>> local_scales(y, [0, 2, 3], lags=[1, 2])
    array([[nan, nan],
           [1.5, 3. ],
           [2. , 4. ]])
    >>> # Changes 1, 2, 3, 4: about their mean, 0.5 and 1 at origins 2 and 4.
    >>> local_scales([0.0, 1.0, 3.0, 6.0, 10.0], [2, 4], lags=[1], centered=True)
    array([[0.5],
           [1. ]])
    """
    y = np.asarray(y, dtype=np.float64)
    origins = np.asarray(origins, dtype=np.int64)
    scales = np.full((len(origins), len(lags)), np.nan)
    for j, lag in enumerate(lags):
        if lag >= len(y):
            continue
        # changes[k] = y[k + lag] - y[k]: the change ending at step k + lag.
        changes = y[lag:] - y[:-lag]
        stop = np.minimum(origins - lag + 1, len(changes))
        start = np.maximum(origins - lag + 1 - SCALE_ROWS, 0)
        count = stop - start
        has = np.flatnonzero(count >= (SCALE_ROWS if full else 1))
        if centered:
            scales[has, j] = _centered_scales(changes, start[has], count[has])
            continue
        cumsum = np.concatenate(([0.0], np.cumsum(np.abs(changes))))
        scales[has, j] = (cumsum[stop[has]] - cumsum[start[has]]) / count[has]
    return scales


def _centered_scales(changes, start, count):
    """Mean absolute deviation of ``changes[start[i]:start[i] + count[i]]``
    from its mean, for each ``i`` (``1 <= count[i] <= SCALE_ROWS``)."""
    out = np.empty(len(start))
    offsets = np.arange(SCALE_ROWS)
    for block in range(0, len(start), _CENTERED_BLOCK):
        rows = slice(block, block + _CENTERED_BLOCK)
        inside = offsets < count[rows, np.newaxis]
        # Positions past a short window repeat its first change, masked out.
        window = changes[np.where(inside, start[rows, np.newaxis] + offsets,
                                  start[rows, np.newaxis])]
        mean = np.sum(window * inside, axis=1) / count[rows]
        out[rows] = (np.sum(np.abs(window - mean[:, np.newaxis]) * inside, axis=1)
                     / count[rows])
    return out


def conformal_quantiles(residuals, scales, coverages, *,
                        estimator_name="forecaster"):
    """Conformal quantiles of the scaled errors, per coverage and horizon step.

    Split conformal prediction on normalised scores (locally weighted
    conformal, as MAPIE's ``ResidualNormalisedScore``, with a scale read
    from the series rather than learned): the score of a calibration row is
    its absolute error over the local scale of its origin
    (:func:`local_scales`), and an interval is the forecast plus or minus
    the quantile of the scores times the local scale of its own origin.
    Errors that grow with the swings of the series (a level and season that
    grow, a calmer recent past) thus widen or narrow the interval; when
    the scores are exchangeable the coverage holds in finite samples.

    Parameters
    ----------
    residuals : ndarray of shape (n_rows, horizon)
        Out-of-sample errors ``y_true - forecast``; NaN marks a missing one,
        left out.
    scales : ndarray of shape (n_rows, horizon)
        The local scale of each row's origin; rows with a NaN scale (too
        little history) are left out. A zero scale (a flat recent past)
        makes an exact forecast score 0 and any other infinite.
    coverages : tuple of float
        From :func:`check_coverage`.
    estimator_name : str
        For error messages.

    Returns
    -------
    quantiles : ndarray of shape (len(coverages), horizon)
        With ``n`` scores at a step, the ``ceil((n + 1) c)``-th smallest:
        the finite-sample correction.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn._intervals import conformal_quantiles
    >>> residuals = np.arange(1.0, 20.0)[:, None]   # 19 residuals, one step
    >>> conformal_quantiles(residuals, np.ones((19, 1)), (0.5, 0.9))
    array([[10.],
           [18.]])
    """
    residuals = np.asarray(residuals, dtype=np.float64)
    scales = np.asarray(scales, dtype=np.float64)
    if residuals.ndim != 2 or scales.shape != residuals.shape:
        raise ValueError(
            "calibration residuals and scales must have the same shape (n_rows, "
            f"horizon). Got shapes {residuals.shape} and {scales.shape} instead."
        )
    quantiles = np.empty((len(coverages), residuals.shape[1]))
    for step in range(residuals.shape[1]):
        errors, scale = np.abs(residuals[:, step]), scales[:, step]
        known = np.isfinite(errors) & np.isfinite(scale)
        errors, scale = errors[known], scale[known]
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.where(scale > 0, errors / scale,
                              np.where(errors > 0, np.inf, 0.0))
        scores = np.sort(scores)
        for i, coverage in enumerate(coverages):
            rank = math.ceil((len(scores) + 1) * coverage - 1e-9)
            if rank > len(scores):
                raise ValueError(
                    f"A {coverage:.0%} conformal interval needs at least "
                    f"{min_residuals(coverage)} out-of-sample residuals per "
                    "horizon step, each from a forecast made after "
                    f"{SCALE_ROWS} changes of the series that scale it, but "
                    f"the {estimator_name} kept {len(scores)} for step "
                    f"{step + 1}. Fit on a longer "
                    "series or ask for a lower coverage. Got "
                    f"coverage={coverage!r} instead."
                )
            quantiles[i, step] = scores[rank - 1]
    return quantiles


def scaled_margins(quantiles, scales):
    """Half-widths ``(n_rows, horizon, n_coverages)``: quantile times scale.

    A zero scale gives a zero margin, unless the quantile is infinite.
    """
    q = quantiles.T[np.newaxis]
    s = np.asarray(scales, dtype=np.float64)[..., np.newaxis]
    with np.errstate(invalid="ignore"):
        return np.where(s > 0, q * s, np.where(np.isinf(q), np.inf, 0.0))


def _positions_after(index, n_rows, horizon):
    """The ``horizon`` positions after an undated series of ``n_rows`` rows."""
    if index is not None and pd.api.types.is_integer_dtype(index) and len(index):
        return pd.RangeIndex(int(index[-1]) + 1, int(index[-1]) + 1 + horizon)
    return pd.RangeIndex(n_rows, n_rows + horizon)


def column_names(coverages, scalar):
    """``[("lower", "upper")]`` for one coverage, suffixed per coverage otherwise."""
    if scalar:
        return [("lower", "upper")]
    return [(f"lower_{c:g}", f"upper_{c:g}") for c in coverages]


def interval_frame(point, margins, coverages, scalar, data):
    """The forecast and its bounds as a DataFrame, one row per horizon step.

    ``point`` is the forecast of series ``data`` (a SeriesData): a dated
    Series or an array, the latter indexed by the positions after ``data``;
    ``margins`` is ``(horizon, n_coverages)``.
    """
    if isinstance(point, pd.Series):
        index, values = point.index, point.to_numpy()
    else:
        values = np.asarray(point)
        index = _positions_after(data.index, data.X.shape[0], len(values))
    columns = {"forecast": values}
    for (lower, upper), margin in zip(column_names(coverages, scalar), margins.T):
        columns[lower] = values - margin
        columns[upper] = values + margin
    return pd.DataFrame(columns, index=index)


# Interval metrics and scorers. Bounds have the shape of the forecasts they
# bound: (n_rows,) or (n_rows, horizon), as from a forecaster's
# predict_interval(X, coverage)[..., 0] and [..., 1].


def _check_bounds(y_true, lower, upper):
    y_true, lower, upper = _check_same_shape(y_true=y_true, lower=lower, upper=upper)
    if np.any(lower > upper):
        raise ValueError(
            "Every lower bound must be at most its upper bound. Got lower > "
            f"upper at {int(np.sum(lower > upper))} position(s) instead; pass "
            "the bounds as (y_true, lower, upper)."
        )
    return y_true, lower, upper


def interval_coverage(y_true, lower, upper):
    """Fraction of the values that fall inside their interval, bounds included.

    For well-calibrated intervals of coverage 0.9 it is close to 0.9.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,) or (n_rows, horizon)
        The values that happened.
    lower, upper : array-like of the same shape
        The bounds of the intervals.

    Returns
    -------
    coverage : float
        In [0, 1].

    See Also
    --------
    interval_score : Width and misses in one number.

    Examples
    --------
    >>> from sklearn_rnn.metrics import interval_coverage
    >>> interval_coverage([1.0, 2.0, 5.0, 4.0], [0, 0, 0, 0], [3, 3, 3, 4])
    0.75
    """
    y_true, lower, upper = _check_bounds(y_true, lower, upper)
    return float(np.mean((lower <= y_true) & (y_true <= upper)))


def mean_interval_width(y_true, lower, upper):
    """Mean width ``upper - lower`` of the intervals, in the target's units.

    ``y_true`` is only checked for shape, so that every interval metric takes
    the same arguments (and :func:`make_interval_scorer` can wrap it).

    Parameters
    ----------
    y_true : array-like of shape (n_rows,) or (n_rows, horizon)
        The values that happened.
    lower, upper : array-like of the same shape
        The bounds of the intervals.

    Returns
    -------
    width : float
        Non-negative; narrower is better at the same coverage.

    Examples
    --------
    >>> from sklearn_rnn.metrics import mean_interval_width
    >>> mean_interval_width([1.0, 2.0], [0.0, 1.0], [2.0, 5.0])
    3.0
    """
    _, lower, upper = _check_bounds(y_true, lower, upper)
    return float(np.mean(upper - lower))


def interval_score(y_true, lower, upper, *, coverage):
    """Mean interval score (Winkler score) of intervals of a given coverage.

    For one value ``y`` and interval ``[l, u]`` of coverage ``c``, ``alpha =
    1 - c``, the score is ``(u - l) + 2 / alpha * (l - y)`` when ``y < l``,
    ``(u - l) + 2 / alpha * (y - u)`` when ``y > u``, and ``u - l`` inside:
    the width plus a penalty for each miss. It is a proper scoring rule
    (Gneiting and Raftery, 2007): in expectation it is lowest for the true
    ``alpha / 2`` and ``1 - alpha / 2`` quantiles, so neither too narrow nor
    too wide intervals win. Lower is better, in the target's units.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,) or (n_rows, horizon)
        The values that happened.
    lower, upper : array-like of the same shape
        The bounds of the intervals.
    coverage : float in (0, 1)
        The nominal coverage of the intervals (0.9 for 90%).

    Returns
    -------
    score : float
        Non-negative; lower is better.

    See Also
    --------
    interval_scorer : The scorer for ``GridSearchCV``.

    References
    ----------
    .. [1] R. L. Winkler, "A decision-theoretic approach to interval
       estimation", JASA 67(337), 1972.
    .. [2] T. Gneiting and A. E. Raftery, "Strictly proper scoring rules,
       prediction, and estimation", JASA 102(477), 2007.

    Examples
    --------
    >>> from sklearn_rnn.metrics import interval_score
    >>> # Widths 2 and 2; the second value misses by 1, penalised 2 / 0.2 = 10.
    >>> interval_score([1.0, 4.0], [0.0, 1.0], [2.0, 3.0], coverage=0.8)
    7.0
    """
    coverages, scalar = check_coverage(coverage)
    if not scalar:
        raise TypeError(
            "coverage must be one float in (0, 1) for interval_score. Got a "
            "list instead; score each coverage apart."
        )
    y_true, lower, upper = _check_bounds(y_true, lower, upper)
    alpha = 1.0 - coverages[0]
    below = np.maximum(lower - y_true, 0.0)
    above = np.maximum(y_true - upper, 0.0)
    return float(np.mean((upper - lower) + 2.0 / alpha * (below + above)))


def make_interval_scorer(metric, *, coverage=0.9, greater_is_better=False,
                         **kwargs):
    """Make a scorer that evaluates a forecaster's intervals with ``metric``.

    The scorer ``scorer(estimator, X, y=None)`` forecasts every row of ``X``
    whose whole future is in ``X``, bounds each forecast with the
    forecaster's conformal interval of coverage ``coverage`` (as
    ``predict_interval`` does) and calls ``metric(Y_true, lower, upper,
    **kwargs)`` with ``(n_rows, horizon)`` arrays; ``metric`` also gets
    ``coverage`` when it has a parameter of that name.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, lower, upper, **kwargs) -> float``, e.g.
        :func:`interval_score`, :func:`interval_coverage` or
        :func:`mean_interval_width`.
    coverage : float in (0, 1), default=0.9
        The coverage of the intervals to score.
    greater_is_better : bool, default=False
        False for losses (the interval score, the width): the scorer then
        returns ``-metric(...)``, since scikit-learn maximises scores.
    **kwargs
        Passed to ``metric``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import cross_validate, TimeSeriesSplit
    >>> from sklearn_rnn import NaiveForecaster
    >>> from sklearn_rnn.metrics import (
    ...     interval_coverage, interval_scorer, make_interval_scorer)
    >>> y = np.random.default_rng(0).normal(size=400)
    >>> scores = cross_validate(
    ...     NaiveForecaster(strategy="mean"), y, cv=TimeSeriesSplit(3),
    ...     scoring={"score": interval_scorer,
    ...              "coverage": make_interval_scorer(
    ...                  interval_coverage, greater_is_better=True)})
    >>> bool(np.all(np.abs(scores["test_coverage"] - 0.9) < 0.06))
    True
    """
    coverages, scalar = check_coverage(coverage)
    if not scalar:
        raise TypeError(
            "coverage must be one float in (0, 1) for a scorer. Got a list "
            "instead; make one scorer per coverage."
        )
    coverage = coverages[0]
    if "coverage" in inspect.signature(metric).parameters:
        kwargs = {"coverage": coverage, **kwargs}
    sign = 1.0 if greater_is_better else -1.0

    def scorer(estimator, X, y=None):
        if not hasattr(estimator, "_score_bounds"):
            raise TypeError(
                "An interval scorer needs a forecaster (a ForecasterMixin "
                f"subclass). Got {type(estimator).__name__} instead."
            )
        Y_true, lower, upper = estimator._score_bounds(X, y, coverage)
        return sign * float(metric(Y_true, lower, upper, **kwargs))

    scorer.__name__ = f"interval_scorer({getattr(metric, '__name__', metric)!s})"
    return scorer


interval_scorer = make_interval_scorer(interval_score, coverage=0.9)
interval_scorer.__doc__ = """Minus the interval score of a forecaster's 90% intervals.

``interval_scorer(estimator, X, y=None)`` is ``-interval_score`` of the
conformal 90% intervals of the rows of ``X`` whose whole future is known
(greater is better, as scikit-learn's scorers are). Build others with
:func:`make_interval_scorer`.

""" + SCORER_PARAMETERS + """
Returns
-------
score : float
    Minus the mean interval score (lower scores are wider or miss more).

Examples
--------
>>> import numpy as np
>>> from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
>>> from sklearn_rnn import NaiveForecaster
>>> from sklearn_rnn.metrics import interval_scorer
>>> y = np.random.default_rng(0).normal(size=300)
>>> search = GridSearchCV(
...     NaiveForecaster(), {"strategy": ["last", "mean"]},
...     scoring=interval_scorer, cv=TimeSeriesSplit(3)).fit(y)
>>> search.best_params_
{'strategy': 'mean'}
"""
