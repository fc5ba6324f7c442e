"""
Forecast intervals that hold their coverage
===========================================

Every forecaster gives intervals around its forecasts:
``forecast(X, coverage=0.9)`` returns the forecast of the next ``horizon``
steps with the bounds of its 90% interval, and ``predict_interval`` bounds
every row's forecast. They are conformal intervals: each forecast widened by
the quantile of the forecaster's own out-of-sample errors at that step, so no
error distribution is assumed.

We forecast the airline passengers with the seasonal naive forecaster, draw
80% and 95% bands, and check on rolling origins how often the truth falls
inside.
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
# The bands widen with the step ahead: each horizon step has its own
# residuals. The errors are scaled by the size of the errors just before
# them, so a series whose swings grow with its level (as here) gets bands
# sized for its recent swings, not its average ones.
print((frame["upper_0.95"] - frame["lower_0.95"]).round().to_numpy())

# %%
# Rolling origins, as in ``benchmarks/bench_intervals.py``: refit at 12
# origins spread over the last quarter of the series and count how often the
# next 12 months fall inside the intervals.
hits = {0.8: [], 0.95: []}
scores = []
last = len(y) - 13
for origin in np.linspace(last - len(y) // 4, last, 12).round().astype(int):
    history, future = y[: origin + 1], y[origin + 1: origin + 13].to_numpy()
    frame = model.fit(history).forecast(history, coverage=[0.8, 0.95])
    for coverage, inside in hits.items():
        lower = frame[f"lower_{coverage:g}"].to_numpy()
        upper = frame[f"upper_{coverage:g}"].to_numpy()
        inside.append(interval_coverage(future, lower, upper))
    scores.append(interval_score(future, frame["lower_0.8"], frame["upper_0.8"],
                                 coverage=0.8))
for coverage, inside in hits.items():
    print(f"nominal {coverage:.0%}: empirical {np.mean(inside):.0%}")
print(f"mean interval score of the 80% intervals: {np.mean(scores):.0f}")

# %%
# The coverage is a long-run average. Over a dozen overlapping origins of one
# series it moves by several points with the choice of origins (their
# futures share most of their months): 24 consecutive origins over the last
# two years give 61% at 80% nominal (and 88.5% at 95%).
# ``benchmarks/bench_intervals.py`` measures it on three series beside
# sktime's and statsmodels' intervals.

# %%
# Use ``sklearn_rnn.metrics.interval_scorer`` (or
# :func:`~sklearn_rnn.metrics.make_interval_scorer`) to choose a forecaster
# by the quality of its intervals in a ``GridSearchCV``.
