"""Model selection for forecasters: backtests and panel splitters.

:func:`backtest` fits a forecaster at the end of each training fold and
forecasts its whole horizon from there, returning one row per origin with the
forecast, what happened and the metrics. For hyperparameter search, the
forecasters work with scikit-learn's own
:class:`~sklearn.model_selection.GridSearchCV` and
:class:`~sklearn.model_selection.TimeSeriesSplit`, and :class:`PanelSplit`
gives the same time-ordered folds over a panel of many series.
"""

# SPDX-License-Identifier: BSD-3-Clause

from ._backtest import backtest
from ._splitters import PanelSplit

__all__ = ["PanelSplit", "backtest"]
