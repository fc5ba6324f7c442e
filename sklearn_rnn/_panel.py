"""Panels: many series in one container, split into single series and back.

A forecaster's ``X`` is one series or a panel of many. A panel is

- a pandas Series or DataFrame whose index is a two-level ``MultiIndex``
  (series id, time): sktime's ``pd-multiindex`` layout, and a neuralforecast
  long frame once indexed by ``["unique_id", "ds"]``;
- a list of single series, each a NumPy array or a pandas object (a list of
  plain lists or numbers stays one series, as before).

:func:`split_panel` checks a panel and cuts it into one single series per id
(each then validated like any series); :class:`Panel` puts per-series
results back into the input's layout: rows in the input's order for
``predict``, and a ``(series id, time)`` index (pandas) or an
``(n_series, horizon)`` array (lists) for ``forecast``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import operator
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["Panel", "is_panel", "split_panel"]

_SERIES_TYPES = (np.ndarray, pd.Series, pd.DataFrame)


def is_panel(X):
    """Whether ``X`` is a panel: a pandas MultiIndex, or a list of series objects."""
    if isinstance(X, (pd.Series, pd.DataFrame)):
        return isinstance(X.index, pd.MultiIndex)
    return (
        isinstance(X, list)
        and len(X) > 0
        and all(isinstance(series, _SERIES_TYPES) for series in X)
    )


class Panel:
    """A panel cut into its series, and the way back to the input's layout.

    Attributes
    ----------
    ids : list
        The series ids, in order of first appearance (list positions for a
        list panel).
    X : sequence
        Per series, a single series: a pandas object indexed by its time
        level (MultiIndex panels, cut from the input each time one is read)
        or the list's element.
    y : sequence of ndarray or None
        Per series, the target given to ``split_panel`` (None when not given).
    n_rows : int
        Rows of the input (all series together).
    """

    def __init__(self, ids, X, y, n_rows, names, frame=None, times=None,
                 order=None, bounds=None):
        self.ids = ids
        self.X = X
        self.y = y
        self.n_rows = n_rows
        self.names = names
        # MultiIndex panels: the input; its time level as (level, codes);
        # its rows in series order (None: they are already) and each
        # series' rows in that order, bounds[k]:bounds[k + 1].
        self._frame, self._times = frame, times
        self._order, self._bounds = order, bounds

    @property
    def is_list(self):
        return self._frame is None

    def _rows(self, k):
        """Rows of the input holding series ``k`` (MultiIndex panels)."""
        a, b = self._bounds[k], self._bounds[k + 1]
        return slice(a, b) if self._order is None else self._order[a:b]

    def time_index(self, k):
        """The time index of series ``k`` (None for a list's array)."""
        if self.is_list:
            return getattr(self.X[k], "index", None)
        level, codes = self._times
        index = level.take(codes[self._rows(k)]).rename(self.names[1])
        if isinstance(index, pd.DatetimeIndex) and len(index) > 2:
            index = _infer_freq(index)
        return index

    def _piece(self, k):
        """Series ``k`` of a MultiIndex panel, indexed by its time steps."""
        piece = self._frame.iloc[self._rows(k)]
        piece.index = self.time_index(k)
        return piece

    def stacked(self, y=None):
        """A MultiIndex panel's rows in series order, with a plain index.

        Returns ``(X, y, bounds)``: the input without its MultiIndex (no
        copy when its rows are in series order already), ``y`` as an array
        in the same order (None when not given), and series ``k``'s rows
        ``bounds[k]:bounds[k + 1]`` of them.
        """
        X = self._frame
        if y is not None:
            y = np.asarray(y)
        if self._order is not None:
            X = X.take(self._order)
            y = None if y is None else y[self._order]
        return X.set_axis(pd.RangeIndex(len(X))), y, self._bounds

    def __len__(self):
        return len(self.ids)

    def rows(self, values):
        """Per-series row outputs in the input's layout.

        ``values[k]`` has one row per row of series ``k``. A MultiIndex panel
        gets one array whose rows follow the input's rows; a list panel a
        list of arrays.
        """
        if self.is_list:
            return list(values)
        first = np.asarray(values[0])
        out = np.empty((self.n_rows, *first.shape[1:]), dtype=first.dtype)
        for k, value in enumerate(values):
            out[self._rows(k)] = value
        return out

    def forecasts(self, values, name=None):
        """Per-series forecasts in the input's layout.

        ``values[k]`` is series ``k``'s forecast: a pandas Series labelled
        with its time steps, or an array of ``horizon`` values. A list panel
        gets an ``(n_series, horizon)`` array; a MultiIndex panel a Series
        indexed by (series id, time), time being each series' next steps.
        """
        if self.is_list:
            return np.vstack([np.asarray(value, dtype=np.float64)
                              for value in values])
        steps = [
            value.index if isinstance(value, pd.Series)
            else _steps_after(self.time_index(k), len(value))
            for k, value in enumerate(values)
        ]
        index = pd.MultiIndex.from_arrays(
            [np.repeat(np.asarray(self.ids, dtype=object),
                       [len(step) for step in steps]),
             _concat_index(steps)],
            names=self.names,
        )
        data = np.concatenate([np.asarray(value, dtype=np.float64)
                               for value in values])
        return pd.Series(data, index=index, name=name)


    def check_dated(self, name="X"):
        """Raise unless the steps after each dated series are known.

        Two dates (or one) are too few for pandas to infer their frequency,
        and a panel's time level has no ``freq`` to set.
        """
        for k, series_id in enumerate(self.ids):
            index = self.time_index(k)
            if (isinstance(index, pd.DatetimeIndex) and index.freq is None
                    and len(index) < 3):
                raise ValueError(
                    f"Series {series_id!r} of {name} has {len(index)} date(s), "
                    "too few for pandas to infer their frequency, so the dates "
                    "of its forecast are unknown. Give it at least 3 rows, or "
                    "give the time level as periods, e.g. "
                    f"{name}.index.set_levels({name}.index.levels[1]"
                    ".to_period('D'), level=1). Got dates "
                    f"{list(index.astype(str))} instead."
                )


def _concat_index(indexes):
    first = indexes[0]
    return first.append(list(indexes[1:])) if len(indexes) > 1 else first


def _steps_after(index, n):
    """Integer labels of the ``n`` steps after an integer time index."""
    step = int(index[1] - index[0]) if len(index) > 1 else 1
    return pd.Index(int(index[-1]) + step * np.arange(1, n + 1), name=index.name)


def split_panel(X, y=None, *, name="X"):
    """Cut a panel into single series, with clear errors for what cannot be.

    Parameters
    ----------
    X : pandas object with a two-level MultiIndex, or list of series
        The panel (see the module docstring).
    y : pandas Series, array-like or list, default=None
        Targets aligned with ``X``: for a MultiIndex panel, a Series with the
        same index or an array with one value per row; for a list panel, a
        list with one 1-D array-like per series.
    name : str, default="X"
        The argument's name, for the messages.

    Returns
    -------
    panel : Panel

    Raises
    ------
    ValueError
        A MultiIndex without exactly two levels, a missing series id, time
        steps not sorted, repeated or unevenly spaced within a series, a time
        level that is not integers, dates or periods; an empty list or empty
        series, list elements with different columns; a ``y`` that does not
        line up with ``X``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_rnn._panel import split_panel
    >>> index = pd.MultiIndex.from_tuples(
    ...     [("a", 0), ("a", 1), ("b", 5), ("b", 6), ("b", 7)], names=["id", "t"])
    >>> panel = split_panel(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], index=index))
    >>> panel.ids, [len(series) for series in panel.X]
    (['a', 'b'], [2, 3])
    >>> panel.X[1].index
    Index([5, 6, 7], dtype='int64', name='t')
    """
    if isinstance(X, (pd.Series, pd.DataFrame)):
        return _split_multiindex(X, y, name)
    return _split_list(X, y, name)


def _split_multiindex(X, y, name):
    index = X.index
    if index.nlevels != 2:
        raise ValueError(
            f"{name} has a {index.nlevels}-level MultiIndex; a panel's index has "
            "two levels, (series id, time). Combine the id levels into one "
            f"first, e.g. with {name}.index.map(...). Got levels "
            f"{list(index.names)} instead."
        )
    n = len(X)
    if n == 0:
        raise ValueError(f"{name} is an empty panel (no rows). Got 0 rows instead.")
    ids, order, bounds = _series_rows(index, name)
    level, codes = index.levels[1], index.codes[1]
    _check_time_level(level, codes, name)
    _check_times_per_series(level, codes, order, bounds, ids, name)
    y_values = None
    if y is not None:
        if isinstance(y, (pd.Series, pd.DataFrame)):
            if not y.index.equals(index):
                raise ValueError(
                    f"y must be indexed like {name}, one value per (series id, "
                    "time) row. Got y with another index instead; align it with "
                    f"y.reindex({name}.index)."
                )
        y_values = np.asarray(y)
        if len(y_values) != n:
            raise ValueError(
                f"y must have one value per row of {name}: {name} has {n} rows "
                f"and y has {len(y_values)}. Got y of shape {y_values.shape} "
                "instead."
            )
    names = [index.names[0], index.names[1]]
    panel = Panel(ids, None, None, n, names, frame=X, times=(level, codes),
                  order=order, bounds=bounds)
    # Each series is cut when read: a pandas object (with its own index)
    # per series, all kept, would be a copy of the panel.
    panel.X = _Cut(len(ids), panel._piece)
    if y_values is not None:
        panel.y = _Cut(len(ids), lambda k: y_values[panel._rows(k)])
    return panel


def _series_rows(index, name):
    """The series ids in order of first appearance, the rows in series order
    (None when they are in it already) and each series' bounds in them.

    Read from the id level's codes: no array of every row's id is made, and
    a panel whose series are each one run of rows (the usual layout) needs
    no sorting.
    """
    codes = index.codes[0]
    if (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(
            f"{name}'s series id level has a missing value at row {row}; every "
            "row needs the id of its series. Got a NaN id instead."
        )
    # Runs of rows of one series; a series' first run is its first row.
    starts = np.concatenate(([0], np.flatnonzero(codes[1:] != codes[:-1]) + 1))
    run_codes = codes[starts]
    used, first_run = np.unique(run_codes, return_index=True)
    appearance = used[np.argsort(first_run, kind="stable")]
    ids = index.levels[0].take(appearance).tolist()
    if len(run_codes) == len(used):
        # One run per series, in order of appearance already.
        return ids, None, np.append(starts, len(codes))
    series = np.empty(len(index.levels[0]), dtype=np.int32)
    series[appearance] = np.arange(len(appearance), dtype=np.int32)
    series = series[codes]
    order = np.argsort(series, kind="stable")
    counts = np.bincount(series, minlength=len(ids))
    return ids, order, np.concatenate(([0], np.cumsum(counts)))


class _Cut(Sequence):
    """A sequence whose ``k``-th element is ``cut(k)``, made when read."""

    def __init__(self, n, cut):
        self._n, self._cut = n, cut

    def __len__(self):
        return self._n

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self._n))]
        k = operator.index(k)
        if k < 0:
            k += self._n
        if not 0 <= k < self._n:
            raise IndexError(f"series {k} out of range")
        return self._cut(k)


def _check_time_level(level, codes, name):
    ok = isinstance(level, (pd.DatetimeIndex, pd.PeriodIndex)) or (
        pd.api.types.is_integer_dtype(level.dtype))
    if not ok:
        raise ValueError(
            f"{name}'s second index level is the time of each row, so it must "
            "hold integers, dates (DatetimeIndex) or periods (PeriodIndex). "
            f"Got a level of dtype {level.dtype} instead; convert it, e.g. with "
            "pd.to_datetime."
        )
    if (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(
            f"{name}'s time level has a missing value at row {row}; every row "
            "needs the time of its step. Got a NaT time instead."
        )


def _check_times_per_series(level, codes, order, bounds, ids, name):
    """Sorted, unique and evenly spaced time steps within every series.

    ``level``, ``codes``: the time level; ``order``, ``bounds``: the rows
    of each series (see :func:`_series_rows`).
    """
    if isinstance(level, (pd.DatetimeIndex, pd.PeriodIndex)):
        values = level.asi8
    else:
        values = np.asarray(level, dtype=np.int64)
    rows = codes if order is None else codes[order]
    values = values[rows]  # each row's time, in series order
    n = len(values)

    def times(a, b):  # the time labels of rows a:b (in series order)
        return level.take(rows[a:b])

    def series_of(i):
        return ids[int(np.searchsorted(bounds, i, side="right")) - 1]

    # same[i]: rows i and i + 1 are of one series.
    same = np.ones(max(n - 1, 0), dtype=bool)
    same[bounds[1:-1] - 1] = False
    steps = np.diff(values)
    bad = np.flatnonzero(same & (steps <= 0))
    if bad.size:
        i = int(bad[0])
        what = "repeats" if steps[i] == 0 else "comes before"
        before, after = times(i, i + 2)
        raise ValueError(
            f"Series {series_of(i)!r} of {name} is not in time order: time "
            f"{after} {what} {before}. Sort the panel "
            f"with {name}.sort_index() and drop or aggregate repeated time "
            "steps. Got unsorted or repeated time steps instead."
        )
    if isinstance(level, pd.DatetimeIndex):
        # Calendar frequencies (months, years) are uneven in nanoseconds:
        # ask pandas for each series whose steps differ.
        for a, b in zip(bounds[:-1], bounds[1:]):
            if b - a > 2 and np.unique(steps[a:b - 1]).size > 1:
                dates = pd.DatetimeIndex(times(a, b))
                if _infer_freq(dates).freq is None:
                    _raise_gap(series_of(a), name, dates[:_first_off(dates)])
        return
    # Periods: every step is 1. Integers: every step of a series equals its
    # first, that is the step before it.
    if isinstance(level, pd.PeriodIndex):
        uneven = np.flatnonzero(same & (steps != 1))
    else:
        uneven = np.flatnonzero(same[1:] & same[:-1] & (steps[1:] != steps[:-1])) + 1
    if uneven.size:
        i = int(uneven[0])
        start = bounds[int(np.searchsorted(bounds, i, side="right")) - 1]
        _raise_gap(series_of(i), name, times(start, i + 2))


def _infer_freq(dates):
    """``dates`` with the frequency pandas infers (None when uneven)."""
    try:
        return pd.DatetimeIndex(dates, freq="infer")
    except ValueError:
        return pd.DatetimeIndex(dates, freq=None)


def _first_off(dates):
    """Stop of the first dates that keep the spacing of the first three."""
    freq = _infer_freq(dates[:3]).freq
    if freq is None:
        return 3
    expected = pd.date_range(dates[0], periods=len(dates), freq=freq)
    return int(np.flatnonzero(expected != dates)[0]) + 1


def _raise_gap(series_id, name, times):
    raise ValueError(
        f"Series {series_id!r} of {name} must have equally spaced time steps, "
        f"but has a gap or an uneven step ({times[-2]} -> {times[-1]}). Insert "
        "the missing steps and fill them (e.g. reindex, then .interpolate()). "
        "Got an irregular series instead."
    )


def _width(series):
    return 1 if series.ndim == 1 else series.shape[1]


def _split_list(X, y, name):
    if len(X) == 0:
        raise ValueError(
            f"{name} is an empty list; a panel needs at least one series. Got [] "
            "instead."
        )
    first = X[0]
    for k, series in enumerate(X):
        if not isinstance(series, _SERIES_TYPES):
            raise TypeError(
                f"{name} is a list of series, so each element must be a NumPy "
                "array or a pandas Series or DataFrame. Got element "
                f"{k} of type {type(series).__name__} instead."
            )
        if series.ndim not in (1, 2):
            raise ValueError(
                f"Series {k} of {name} must be 1-D (n_timesteps,) or 2-D "
                f"(n_timesteps, n_channels). Got shape {series.shape} instead."
            )
        if len(series) == 0:
            raise ValueError(
                f"Series {k} of {name} is empty; every series of a panel needs "
                "time steps. Drop it first. Got 0 rows instead."
            )
        if _width(series) != _width(first):
            raise ValueError(
                f"Every series of {name} must have the same columns: series 0 "
                f"has {_width(first)} and series {k} has {_width(series)}. Got "
                "mixed column sets instead."
            )
        if isinstance(series, pd.DataFrame) or isinstance(first, pd.DataFrame):
            columns = getattr(series, "columns", None)
            expected = getattr(first, "columns", None)
            if columns is None or expected is None or not columns.equals(expected):
                raise ValueError(
                    f"Every series of {name} must have the same columns: series "
                    f"0 has {_columns(first)} and series {k} has "
                    f"{_columns(series)}. Got mixed column sets instead."
                )
    y_pieces = None
    if y is not None:
        if not isinstance(y, list) or len(y) != len(X):
            raise ValueError(
                f"{name} is a list of {len(X)} series, so y must be a list of "
                f"{len(X)} target series, one per series. Got "
                f"{type(y).__name__}"
                f"{f' of length {len(y)}' if isinstance(y, list) else ''} "
                "instead."
            )
        y_pieces = []
        for k, (series, target) in enumerate(zip(X, y)):
            target = np.asarray(target)
            if len(target) != len(series):
                raise ValueError(
                    f"y[{k}] must have one value per time step of series {k} of "
                    f"{name} ({len(series)}). Got {len(target)} instead."
                )
            y_pieces.append(target)
    return Panel(list(range(len(X))), list(X), y_pieces,
                 sum(len(series) for series in X), None)


def _columns(series):
    columns = getattr(series, "columns", None)
    return list(columns) if columns is not None else f"{_width(series)} unnamed"
