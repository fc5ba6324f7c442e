"""Do the forecast intervals hold their coverage? Rolling origins on 3 series.

For the bundled airline series and statsmodels' ``elnino`` (monthly sea
surface temperature, 1950-2010) and ``nile`` (annual river flow, 1871-1970)
series, 12 forecast origins are spread evenly over the last quarter of the
series (the last one being the last whose whole horizon is in the data). At
each origin every model is fit on the series up to the origin and gives 80%
and 90% intervals for the next ``horizon`` steps (12 for the monthly series,
5 for the Nile). Printed per series and model, averaged over origins and
steps: the empirical coverage (target: within 5 points of nominal), the mean
width and the mean interval (Winkler) score, lower is better.

Models: our forecasters at defaults (``horizon`` set; conformal intervals
from their out-of-sample residuals; ``snaive`` adds the seasonal naive),
sktime's ``NaiveForecaster()``
(``predict_interval``, normal random-walk errors) and statsmodels' ETS
(additive errors, damped additive trend, additive season for the monthly
series; its analytic intervals).

Run::

    PYTHONPATH=$PWD /work/benchvenv/bin/python benchmarks/bench_intervals.py
    ... bench_intervals.py --models naive,sktime,ets   # no networks (seconds)
    ... bench_intervals.py --max-epochs 20             # faster networks
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from sklearn_rnn import ConvGRUForecaster, GRUForecaster, NaiveForecaster
from sklearn_rnn.datasets import load_airline
from sklearn_rnn.metrics import interval_coverage, interval_score

COVERAGES = (0.8, 0.9)
N_ORIGINS = 12


def load_series():
    """``{name: (series, horizon, seasonal period)}``."""
    import statsmodels.api as sm

    elnino = sm.datasets.elnino.load_pandas().data.set_index("YEAR")
    temperature = pd.Series(
        elnino.to_numpy().ravel(), name="temperature",
        index=pd.date_range("1950-01-01", periods=elnino.size, freq="MS"),
    )
    nile = sm.datasets.nile.load_pandas().data
    volume = pd.Series(
        nile["volume"].to_numpy(float), name="volume",
        index=pd.date_range("1871-01-01", periods=len(nile), freq="YS"),
    )
    return {
        "airline": (load_airline().astype(float), 12, 12),
        "elnino": (temperature, 12, 12),
        "nile": (volume, 5, 1),
    }


def origins(n, horizon):
    """12 origins (last training positions) over the last quarter."""
    last = n - 1 - horizon
    return np.unique(np.linspace(last - n // 4, last, N_ORIGINS).round().astype(int))


def ours(estimator):
    def intervals(train, horizon, sp):
        frame = estimator.fit(train).forecast(train, coverage=list(COVERAGES))
        return {c: (frame[f"lower_{c:g}"].to_numpy(), frame[f"upper_{c:g}"].to_numpy())
                for c in COVERAGES}
    return intervals


def sktime_naive(train, horizon, sp):
    from sktime.forecasting.naive import NaiveForecaster as SktimeNaive

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # a config default change
        forecaster = SktimeNaive().fit(train)
        frame = forecaster.predict_interval(fh=np.arange(1, horizon + 1),
                                            coverage=list(COVERAGES))
    name = frame.columns.levels[0][0]
    return {c: (frame[(name, c, "lower")].to_numpy(),
                frame[(name, c, "upper")].to_numpy()) for c in COVERAGES}


def statsmodels_ets(train, horizon, sp):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    seasonal = {"seasonal": "add", "seasonal_periods": sp} if sp > 1 else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter
        fit = ETSModel(train, error="add", trend="add", damped_trend=True,
                       **seasonal).fit(disp=False)
        prediction = fit.get_prediction(start=len(train),
                                        end=len(train) + horizon - 1)
        out = {}
        for c in COVERAGES:
            frame = prediction.summary_frame(alpha=1 - c)
            out[c] = frame["pi_lower"].to_numpy(), frame["pi_upper"].to_numpy()
    return out


def models(args):
    def forecaster(cls, horizon, **params):
        params["horizon"] = horizon
        if cls is not NaiveForecaster:
            params["random_state"] = args.seed
            if args.max_epochs is not None:
                params["max_epochs"] = args.max_epochs
        return cls(**params)

    available = {
        "naive": lambda h, sp: ours(forecaster(NaiveForecaster, h)),
        # The seasonal naive is the naive one without a season (the Nile).
        "snaive": lambda h, sp: sp > 1 and ours(forecaster(
            NaiveForecaster, h, strategy="seasonal", sp=sp)),
        "gru": lambda h, sp: ours(forecaster(GRUForecaster, h)),
        "convgru": lambda h, sp: ours(forecaster(ConvGRUForecaster, h)),
        "sktime": lambda h, sp: sktime_naive,
        "ets": lambda h, sp: statsmodels_ets,
    }
    labels = {"naive": "NaiveForecaster", "snaive": "Naive seasonal",
              "gru": "GRUForecaster", "convgru": "ConvGRUForecaster", "sktime": "sktime Naive",
              "ets": "statsmodels ETS"}
    for key in args.models.split(","):
        yield labels[key], available[key]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="naive,gru,convgru,sktime,ets",
                        help="comma-separated: naive,snaive,gru,convgru,sktime,ets "
                        "(snaive: NaiveForecaster(strategy='seasonal', sp=12) "
                        "on the monthly series)")
    parser.add_argument("--series", default="airline,elnino,nile")
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="override the networks' max_epochs (default: theirs)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        pass

    data = load_series()
    print(f"{N_ORIGINS} rolling origins over the last quarter of each series; "
          "coverage and width averaged over origins and steps")
    header = (f"{'series':<8} {'model':<18} "
              + " ".join(f"{'cov' + format(c, '.0%'):>7} {'width':>7} {'score':>8}"
                         for c in COVERAGES) + f" {'s':>6}")
    print(header)
    print("-" * len(header))
    for series_name in args.series.split(","):
        y, horizon, sp = data[series_name]
        points = origins(len(y), horizon)
        for label, make in models(args):
            model = make(horizon, sp)
            if not model:
                continue
            start = time.perf_counter()
            hits = {c: [] for c in COVERAGES}
            widths = {c: [] for c in COVERAGES}
            scores = {c: [] for c in COVERAGES}
            for origin in points:
                train = y.iloc[: origin + 1]
                truth = y.iloc[origin + 1: origin + 1 + horizon].to_numpy()
                bounds = model(train, horizon, sp)
                for c, (lower, upper) in bounds.items():
                    hits[c].append(interval_coverage(truth, lower, upper))
                    widths[c].append(np.mean(upper - lower))
                    scores[c].append(interval_score(truth, lower, upper, coverage=c))
            seconds = time.perf_counter() - start
            cells = " ".join(
                f"{np.mean(hits[c]):7.1%} {np.mean(widths[c]):7.3g} "
                f"{np.mean(scores[c]):8.4g}" for c in COVERAGES)
            print(f"{series_name:<8} {label:<18} {cells} {seconds:6.1f}", flush=True)


if __name__ == "__main__":
    main()
