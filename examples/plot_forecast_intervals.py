"""
Forecast intervals that hold their coverage
===========================================

Every forecaster gives intervals around its forecasts:
``forecast(X, coverage=0.9)`` returns the forecast of the next ``horizon``
steps with the bounds of its 90% interval, and ``predict_interval`` bounds
every row's forecast. They are conformal intervals: each forecast widened by
the quantile of the forecaster's own out-of-sample errors at that step (each
error measured against how much the series moved just before it), so no
error distribution is assumed.

We forecast the airline passengers with the seasonal naive forecaster, draw
80% and 95% bands, and check on rolling origins how often the truth falls
inside, for it and for the last-value naive forecaster.
"""

# %%
# A year of forecasts with two bands. The DataFrame has one row per month,
# dated like the series, and a pair of bound columns per coverage.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_rnn import NaiveForecaster
from sklearn_rnn.datasets import load_airline
from sklearn_rnn.metrics import interval_coverage, interval_score
from sklearn_rnn.plotting import plot_forecast

y = load_airline()
train, test = y[:-12], y[-12:]
model = NaiveForecaster(strategy="seasonal", sp=12, horizon=12).fit(train)
frame = model.forecast(train, coverage=[0.8, 0.95])
print(frame.head(3))

plot_forecast(test, {"seasonal naive": frame}, history=train[-36:],
              title="Airline passengers: 1960 forecast with 80% and 95% bands")
plt.show()

# %%
# Each horizon step has its own residuals, and every error is divided by
# the local scale of the series where its forecast was made: the mean
# absolute change over a season in the 24 months before (the seasonal naive
# forecast's own errors there). The bands are that scale at the forecast's
# origin times the quantile of the scaled errors, so a series whose swings
# grow with its level (as here) gets bands sized for its recent swings, not
# its average ones.
print((frame["upper_0.95"] - frame["lower_0.95"]).round().to_numpy())

# %%
# Rolling origins, as in ``benchmarks/bench_intervals.py``: refit at 12
# origins spread over the last quarter of the series and count how often the
# next 12 months fall inside the intervals.
last = len(y) - 13
origins = np.linspace(last - len(y) // 4, last, 12).round().astype(int)
for name, forecaster in [("seasonal naive", model),
                         ("last value", NaiveForecaster(horizon=12))]:
    hits = {0.8: [], 0.95: []}
    scores = []
    for origin in origins:
        history, future = y[: origin + 1], y[origin + 1: origin + 13].to_numpy()
        frame = forecaster.fit(history).forecast(history, coverage=[0.8, 0.95])
        for coverage, inside in hits.items():
            lower = frame[f"lower_{coverage:g}"].to_numpy()
            upper = frame[f"upper_{coverage:g}"].to_numpy()
            inside.append(interval_coverage(future, lower, upper))
        scores.append(interval_score(future, frame["lower_0.8"],
                                     frame["upper_0.8"], coverage=0.8))
    print(f"{name}: " + ", ".join(
        f"nominal {coverage:.0%} -> empirical {np.mean(inside):.0%}"
        for coverage, inside in hits.items())
        + f"; mean interval score at 80%: {np.mean(scores):.0f}")

# %%
# The coverage is a long-run average, and it holds when the scaled errors
# to come look like the calibration ones. The last-value forecaster's
# errors are the series' swings, which the scale follows: about 81% and 97%
# here. The seasonal naive's errors on this series are the year-on-year
# growth, of one sign and drifting with the growth rate, so its intervals
# fall short (about 70% at 80% nominal, 94% at 95%), with the narrower bands
# and the better interval score all the same. Over a dozen overlapping
# origins the coverage also moves by several points with the choice of
# origins (their futures share most of their months).
# ``benchmarks/bench_intervals.py`` measures it on three series for every
# forecaster beside sktime's and statsmodels' intervals.

# %%
# Use ``sklearn_rnn.metrics.interval_scorer`` (or
# :func:`~sklearn_rnn.metrics.make_interval_scorer`) to choose a forecaster
# by the quality of its intervals in a ``GridSearchCV``.
