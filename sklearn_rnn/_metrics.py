"""Forecast metrics: skill over a reference forecast, MASE.

Pure NumPy functions of ``(n_rows,)`` or ``(n_rows, horizon)`` arrays; the
public names are re-exported by :mod:`sklearn_rnn.metrics`.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from ._validation import check_positive_int

__all__ = ["mean_absolute_scaled_error", "skill_score"]


def _finite_floats(values, name):
    """``values`` as a float64 array; a ValueError names ``name`` otherwise."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must hold numbers: {exc}. Got {type(values).__name__} "
            "with values that are not numbers instead."
        ) from None
    bad = np.flatnonzero(~np.isfinite(array.ravel()))
    if bad.size:
        position = np.unravel_index(bad[0], array.shape)
        raise ValueError(
            f"{name} must hold finite numbers. Got {array.ravel()[bad[0]]} at "
            f"position {tuple(map(int, position))} instead ({bad.size} "
            "non-finite value(s)); drop or fill those rows first."
        )
    return array


def _check_same_shape(**arrays):
    arrays = {name: _finite_floats(a, name) for name, a in arrays.items()}
    shapes = {name: a.shape for name, a in arrays.items()}
    if len(set(shapes.values())) > 1:
        raise ValueError(
            "The forecasts must have the same shape, (n_rows,) or (n_rows, "
            f"horizon). Got shapes {shapes} instead."
        )
    first = next(iter(arrays.values()))
    if first.ndim not in (1, 2) or first.size == 0:
        raise ValueError(
            "The forecasts must be non-empty arrays of shape (n_rows,) or "
            f"(n_rows, horizon). Got shape {first.shape} instead."
        )
    return arrays.values()


def skill_score(y_true, y_pred, y_naive, *, force_finite=True):
    """Skill of a forecast over a reference: ``1 - MSE(y_pred) / MSE(y_naive)``.

    1 is a perfect forecast, 0 is as good as the reference (usually the naive
    last-value forecast), negative is worse. It is the ``score`` of every
    forecaster in this package.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,) or (n_rows, horizon)
        The values that happened.
    y_pred : array-like of the same shape
        The forecast to assess.
    y_naive : array-like of the same shape
        The reference forecast, e.g. ``y[t]`` repeated for row ``t``.
    force_finite : bool, default=True
        What to return when the reference is exact (``MSE(y_naive) == 0``), as
        in :func:`~sklearn.metrics.r2_score`: True gives 0.0 (no skill can be
        measured against an exact reference); False gives ``nan`` when
        ``y_pred`` is exact too and ``-inf`` otherwise.

    Returns
    -------
    score : float
        The skill score.

    See Also
    --------
    skill_scorer : The scorer for ``GridSearchCV``.

    Examples
    --------
    >>> from sklearn_rnn.metrics import skill_score
    >>> y_true = [[2.0, 3.0], [3.0, 4.0]]
    >>> y_naive = [[1.0, 1.0], [2.0, 2.0]]
    >>> skill_score(y_true, [[2.0, 2.0], [3.0, 3.0]], y_naive)
    0.8
    >>> skill_score(y_true, y_naive, y_naive)
    0.0
    """
    y_true, y_pred, y_naive = _check_same_shape(
        y_true=y_true, y_pred=y_pred, y_naive=y_naive
    )
    mse_pred = np.mean((y_true - y_pred) ** 2)
    mse_naive = np.mean((y_true - y_naive) ** 2)
    if mse_naive == 0:
        if force_finite:
            return 0.0
        return float("nan") if mse_pred == 0 else float("-inf")
    return float(1.0 - mse_pred / mse_naive)


def mean_absolute_scaled_error(y_true, y_pred, *, y_train, sp=1):
    """Mean absolute scaled error (MASE, Hyndman and Koehler 2006).

    The mean absolute error of the forecast divided by the in-sample mean
    absolute error of the seasonal naive forecast on ``y_train``,
    ``mean(|y_train[t] - y_train[t - sp]|)``. Below 1 means better than that
    naive forecast did in sample.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,) or (n_rows, horizon)
        The values that happened.
    y_pred : array-like of the same shape
        The forecast to assess.
    y_train : array-like of shape (n_timesteps,)
        The series the scale is computed on, usually the training series.
    sp : int, default=1
        Seasonal period of the naive forecast that gives the scale; 1 is the
        last-value forecast.

    Returns
    -------
    mase : float
        Non-negative; lower is better.

    References
    ----------
    .. [1] R. J. Hyndman and A. B. Koehler, "Another look at measures of
       forecast accuracy", International Journal of Forecasting 22(4), 2006.

    Examples
    --------
    >>> from sklearn_rnn.metrics import mean_absolute_scaled_error
    >>> y_train = [1.0, 3.0, 2.0, 4.0]
    >>> mean_absolute_scaled_error([5.0, 6.0], [4.0, 4.0], y_train=y_train)
    0.9...
    """
    y_true, y_pred = _check_same_shape(y_true=y_true, y_pred=y_pred)
    y_train = _finite_floats(y_train, "y_train")
    if y_train.ndim != 1:
        raise ValueError(
            f"y_train must be a 1-D series. Got shape {y_train.shape} instead."
        )
    check_positive_int(sp, "sp", "an int >= 1")
    if len(y_train) <= sp:
        raise ValueError(
            f"y_train needs more than sp={sp} values to compute the seasonal "
            f"naive scale. Got {len(y_train)} value(s) instead."
        )
    scale = np.mean(np.abs(y_train[sp:] - y_train[:-sp]))
    if not np.isfinite(scale) or scale == 0:
        raise ValueError(
            f"The in-sample naive mean absolute error of y_train (lag sp={sp}) "
            f"scales MASE and must be positive and finite. Got {scale} instead "
            f"(y_train repeats itself every sp={sp} steps, or overflows); use "
            "another metric."
        )
    return float(np.mean(np.abs(y_true - y_pred)) / scale)
