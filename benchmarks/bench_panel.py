"""Many series, one model: global vs local forecasters, known covariates, scale.

Run from the repository root with the benchmark environment (statsmodels,
sktime and aeon provide the data, all shipped offline)::

    PYTHONPATH=$PWD /work/benchvenv/bin/python benchmarks/bench_panel.py
    ... bench_panel.py --part global      # macrodata and M1 yearly
    ... bench_panel.py --part covariates  # load_uschange, rolling origins
    ... bench_panel.py --part scale       # 10,000 series x 200 steps
    ... bench_panel.py --part scale --horizon 6
    ... bench_panel.py --quick            # a smoke run of every part
    ... bench_panel.py --part global --embedding none --embedding 2 --no-local
                                          # series_embedding rows, no local loop
    ... bench_panel.py --part global --highway true --highway series --no-local
                                          # a shared or per-series linear path

Parts:

``global``
    One ``GRUForecaster`` fit on the panel of all series (each scaled by its
    own training statistics) against one ``GRUForecaster`` per series, the
    naive last-value and the seasonal naive forecast of each series. Data:
    the 12 quarterly columns of statsmodels' ``macrodata`` (203 quarters) as
    12 series, horizon 8, three origins (the last 24, 16 and 8 quarters held
    out, refit at each); aeon's M1 yearly competition set (181 series of 15
    to 58 years), horizon 6, the last 6 years held out. Score: MASE (scaled
    by the in-sample lag-1 naive error of each series' training part),
    averaged over series and origins; fit time is the CPU time of all fits
    of a model (its per-series loop for the local ones). The recurrent models
    use the package defaults except ``horizon`` and the seasonal period
    ``sp`` (4 for the quarterly macrodata, 1 for the yearly M1), which sets
    ``window="auto"``; ``--seeds`` seeds (3 by default).

``covariates``
    sktime's ``load_uschange``: forecast Consumption (quarterly % change) 4
    quarters ahead from rolling origins (the last 10 origins, one quarter
    apart), with Income, Production, Savings and Unemployment as known-future
    inputs (``known=[...]``, ``forecast(X, X_future)`` gets their values over
    the horizon), as past-only inputs, and without them. MAE and MASE
    averaged over origins; defaults except ``horizon`` and ``sp=4``.

``scale``
    A panel of 10,000 random-walk series of 200 steps (2,000,000 values):
    peak memory of ``fit`` above the data, and the time of one epoch for
    1,250 ... 10,000 series (epoch time per value should stay flat). Each
    size runs in a fresh process so that its peak memory is its own.

Not collected by pytest: tests check behaviour, this script measures.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import torch

from sklearn_rnn import GRUForecaster, NaiveForecaster
from sklearn_rnn.metrics import mean_absolute_scaled_error

SEEDS = (0, 1, 2)


def cpu_time():
    return time.process_time()


def mase(actual, forecast, train):
    return mean_absolute_scaled_error(actual, forecast, y_train=train)


# --- global vs local ------------------------------------------------------

def load_macrodata():
    import statsmodels.api as sm

    data = sm.datasets.macrodata.load_pandas().data
    index = pd.period_range("1959Q1", periods=len(data), freq="Q", name="quarter")
    columns = [c for c in data.columns if c not in ("year", "quarter")]
    return {column: pd.Series(data[column].to_numpy(), index=index, name="y")
            for column in columns}


def load_m1_yearly():
    import aeon.datasets
    from aeon.datasets import load_from_tsf_file

    path = os.path.join(os.path.dirname(aeon.datasets.__file__), "data",
                        "m1_yearly_dataset", "m1_yearly_dataset.tsf")
    frame, _ = load_from_tsf_file(path)
    series = {}
    for name, start, values in zip(frame["series_name"], frame["start_timestamp"],
                                   frame["series_value"]):
        index = pd.period_range(pd.Timestamp(start).year, periods=len(values),
                                freq="Y", name="year")
        series[name] = pd.Series(np.asarray(values, dtype=float), index=index,
                                 name="y")
    return series


def as_panel(series):
    return pd.concat(series, names=["id", series[next(iter(series))].index.name])


def fit_local(params, series):
    """One series' model; without early stopping when the series is too short
    for the default validation tail (short M1 series)."""
    try:
        return GRUForecaster(**params).fit(series)
    except ValueError as exc:
        if "validation_fraction" not in str(exc):
            raise
        return GRUForecaster(**params, early_stopping=False).fit(series)


def evaluate_global(series, horizon, cutoffs, window, sp, seeds, max_epochs,
                    embeddings=(None,), local=True, highways=(True,)):
    """Mean MASE and CPU seconds of each model over series and origins.

    ``embeddings``, ``highways``: the global model's ``series_embedding``
    and ``highway`` values, one row per pair; ``local=False`` skips the
    per-series loop.
    """
    results = {}

    def record(name, scores, seconds):
        entry = results.setdefault(name, {"mase": [], "seconds": 0.0})
        entry["mase"].extend(scores)
        entry["seconds"] += seconds

    for cut in cutoffs:
        train = {k: s.iloc[:len(s) - cut] for k, s in series.items()}
        test = {k: s.iloc[len(s) - cut:len(s) - cut + horizon]
                for k, s in series.items()}

        def scores(forecasts):
            return [mase(test[k].to_numpy(), np.asarray(forecasts[k]),
                         train[k].to_numpy()) for k in series]

        for name, naive in [("naive", NaiveForecaster(horizon=horizon)),
                            ("seasonal naive", NaiveForecaster(
                                strategy="seasonal", sp=sp, horizon=horizon))]:
            tic = cpu_time()
            model = naive.fit(as_panel(train))
            forecast = model.forecast(as_panel(train))
            record(name, scores({k: forecast.loc[k] for k in series}),
                   cpu_time() - tic)
        for seed in seeds:
            params = dict(sp=sp, horizon=horizon, random_state=seed)
            if max_epochs is not None:
                params["max_epochs"] = max_epochs
            for dim, highway in [(d, h) for d in embeddings for h in highways]:
                tic = cpu_time()
                model = GRUForecaster(**params, series_embedding=dim,
                                      highway=highway).fit(as_panel(train))
                forecast = model.forecast(as_panel(train))
                name = "GRU global"
                if len(embeddings) > 1:
                    name += f", id {dim}"
                if len(highways) > 1:
                    name += f", hw {highway}"
                record(name, scores({k: forecast.loc[k] for k in series}),
                       cpu_time() - tic)
            if not local:
                continue
            tic = cpu_time()
            local = {k: fit_local(params, s).forecast(s) for k, s in train.items()}
            record("GRU per series", scores(local), cpu_time() - tic)
            print(f"  cut {cut}, seed {seed}: "
                  + ", ".join(f"{name} {np.mean(entry['mase']):.3f}"
                              for name, entry in results.items()), flush=True)
    n_fits = {name: len(cutoffs) * (len(seeds) if "GRU" in name else 1)
              for name in results}
    return {name: {"mase": float(np.mean(entry["mase"])),
                   "seconds_per_fit": entry["seconds"] / n_fits[name]}
            for name, entry in results.items()}


def part_global(quick, seeds, data=("macrodata", "m1"), embeddings=(None,),
                local=True, highways=(True,)):
    seeds = seeds[:1] if quick else seeds
    epochs = 3 if quick else None
    tables = {}
    if "macrodata" in data:
        tables["macrodata (12 series, H=8, 3 origins)"] = evaluate_global(
            load_macrodata(), 8, [24, 16, 8] if not quick else [8], 24, 4, seeds,
            epochs, embeddings, local, highways)
    if "m1" in data:
        m1 = load_m1_yearly()
        if quick:
            m1 = dict(list(m1.items())[:12])
        tables[f"M1 yearly ({len(m1)} series, H=6, last 6 held out)"] = (
            evaluate_global(m1, 6, [6], 8, 1, seeds, epochs, embeddings, local,
                            highways))
    for title, table in tables.items():
        print(f"\n{title}: mean MASE over series and origins; CPU s per fit "
              "(all series)")
        print(f"{'model':<20} {'MASE':>6} {'fit s':>8}")
        for name, row in table.items():
            print(f"{name:<20} {row['mase']:6.3f} {row['seconds_per_fit']:8.2f}")
    return tables


# --- known covariates -----------------------------------------------------

def part_covariates(quick, seeds):
    from sktime.datasets import load_uschange

    y, X = load_uschange()
    frame = pd.concat([y.rename("Consumption"), X], axis=1).astype(float)
    frame.index = pd.RangeIndex(len(frame), name="quarter")
    covariates = list(X.columns)
    horizon = 4
    n = len(frame)
    origins = range(n - horizon - (3 if quick else 10) + 1, n - horizon + 1)
    seeds = seeds[:1] if quick else seeds
    epochs = 3 if quick else None
    variants = {
        "known future": dict(columns=["Consumption", *covariates],
                             known=covariates),
        "past only": dict(columns=["Consumption", *covariates], known=None),
        "none": dict(columns=["Consumption"], known=None),
    }
    results = {}
    for name, variant in variants.items():
        maes, mases = [], []
        for seed in seeds:
            for origin in origins:
                history = frame.iloc[:origin][variant["columns"]]
                future = frame.iloc[origin:origin + horizon]
                params = dict(sp=4, horizon=horizon, random_state=seed)
                if epochs is not None:
                    params["max_epochs"] = epochs
                if variant["known"]:
                    params["known"] = variant["known"]
                model = GRUForecaster(**params).fit(history)
                if variant["known"]:
                    forecast = model.forecast(history, future[variant["known"]])
                else:
                    forecast = model.forecast(history)
                actual = future["Consumption"].to_numpy()
                forecast = np.asarray(forecast)
                maes.append(np.mean(np.abs(actual - forecast)))
                mases.append(mase(actual, forecast,
                                  history["Consumption"].to_numpy()))
        results[name] = {"mae": float(np.mean(maes)), "mase": float(np.mean(mases))}
        print(f"  {name}: MASE {results[name]['mase']:.3f}", flush=True)
    naive = []
    for origin in origins:
        history = frame["Consumption"].iloc[:origin].to_numpy()
        actual = frame["Consumption"].iloc[origin:origin + horizon].to_numpy()
        naive.append(mase(actual, np.repeat(history[-1], horizon), history))
    results["naive"] = {"mae": float("nan"), "mase": float(np.mean(naive))}
    print(f"\nload_uschange: Consumption, H={horizon}, {len(origins)} rolling "
          f"origins, {len(seeds)} seed(s)")
    print(f"{'covariates':<14} {'MAE':>6} {'MASE':>6}")
    for name, row in results.items():
        print(f"{name:<14} {row['mae']:6.3f} {row['mase']:6.3f}")
    return results


# --- scale ----------------------------------------------------------------

def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def scale_child(n_series, n_steps, batch_size, horizon=1, layout="list"):
    """One fit of one epoch on a fresh process; prints a JSON line.

    ``layout``: the panel as a list of arrays, or as a Series with a
    (series id, time) MultiIndex holding the same values.
    """
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    panel = [np.cumsum(rng.normal(size=n_steps)) for _ in range(n_series)]
    data_mb = sum(series.nbytes for series in panel) / 2**20
    small = panel[:4]
    if layout == "multiindex":
        index = pd.MultiIndex.from_product([range(n_series), range(n_steps)],
                                           names=["id", "t"])
        panel = pd.Series(np.concatenate(panel), index=index, name="y")
        small = panel.loc[[0, 1, 2, 3]]
    model = GRUForecaster(window=24, horizon=horizon, max_epochs=1,
                          batch_size=batch_size, random_state=0)
    # Warm the code paths on a small panel, so that the peak is the fit's.
    GRUForecaster(window=24, max_epochs=1, batch_size=batch_size).fit(small)
    before = current_rss_mb()
    tic = time.perf_counter()
    cpu = cpu_time()
    model.fit(panel)
    seconds, cpu = time.perf_counter() - tic, cpu_time() - cpu
    print(json.dumps({
        "n_series": n_series, "horizon": horizon, "layout": layout,
        "values": n_series * n_steps,
        "data_mb": data_mb,
        "rss_before_mb": before, "peak_mb": peak_rss_mb(), "fit_s": seconds,
        "fit_cpu_s": cpu,
    }))


def part_scale(quick, seeds=None, horizon=1):
    sizes = [250, 500, 1000] if quick else [1250, 2500, 5000, 10000]
    rows = []
    for n_series in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--scale-child", str(n_series),
             "--horizon", str(horizon)],
            capture_output=True, text=True, check=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"\nscale: random walks of 200 steps, window 24, horizon {horizon}, "
          "batch 1024, one epoch (with the ridge start and refit), 1 thread")
    print(f"{'series':>7} {'values':>10} {'data MB':>8} {'peak-before MB':>15} "
          f"{'fit CPU s':>12} {'us/value':>9}")
    for row in rows:
        extra = row["peak_mb"] - row["rss_before_mb"]
        print(f"{row['n_series']:>7} {row['values']:>10,} {row['data_mb']:>8.1f} "
              f"{extra:>15.1f} {row['fit_cpu_s']:>12.1f} "
              f"{1e6 * row['fit_cpu_s'] / row['values']:>9.2f}")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["global", "covariates", "scale"],
                        action="append")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data", choices=["macrodata", "m1"], action="append",
                        help="the global part's data sets (default both)")
    parser.add_argument("--seeds", type=int, default=len(SEEDS),
                        help="seeds of each recurrent model (default 3)")
    parser.add_argument("--embedding", type=lambda v: None if v == "none" else int(v),
                        action="append",
                        help="the global model's series_embedding, one row per "
                             "value ('none' for no embedding; default the "
                             "package default)")
    parser.add_argument("--highway", action="append",
                        type=lambda v: {"true": True, "false": False}.get(v, v),
                        help="the global model's highway, one row per value "
                             "(true, false, series; default the package "
                             "default)")
    parser.add_argument("--no-local", action="store_true",
                        help="skip the per-series models of the global part")
    parser.add_argument("--scale-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--horizon", type=int, default=1,
                        help="the scale part's horizon (default 1)")
    parser.add_argument("--layout", choices=["list", "multiindex"], default="list",
                        help="the scale panel as a list of arrays or a "
                             "MultiIndex Series (default list)")
    args = parser.parse_args(argv)
    if args.scale_child:
        scale_child(args.scale_child, 200, 1024, args.horizon, args.layout)
        return
    torch.set_num_threads(1)
    parts = args.part or ["global", "covariates", "scale"]
    for part in parts:
        if part == "global":
            part_global(args.quick, SEEDS[:args.seeds],
                        args.data or ("macrodata", "m1"),
                        args.embedding or (GRUForecaster().series_embedding,),
                        not args.no_local,
                        args.highway or (GRUForecaster().highway,))
        elif part == "scale":
            part_scale(args.quick, SEEDS[:args.seeds], args.horizon)
        else:
            part_covariates(args.quick, SEEDS[:args.seeds])


if __name__ == "__main__":
    main()
