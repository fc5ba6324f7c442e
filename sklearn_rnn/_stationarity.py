"""The KPSS and ADF tests, in numpy, which decide a forecaster's differencing.

statsmodels is not a dependency of this package, so the tests are written
out here (tests/test_stationarity.py compares them with statsmodels'):

- KPSS: Kwiatkowski, Phillips, Schmidt and Shin (1992), level-stationary
  null hypothesis, with the Newey-West long-run variance (Bartlett weights)
  and the data-dependent number of lags of Hobijn, Franses and Ooms (1998),
  as ``statsmodels.tsa.stattools.kpss(x, regression="c", nlags="auto")``
  computes them;
- ADF: the augmented Dickey-Fuller test (Said and Dickey, 1984), unit-root
  null hypothesis, with a constant, the number of lagged differences chosen
  by AIC up to Schwert's (1989) ``12 (n / 100)^(1/4)`` and MacKinnon's
  (1994) approximate p-value, as ``statsmodels.tsa.stattools.adfuller(x,
  regression="c", autolag="AIC")`` computes them.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np

__all__ = ["adf", "kpss"]

# Critical values of the level-stationarity statistic (KPSS 1992, table 1),
# for the p-values below; the p-value is interpolated between them.
_CRITICAL = np.array([0.347, 0.463, 0.574, 0.739])
_P_VALUES = np.array([0.10, 0.05, 0.025, 0.01])


def _autocovariances(resids, lags):
    """``sum(resids[i:] * resids[:-i])`` for ``i = 1 ... lags``."""
    return np.array([resids[i:] @ resids[: len(resids) - i]
                     for i in range(1, lags + 1)])


def _auto_lags(resids):
    """Hobijn et al.'s (1998) number of lags for the long-run variance."""
    n = len(resids)
    products = _autocovariances(resids, int(n ** (2.0 / 9.0))) / (n / 2.0)
    s0 = resids @ resids / n + products.sum()
    s1 = (np.arange(1, len(products) + 1) * products).sum()
    gamma = 1.1447 * ((s1 / s0) ** 2) ** (1.0 / 3.0)
    return min(int(gamma * n ** (1.0 / 3.0)), n - 1)


def kpss(x):
    """KPSS test of the null hypothesis that ``x`` is level-stationary.

    Parameters
    ----------
    x : array-like of shape (n,)
        The series, ``n >= 2``, not constant.

    Returns
    -------
    statistic : float
        The KPSS statistic; large values speak against stationarity.
    p_value : float
        Interpolated in the table of critical values, so clipped to
        ``[0.01, 0.1]``: 0.01 means "0.01 or less".
    lags : int
        Lags of the Newey-West long-run variance.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn._stationarity import kpss
    >>> noise = np.random.default_rng(0).normal(size=200)
    >>> kpss(noise)[1] > 0.05, kpss(np.cumsum(noise))[1] > 0.05
    (True, False)
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    resids = x - x.mean()
    lags = _auto_lags(resids)
    weights = 1.0 - np.arange(1, lags + 1) / (lags + 1.0)
    long_run = (resids @ resids + 2 * weights @ _autocovariances(resids, lags)) / n
    statistic = float(np.sum(np.cumsum(resids) ** 2) / n**2 / long_run)
    return statistic, float(np.interp(statistic, _CRITICAL, _P_VALUES)), lags


# MacKinnon's (1994) approximate p-value of the ADF statistic with a
# constant and one I(1) series (statsmodels' tables, updated to 2010): the
# statistic's range, the switch between the two fits, and each fit's
# polynomial in the statistic (lowest order first) inside a normal CDF.
_TAU_MAX, _TAU_MIN, _TAU_STAR = 2.74, -18.83, -1.61
_TAU_SMALL_P = np.array([2.1659, 1.4412, 3.8269e-2])
_TAU_LARGE_P = np.array([1.7339, 9.3202e-1, -1.2745e-1, -1.0368e-2])


# Residual sum of squares, relative to the target's, below which the ADF
# regression counts as an exact fit.
_EXACT = 1e-20


def _ols(design, target):
    """Coefficients, residual sum of squares and the coefficients' standard errors."""
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    rss = float(np.sum((target - design @ coef) ** 2))
    sigma2 = rss / (len(target) - design.shape[1])
    errors = np.sqrt(sigma2 * np.diag(np.linalg.pinv(design.T @ design)))
    return coef, rss, errors


def _adf_design(x, lags, n_rows=None):
    """The ADF regression of ``diff(x)`` on the lagged level, ``lags`` lagged
    differences and a constant, on its last ``n_rows`` rows (default: all)."""
    dx = np.diff(x)
    n = len(dx) - lags if n_rows is None else n_rows
    columns = [x[len(x) - n - 1: -1]]
    columns += [dx[len(dx) - n - i: len(dx) - i] for i in range(1, lags + 1)]
    columns.append(np.ones(n))
    return np.column_stack(columns), dx[-n:]


def adf(x):
    """Augmented Dickey-Fuller test of the null hypothesis of a unit root in ``x``.

    Parameters
    ----------
    x : array-like of shape (n,)
        The series, ``n >= 4``, not constant.

    Returns
    -------
    statistic : float
        The t statistic of the lagged level; very negative values speak
        against a unit root.
    p_value : float
        MacKinnon's approximate p-value.
    lags : int
        Lagged differences in the regression, chosen by AIC.

    The statistic and the p-value are NaN when the regression fits exactly
    (a straight line, say): the test has no residual to judge by.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn._stationarity import adf
    >>> noise = np.random.default_rng(0).normal(size=200)
    >>> adf(noise)[1] < 0.05, adf(np.cumsum(noise))[1] < 0.05
    (True, False)
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    max_lags = min(n // 2 - 2, math.ceil(12.0 * (n / 100.0) ** 0.25))
    # Every candidate on the same rows, so that their AICs compare.
    n_rows = n - 1 - max_lags
    best = None
    for lags in range(max_lags + 1):
        design, target = _adf_design(x, lags, n_rows)
        _, rss, _ = _ols(design, target)
        aic = n_rows * (np.log(2 * np.pi * rss / n_rows) + 1) + 2 * design.shape[1]
        if best is None or aic < best[0]:
            best = (aic, lags)
    lags = best[1]
    design, target = _adf_design(x, lags)
    coef, rss, errors = _ols(design, target)
    if rss <= _EXACT * (target @ target):
        # An exact fit (a straight line, a constant change): the t statistic
        # would be round-off over round-off.
        return math.nan, math.nan, lags
    statistic = float(coef[0] / errors[0])
    return statistic, _mackinnon_p(statistic), lags


def _mackinnon_p(statistic):
    """MacKinnon's (1994) approximate p-value of an ADF statistic (constant)."""
    if statistic > _TAU_MAX:
        return 1.0
    if statistic < _TAU_MIN:
        return 0.0
    poly = _TAU_SMALL_P if statistic <= _TAU_STAR else _TAU_LARGE_P
    value = np.polynomial.polynomial.polyval(statistic, poly)
    return float(0.5 * math.erfc(-value / math.sqrt(2.0)))
