"""Time-ordered splitters for panels (many series cut at the same times)."""

# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.model_selection import BaseCrossValidator, TimeSeriesSplit

from ._time_index import is_time_index

__all__ = ["PanelSplit"]


class PanelSplit(BaseCrossValidator):
    """Time-ordered folds that cut every series of a panel at the same times.

    :class:`~sklearn.model_selection.TimeSeriesSplit` over the distinct time
    points of a panel: fold ``i`` trains on every row (of every series) up to
    a cut-off time and tests on the rows of the next ``test_size`` time
    points. ``split`` yields row positions of ``X``, so scikit-learn's tools
    (:class:`~sklearn.model_selection.GridSearchCV`,
    :func:`~sklearn.model_selection.cross_val_score`) hand the forecaster
    ``X.iloc[train]``, itself a panel with every series cut at the same time,
    and score it on ``X.iloc[test]``, whose series continue their training
    parts. With two series and ``n_splits=2, test_size=2``::

        time          1  2  3  4  5  6  7  8
        series "a"    t  t  t  t  s  s  .  .      fold 0 (t: train, s: test)
        series "b"          t  t  s  s  .  .
        series "a"    t  t  t  t  t  t  s  s      fold 1
        series "b"          t  t  t  t  s  s

    On one series (an array, or a pandas object in time order) the folds are
    :class:`~sklearn.model_selection.TimeSeriesSplit`'s; an index without time
    (strings) counts rows, as ``TimeSeriesSplit`` does.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    max_train_size : int, default=None
        The most time points of a training part (a sliding window); None
        trains on all time points up to the cut-off.
    test_size : int, default=None
        Time points of each test part; None gives ``n_time_points //
        (n_splits + 1)``, as in ``TimeSeriesSplit``.
    gap : int, default=0
        Time points left out between each training part and its test part.
    min_train_size : int, default=None
        The fewest time steps a series needs before a fold's cut-off to be
        in that fold's training part; a series with fewer (one that starts
        just before the cut-off) is left out of it, its test rows kept (they
        are forecast as a series the model was not fit on). Give a
        forecaster's ``horizon + 1``, the steps it needs in every series it
        is fit on, when series start at different times. None keeps every
        series.

    See Also
    --------
    sklearn.model_selection.TimeSeriesSplit : The same folds for one series.
    sklearn_rnn.model_selection.backtest : Forecasts from each fold's end.

    Notes
    -----
    A series that starts after a cut-off has no training rows in that fold;
    one that ends before it has no test rows. The time points are those of
    the panel's second index level (integers, dates or periods), compared as
    values, so series of different lengths and start dates line up in
    calendar time. A forecaster needs ``horizon + 1`` training rows in every
    series it is fit on, so a series that starts just before a cut-off makes
    that fold's ``fit`` fail with an error naming it (and
    :class:`~sklearn.model_selection.GridSearchCV` scores the fold NaN for
    every candidate): set ``min_train_size=horizon + 1``, or start the
    folds later (``test_size``, ``n_splits``).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn_rnn.model_selection import PanelSplit
    >>> index = pd.MultiIndex.from_product([["a", "b"], range(6)], names=["id", "t"])
    >>> panel = pd.Series(np.arange(12.0), index=index)
    >>> for train, test in PanelSplit(n_splits=2, test_size=2).split(panel):
    ...     print(panel.index[test].tolist())
    [('a', 2), ('a', 3), ('b', 2), ('b', 3)]
    [('a', 4), ('a', 5), ('b', 4), ('b', 5)]
    """

    def __init__(self, n_splits=5, *, max_train_size=None, test_size=None, gap=0,
                 min_train_size=None):
        self.n_splits = n_splits
        self.max_train_size = max_train_size
        self.test_size = test_size
        self.gap = gap
        self.min_train_size = min_train_size

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds, ``n_splits``."""
        return self.n_splits

    def split(self, X, y=None, groups=None):
        """Row positions of each fold's training and test parts.

        Parameters
        ----------
        X : pandas object with a two-level MultiIndex (series id, time), or one
            series (pandas object or array-like of shape (n_timesteps, ...))
            The panel whose rows to split.
        y : ignored
        groups : ignored

        Yields
        ------
        train : ndarray of int
            Positions of the rows of the training part, in ``X``'s order.
        test : ndarray of int
            Positions of the rows of the test part, in ``X``'s order.
        """
        if not isinstance(self.n_splits, Integral) or self.n_splits < 2:
            raise ValueError(
                "PanelSplit needs n_splits >= 2, as TimeSeriesSplit does. Got "
                f"n_splits={self.n_splits!r} instead."
            )
        least = self.min_train_size
        if least is not None and (not isinstance(least, Integral)
                                  or isinstance(least, bool) or least < 1):
            raise ValueError(
                "PanelSplit's min_train_size is the fewest time steps a series "
                "needs in a training part, an int >= 1 or None. Got "
                f"min_train_size={least!r} instead."
            )
        codes, n_times = _time_codes(X)
        series = _series_codes(X)
        cuts = TimeSeriesSplit(
            self.n_splits, max_train_size=self.max_train_size,
            test_size=self.test_size, gap=self.gap,
        )
        for train, test in cuts.split(np.empty((n_times, 1))):
            rows = np.flatnonzero((codes >= train[0]) & (codes <= train[-1]))
            if least is not None:
                steps = np.bincount(series[rows], minlength=series.max() + 1)
                rows = rows[steps[series[rows]] >= least]
            yield rows, np.flatnonzero((codes >= test[0]) & (codes <= test[-1]))

    def _iter_test_indices(self, X=None, y=None, groups=None):
        for _, test in self.split(X, y, groups):
            yield test


def _series_codes(X):
    """Each row's series, numbered (all 0 for one series)."""
    index = getattr(X, "index", None)
    if isinstance(index, pd.MultiIndex):
        return pd.factorize(index.get_level_values(0))[0]
    return np.zeros(len(X), dtype=np.intp)


def _time_codes(X):
    """Each row's position among the distinct time points, and their number."""
    if isinstance(X, list):
        raise TypeError(
            "PanelSplit splits the rows of a panel with a MultiIndex (series id, "
            "time); a list of series cannot be cut at common times by row "
            "positions (scikit-learn's tools would pick whole series). Stack it "
            "into one, e.g. pd.concat(series_list, keys=ids). Got a list instead."
        )
    index = getattr(X, "index", None)
    if isinstance(index, pd.MultiIndex):
        if index.nlevels != 2:
            raise ValueError(
                f"PanelSplit needs a two-level MultiIndex (series id, time). Got "
                f"{index.nlevels} levels {list(index.names)} instead."
            )
        times = index.get_level_values(1)
        if not is_time_index(times):
            # Sorted as strings, "t10" would come before "t2": no time order.
            raise ValueError(
                "PanelSplit cuts a panel at common times, so the second index "
                "level must hold integers, dates or periods. Got a level "
                f"{index.names[1]!r} of dtype {times.dtype} instead; convert it, "
                "e.g. with pd.to_datetime."
            )
    elif index is not None and is_time_index(index):
        times = index
    else:
        # Labels without time (strings): the rows are in time order, as
        # TimeSeriesSplit reads them.
        times = pd.RangeIndex(len(X))
    codes, uniques = pd.factorize(times, sort=True)
    if (codes < 0).any():
        raise ValueError(
            "PanelSplit needs a time for every row. Got a missing time in X's "
            "index instead."
        )
    return codes, len(uniques)
