"""Forecast accuracy on the airline passengers series, against naive forecasts.

Holds out the last 12 months (train on 1949-01..1959-12, forecast 1960) and
evaluates with a rolling origin over the last 12 origins (each model refit on
the data up to its origin, then forecasting the next 12 months; only origins
whose whole 12-month future is in the data). Every recurrent forecaster runs
at its default parameters (``random_state`` fixed for reproducibility).

Prints MAE, RMSE and MASE (scaled by the in-sample seasonal naive error,
period 12) per model, for the hold-out and averaged over the rolling origins.

Run::

    python benchmarks/bench_airline.py            # 12 origins, a few minutes
    python benchmarks/bench_airline.py --quick    # 3 origins
"""

import argparse
import time

import numpy as np

from sklearn_rnn import ConvGRUForecaster, GRUForecaster, NaiveForecaster
from sklearn_rnn.datasets import load_airline
from sklearn_rnn.metrics import mean_absolute_scaled_error

HORIZON = 12


def models(seed):
    yield "Naive last", NaiveForecaster(strategy="last", horizon=HORIZON)
    yield "Naive seasonal", NaiveForecaster(strategy="seasonal", sp=12,
                                            horizon=HORIZON)
    for strategy in ("direct", "recursive", "seq2seq"):
        common = {"horizon": HORIZON, "strategy": strategy, "random_state": seed}
        yield f"GRU {strategy}", GRUForecaster(**common)
        yield f"ConvGRU {strategy}", ConvGRUForecaster(**common)
        yield f"LSTM {strategy}", GRUForecaster(cell="lstm", **common)
        yield f"RNN {strategy}", GRUForecaster(cell="rnn", **common)


def evaluate(model, y, origin):
    """Fit on ``y[:origin + 1]`` and forecast the next ``HORIZON`` values."""
    history = y[: origin + 1]
    start = time.perf_counter()
    forecast = model.fit(history).forecast(history)
    seconds = time.perf_counter() - start
    truth = y[origin + 1: origin + 1 + HORIZON]
    error = forecast - truth
    return {
        "mae": np.abs(error).mean(),
        "rmse": np.sqrt((error ** 2).mean()),
        "mase": mean_absolute_scaled_error(truth, forecast, y_train=history, sp=12),
        "seconds": seconds,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rolling origins")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    y = load_airline().to_numpy()
    n = len(y)
    holdout = n - 1 - HORIZON
    n_origins = 3 if args.quick else 12
    origins = range(holdout - n_origins + 1, holdout + 1)

    header = (f"{'model':<18} {'MAE':>7} {'RMSE':>7} {'MASE':>6} | "
              f"{'roll MAE':>8} {'roll RMSE':>9} {'roll MASE':>9} {'fit s':>6}")
    print(f"airline passengers, horizon {HORIZON}; hold-out = last 12 months; "
          f"rolling = mean over {n_origins} origins")
    print(header)
    print("-" * len(header))
    for name, model in models(args.seed):
        rolling = [evaluate(model, y, origin) for origin in origins]
        last = rolling[-1]  # the last origin is the hold-out of the last year
        mean = {key: np.mean([r[key] for r in rolling]) for key in last}
        print(f"{name:<18} {last['mae']:7.1f} {last['rmse']:7.1f} "
              f"{last['mase']:6.2f} | {mean['mae']:8.1f} {mean['rmse']:9.1f} "
              f"{mean['mase']:9.2f} {mean['seconds']:6.1f}", flush=True)


if __name__ == "__main__":
    main()
