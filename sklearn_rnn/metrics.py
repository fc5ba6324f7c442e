"""Forecast metrics and scorers for model selection.

Which scorer to use
-------------------
Row ``t`` of a forecaster's ``predict(X)`` forecasts ``y[t]`` (``horizon=1``)
or ``y[t] ... y[t+horizon-1]`` from the rows before ``t``.

- ``horizon=1``: any scikit-learn regression scorer (``"r2"``,
  ``"neg_mean_absolute_error"``, ...) compares each one-step forecast with
  the value it forecasts. It also scores row 0, whose forecast has no history
  (the training mean) unless ``X`` is a pandas object that continues the
  training series (then the training end is its history).
- Any ``horizon``: the scorers here (:func:`make_forecast_scorer`,
  :data:`skill_scorer`) score every step of every row that has history and
  whose whole horizon is in the test data. scikit-learn's scorers refuse
  ``horizon > 1`` (a shape error), never a misaligned number.

With :class:`~sklearn.model_selection.TimeSeriesSplit` on a pandas series,
each test fold continues its training fold, so its first rows are forecast
from the end of the training fold: true out-of-sample forecasts. A NumPy
array has no index to tell, so a test fold starts from an empty history.

Intervals: :func:`interval_coverage`, :func:`mean_interval_width` and
:func:`interval_score` take ``(y_true, lower, upper)``;
:func:`make_interval_scorer` and :data:`interval_scorer` score a
forecaster's conformal intervals on the same rows as the scorers above.
"""

# SPDX-License-Identifier: BSD-3-Clause

from ._intervals import (
    interval_coverage,
    interval_score,
    interval_scorer,
    make_interval_scorer,
    mean_interval_width,
)
from ._metrics import mean_absolute_scaled_error, skill_score
from ._series import make_forecast_scorer, skill_scorer

__all__ = [
    "interval_coverage",
    "interval_score",
    "interval_scorer",
    "make_forecast_scorer",
    "make_interval_scorer",
    "mean_absolute_scaled_error",
    "mean_interval_width",
    "skill_score",
    "skill_scorer",
]
