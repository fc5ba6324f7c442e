"""The KPSS stationarity test, in numpy, which decides a forecaster's differencing.

statsmodels is not a dependency of this package, so the test is written
out here: Kwiatkowski, Phillips, Schmidt and Shin (1992), level-stationary
null hypothesis, with the Newey-West long-run variance (Bartlett weights)
and the data-dependent number of lags of Hobijn, Franses and Ooms (1998),
as ``statsmodels.tsa.stattools.kpss(x, regression="c", nlags="auto")``
computes them (tests/test_stationarity.py compares the two).
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

__all__ = ["kpss"]

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
