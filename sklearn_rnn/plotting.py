"""Plots of forecasts, learning curves and cross-validation results.

matplotlib is an optional dependency (``pip install "sklearn-rnn[plot]"``),
imported when a function is first called, so ``import sklearn_rnn.plotting``
works without it. Every function draws on ``ax`` (a new figure when None) and
returns the matplotlib Axes, so plots can be combined and restyled.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

from ._time_index import index_after

__all__ = ["plot_backtest", "plot_cv_results", "plot_forecast", "plot_learning_curve"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "sklearn_rnn.plotting needs matplotlib, which is not installed. "
            'Install it with: pip install "sklearn-rnn[plot]" (or pip install '
            "matplotlib)."
        ) from exc
    return plt


def _axes(ax):
    if ax is None:
        _, ax = _pyplot().subplots()
    return ax


def _as_series(values, name):
    """``(series, indexed)``: a float Series, and whether ``values`` had an index.

    Array-likes get a RangeIndex and ``indexed=False``; pandas input keeps
    its own index.
    """
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ValueError(
                f"{name} must be one series. Got a DataFrame with "
                f"{values.shape[1]} columns instead."
            )
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series):
        if isinstance(values.index, pd.MultiIndex):
            raise ValueError(
                f"{name} must be one series; a (series id, time) MultiIndex is "
                "a panel, whose series would be drawn as one line. Plot one "
                f"series at a time, e.g. {name.split()[0]}.xs(series_id). Got a "
                f"Series with a {values.index.nlevels}-level MultiIndex instead."
            )
        return values.astype(np.float64), True
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 2 and 1 in array.shape:
        array = array.ravel()
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D, one value per time step. Got an array of "
            f"shape {array.shape} instead."
        )
    return pd.Series(array), False


def _interval_columns(values):
    """Split ``forecast(X, coverage=...)``'s DataFrame: ``(forecast, bands)``.

    ``bands`` lists ``(name, lower, upper)`` from the widest interval to the
    narrowest (empty for anything else, returned as it is).
    """
    if not (isinstance(values, pd.DataFrame) and "forecast" in values.columns):
        return values, []
    bands = []
    for column in values.columns:
        if column == "lower" or str(column).startswith("lower_"):
            suffix = str(column)[len("lower"):]
            upper = f"upper{suffix}"
            if upper not in values.columns:
                raise ValueError(
                    f"forecast has a column {column!r} but no {upper!r}. Pass "
                    "the DataFrame of forecast(X, coverage=...) as it is. Got "
                    f"columns {list(values.columns)} instead."
                )
            lower = values[column].to_numpy(np.float64)
            high = values[upper].to_numpy(np.float64)
            name = f"{100 * float(suffix[1:]):g}%" if suffix else "interval"
            bands.append((name, lower, high, np.mean(high - lower)))
    bands.sort(key=lambda band: -band[3])
    return values["forecast"], [band[:3] for band in bands]


def _index_after(past, n):
    """The ``n`` time positions after the series ``past`` (or 0..n-1)."""
    if past is None:
        return pd.RangeIndex(n)
    index = index_after(past.index, n, name="history")
    if index is not None:
        return index
    if pd.api.types.is_numeric_dtype(past.index.dtype):
        return pd.Index(np.asarray(past.index[-1]) + 1 + np.arange(n))
    return pd.RangeIndex(len(past), len(past) + n)  # labels without order


def plot_forecast(y, forecast, *, history=None, ax=None, title=None):
    """Plot forecasts against what happened, after the history they start from.

    Parameters
    ----------
    y : array-like or pandas.Series of shape (horizon,), or None
        The values that happened over the forecast period; None for a
        forecast of the unknown future.
    forecast : array-like, pandas.Series or DataFrame of shape (horizon,), or dict
        A forecast, e.g. ``estimator.forecast(X)``, or a dict mapping a label
        to a forecast to compare several. A DataFrame with a ``forecast``
        column and interval bounds (``estimator.forecast(X, coverage=...)``:
        ``lower``/``upper``, or ``lower_0.8``/``upper_0.8``, ... per coverage)
        is drawn as the forecast line with a shaded band per coverage.
    history : array-like or pandas.Series, default=None
        The series observed up to the forecast origin, drawn before it.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    title : str, default=None
        Title of the Axes.

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    Pandas objects are drawn at their index, so ``history`` and the output
    of ``forecast`` line up whatever index ``forecast`` gives: dates
    (``DatetimeIndex``), periods (``PeriodIndex``, drawn at each period's
    start) or integers. An array takes the time steps right after
    ``history`` (after its last date, period or number), or ``0 ... horizon
    - 1`` without a history; a forecast array takes the positions of ``y``
    when ``y`` is given.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_rnn import NaiveForecaster
    >>> from sklearn_rnn.datasets import load_airline
    >>> from sklearn_rnn.plotting import plot_forecast
    >>> y = load_airline()
    >>> train, test = y[:-12], y[-12:]
    >>> naive = NaiveForecaster(strategy="seasonal", sp=12, horizon=12).fit(train)
    >>> ax = plot_forecast(test, {"seasonal naive": naive.forecast(train)},
    ...                    history=train[-36:])
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['history', 'actual', 'seasonal naive']
    """
    forecasts = forecast if isinstance(forecast, dict) else {"forecast": forecast}
    if not forecasts:
        raise ValueError("forecast must hold at least one forecast. Got {} instead.")
    past = None
    if history is not None:
        past, _ = _as_series(history, "history")
    truth = None
    if y is not None:
        truth, indexed = _as_series(y, "y")
        if not indexed:
            truth.index = _index_after(past, len(truth))
    series = {}
    bands = {}
    for label, values in forecasts.items():
        values, bands[str(label)] = _interval_columns(values)
        values, indexed = _as_series(values, f"forecast {label!r}")
        if not indexed:
            if truth is not None and len(values) != len(truth):
                raise ValueError(
                    f"forecast {label!r} must have one value per value of y "
                    f"({len(truth)}). Got {len(values)} values instead."
                )
            values.index = (truth.index if truth is not None
                            else _index_after(past, len(values)))
        series[str(label)] = values
    ax = _axes(ax)
    if past is not None:
        ax.plot(_time_axis(past.index), past.to_numpy(), color="0.45",
                label="history")
    if truth is not None:
        ax.plot(_time_axis(truth.index), truth.to_numpy(), color="black",
                linewidth=2,
                label="actual")
    for label, values in series.items():
        (line,) = ax.plot(_time_axis(values.index), values.to_numpy(),
                          marker=".", label=label)
        # Widest band first, each lighter than the one inside it.
        for i, (name, lower, upper) in enumerate(bands[label]):
            ax.fill_between(_time_axis(values.index), lower, upper,
                            color=line.get_color(), alpha=0.15 + 0.1 * i,
                            linewidth=0, label=f"{label} {name}")
    if past is not None:
        ax.axvline(_time_axis(past.index)[-1], color="0.7", linestyle=":",
                   linewidth=1)
    ax.set_xlabel("time")
    ax.legend(loc="upper left")
    if title is not None:
        ax.set_title(title)
    return ax


def _history_rows(estimator_or_history):
    history = getattr(estimator_or_history, "history_", estimator_or_history)
    try:
        rows = list(history)
    except TypeError:
        rows = []
    if not rows or not all(isinstance(row, dict) for row in rows):
        raise TypeError(
            "plot_learning_curve needs a fitted recurrent estimator or its "
            "history_ (a skorch History: one dict per epoch). Got "
            f"{type(estimator_or_history).__name__} instead."
        )
    return rows


def plot_learning_curve(estimator, *, ax=None, log_scale=True, grad_norm=True):
    """Plot training and validation loss per epoch, and the gradient norm.

    Parameters
    ----------
    estimator : fitted recurrent estimator or skorch History
        Anything with a ``history_`` attribute, or the history itself.
    ax : matplotlib Axes, default=None
        Where to draw the losses; a new figure when None. The gradient norm
        goes on a twin Axes with its own scale on the right.
    log_scale : bool, default=True
        Logarithmic loss (and gradient norm) axes.
    grad_norm : bool, default=True
        Also draw the mean gradient norm of each epoch (before clipping), when
        the history has it.

    Returns
    -------
    ax : matplotlib Axes
        The Axes of the losses.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_rnn import GRUForecaster
    >>> from sklearn_rnn.datasets import load_airline
    >>> from sklearn_rnn.plotting import plot_learning_curve
    >>> model = GRUForecaster(max_epochs=3, hidden_size=8, random_state=0)
    >>> ax = plot_learning_curve(model.fit(load_airline()))
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['train_loss', 'valid_loss', 'grad_norm']
    """
    rows = _history_rows(estimator)
    ax = _axes(ax)
    epochs = np.array([row.get("epoch", i + 1) for i, row in enumerate(rows)])

    def column(key):
        return np.array([row.get(key, np.nan) for row in rows], dtype=np.float64)

    handles = []
    for key, style in (("train_loss", "-"), ("valid_loss", "-")):
        values = column(key)
        if np.isfinite(values).any():
            handles += ax.plot(epochs, values, style, marker=".", label=key)
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    best = getattr(estimator, "best_epoch_", None)
    if best:
        ax.axvline(best, color="0.6", linestyle=":", linewidth=1)
    if grad_norm:
        norms = column("grad_norm")
        if np.isfinite(norms).any():
            twin = ax.twinx()
            handles += twin.plot(epochs, norms, "--", color="tab:red", alpha=0.7,
                                 label="grad_norm")
            if log_scale:
                twin.set_yscale("log")
            twin.set_ylabel("gradient norm (before clipping)")
    ax.legend(handles=handles, loc="upper right")
    return ax


def _param_column(cv_results, param):
    keys = [key for key in cv_results if key.startswith("param_")]
    names = [key[len("param_"):] for key in keys]
    if param in names:
        return f"param_{param}"
    matches = [name for name in names if name.endswith(f"__{param}")]
    if len(matches) == 1:
        return f"param_{matches[0]}"
    raise ValueError(
        f"param must name a searched parameter, one of {names}. Got "
        f"param={param!r} instead."
    )


def plot_cv_results(cv_results, param="cell", *, score="test_score", ax=None):
    """Compare the values of one parameter across a search's candidates.

    For each value of ``param``, a bar shows the best candidate's mean
    cross-validated score with its standard deviation across folds, and dots
    show every other candidate with that value (the other parameters vary).

    Parameters
    ----------
    cv_results : dict or fitted search
        A ``cv_results_`` dict of :class:`~sklearn.model_selection.GridSearchCV`
        or :class:`~sklearn.model_selection.RandomizedSearchCV`, or the search.
    param : str, default="cell"
        The parameter to compare. A name without its pipeline prefix
        (``"cell"`` for ``"gru__cell"``) is found when it is unambiguous.
    score : str, default="test_score"
        The score: ``"test_score"``, ``"train_score"`` (with
        ``return_train_score=True``) or ``"test_<name>"`` for multi-metric
        searches.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_rnn.plotting import plot_cv_results
    >>> cv_results = {
    ...     "param_cell": ["rnn", "gru", "rnn", "gru"],
    ...     "param_hidden_size": [8, 8, 16, 16],
    ...     "mean_test_score": [0.2, 0.5, 0.3, 0.6],
    ...     "std_test_score": [0.05, 0.04, 0.05, 0.03],
    ... }
    >>> ax = plot_cv_results(cv_results, param="cell")
    >>> [tick.get_text() for tick in ax.get_xticklabels()]
    ['rnn', 'gru']
    """
    results = getattr(cv_results, "cv_results_", cv_results)
    if not isinstance(results, dict):
        raise TypeError(
            "cv_results must be a search's cv_results_ dict or a fitted search. "
            f"Got {type(cv_results).__name__} instead."
        )
    column = _param_column(results, param)
    mean_key, std_key = f"mean_{score}", f"std_{score}"
    if mean_key not in results:
        scores = sorted(key[len("mean_"):] for key in results
                        if key.startswith("mean_") and "time" not in key)
        raise ValueError(
            f"score must be one of {scores}. Got score={score!r} instead."
        )
    values = list(results[column])
    means = np.asarray(results[mean_key], dtype=np.float64)
    stds = np.asarray(results.get(std_key, np.zeros_like(means)), dtype=np.float64)
    # First-seen order keeps the order of the grid.
    levels = list(dict.fromkeys(str(value) for value in values))
    labels = np.array([str(value) for value in values])
    ax = _axes(ax)
    for i, level in enumerate(levels):
        rows = np.flatnonzero(labels == level)
        rows = rows[np.isfinite(means[rows])]
        if rows.size == 0:
            continue
        best = rows[np.argmax(means[rows])]
        ax.bar(i, means[best], yerr=stds[best], color=f"C{i % 10}", alpha=0.6,
               capsize=4)
        others = rows[rows != best]
        ax.plot(np.full(others.size, i), means[others], "o", color="black",
                markersize=4)
    ax.set_xticks(range(len(levels)), levels)
    ax.set_xlabel(column[len("param_"):])
    ax.set_ylabel(f"mean {score.replace('_', ' ')}")
    ax.axhline(0, color="0.5", linewidth=0.8)
    return ax


def _time_axis(index):
    """Positions matplotlib can draw: periods become their start timestamps."""
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp()
    return index


def plot_backtest(result, y=None, *, ax=None, title=None):
    """Plot a backtest: each origin's forecast over the series it forecast.

    Parameters
    ----------
    result : pandas.DataFrame
        The output of :func:`sklearn_rnn.model_selection.backtest`.
    y : pandas.Series or array-like of shape (n_timesteps,), default=None
        The series that was backtested, drawn in full; None draws only the
        actual values over the forecast steps.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    title : str, default=None
        Title of the Axes.

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    Each forecast is drawn at the index of the backtest's output (``y``'s
    labels, or positions for arrays), with a dotted line at its cutoff, the
    last time step it was forecast from. A ``PeriodIndex`` is drawn at the
    start of each period.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_rnn import NaiveForecaster
    >>> from sklearn_rnn.datasets import load_airline
    >>> from sklearn_rnn.model_selection import backtest
    >>> from sklearn_rnn.plotting import plot_backtest
    >>> y = load_airline()
    >>> naive = NaiveForecaster(strategy="seasonal", sp=12, horizon=12)
    >>> ax = plot_backtest(backtest(naive, y, cv=3), y)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['actual', 'from 1957-12-01', 'from 1958-12-01', 'from 1959-12-01']
    """
    columns = ("cutoff", "forecast", "actual")
    if not isinstance(result, pd.DataFrame) or not set(columns) <= set(result):
        raise TypeError(
            "result must be the DataFrame that sklearn_rnn.model_selection."
            f"backtest returns, with columns {list(columns)}. Got "
            f"{type(result).__name__} instead."
        )
    if result.empty:
        raise ValueError("result has no origins to plot. Got an empty DataFrame.")
    if isinstance(result.index, pd.MultiIndex):
        raise ValueError(
            "result must be the backtest of one series. Got a panel's backtest, "
            f"indexed by {list(result.index.names)}, instead; plot one series at "
            "a time: plot_backtest(result.xs(series_id, level=\"series\"), "
            "y.xs(series_id))."
        )
    ax = _axes(ax)
    if y is not None:
        truth, _ = _as_series(y, "y")
        ax.plot(_time_axis(truth.index), truth.to_numpy(), color="black",
                linewidth=1.5, label="actual")
    else:
        for i, actual in enumerate(result["actual"]):
            ax.plot(_time_axis(actual.index), actual.to_numpy(), color="black",
                    linewidth=1.5, label="actual" if i == 0 else "_actual")
    for i, (cutoff, forecast) in enumerate(zip(result["cutoff"], result["forecast"])):
        if isinstance(cutoff, pd.Period):
            label, line_at = str(cutoff), cutoff.to_timestamp()
        elif isinstance(cutoff, pd.Timestamp):
            label, line_at = str(cutoff.date()), cutoff
        else:
            label, line_at = str(cutoff), cutoff
        color = f"C{i % 10}"
        ax.plot(_time_axis(forecast.index), forecast.to_numpy(), marker=".",
                color=color, label=f"from {label}")
        ax.axvline(line_at, color=color, linestyle=":", linewidth=1)
    ax.set_xlabel("time")
    ax.legend(loc="upper left")
    if title is not None:
        ax.set_title(title)
    return ax
