"""The index of a pandas series: regular time steps, and the steps after it.

A forecaster reads a pandas index three ways: it must be one regular series
(:func:`check_regular_index`), a forecast is labelled with the steps after
it (:func:`index_after`), and a series whose index starts one step after the
training index ends continues the training series (:func:`first_label_key`
compares the two without keeping pandas objects in a fitted estimator).
Integer indexes (``RangeIndex`` included) count steps; ``DatetimeIndex`` and
``PeriodIndex`` date them; other indexes are labels without time and are left
alone.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

__all__ = [
    "check_regular_index",
    "date_frequency",
    "first_label_key",
    "index_after",
    "is_time_index",
    "next_step_key",
]


def date_frequency(index):
    """The frequency of a DatetimeIndex: its ``freq``, else the inferred one.

    Like :func:`pandas.infer_freq`, the inference gives None for fewer than
    3 dates or uneven ones.
    """
    if index.freq is not None:
        return index.freq
    if len(index) < 3:
        return None
    return pd.DatetimeIndex(index, freq="infer").freq


def is_time_index(index):
    """Whether ``index`` counts or dates time steps (integer, dates, periods)."""
    return isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)) or (
        isinstance(index, pd.Index)
        and not isinstance(index, pd.MultiIndex)
        and pd.api.types.is_integer_dtype(index.dtype)
    )


def _integer_step(index):
    if isinstance(index, pd.RangeIndex):
        return index.step
    return int(index[1] - index[0]) if len(index) > 1 else 1


def _first_irregular_date(index):
    """``(position, freq)``: the first date off the spacing of the first dates.

    ``freq`` is the frequency of the first three dates (None when they are
    uneven already: then the third date is the first off).
    """
    first = date_frequency(index[:3])
    if first is not None:
        expected = pd.date_range(index[0], periods=len(index), freq=first)
        return int(np.flatnonzero(expected != index)[0]), first.freqstr
    return 2, None


def check_regular_index(index, name="X"):
    """Raise a ValueError unless ``index`` is one regular series of time steps.

    A ``MultiIndex`` is a panel (many series), not one series. An integer,
    ``DatetimeIndex`` or ``PeriodIndex`` must be sorted, unique and evenly
    spaced; the error names the first row at fault and the fix. Other
    indexes (strings, floats) are labels without time and pass.

    Parameters
    ----------
    index : pandas.Index or None
        The index of the series; None (non-pandas input) passes.
    name : str, default="X"
        The argument's name, for the message.
    """
    if index is None:
        return
    if isinstance(index, pd.MultiIndex):
        raise ValueError(
            f"{name} has a {index.nlevels}-level MultiIndex, the layout of a "
            "panel (many series, e.g. series id x time), where one series is "
            f"expected. Pass one series, e.g. {name}.xs(series_id). Got a "
            f"MultiIndex with levels {list(index.names)} instead."
        )
    if not is_time_index(index) or len(index) < 2:
        return
    if isinstance(index, pd.RangeIndex) and index.step > 0:
        return  # regular by construction; its values would be made to check
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        missing = np.flatnonzero(index.isna())
        if missing.size:
            raise ValueError(
                f"{name} must have a time for every row, but its "
                f"{type(index).__name__} has a missing time (NaT) at row "
                f"{missing[0]}. Drop that row or set its time. Got "
                f"{missing.size} missing time(s) instead."
            )
        values = index.asi8
    else:
        values = np.asarray(index, dtype=np.int64)
    steps = np.diff(values)
    bad = np.flatnonzero(steps <= 0)
    kind = type(index).__name__
    if bad.size:
        i = int(bad[0]) + 1
        what = "repeats" if steps[i - 1] == 0 else "comes before"
        raise ValueError(
            f"{name} must be one series in time order, but its {kind} is not "
            f"sorted and unique: row {i} ({index[i]}) {what} row {i - 1} "
            f"({index[i - 1]}). Sort it with {name}.sort_index() and drop or "
            "aggregate repeated time steps (e.g. "
            f"{name}.groupby(level=0).mean()). Got an index starting "
            f"{list(index[:3].astype(str))} instead."
        )
    if isinstance(index, pd.DatetimeIndex):
        if len(index) < 3 or date_frequency(index) is not None:
            return  # two sorted dates are evenly spaced
        i, freq = _first_irregular_date(index)
        fix = (f"{name}.asfreq('{freq}')" if freq is not None
               else f"{name}.asfreq(<frequency>) (e.g. 'D', 'MS')")
    else:
        step = 1 if isinstance(index, pd.PeriodIndex) else _integer_step(index)
        uneven = np.flatnonzero(steps != step)
        if not uneven.size:
            return
        i = int(uneven[0]) + 1
        if isinstance(index, pd.PeriodIndex):
            fix = f"{name}.asfreq('{index.freqstr}')"
        elif steps[i - 1] % step == 0:  # whole steps missing
            fix = f"{name}.reindex(range({index[0]}, {index[-1] + step}, {step}))"
        else:
            fix = f"{name}.reindex(<a range of one step>) (resampled)"
    raise ValueError(
        f"{name} must be one series of equally spaced time steps, but its "
        f"{kind} has a gap or an uneven step at row {i} ({index[i - 1]} -> "
        f"{index[i]}). Insert the missing steps with {fix} and fill them "
        "(e.g. .interpolate()). Got an irregular index instead."
    )


def index_after(index, n, name="X"):
    """The labels of the ``n`` time steps after ``index`` ends, or None.

    Dates continue a ``DatetimeIndex`` at its frequency (``freq``, else the
    inferred one), periods a ``PeriodIndex``, and numbers an integer index at
    its step (1 for a single label). Empty and non-time indexes give None.
    """
    if index is None or len(index) == 0 or not is_time_index(index):
        return None
    last = index[-1]
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(last + 1, periods=n, freq=index.freq, name=index.name)
    if isinstance(index, pd.DatetimeIndex):
        freq = date_frequency(index)
        if freq is None:
            raise ValueError(
                f"The time steps after {name} are unknown: its DatetimeIndex has "
                "no freq and pandas.infer_freq cannot infer one (it needs at "
                "least 3 equally spaced dates). Set it, e.g. "
                f"{name} = {name}.asfreq('MS'). Got an index ending in "
                f"{list(index[-3:].astype(str))} instead."
            )
        return pd.date_range(last, periods=n + 1, freq=freq, name=index.name)[1:]
    step = _integer_step(index)
    return pd.Index(int(last) + step * np.arange(1, n + 1), name=index.name)


def next_step_key(index):
    """:func:`first_label_key` of the step after ``index``; None when unknown."""
    if isinstance(index, pd.DatetimeIndex) and date_frequency(index) is None:
        return None
    return first_label_key(index_after(index, 1))


def first_label_key(index):
    """A plain-data key of ``index[0]``: equal keys mean the same time step.

    ``("datetime", tz, nanoseconds)``, ``("period", freq, ordinal)`` or
    ``("integer", value)``; None for an empty or non-time index. Plain data,
    so a fitted estimator keeps it through ``save``/``load``.
    """
    if index is None or len(index) == 0 or not is_time_index(index):
        return None
    first = index[0]
    if isinstance(index, pd.PeriodIndex):
        return ("period", index.freqstr, int(first.ordinal))
    if isinstance(index, pd.DatetimeIndex):
        return ("datetime", str(index.tz), int(first.value))
    return ("integer", int(first))
