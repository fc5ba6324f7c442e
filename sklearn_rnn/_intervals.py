"""Conformal forecast intervals: a forecast with its out-of-sample residuals.

Every forecaster provides ``calibration_residuals_``, an array ``(n_rows,
horizon)`` of out-of-sample forecast errors ``y_true - forecast`` in the
target's units, one column per horizon step. An interval of coverage ``c``
for step ``h`` is the point forecast plus or minus the conformal quantile of
the absolute residuals of step ``h`` (split conformal prediction, [1]_): with
``n`` residuals, the ``ceil((n + 1) c)``-th smallest. That finite-sample
correction is what makes the coverage at least ``c`` when the future errors
are exchangeable with the calibration errors; no distribution is assumed and
any network can be wrapped.

Why not MAPIE: its time-series regressor (EnbPI, adaptive conformal
inference) calibrates one output per sample with one pool of scores, and
EnbPI refits a bootstrap ensemble (one network fit per bootstrap replica)
whose block resamples are not consecutive time steps, which a forecaster's
``X`` must be. Here every horizon step has its own residuals (errors grow
with the step) and the residuals come from the fit the forecaster does
anyway. MAPIE's split conformal regressor, applied to a fitted forecaster with
``horizon=1`` on held-out rows, computes the same quantile; the package does
not require MAPIE.

References
----------
.. [1] V. Vovk, A. Gammerman and G. Shafer, "Algorithmic Learning in a Random
   World", Springer, 2005; J. Lei, M. G'Sell, A. Rinaldo, R. J. Tibshirani and
   L. Wasserman, "Distribution-free predictive inference for regression",
   JASA 113(523), 2018.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Real

import numpy as np
import pandas as pd

__all__ = ["check_coverage", "conformal_margins", "interval_frame", "min_residuals"]


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


def conformal_margins(residuals, coverages, *, estimator_name="forecaster"):
    """Half-widths of the conformal intervals, per coverage and horizon step.

    Parameters
    ----------
    residuals : ndarray of shape (n_rows, horizon)
        Out-of-sample errors ``y_true - forecast``; NaN marks a missing one
        (e.g. a step whose future was not in the calibration data).
    coverages : tuple of float
        From :func:`check_coverage`.
    estimator_name : str
        For error messages.

    Returns
    -------
    margins : ndarray of shape (len(coverages), horizon)
        The interval of step ``h`` at coverage ``c`` is ``forecast +-
        margins[c, h]``: the ``ceil((n_h + 1) c)``-th smallest absolute
        residual of step ``h``, ``n_h`` being its number of residuals.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn._intervals import conformal_margins
    >>> residuals = np.arange(1.0, 20.0)[:, None]   # 19 residuals, one step
    >>> conformal_margins(residuals, (0.5, 0.9))     # the 10th and 18th smallest
    array([[10.],
           [18.]])
    """
    residuals = np.asarray(residuals, dtype=np.float64)
    if residuals.ndim != 2:
        raise ValueError(
            "calibration residuals must have shape (n_rows, horizon). Got shape "
            f"{residuals.shape} instead."
        )
    horizon = residuals.shape[1]
    # NaN sorts last, so the first n_h entries of each column are its residuals.
    ordered = np.sort(np.abs(residuals), axis=0)
    counts = np.sum(np.isfinite(residuals), axis=0)
    margins = np.empty((len(coverages), horizon))
    for i, coverage in enumerate(coverages):
        ranks = np.ceil((counts + 1) * coverage - 1e-9).astype(int)
        short = np.flatnonzero(ranks > counts)
        if short.size:
            step = int(short[0])
            raise ValueError(
                f"A {coverage:.0%} conformal interval needs at least "
                f"{min_residuals(coverage)} out-of-sample residuals per horizon "
                f"step, but the {estimator_name} kept {int(counts[step])} for "
                f"step {step + 1}. Fit on a longer series or ask for a lower "
                f"coverage. Got coverage={coverage!r} instead."
            )
        margins[i] = ordered[ranks - 1, np.arange(horizon)]
    return margins


def _positions_after(X, horizon):
    """The ``horizon`` positions after an undated series ``X``."""
    index = X.index if isinstance(X, (pd.Series, pd.DataFrame)) else None
    if index is not None and pd.api.types.is_integer_dtype(index) and len(index):
        return pd.RangeIndex(int(index[-1]) + 1, int(index[-1]) + 1 + horizon)
    n = len(X)
    return pd.RangeIndex(n, n + horizon)


def column_names(coverages, scalar):
    """``[("lower", "upper")]`` for one coverage, suffixed per coverage otherwise."""
    if scalar:
        return [("lower", "upper")]
    return [(f"lower_{c:g}", f"upper_{c:g}") for c in coverages]


def interval_frame(point, margins, coverages, scalar, X):
    """The forecast and its bounds as a DataFrame, one row per horizon step.

    ``point`` is what ``forecast(X)`` returns (a dated Series or an array);
    an undated forecast is indexed by the positions after ``X``.
    """
    if isinstance(point, pd.Series):
        index, values = point.index, point.to_numpy()
    else:
        values = np.asarray(point)
        index = _positions_after(X, len(values))
    columns = {"forecast": values}
    for (lower, upper), margin in zip(column_names(coverages, scalar), margins):
        columns[lower] = values - margin
        columns[upper] = values + margin
    return pd.DataFrame(columns, index=index)
