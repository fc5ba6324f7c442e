"""The forecasters' linear path in numpy: variants of it on issue 12's series and
on series not tuned on, and classical drift models on realgdp's hold-out.

At defaults ``GRUForecaster()`` ends up as its linear path on all four
development series (the one-standard-error rule discards the network), so
that path, written out here in numpy, reproduces its MASE: the series
differenced when KPSS rejects level-stationarity, standardised with the
training statistics, the direct targets of the next ``H`` steps
(differenced: the change since the origin less ``h`` mean differences),
windows of ``3 sp`` steps (clipped to 8..48, zeros before the series'
start), a ridge regression with an unpenalised intercept whose penalty is
chosen over ``10**[-3..4]``. ``linear_path`` chooses it by generalised
cross-validation summed over the outputs, the package before branch fcacc5
(0.901 / 0.615), and every variant below changes one thing of that;
``penalty="one-se"`` is the package since (0.868 / 0.601): the largest
penalty whose leave-one-out error is within one standard error of the
least, the errors in blocks of ``H`` rows.

Parts (all but the package ones by default):

- ``dev``: the development set (bench_accuracy.py's protocol: hold-out and
  the mean over 6 rolling origins) for each variant: one GCV penalty per
  horizon step instead of one shared; only rows whose window lies inside
  the series; differencing never, always, twice when KPSS also rejects the
  differences, around a linear trend in the differences when those are
  trend- but not level-stationary (KPSS with a trend), or only when ADF
  (statsmodels' ``adfuller``, AIC lags) does not reject a unit root either;
  the one-SE penalty.
- ``heldout``: the per-step penalty and the KPSS-and-ADF rule against the
  package's choices on series not tuned on: the airline (``sp=12``,
  ``H=12``), three synthetic series (as in benchmarks/README.md), the 12
  macrodata columns (``sp=4``, ``H=8``), yearly sunspots (``H=11``) and
  aeon's M1 yearly series long enough for 6 origins (``H=6``); the ADF rule
  only where it changes a decision.
- ``realgdp``: MASE of classical models with and without a drift on
  realgdp's hold-out (the 2008 recession) and rolling origins.
- ``lags``: the lag order on the development set: every fixed order
  1..window, and the order (nested, the most recent lags) chosen by GCV,
  exact leave-one-out, AIC or BIC of one-step least-squares AR fits
  (statsmodels' ``ar_select_order``), or the validation tail.
- ``shape``: the strategy and the penalty on the development set: a
  one-step ridge iterated (recursive) with all lags or lags by AIC or GCV;
  the penalty by hv-block cross-validation (Racine, 2000) or by the one-SE
  rule; lag ``k`` penalised by ``k**(2 decay)`` (the Minnesota prior's
  shape); the mean of the direct and recursive forecasts.
- ``heldout-shape``: the one-SE penalty, hv-block cross-validation, the
  recursive path and the direct-recursive mean on ``heldout``'s series.
- ``package``, ``package-m1``: ``GRUForecaster()`` and
  ``ConvGRUForecaster()`` themselves (the package on ``PYTHONPATH``, seeds
  0-2) on ``heldout``'s series but M1; ``GRUForecaster()`` seed 0 on the M1
  series it can fit. Run with another checkout on ``PYTHONPATH`` to compare.

Run::

    PYTHONPATH=$PWD /work/benchvenv/bin/python benchmarks/bench_linear_path.py
    PYTHONPATH=$PWD /work/benchvenv/bin/python benchmarks/bench_linear_path.py --part dev
    PYTHONPATH=$PWD /work/benchvenv/bin/python benchmarks/bench_linear_path.py --part package
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
LAGS_CHOSEN = []  # the lag order of every fit, for the report


def ridge_fixed(A, Y, alpha):
    """Ridge with an unpenalised intercept at penalty ``alpha``."""
    mean_a, mean_y = A.mean(0), Y.mean(0)
    U, s, Vt = np.linalg.svd(A - mean_a, full_matrices=False)
    coef = Vt.T @ ((s / (s**2 + alpha))[:, None] * (U.T @ (Y - mean_y)))
    return coef, mean_y - mean_a @ coef


def blocked_cv_alpha(A, Y, gap, folds=5):
    """The penalty with the least squared error over ``folds`` contiguous test
    blocks, ``gap`` rows either side of each left out of training (hv-block
    cross-validation, Racine 2000: direct targets ``gap`` steps ahead overlap)."""
    n = len(A)
    edges = np.linspace(0, n, folds + 1).astype(int)
    errors = np.zeros(len(ALPHAS))
    for a, b in zip(edges[:-1], edges[1:]):
        train = np.r_[0:max(a - gap, 0), min(b + gap, n):n]
        for i, alpha in enumerate(ALPHAS):
            coef, intercept = ridge_fixed(A[train], Y[train], alpha)
            errors[i] += ((A[a:b] @ coef + intercept - Y[a:b]) ** 2).sum()
    return ALPHAS[errors.argmin()]


def one_se_alpha(A, Y, block):
    """The largest penalty whose leave-one-out error is within one standard
    error of the least one's (Breiman et al., 1984), the errors averaged over
    consecutive blocks of ``block`` rows (the last one shorter), rows whose
    direct targets overlap (sklearn_rnn._ridge.ridge_one_se)."""
    Ac, Yc = A - A.mean(0), Y - Y.mean(0)
    U, s, _ = np.linalg.svd(Ac, full_matrices=False)
    UtY = U.T @ Yc
    starts = np.arange(0, len(A), block)
    losses = []
    for alpha in ALPHAS:
        shrink = s**2 / (s**2 + alpha)
        resid = Yc - U @ (shrink[:, None] * UtY)
        hat = (U**2 * shrink).sum(1) + 1 / len(A)
        rows = ((resid / (1 - hat)[:, None]) ** 2).mean(1)
        losses.append(np.add.reduceat(rows, starts) / np.diff(np.r_[starts, len(A)]))
    losses = np.array(losses)
    best = losses.mean(1).argmin()
    if losses.shape[1] < 2:
        return ALPHAS[best]
    for i in range(len(ALPHAS) - 1, best, -1):
        gains = losses[i] - losses[best]
        if gains.mean() <= gains.std(ddof=1) / np.sqrt(len(gains)):
            return ALPHAS[i]
    return ALPHAS[best]


def ridge_gcv(A, Y, per_output=False, penalty="gcv"):
    """Ridge with an unpenalised intercept, the penalty by GCV (summed over the
    outputs, or one per output), or by blocked cross-validation
    (``penalty=(folds, gap)``, the gap None for the number of outputs)."""
    if penalty == "one-se":
        return ridge_fixed(A, Y, one_se_alpha(A, Y, Y.shape[1]))
    if penalty == "one-se rows":
        return ridge_fixed(A, Y, one_se_alpha(A, Y, 1))
    if penalty != "gcv":
        folds, gap = penalty
        gap = Y.shape[1] if gap is None else gap
        return ridge_fixed(A, Y, blocked_cv_alpha(A, Y, gap, folds))
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


def _penalised_fits(A, Y):
    """For each penalty of the grid: the shrinkage of the centred inputs'
    singular directions, the fitted residuals and the left singular vectors
    (the intercept unpenalised)."""
    A = A - A.mean(0)
    Y = Y - Y.mean(0)
    U, s, _ = np.linalg.svd(A, full_matrices=False)
    UtY = U.T @ Y
    for alpha in ALPHAS:
        shrink = s**2 / (s**2 + alpha)
        yield shrink, Y - U @ (shrink[:, None] * UtY), U


def gcv_score(A, Y):
    """The smallest GCV (summed over the outputs) over the penalty grid."""
    return min((resid**2).sum() / (len(A) - shrink.sum() - 1) ** 2
               for shrink, resid, _ in _penalised_fits(A, Y))


def loo_score(A, Y):
    """The smallest leave-one-out squared error (exact, from the hat matrix's
    diagonal) over the penalty grid, the intercept unpenalised."""
    return min(((resid / (1 - ((U**2 * shrink).sum(1) + 1 / len(A)))[:, None]) ** 2).sum()
               for shrink, resid, U in _penalised_fits(A, Y))


def ar_order(x, window, criterion):
    """AR order of ``x`` by AIC / BIC: OLS one-step fits with an intercept on
    the common sample (statsmodels' ``ar_select_order``), orders 0..window."""
    n = len(x) - window
    Y = x[window:]
    best = None
    for p in range(window + 1):
        A = np.column_stack([np.ones(n)] + [x[window - k: len(x) - k]
                                             for k in range(1, p + 1)])
        coef = np.linalg.lstsq(A, Y, rcond=None)[0]
        sigma2 = ((Y - A @ coef) ** 2).mean()
        penalty = (2 if criterion == "aic" else np.log(n)) * (p + 1)
        value = n * np.log(sigma2) + penalty
        if best is None or value < best[0]:
            best = (value, p)
    return max(best[1], 1)


def tail_score(A, Y, H):
    """Squared error on the last 20% of rows of the ridge fit on the rest,
    ``H`` rows between them (the forecasters' validation tail)."""
    n_valid = max(1, int(0.2 * len(A)))
    train = slice(0, len(A) - n_valid - H)
    coef, intercept = ridge_gcv(A[train], Y[train])
    return ((A[-n_valid:] @ coef + intercept - Y[-n_valid:]) ** 2).sum()


DECAYS = (0.0, 0.5, 1.0, 2.0)


def lag_weights(window, decay):
    """Column weights ``k**-decay`` of lag ``k`` (the most recent last): a
    ridge on the weighted columns penalises lag ``k`` by ``k**(2 decay)``, the
    Minnesota prior's shrinkage of distant lags (Litterman, 1986)."""
    return np.arange(window, 0, -1, dtype=float) ** -float(decay)


def select_lags(A, T, H, x, lags):
    """Number of most recent lags (1..window) by ``lags``, or the given int."""
    window = A.shape[1]
    if isinstance(lags, int):
        return min(lags, window)
    if lags in ("aic", "bic"):
        return ar_order(x, window, lags)
    score = {"gcv": gcv_score, "loo": loo_score,
             "tail": lambda a, t: tail_score(a, t, H)}[lags]
    return 1 + int(np.argmin([score(A[:, window - p:], T)
                              for p in range(1, window + 1)]))


def linear_path(y, H, sp, difference=None, per_output=False, full_windows=False,
                trend=False, lags=None, window=None, decay=0.0, recursive=False,
                penalty="gcv"):
    """The ``H`` forecasts after ``y`` of the linear path (see the module doc).

    ``difference``: None decides by KPSS; ``trend``: centre the differences on
    their least-squares line instead of their mean (the drift grows in time).
    """
    window = window or int(np.clip(3 * sp, 8, 48))
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
    p = window if lags is None else select_lags(A, T, H, x[difference:], lags)
    LAGS_CHOSEN.append(p)
    A, last_window = A[:, window - p:], windows[-1, window - p:]
    if decay == "gcv":
        decay = min(DECAYS, key=lambda d: gcv_score(A * lag_weights(p, d), T))
        LAGS_CHOSEN[-1] = decay
    weights = lag_weights(p, decay)
    A, last_window = A * weights, last_window * weights
    if recursive:
        # One-step ridge, its forecasts fed back (iterated, not direct).
        coef, intercept = ridge_gcv(A, T[:, :1])
        steps, current = [], last_window.copy()
        for _ in ahead:
            steps.append((current @ coef + intercept)[0])
            current = np.concatenate([current[1:] / weights[1:] * weights[:-1],
                                      [steps[-1] * weights[-1]]])
        out = np.cumsum(steps) if difference else np.array(steps)
    else:
        coef, intercept = ridge_gcv(A, T, per_output, penalty)
        out = last_window @ coef + intercept
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
    "GCV penalty (the package before fcacc5)": linear_path,
    "one GCV penalty per step": lambda y, H, sp: linear_path(y, H, sp, per_output=True),
    "rows with whole windows only": lambda y, H, sp: linear_path(
        y, H, sp, full_windows=True),
    "never differenced": lambda y, H, sp: linear_path(y, H, sp, difference=False),
    "always differenced": lambda y, H, sp: linear_path(y, H, sp, difference=True),
    "differenced twice if KPSS rejects twice": kpss_twice,
    "trend in the differences (KPSS c / ct)": trend_in_differences,
    "differenced if KPSS and ADF agree": lambda y, H, sp: linear_path(
        y, H, sp, difference=adf_agrees(y)),
    "one-SE penalty (the package since)": lambda y, H, sp: linear_path(
        y, H, sp, penalty="one-se"),
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


LAG_RULES = {"GCV": "gcv", "leave-one-out": "loo", "AIC (one-step AR)": "aic",
             "BIC (one-step AR)": "bic", "validation tail": "tail"}


def part_lags():
    print("lag order of the linear path (nested, 1..window), MASE hold-out / "
          "rolling [lags chosen at the 6 origins]")
    for name, (H, lag, sp, _) in FORECAST_SETS.items():
        y = load_series(name)
        window = int(np.clip(3 * sp, 8, 48))
        sweep = [score(y, H, lag, lambda t, p=p: linear_path(t, H, sp, lags=p))
                 for p in range(1, window + 1)]
        print(f"  {name} fixed lags 1..{window}: " + ", ".join(
            f"{p + 1}: {h:.3f} / {r:.3f}" for p, (h, r) in enumerate(sweep)))
    for label, rule in {"every lag (the package)": None, **LAG_RULES}.items():
        res, chosen = {}, {}
        for name, (H, lag, sp, _) in FORECAST_SETS.items():
            LAGS_CHOSEN.clear()
            res[name] = score(load_series(name), H, lag,
                              lambda t, H=H, sp=sp: linear_path(t, H, sp, lags=rule))
            chosen[name] = list(LAGS_CHOSEN)
        mean = np.mean(list(res.values()), axis=0)
        print(f"  {label:22s} mean {mean[0]:.3f} / {mean[1]:.3f} | " + "  ".join(
            f"{k} {v[0]:.3f} / {v[1]:.3f} {chosen[k]}" for k, v in res.items()),
            flush=True)
    # N-BEATS's ensemble over lookbacks: the mean forecast of several orders.
    ensembles = {"mean over orders w/3, 2w/3, w": lambda w: sorted(
        {max(1, w // 3), max(1, 2 * w // 3), w}),
        "mean over orders w/2..w": lambda w: range(w // 2, w + 1),
        "mean over orders 1..w": lambda w: range(1, w + 1)}
    for label, orders in ensembles.items():
        res = {}
        for name, (H, lag, sp, _) in FORECAST_SETS.items():
            w = int(np.clip(3 * sp, 8, 48))
            res[name] = score(load_series(name), H, lag, lambda t, H=H, sp=sp, w=w:
                              np.mean([linear_path(t, H, sp, lags=p)
                                       for p in orders(w)], axis=0))
        mean = np.mean(list(res.values()), axis=0)
        print(f"  {label:22s} mean {mean[0]:.3f} / {mean[1]:.3f} | " + "  ".join(
            f"{k} {v[0]:.3f} / {v[1]:.3f}" for k, v in res.items()), flush=True)


SHAPE_RULES = {
    "GCV penalty (the package before fcacc5)": {},
    "recursive (one-step ridge, iterated)": {"recursive": True},
    "recursive, lags by AIC (one-step AR)": {"recursive": True, "lags": "aic"},
    "recursive, lags by GCV": {"recursive": True, "lags": "gcv"},
    "penalty by hv-block CV (5 folds, gap H)": {"penalty": (5, None)},
    "penalty by hv-block CV (10 folds, gap H)": {"penalty": (10, None)},
    "penalty by hv-block CV (3 folds, gap H)": {"penalty": (3, None)},
    "penalty by blocked CV (5 folds, no gap)": {"penalty": (5, 0)},
    "penalty by one-SE rule on LOO (blocks of H)": {"penalty": "one-se"},
    "penalty by one-SE rule on LOO (rows)": {"penalty": "one-se rows"},
    "lag k penalised by k (decay 0.5)": {"decay": 0.5},
    "lag k penalised by k^2 (decay 1)": {"decay": 1.0},
    "lag k penalised by k^4 (decay 2)": {"decay": 2.0},
    "decay 0 / 0.5 / 1 / 2 by GCV": {"decay": "gcv"},
}


def combined(y, H, sp):
    """The mean of the direct and the recursive forecasts."""
    return (linear_path(y, H, sp) + linear_path(y, H, sp, recursive=True)) / 2


def part_shape():
    print("penalty shape and strategy of the linear path, MASE hold-out / rolling")
    rules = {**SHAPE_RULES, "mean of direct and recursive": combined}
    for label, kwargs in rules.items():
        res, chosen = {}, {}
        forecast = (kwargs if callable(kwargs) else
                    lambda t, H, sp, kwargs=kwargs: linear_path(t, H, sp, **kwargs))
        kwargs = {} if callable(kwargs) else kwargs
        for name, (H, lag, sp, _) in FORECAST_SETS.items():
            LAGS_CHOSEN.clear()
            res[name] = score(load_series(name), H, lag, lambda t, H=H, sp=sp:
                              forecast(t, H, sp))
            chosen[name] = ("" if kwargs.get("decay") != "gcv"
                            else " " + str(LAGS_CHOSEN))
        mean = np.mean(list(res.values()), axis=0)
        print(f"  {label:38s} mean {mean[0]:.3f} / {mean[1]:.3f} | " + "  ".join(
            f"{k} {v[0]:.3f} / {v[1]:.3f}{chosen[k]}" for k, v in res.items()),
            flush=True)


def part_heldout_shape():
    """The one-SE and hv-block cross-validated penalties, the recursive path
    and the direct-recursive mean against the GCV penalty (direct) on the
    series not tuned on."""
    series = heldout_series()
    print("series not tuned on, MASE hold-out / rolling, GCV penalty -> variant")
    variants = {
        "one-SE penalty on LOO (blocks of H)": lambda t, H, sp: linear_path(
            t, H, sp, penalty="one-se"),
        "hv-block CV penalty (5 folds)": lambda t, H, sp: linear_path(
            t, H, sp, penalty=(5, None)),
        "hv-block CV penalty (10 folds)": lambda t, H, sp: linear_path(
            t, H, sp, penalty=(10, None)),
        "recursive": lambda t, H, sp: linear_path(t, H, sp, recursive=True),
        "mean of direct and recursive": combined}
    for label, forecast in variants.items():
        pairs = {}
        for name, (y, H, sp, lag) in series.items():
            pairs[name] = (score(y, H, lag, lambda t: linear_path(t, H, sp)),
                           score(y, H, lag, lambda t: forecast(t, H, sp)))
            if not name.startswith("M1"):
                (a, b), (c, d) = pairs[name]
                print(f"  {name:22s} {label}: {a:.3f} / {b:.3f} -> "
                      f"{c:.3f} / {d:.3f}", flush=True)
        for group in ("macrodata", "M1", "synthetic", ""):
            summary(f"{label}, {group or 'all'}",
                    [v for k, v in pairs.items() if k.startswith(group)])


def part_package(m1=False, seeds=3):
    """``GRUForecaster()`` and ``ConvGRUForecaster()`` (the package on
    ``PYTHONPATH``) on the series not tuned on, seeds 0..seeds-1: the
    airline, the synthetic series, sunspots and the macrodata columns; with
    ``m1``, ``GRUForecaster()`` seed 0 on the M1 yearly series it can fit
    at every origin (early stopping needs a few training rows)."""
    import torch

    import sklearn_rnn
    from sklearn_rnn import ConvGRUForecaster, GRUForecaster

    torch.set_num_threads(1)
    print(f"the package at {os.path.dirname(sklearn_rnn.__file__)}, MASE "
          "hold-out / rolling, seed mean")

    def package(cls, seed, H, sp):
        return lambda t: cls(horizon=H, sp=sp, random_state=seed).fit(t).forecast(t)

    groups, skipped = {}, 0
    for name, (y, H, sp, lag) in heldout_series().items():
        if name.startswith("M1") != m1:
            continue
        for cls in (GRUForecaster,) if m1 else (GRUForecaster, ConvGRUForecaster):
            try:
                res = np.mean([score(y, H, lag, package(cls, seed, H, sp))
                               for seed in range(1 if m1 else seeds)], axis=0)
            except ValueError:  # too short for the validation tail
                skipped += 1
                continue
            group = name.split()[0]
            group = group if group in ("macrodata", "M1", "synthetic") else name
            groups.setdefault((group, cls.__name__), []).append(res)
            if not m1:
                print(f"  {name:22s} {cls.__name__:18s} {res[0]:.3f} / {res[1]:.3f}",
                      flush=True)
    for (group, cls), values in groups.items():
        mean = np.mean(values, axis=0)
        print(f"  mean {group:12s} {cls:18s} ({len(values)} series) "
              f"{mean[0]:.3f} / {mean[1]:.3f}")
    if m1:
        print(f"  ({skipped} M1 series too short for the package's defaults)")


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
    print("series not tuned on, MASE hold-out / rolling, GCV penalty -> variant")
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
    parser.add_argument("--part", choices=("dev", "heldout", "realgdp", "lags", "shape",
                                           "heldout-shape", "package",
                                           "package-m1"),
                        action="append", help="one part (repeat for several)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # statsmodels' convergence and table warnings
    parts = {"dev": part_dev, "heldout": part_heldout, "realgdp": part_realgdp,
             "lags": part_lags, "shape": part_shape,
             "heldout-shape": part_heldout_shape, "package": part_package,
             "package-m1": lambda: part_package(m1=True)}
    for part in args.part or [p for p in parts if not p.startswith("package")]:
        parts[part]()


if __name__ == "__main__":
    main()
