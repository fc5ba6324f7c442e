"""
Many series, one model: a global forecaster, with and without known covariates
==============================================================================

Twelve shops sell at different levels with the same weekly rhythm, and each
runs promotions that are planned ahead. Three ways to forecast a week ahead:

1. one :class:`~sklearn_rnn.GRUForecaster` per shop (local models);
2. one :class:`~sklearn_rnn.GRUForecaster` fit on the panel of all shops (a
   global model): every shop's windows train the same network, each shop
   scaled by its own statistics, so the shared weekly pattern is learned from
   twelve times the data;
3. the global model told which columns are known ahead (``known=["promo"]``):
   it reads the promotions over the forecast week too, and ``forecast``
   takes them as ``X_future``.

:func:`~sklearn_rnn.model_selection.backtest` scores each from the same
three origins, cutting every shop at the same days.
"""

# %%
# A panel: a pandas DataFrame indexed by (shop, day)
# --------------------------------------------------
# The layout of sktime's ``pd-multiindex`` and of a neuralforecast long frame
# indexed by ``["unique_id", "ds"]``. Shops may differ in length and start.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from sklearn_rnn import GRUForecaster, NaiveForecaster
from sklearn_rnn.model_selection import backtest

torch.set_num_threads(1)
rng = np.random.default_rng(0)
shops = {}
for shop in range(12):
    n_days = int(rng.integers(90, 120))
    day = np.arange(n_days)
    level = rng.uniform(20, 200)
    promo = (rng.random(n_days) < 0.15).astype(float)
    sales = level * (1 + 0.3 * np.sin(2 * np.pi * day / 7 + shop / 3)
                     + 0.5 * promo + 0.08 * rng.normal(size=n_days))
    shops[f"shop {shop}"] = pd.DataFrame(
        {"sales": sales, "promo": promo},
        index=pd.date_range(end="2024-06-30", periods=n_days, freq="D",
                            name="day"))
panel = pd.concat(shops, names=["shop", "day"])
panel.head()

# %%
# Global, local and naive, scored by backtest
# -------------------------------------------
# ``backtest`` of a panel fits once per origin on the training days of every
# shop and reports one row per origin and shop. A local model is the same
# backtest shop by shop.
horizon = 7
params = dict(window=14, horizon=horizon, hidden_size=16, max_epochs=20,
              random_state=0)
y = panel["sales"]


def local_backtest(model, X=None):
    results = [backtest(model, y.xs(shop), None if X is None else X.xs(shop),
                        cv=3, scoring="MASE").assign(series=shop)
               for shop in shops]
    return pd.concat(results).set_index("series", append=True)


results = {
    "naive (last value)": backtest(NaiveForecaster(horizon=horizon), y, cv=3,
                                   scoring="MASE"),
    "seasonal naive": backtest(NaiveForecaster(strategy="seasonal", sp=7,
                                               horizon=horizon), y, cv=3,
                               scoring="MASE"),
    "GRU per shop": local_backtest(GRUForecaster(**params)),
    "GRU global": backtest(GRUForecaster(**params), y, cv=3, scoring="MASE"),
    "GRU global, promo as past input": backtest(
        GRUForecaster(**params), y, panel, cv=3, scoring="MASE"),
    "GRU global, promo known ahead": backtest(
        GRUForecaster(known=["promo"], **params), y, panel, cv=3, scoring="MASE"),
}
summary = pd.DataFrame({
    name: {"mean MASE": result["MASE"].mean(),
           "fit s per origin": result.groupby(level="fold")["fit_time"].first()
           .sum() / 3 if "per shop" not in name
           else result["fit_time"].sum() / 3}
    for name, result in results.items()
}).T
summary.round(3)

# %%
# The global model learns the weekly shape from all shops at once; knowing
# the promotions ahead lets it forecast the jumps they cause instead of
# guessing them.
fig, ax = plt.subplots(figsize=(7, 3.5))
summary["mean MASE"].plot.barh(ax=ax)
ax.set_xlabel("mean MASE over shops and origins (lower is better)")
fig.tight_layout()

# %%
# Forecasting the next week of every shop
# ---------------------------------------
# ``forecast`` of a panel returns every shop's next ``horizon`` days, indexed
# by (shop, day); with known covariates, ``X_future`` holds the planned
# promotions of those days, a panel too.
model = GRUForecaster(known=["promo"], **params).fit(panel)
next_week = pd.date_range("2024-07-01", periods=horizon, freq="D", name="day")
plans = pd.concat(
    {shop: pd.DataFrame({"promo": (rng.random(horizon) < 0.15).astype(float)},
                        index=next_week) for shop in shops},
    names=["shop", "day"])
forecast = model.forecast(panel, plans)

fig, ax = plt.subplots(figsize=(7, 3.5))
for shop in ["shop 0", "shop 5"]:
    line, = ax.plot(y.xs(shop).iloc[-28:], label=shop)
    ax.plot(forecast.xs(shop), "--", color=line.get_color())
    promo_days = plans.xs(shop).index[plans.xs(shop)["promo"] == 1]
    ax.plot(promo_days, forecast.xs(shop)[promo_days], "o",
            color=line.get_color())
ax.set_ylabel("sales")
ax.set_title("Next week (dashed); dots: planned promotions")
ax.legend()
fig.autofmt_xdate()
fig.tight_layout()
plt.show()
