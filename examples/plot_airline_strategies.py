"""
Forecasting the airline series: recursive, direct and seq2seq
=============================================================

:class:`~sklearn_rnn.GRUForecaster` can produce a 12-month forecast in three
ways (``strategy``):

* ``"direct"``: the network emits all 12 steps at once;
* ``"recursive"``: a one-step network is fed its own forecasts 12 times;
* ``"seq2seq"``: the network emits the next 12 steps after every step of the
  window, and is trained on all of those outputs.

We train each on the airline passengers up to December 1959, forecast 1960,
and compare them with the naive forecasts: the last value repeated, and last
year repeated (seasonal naive), the yardstick any forecaster of a seasonal
series has to beat.
"""

# %%
# The data: 144 monthly totals with a trend and a yearly season whose
# amplitude grows with the level.
import time

import matplotlib.pyplot as plt
import numpy as np

from sklearn_rnn import GRUForecaster, NaiveForecaster
from sklearn_rnn.datasets import load_airline
from sklearn_rnn.plotting import plot_forecast

y = load_airline()
train, test = y[:-12], y[-12:]
horizon = 12

# %%
# Fit the forecasters. Each sees a window of 24 months. The series trends
# upward, so by default (``difference="auto"``, a KPSS test) each network
# forecasts the changes of the series rather than its level, which lets it
# forecast levels above any it was trained on.
models = {
    "naive (last value)": NaiveForecaster(strategy="last", horizon=horizon),
    "seasonal naive": NaiveForecaster(strategy="seasonal", sp=12, horizon=horizon),
}
for strategy in ("direct", "recursive", "seq2seq"):
    models[strategy] = GRUForecaster(window=24, horizon=horizon, strategy=strategy,
                                     max_epochs=60, random_state=0)

forecasts, seconds = {}, {}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(train)
    seconds[name] = time.perf_counter() - start
    forecasts[name] = model.forecast(train)

# %%
# Mean absolute error over the 12 months of 1960, and the package's skill
# score (``1 - MSE / MSE of the last-value forecast``) on this forecast.
from sklearn_rnn.metrics import skill_score  # noqa: E402

naive = forecasts["naive (last value)"].to_numpy()
print(f"{'model':20s} {'MAE':>7s} {'skill':>7s} {'fit s':>6s}")
for name, forecast in forecasts.items():
    mae = np.mean(np.abs(forecast.to_numpy() - test.to_numpy()))
    skill = skill_score(test.to_numpy(), forecast.to_numpy(), naive)
    print(f"{name:20s} {mae:7.1f} {skill:7.3f} {seconds[name]:6.1f}")

# %%
# One fold is one year: a single draw. The command-line demo
# (``python -m sklearn_rnn``) repeats this over several forecast origins.
fig, ax = plt.subplots(figsize=(9, 4.5))
plot_forecast(test, {name: f for name, f in forecasts.items()
                     if name != "naive (last value)"},
              history=train[-36:], ax=ax, title="Forecasts of 1960")
ax.set_ylabel("passengers (thousands)")
plt.show()

# %%
# The recursive strategy costs ``horizon`` network calls per forecast and its
# errors compound; the direct and seq2seq networks predict all steps in one
# call. Recursive needs ``X`` to be the target alone (its own forecasts are
# fed back as the next input), while the other two also take covariates.
