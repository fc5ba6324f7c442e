"""Command-line demo: recurrent forecasters against the naive forecast.

``python -m sklearn_rnn`` (or the ``sklearn-rnn`` console script)
cross-validates :class:`~sklearn_rnn.NaiveForecaster` and the recurrent
forecasters on a series with rolling forecast origins: each fold trains on
everything before its origin and forecasts the next ``horizon`` steps from
it, the way a forecast is used (:func:`sklearn_rnn.model_selection.backtest`
does each fold). It prints a table of scores and writes a PNG of the last
fold's forecasts. ``python -m sklearn_rnn --help`` lists the
options.
"""

import argparse
import os
import sys
import textwrap
import time

import numpy as np
import pandas as pd

EXIT_USAGE = 2
# The reference of the skill column.
NAIVE_LAST = "naive (last value)"
# The model whose conformal intervals the plot shades, and their coverages.
BAND_MODEL = "GRUForecaster cell=gru"
BAND_COVERAGES = [0.8, 0.9]


class DemoError(Exception):
    """A problem with the user's input, reported without a traceback."""


def _parser():
    parser = argparse.ArgumentParser(
        prog="sklearn-rnn",
        description=(
            "Cross-validate recurrent forecasters (GRU, LSTM and simple RNN "
            "cells, and a ConvGRU) against naive forecasts with rolling "
            "forecast origins: each fold trains on the series up to its origin "
            "and forecasts the next HORIZON steps. Prints a table of scores "
            "and writes a plot of the last fold. Without --csv, uses the "
            "monthly airline passengers series shipped with the package."
        ),
    )
    data = parser.add_argument_group("data")
    data.add_argument("--csv", metavar="FILE",
                      help="a CSV file with one row per time step, in time order")
    data.add_argument("--column", metavar="NAME",
                      help="the CSV column to forecast (default: the only "
                           "numeric column)")
    model = parser.add_argument_group("evaluation")
    model.add_argument("--horizon", type=int, default=12, metavar="H",
                       help="steps ahead to forecast (default: 12)")
    model.add_argument("--window", type=int, default=24, metavar="W",
                       help="steps of history each network sees (default: 24)")
    model.add_argument("--folds", type=int, default=3, metavar="K",
                       help="forecast origins, one horizon apart, ending "
                            "HORIZON steps before the end (default: 3; 1 "
                            "with --quick)")
    model.add_argument("--sp", type=int, default=12, metavar="P",
                       help="seasonal period of the seasonal naive forecast "
                            "and of MASE's scale (default: 12, monthly data)")
    model.add_argument("--epochs", type=int, default=None, metavar="N",
                       help="training epochs per network (default: 100; 30 "
                            "with --quick)")
    model.add_argument("--seed", type=int, default=0,
                       help="random seed of the networks (default: 0)")
    model.add_argument("--quick", action="store_true",
                       help="one fold and fewer epochs: a run of seconds")
    parser.add_argument("--output", metavar="PNG", default="sklearn_rnn_forecast.png",
                        help="where to write the plot of the last fold "
                             "(default: %(default)s)")
    return parser


def _check_options(args):
    for name in ("horizon", "window", "folds", "sp", "epochs"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise DemoError(f"--{name} must be at least 1. Got {value} instead.")
    if args.column is not None and args.csv is None:
        raise DemoError("--column names a column of --csv FILE; pass --csv too.")
    directory = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(directory):
        raise DemoError(
            f"--output {args.output!r}: the folder {directory!r} does not exist."
        )


def load_series(csv=None, column=None):
    """The series to forecast and a one-line description of it.

    Parameters
    ----------
    csv : str or None
        Path of a CSV file; None loads the bundled airline series.
    column : str or None
        The column of the CSV file to forecast; None takes the only numeric
        column.

    Returns
    -------
    series : pandas.Series
        Float values; a monthly, daily... ``DatetimeIndex`` when the file's
        first column holds dates (which must be equally spaced), else a
        ``RangeIndex``.
    description : str
    """
    if csv is None:
        from sklearn_rnn.datasets import load_airline

        series = load_airline()
        return series, "airline passengers (thousands, monthly, bundled)"
    if not os.path.exists(csv):
        raise DemoError(f"--csv {csv!r}: no such file.")
    if os.path.isdir(csv):
        raise DemoError(f"--csv {csv!r} is a folder, not a CSV file.")
    try:
        frame = pd.read_csv(csv)
    except (pd.errors.EmptyDataError, pd.errors.ParserError,
            UnicodeDecodeError) as exc:
        raise DemoError(f"--csv {csv!r} could not be read as CSV: {exc}") from None
    if frame.shape[0] == 0:
        raise DemoError(f"--csv {csv!r} has a header but no rows.")
    columns = [str(name) for name in frame.columns]
    frame.columns = columns
    if column is None:
        numeric = [name for name in columns
                   if pd.api.types.is_numeric_dtype(frame[name])]
        if len(numeric) != 1:
            raise DemoError(
                f"--csv {csv!r} has {len(numeric)} numeric columns "
                f"({numeric}); choose one with --column. Columns: {columns}."
            )
        column = numeric[0]
    if column not in columns:
        raise DemoError(
            f"--column {column!r} is not a column of {csv!r}. Columns: {columns}."
        )
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DemoError(
            f"--column {column!r} of {csv!r} is not numeric: row {row + 1} holds "
            f"{frame[column].iloc[row]!r}. Pick a numeric column."
        )
    if values.isna().any():
        raise DemoError(
            f"--column {column!r} of {csv!r} has {int(values.isna().sum())} "
            "missing value(s); the forecasters need one value per time step. "
            "Fill them (e.g. interpolate) first."
        )
    infinite = np.flatnonzero(~np.isfinite(values.to_numpy(np.float64)))
    if infinite.size:
        raise DemoError(
            f"--column {column!r} of {csv!r} must hold finite numbers. Got "
            f"{values.iloc[infinite[0]]} at row {infinite[0] + 1} instead "
            f"({infinite.size} infinite value(s)); replace them first."
        )
    series = pd.Series(values.to_numpy(np.float64), name=column)
    index = _date_index(frame, column, csv)
    if index is not None:
        series.index = index
    return series, f"column {column!r} of {csv}"


def _date_index(frame, column, csv):
    """The dates of the first column, equally spaced; None when it holds none.

    Dates with gaps, repeats or out of order are a DemoError: read in row
    order, they would be forecast as if they were equally spaced.
    """
    from sklearn_rnn._time_index import _first_irregular_date, date_frequency

    first = frame.columns[0]
    if first == column or pd.api.types.is_numeric_dtype(frame[first]):
        return None
    try:
        dates = pd.DatetimeIndex(pd.to_datetime(frame[first], format="mixed"))
    except (ValueError, TypeError):
        return None
    if dates.hasnans:
        row = int(np.flatnonzero(dates.isna())[0])
        problem = f"row {row + 1} has no date"
    elif (np.diff(dates.asi8) <= 0).any():
        row = int(np.flatnonzero(np.diff(dates.asi8) <= 0)[0]) + 1
        problem = (f"row {row + 1} ({dates[row]}) does not come after row "
                   f"{row} ({dates[row - 1]})")
    elif len(dates) > 2 and date_frequency(dates) is None:
        row, _ = _first_irregular_date(dates)
        problem = (f"rows {row} and {row + 1} ({dates[row - 1]} -> "
                   f"{dates[row]}) are not spaced like the rows before")
    else:
        # Two dates give no frequency to date the forecasts with.
        return None if len(dates) < 3 else pd.DatetimeIndex(
            dates, freq=date_frequency(dates))
    raise DemoError(
        f"--csv {csv!r}: the first column {first!r} holds the dates of the "
        "rows, which must be equally spaced and in order (the forecasters "
        f"read one row per time step), but {problem}. Fill in the missing "
        "steps, sort or aggregate the rows, or drop the column to forecast "
        "the rows in their order."
    )


def _models(args, epochs):
    from sklearn_rnn import ConvGRUForecaster, GRUForecaster, NaiveForecaster

    common = {"window": args.window, "horizon": args.horizon,
              "max_epochs": epochs, "random_state": args.seed}
    return {
        NAIVE_LAST: NaiveForecaster(strategy="last", horizon=args.horizon),
        f"naive (seasonal, sp={args.sp})": NaiveForecaster(
            strategy="seasonal", sp=args.sp, horizon=args.horizon),
        "GRUForecaster cell=gru": GRUForecaster(cell="gru", **common),
        "GRUForecaster cell=lstm": GRUForecaster(cell="lstm", **common),
        "GRUForecaster cell=rnn": GRUForecaster(cell="rnn", **common),
        "ConvGRUForecaster": ConvGRUForecaster(**common),
    }


def _label(index, position):
    if isinstance(index, pd.DatetimeIndex):
        return str(index[position].date())
    return f"row {position}"


def _seasonal_mase(sp):
    """MASE scaled by the lag-``sp`` naive error, lag 1 on too short a history."""
    from sklearn_rnn.metrics import mean_absolute_scaled_error

    def mase(y_true, y_pred, *, y_train):
        return mean_absolute_scaled_error(
            y_true, y_pred, y_train=y_train, sp=sp if len(y_train) > sp else 1)

    return mase


def cross_validate(series, models, *, horizon, folds, sp, out=None):
    """Rolling-origin backtests of every model, with progress on ``out``.

    Fold ``k`` trains a clone of each model on ``series[:origin_k]`` and
    forecasts ``series[origin_k : origin_k + horizon]`` with
    ``forecast(series[:origin_k])``, through
    :func:`~sklearn_rnn.model_selection.backtest`. The origins are ``horizon``
    apart and the last test set ends the series, as with ``backtest(...,
    cv=folds)``. Each fit is one backtest of one fold, so that progress is
    printed fit by fit, fold after fold.

    Returns
    -------
    results : dict
        ``results[name]`` is the model's backtest: one row per fold with its
        ``forecast``, ``actual``, ``fit_time``, ``MAE`` and ``MASE`` (scaled by
        the lag-``sp`` naive error of the training part).
    """
    from sklearn.base import clone

    from sklearn_rnn._callbacks import EpochProgress
    from sklearn_rnn.model_selection import backtest

    out = sys.stdout if out is None else out
    live = bool(getattr(out, "isatty", lambda: False)())
    n = len(series)
    scoring = {"MAE": "MAE", "MASE": _seasonal_mase(sp)}
    # backtest(..., cv=folds) makes these splits; one at a time here.
    splits = [(np.arange(origin), np.arange(origin, origin + horizon))
              for origin in range(n - folds * horizon, n, horizon)]
    rows = {name: [] for name in models}
    n_fits = len(splits) * len(models)
    done = 0
    width = len(str(n_fits))
    for fold, (train_rows, test_rows) in enumerate(splits, start=1):
        out.write(
            f"fold {fold}/{len(splits)}: train on {len(train_rows)} values up to "
            f"{_label(series.index, train_rows[-1])}, forecast "
            f"{_label(series.index, test_rows[0])} to "
            f"{_label(series.index, test_rows[-1])}\n")
        for name, model in models.items():
            done += 1
            prefix = f"  [{done:>{width}}/{n_fits}] {name}"
            recurrent = "max_epochs" in model.get_params()
            if recurrent and live:
                model = clone(model).set_params(callbacks=[
                    ("progress", EpochProgress(live=True, label=prefix))])
            row = backtest(model, series, cv=[(train_rows, test_rows)],
                           scoring=scoring)
            if recurrent and live:
                # Replace the finished epoch line (cursor up, clear line).
                out.write("\033[F\033[K")
            out.write(f"{prefix}: MAE {row['MAE'].iloc[0]:.4g}, "
                      f"fit {row['fit_time'].iloc[0]:.1f} s\n")
            out.flush()
            rows[name].append(row)
    return {name: pd.concat(frames, ignore_index=True).rename_axis("fold")
            for name, frames in rows.items()}


def score_table(results):
    """One row of scores per model, pooled over folds, as a DataFrame."""
    from sklearn_rnn.metrics import skill_score

    def stacked(result, column):
        return np.array([np.asarray(values) for values in result[column]])

    first = next(iter(results.values()))
    truth = stacked(first, "actual")
    naive_last = stacked(results[NAIVE_LAST], "forecast")
    seasonal = next(name for name in results if name.startswith("naive (seasonal"))
    naive_seasonal = stacked(results[seasonal], "forecast")
    rows = {}
    for name, result in results.items():
        forecasts = stacked(result, "forecast")
        rows[name] = {
            "skill": skill_score(truth, forecasts, naive_last),
            "skill vs seasonal": skill_score(truth, forecasts, naive_seasonal),
            # Every fold has horizon steps: the mean over folds is the pooled MAE.
            "MAE": float(result["MAE"].mean()),
            "MASE": float(result["MASE"].mean()),
            "fit s": float(result["fit_time"].sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def format_table(table):
    """The score table as aligned text."""
    formats = {"skill": "{:.3f}", "skill vs seasonal": "{:.3f}", "MAE": "{:.2f}",
               "MASE": "{:.3f}", "fit s": "{:.1f}"}
    header = ["model", *table.columns]
    lines = [[name, *(formats[c].format(row[c]) for c in table.columns)]
             for name, row in table.iterrows()]
    widths = [max(len(str(cells[i])) for cells in [header, *lines])
              for i in range(len(header))]

    def render(cells):
        return "  ".join([str(cells[0]).ljust(widths[0]),
                          *(str(c).rjust(w) for c, w in zip(cells[1:], widths[1:]))])

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([render(header), rule, *(render(cells) for cells in lines)])


def save_plot(series, results, path, *, horizon, models=None):
    """Write the last fold's forecasts against the truth to ``path``.

    With ``models``, ``models[BAND_MODEL]`` is fit again on the last fold's
    training part (the same seed, so the same forecast) and drawn with its
    conformal intervals (``forecast(..., coverage=BAND_COVERAGES)``), shaded.
    Returns None on success, or a note saying why no plot (or no band) was
    drawn.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return ('no plot written: matplotlib is not installed (pip install '
                '"sklearn-rnn[plot]" to get it).')
    from sklearn_rnn.plotting import plot_forecast

    last = {name: result["forecast"].iloc[-1] for name, result in results.items()
            if name != NAIVE_LAST}
    n_train = int(next(iter(results.values()))["train_size"].iloc[-1])
    train = series.iloc[:n_train]
    truth = series.iloc[n_train: n_train + horizon]
    note = None
    if models is not None and BAND_MODEL in models:
        from sklearn.base import clone

        model = clone(models[BAND_MODEL]).fit(train)
        try:
            last[BAND_MODEL] = model.forecast(train, coverage=BAND_COVERAGES)
        except ValueError as exc:  # e.g. too few validation rows to calibrate
            note = f"wrote {path} without the intervals of {BAND_MODEL}: {exc}"
    figure = Figure(figsize=(10, 5), layout="constrained")
    ax = figure.subplots()
    plot_forecast(truth, last, history=train.iloc[-4 * horizon:], ax=ax,
                  title=f"Last fold: {horizon}-step forecasts from "
                        f"{_label(series.index, n_train - 1)}")
    ax.set_ylabel(str(series.name or "value"))
    figure.savefig(path, dpi=110)
    return note


def run(args, out=None):
    """Run the demo for parsed ``args``; raises DemoError on bad input."""
    out = sys.stdout if out is None else out
    _check_options(args)
    series, description = load_series(args.csv, args.column)
    n, window, horizon = len(series), args.window, args.horizon
    folds = 1 if args.quick else args.folds
    epochs = args.epochs or (30 if args.quick else 100)
    if n < window + horizon:
        raise DemoError(
            f"the series has {n} values, shorter than window + horizon = "
            f"{window} + {horizon} = {window + horizon}. Use a smaller --window "
            "or --horizon, or a longer series."
        )
    # Each fold trains on at least window + horizon values (a window with
    # its whole future) and tests on the next horizon.
    possible = (n - window - horizon) // horizon
    if possible < 1:
        raise DemoError(
            f"the series has {n} values; one fold needs window + horizon = "
            f"{window + horizon} values to train on and horizon = {horizon} more "
            f"to test on ({window + 2 * horizon} in all). Use a smaller --window "
            "or --horizon, or a longer series."
        )
    if folds > possible:
        out.write(f"note: {n} values allow {possible} fold(s) of {horizon} steps "
                  f"after a first training set of {window + horizon}; using "
                  f"{possible} instead of {folds}.\n")
        folds = possible
    import torch

    # Small networks gain nothing from intra-op threads; one thread each
    # avoids oversubscribing a busy machine.
    torch.set_num_threads(1)
    out.write(
        f"sklearn-rnn demo: {description}, {n} values. {folds} rolling-origin "
        f"fold(s): train on everything before the origin, forecast the next "
        f"{horizon} steps (window {window}, {epochs} epochs per network).\n")
    out.flush()
    start = time.perf_counter()
    models = _models(args, epochs)
    results = cross_validate(series, models, horizon=horizon, folds=folds,
                             sp=args.sp, out=out)
    table = score_table(results)
    out.write("\n" + format_table(table) + "\n\n")
    out.write(textwrap.fill(
        "skill: 1 - MSE / MSE of the naive last-value forecast (the package's "
        "score; > 0 beats it). skill vs seasonal: the same against the seasonal "
        f"naive forecast. MAE over all {folds * horizon} forecast steps. MASE: "
        f"MAE / in-sample MAE of the lag-{args.sp} naive forecast, averaged over "
        "folds. fit s: training seconds, all folds.", width=79) + "\n")
    note = save_plot(series, results, args.output, horizon=horizon,
                     models=models)
    out.write((f"note: {note}" if note else
               f"wrote {args.output} (the last fold's forecasts against the "
               f"truth, {BAND_MODEL} with its 80% and 90% conformal "
               "intervals shaded)") + "\n")
    out.write(f"total time {time.perf_counter() - start:.1f} s\n")
    return table


def main(argv=None):
    """Entry point of ``python -m sklearn_rnn`` and ``sklearn-rnn``."""
    args = _parser().parse_args(argv)
    try:
        run(args)
    except DemoError as exc:
        print(f"sklearn-rnn: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
