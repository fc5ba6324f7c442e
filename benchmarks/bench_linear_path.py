"""The forecasters' linear path in numpy: variants of it on issue 12's series and
on series not tuned on, and classical drift models on realgdp's hold-out.

At defaults ``GRUForecaster()`` ends up as its linear path on all four
development series (the one-standard-error rule discards the network), so
that path, written out here in numpy, reproduces its MASE (0.901 / 0.615):
the series differenced when KPSS rejects level-stationarity, standardised
with the training statistics, the direct targets of the next ``H`` steps
(differenced: the change since the origin less ``h`` mean differences),
windows of ``3 sp`` steps (clipped to 8..48, zeros before the series'
start), a ridge regression with an unpenalised intercept whose penalty
generalised cross-validation chooses over ``10**[-3..4]``, summed over
the outputs.

Parts (all by default):

- ``dev``: the development set (bench_accuracy.py's protocol: hold-out and
  the mean over 6 rolling origins) for each variant: one GCV penalty per
  horizon step instead of one shared; only rows whose window lies inside
  the series; differencing never, always, twice when KPSS also rejects the
  differences, around a linear trend in the differences when those are
  trend- but not level-stationary (KPSS with a trend), or only when ADF
  (statsmodels' ``adfuller``, AIC lags) does not reject a unit root either.
- ``heldout``: the per-step penalty and the KPSS-and-ADF rule against the
  package's choices on series not tuned on: the airline (``sp=12``,
  ``H=12``), three synthetic series (as in benchmarks/README.md), the 12
  macrodata columns (``sp=4``, ``H=8``), yearly sunspots (``H=11``) and
  aeon's M1 yearly series long enough for 6 origins (``H=6``); the ADF rule
  only where it changes a decision.
- ``realgdp``: MASE of classical models with and without a drift on
  realgdp's hold-out (the 2008 recession) and rolling origins.

Run::

    PYTHONPATH=$PWD /work/benchvenv/bin/python benchmarks/bench_linear_path.py
    PYTHONPATH=$PWD /work/benchvenv/bin/python benchmarks/bench_linear_path.py --part dev
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_accuracy import FORECAST_SETS, N_ORIGINS, load_series, mase  # noqa: E402

from sklearn_rnn._stationarity import kpss  # noqa: E402

ALPHAS = np.logspace(-3, 4, 15)  # the package's grid (sklearn_rnn._ridge)


def ridge_gcv(A, Y, per_output=False):
    """Ridge with an unpenalised intercept, the penalty by GCV (summed over the
    outputs, or one per output)."""
    mean_a, mean_y = A.mean(0), Y.mean(0)
    U, s, Vt = np.linalg.svd(A - mean_a, full_matrices=False)
    UtY = U.T @ (Y - mean_y)
    gcv = []
    for alpha in ALPHAS:
        shrink = s**2 / (s**2 + alpha)
        rss = (((Y - mean_y) - U @ (shrink[:, None] * UtY)) ** 2).sum(0)
        gcv.append(rss / (len(A) - shrink.sum() - 1) ** 2)
    gcv = np.array(gcv)
    best = gcv.argmin(0) if per_output else np.full(Y.shape[1], gcv.sum(1).argmin())
    coef = np.column_stack([Vt.T @ (s / (s**2 + ALPHAS[i]) * UtY[:, j])
                            for j, i in enumerate(best)])
    return coef, mean_y - mean_a @ coef


def linear_path(y, H, sp, difference=None, per_output=False, full_windows=False,
                trend=False):
    """The ``H`` forecasts after ``y`` of the linear path (see the module doc).

    ``difference``: None decides by KPSS; ``trend``: centre the differences on
    their least-squares line instead of their mean (the drift grows in time).
    """
    window = int(np.clip(3 * sp, 8, 48))
    if difference is None:
        difference = kpss(y)[1] < 0.05
    rows = np.arange(len(y) - H)
    ahead = np.arange(1, H + 1)
    if difference:
        d = np.diff(y)
        t = np.arange(1, len(y))
        slope, mean = np.polyfit(t, d, 1) if trend else (0.0, d.mean())

        def drift(step):  # the expected change of step ``step``
            return mean + slope * step

        scale = (d - drift(t)).std()
        x = np.concatenate([[0.0], (d - drift(t)) / scale])
        T = np.stack([(y[rows + h] - y[rows] - sum(drift(rows + k) for k in
                      range(1, h + 1))) / scale for h in ahead], 1)
    else:
        mean, scale = y.mean(), y.std()
        x = (y - mean) / scale
        T = np.stack([(y[rows + h] - mean) / scale for h in ahead], 1)
    padded = np.concatenate([np.zeros(window - 1), x])
    windows = np.stack([padded[r: r + window] for r in range(len(y))])
    A = windows[rows]
    if full_windows:
        inside = rows >= window - 1 + difference
        A, T = A[inside], T[inside]
    coef, intercept = ridge_gcv(A, T, per_output)
    out = windows[-1] @ coef + intercept
    if not difference:
        return out * scale + mean
    last = len(y) - 1
    return y[-1] + np.cumsum(drift(last + ahead)) + out * scale


def score(y, H, lag, forecast):
    """Hold-out and rolling MASE (bench_accuracy.py's protocol)."""
    n = len(y)
    scores = [mase(y[c: c + H], forecast(y[:c]), y[:c], lag)
              for c in range(n - H - N_ORIGINS + 1, n - H + 1)]
    return scores[-1], float(np.mean(scores))


def adf_agrees(y):
    """KPSS rejects level-stationarity and ADF does not reject a unit root."""
    from statsmodels.tsa.stattools import adfuller

    if kpss(y)[1] >= 0.05:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rank-deficient lags of short series
        return adfuller(y, regression="c", autolag="AIC")[1] >= 0.05


def kpss_twice(y, H, sp):
    """Differenced as often as KPSS rejects (at most twice)."""
    if kpss(y)[1] < 0.05 and kpss(np.diff(y))[1] < 0.05:
        return y[-1] + np.cumsum(linear_path(np.diff(y), H, sp, difference=True))
    return linear_path(y, H, sp)


def trend_in_differences(y, H, sp):
    """Differences centred on a line when they are trend- but not level-stationary."""
    from statsmodels.tsa.stattools import kpss as kpss_sm

    if kpss(y)[1] < 0.05:
        d = np.diff(y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # p-values outside the table's range
            trend_stationary = kpss_sm(d, "ct", nlags="auto")[1] >= 0.05
        if kpss(d)[1] < 0.05 and trend_stationary:
            return linear_path(y, H, sp, difference=True, trend=True)
    return linear_path(y, H, sp)


VARIANTS = {
    "package (one GCV penalty)": linear_path,
    "one GCV penalty per step": lambda y, H, sp: linear_path(y, H, sp, per_output=True),
    "rows with whole windows only": lambda y, H, sp: linear_path(
        y, H, sp, full_windows=True),
    "never differenced": lambda y, H, sp: linear_path(y, H, sp, difference=False),
    "always differenced": lambda y, H, sp: linear_path(y, H, sp, difference=True),
    "differenced twice if KPSS rejects twice": kpss_twice,
    "trend in the differences (KPSS c / ct)": trend_in_differences,
    "differenced if KPSS and ADF agree": lambda y, H, sp: linear_path(
        y, H, sp, difference=adf_agrees(y)),
}


def part_dev():
    print("development set, MASE hold-out / rolling")
    for label, forecast in VARIANTS.items():
        res = {}
        for name, (H, lag, sp, _) in FORECAST_SETS.items():
            res[name] = score(load_series(name), H, lag,
                              lambda t, H=H, sp=sp: forecast(t, H, sp))
        mean = np.mean(list(res.values()), axis=0)
        print(f"  {label:42s} mean {mean[0]:.3f} / {mean[1]:.3f} | " + "  ".join(
            f"{k} {v[0]:.3f} / {v[1]:.3f}" for k, v in res.items()), flush=True)


def synthetic():
    """The synthetic series of benchmarks/README.md: (y, H, sp, MASE lag)."""
    rng = np.random.default_rng(0)
    n = 400
    noise = rng.normal(0, 0.5, n)
    ar = np.zeros(n)
    for i in range(2, n):
        ar[i] = 0.5 * ar[i - 1] - 0.3 * ar[i - 2] + noise[i]
    weekly = (np.cumsum(0.2 + rng.normal(0, 0.5, n))
              + 3 * np.sin(2 * np.pi * np.arange(n) / 7) + ar)
    tar = np.zeros(n)
    for i in range(1, n):
        tar[i] = (0.9 * tar[i - 1] - 1 if tar[i - 1] > 0
                  else -0.6 * tar[i - 1] + 1) + rng.normal(0, 0.5)
    logistic = np.full(n, 0.1)
    for i in range(1, n):
        logistic[i] = 1 - 1.8 * logistic[i - 1] ** 2 + rng.normal(0, 0.01)
    return {"synthetic weekly": (weekly, 14, 7, 7), "synthetic TAR": (tar, 5, 1, 1),
            "synthetic logistic": (logistic, 3, 1, 1)}


def heldout_series():
    import statsmodels.api as sm
    from bench_panel import load_m1_yearly

    from sklearn_rnn.datasets import load_airline

    series = {"airline": (load_airline().to_numpy(dtype=float), 12, 12, 12),
              **synthetic()}
    macro = sm.datasets.macrodata.load_pandas().data
    for column in macro.columns.drop(["year", "quarter"]):
        series[f"macrodata {column}"] = (macro[column].to_numpy(float), 8, 4, 4)
    sunspots = sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"]
    series["sunspots"] = (sunspots.to_numpy(float), 11, 1, 1)
    for name, y in load_m1_yearly().items():
        series[f"M1 {name}"] = (y.to_numpy(float), 6, 1, 1)
    # 6 origins, each with at least 8 training rows
    return {k: v for k, v in series.items() if len(v[0]) - v[1] - N_ORIGINS >= 8}


def summary(label, pairs):
    old, new = (np.array(p) for p in zip(*pairs))
    print(f"  {label}: {len(old)} series, mean {old.mean(0)[0]:.3f} / "
          f"{old.mean(0)[1]:.3f} -> {new.mean(0)[0]:.3f} / {new.mean(0)[1]:.3f}, "
          f"median ratio {np.median(new[:, 0] / old[:, 0]):.3f} / "
          f"{np.median(new[:, 1] / old[:, 1]):.3f}, better on "
          f"{(new[:, 0] < old[:, 0]).sum()} / {(new[:, 1] < old[:, 1]).sum()}")


def part_heldout():
    series = heldout_series()
    print("series not tuned on, MASE hold-out / rolling, package -> variant")
    per_step = {}
    for name, (y, H, sp, lag) in series.items():
        per_step[name] = (score(y, H, lag, lambda t: linear_path(t, H, sp)),
                          score(y, H, lag, lambda t: linear_path(t, H, sp,
                                                                 per_output=True)))
        if not name.startswith("M1"):
            (a, b), (c, d) = per_step[name]
            print(f"  {name:22s} one GCV penalty per step: {a:.3f} / {b:.3f} -> "
                  f"{c:.3f} / {d:.3f}")
    for group in ("macrodata", "M1", ""):
        summary(f"one GCV penalty per step, {group or 'all'}",
                [v for k, v in per_step.items() if k.startswith(group)])
    changed = []
    for name, (y, H, sp, lag) in series.items():
        n = len(y)
        cuts = range(n - H - N_ORIGINS + 1, n - H + 1)
        if all((kpss(y[:c])[1] < 0.05) == adf_agrees(y[:c]) for c in cuts):
            continue
        changed.append((score(y, H, lag, lambda t: linear_path(t, H, sp)),
                        score(y, H, lag, lambda t: linear_path(
                            t, H, sp, difference=adf_agrees(t)))))
        print(f"  KPSS and ADF changes {name}: {changed[-1][0][0]:.3f} / "
              f"{changed[-1][0][1]:.3f} -> {changed[-1][1][0]:.3f} / "
              f"{changed[-1][1][1]:.3f}")
    summary("differenced if KPSS and ADF agree, where it changes a decision",
            changed)


def part_realgdp():
    import pandas as pd
    from statsmodels.tsa.arima.model import ARIMA
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    from sktime.forecasting.ets import AutoETS

    y = load_series("realgdp")
    H, lag, sp, _ = FORECAST_SETS["realgdp"]
    d = np.diff(y[:-H])
    print(f"realgdp: the hold-out's training changes have mean {d.mean():.1f}, "
          f"sd {d.std():.1f} ({len(d)} quarters)")
    models = {
        "naive last": lambda t: np.repeat(t[-1], H),
        "random walk with drift": lambda t: t[-1] + np.arange(1, H + 1)
        * np.diff(t).mean(),
        "ARIMA(1,1,0) + drift": lambda t: ARIMA(t, order=(1, 1, 0), trend="t")
        .fit().forecast(H),
        "ARIMA(0,1,1) + drift": lambda t: ARIMA(t, order=(0, 1, 1), trend="t")
        .fit().forecast(H),
        "ARIMA(2,1,2) + drift": lambda t: ARIMA(t, order=(2, 1, 2), trend="t")
        .fit().forecast(H),
        "ARIMA(1,1,0), no drift": lambda t: ARIMA(t, order=(1, 1, 0))
        .fit().forecast(H),
        "damped Holt": lambda t: ExponentialSmoothing(
            t, trend="add", damped_trend=True).fit().forecast(H),
        "AutoETS": lambda t: AutoETS(auto=True, sp=sp).fit(pd.Series(t))
        .predict(fh=np.arange(1, H + 1)).to_numpy(),
        "linear path (GRUForecaster())": lambda t: linear_path(t, H, sp),
    }
    for label, forecast in models.items():
        holdout, rolling = score(y, H, lag, forecast)
        print(f"  {label:30s} {holdout:.3f} / {rolling:.3f}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("dev", "heldout", "realgdp"),
                        action="append", help="one part (repeat for several)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # statsmodels' convergence and table warnings
    parts = {"dev": part_dev, "heldout": part_heldout, "realgdp": part_realgdp}
    for part in args.part or parts:
        parts[part]()


if __name__ == "__main__":
    main()
