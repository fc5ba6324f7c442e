"""Model selection for forecasters: backtests over forecast origins.

:func:`backtest` fits a forecaster at the end of each training fold and
forecasts its whole horizon from there, returning one row per origin with the
forecast, what happened and the metrics. For hyperparameter search, the
forecasters work with scikit-learn's own
:class:`~sklearn.model_selection.GridSearchCV` and
:class:`~sklearn.model_selection.TimeSeriesSplit`.
"""

# SPDX-License-Identifier: BSD-3-Clause

from ._backtest import backtest

__all__ = ["backtest"]
