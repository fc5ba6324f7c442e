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
series; its analytic intervals) and, when MAPIE is installed (the ``bench``
extra), MAPIE's ``SplitConformalRegressor(prefit=True)`` around a
``GRUForecaster`` at defaults, conformalized on the last 20% of the rows
whose horizon is known and fit on the rows before them, one regressor per
horizon step (the plain absolute-residual score; see :func:`mapie_split`).

Run::

    PYTHONPATH=$PWD /work/benchvenv/bin/python benchmarks/bench_intervals.py
    ... bench_intervals.py --models naive,sktime,ets   # no networks (seconds)
    ... bench_intervals.py --max-epochs 20             # faster networks
    ... bench_intervals.py --models naive_sp,gru_sp,convgru_sp  # given sp
    ... --series sunspots,co2,additive,growth   # more seasonal series
"""

import argparse
import importlib.util
import math
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin

from sklearn_rnn import ConvGRUForecaster, GRUForecaster, NaiveForecaster
from sklearn_rnn.datasets import load_airline
from sklearn_rnn.metrics import interval_coverage, interval_score

COVERAGES = (0.8, 0.9)
N_ORIGINS = 12
# MAPIE's conformalization set: the training series' last rows, as many as
# our networks' validation tail (validation_fraction=0.2).
CONFORMALIZE_FRACTION = 0.2
HAS_MAPIE = importlib.util.find_spec("mapie") is not None


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
        **more_series(),
    }


def more_series():
    """Series for the forecasters given a season (not the issue's three).

    statsmodels' annual ``sunspots`` (an 11-year cycle) and ``co2``
    (Mauna Loa, weekly, as monthly means, gaps interpolated), and two
    synthetic monthly series of 240 steps: ``additive`` (a trend, a
    constant season and AR(1) noise) and ``growth`` (airline-like: a level
    whose growth rate swings over 5 years, a season and noise in
    proportion to it).
    """
    import statsmodels.api as sm

    spots = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"]
    co2 = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean()
    monthly = pd.date_range("2000-01-01", periods=240, freq="MS")
    t = np.arange(240)
    rng = np.random.default_rng(42)
    noise = np.zeros(240)
    for i in range(1, 240):
        noise[i] = 0.5 * noise[i - 1] + rng.normal()
    additive = 10 + 0.05 * t + 3 * np.sin(2 * np.pi * t / 12) + noise
    rng = np.random.default_rng(7)
    growth = (0.008 + 0.006 * np.sin(2 * np.pi * t / 60 + rng.uniform(0, 6))
              + rng.normal(0, 0.002, 240))
    growing = (100 * np.exp(np.cumsum(growth)) * (1 + 0.2 * np.sin(2 * np.pi * t / 12))
               * np.exp(rng.normal(0, 0.03, 240)))
    return {
        "sunspots": (pd.Series(spots.to_numpy(float), index=pd.date_range(
            "1700-01-01", periods=len(spots), freq="YS")), 11, 11),
        "co2": (co2.interpolate().astype(float), 12, 12),
        "additive": (pd.Series(additive, index=monthly), 12, 12),
        "growth": (pd.Series(growing, index=monthly), 12, 12),
    }


def origins(n, horizon, n_origins=N_ORIGINS):
    """``n_origins`` origins (last training positions) over the last quarter."""
    last = n - 1 - horizon
    return np.unique(np.linspace(last - n // 4, last, n_origins).round().astype(int))


def ours(estimator):
    def intervals(train, horizon, sp):
        frame = estimator.fit(train).forecast(train, coverage=list(COVERAGES))
        return {c: (frame[f"lower_{c:g}"].to_numpy(), frame[f"upper_{c:g}"].to_numpy())
                for c in COVERAGES}
    return intervals


class _Step(RegressorMixin, BaseEstimator):
    """Step ``step`` (from 0) of a fitted forecaster's forecasts: to MAPIE, a
    fitted regressor with one output (its split conformal regressor takes no
    2-D predictions)."""

    def __init__(self, forecaster, step):
        self.forecaster = forecaster
        self.step = step

    def fit(self, X, y):
        raise NotImplementedError("prefit: fit the forecaster itself")

    def predict(self, X):
        prediction = self.forecaster.predict(X)
        return prediction if prediction.ndim == 1 else prediction[:, self.step]

    @property
    def n_features_in_(self):  # what MAPIE reads to see a fitted regressor
        return self.forecaster.n_features_in_


def mapie_split(make):
    """MAPIE's split conformal regressor, one per step, around ``make(horizon)``.

    Row ``t`` of a forecaster's ``predict`` forecasts ``y[t + h]`` (step
    ``h`` from 0) from the rows before ``t``. The last
    ``CONFORMALIZE_FRACTION`` of the rows whose whole horizon is in the
    training series conformalize, every step on the same rows (step ``h``
    with the targets ``h`` rows later), as our networks' validation rows
    do; the forecaster is fit on the rows before them, and they are passed
    as a pandas series continuing its index (the first has the fit's end as
    history). The interval at the origin is the last row of
    ``predict_interval`` on the training series with one more row (not
    read: each row's forecast reads the rows before it).
    """
    def intervals(train, horizon, sp):
        from mapie.regression import SplitConformalRegressor

        n_rows = len(train) - horizon + 1  # rows with the whole horizon known
        start = n_rows - math.ceil(CONFORMALIZE_FRACTION * n_rows)
        forecaster = make(horizon).fit(train.iloc[:start])
        after = pd.date_range(train.index[-1], periods=2, freq=train.index.freq)[1:]
        query = pd.concat([train, pd.Series([train.iloc[-1]], index=after,
                                            name=train.name)])
        lower = {c: np.empty(horizon) for c in COVERAGES}
        upper = {c: np.empty(horizon) for c in COVERAGES}
        for step in range(horizon):
            with warnings.catch_warnings():
                # MAPIE probes predict with an unnamed array.
                warnings.filterwarnings("ignore", "X does not have valid feature")
                conformal = SplitConformalRegressor(
                    _Step(forecaster, step), confidence_level=list(COVERAGES),
                    prefit=True)
                conformal.conformalize(train.iloc[start:n_rows],
                                       train.iloc[start + step:n_rows + step])
            _, bounds = conformal.predict_interval(query)
            for i, c in enumerate(COVERAGES):
                lower[c][step], upper[c][step] = bounds[-1, :, i]
        return {c: (lower[c], upper[c]) for c in COVERAGES}
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
        # Given the seasonal period (not defaults); the last-value naive
        # forecast ignores it.
        "naive_sp": lambda h, sp: sp > 1 and ours(forecaster(
            NaiveForecaster, h, sp=sp)),
        "gru_sp": lambda h, sp: ours(forecaster(GRUForecaster, h, sp=sp)),
        "convgru_sp": lambda h, sp: ours(forecaster(ConvGRUForecaster, h, sp=sp)),
        "mapie": lambda h, sp: mapie_split(
            lambda horizon: forecaster(GRUForecaster, horizon)),
        "sktime": lambda h, sp: sktime_naive,
        "ets": lambda h, sp: statsmodels_ets,
    }
    labels = {"naive": "NaiveForecaster", "snaive": "Naive seasonal",
              "gru": "GRUForecaster", "convgru": "ConvGRUForecaster",
              "naive_sp": "Naive (sp given)",
              "gru_sp": "GRU (sp given)", "convgru_sp": "ConvGRU (sp given)",
              "mapie": "MAPIE split GRU", "sktime": "sktime Naive",
              "ets": "statsmodels ETS"}
    for key in args.models.split(","):
        yield labels[key], available[key]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="naive,gru,convgru,sktime,ets"
                        + (",mapie" if HAS_MAPIE else ""),
                        help="comma-separated: naive,snaive,gru,convgru,naive_sp,"
                        "gru_sp,convgru_sp,mapie,sktime,ets (snaive: "
                        "NaiveForecaster(strategy='seasonal', sp=12) on the "
                        "monthly series; *_sp: our forecasters given sp=12 "
                        "there; mapie: MAPIE's split "
                        "conformal regressor around a GRUForecaster, the "
                        "default when mapie is installed)")
    parser.add_argument("--series", default="airline,elnino,nile",
                        help="comma-separated: airline,elnino,nile (the "
                        "issue's), sunspots,co2,additive,growth (see "
                        "more_series)")
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="override the networks' max_epochs (default: theirs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--origins", type=int, default=N_ORIGINS,
                        help=f"forecast origins per series (default {N_ORIGINS})")
    args = parser.parse_args(argv)
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        pass

    data = load_series()
    print(f"{args.origins} rolling origins over the last quarter of each series; "
          "coverage and width averaged over origins and steps")
    header = (f"{'series':<8} {'model':<18} "
              + " ".join(f"{'cov' + format(c, '.0%'):>7} {'width':>7} {'score':>8}"
                         for c in COVERAGES) + f" {'s':>6}")
    print(header)
    print("-" * len(header))
    for series_name in args.series.split(","):
        y, horizon, sp = data[series_name]
        points = origins(len(y), horizon, args.origins)
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
