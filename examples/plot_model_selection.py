"""
Cross-validating cells, and grid-searching a window in a Pipeline
=================================================================

Every choice of a recurrent estimator is a constructor parameter, so
scikit-learn's model selection applies unchanged:

1. :class:`~sklearn.model_selection.GridSearchCV` compares the three cells
   of a :class:`~sklearn_rnn.GRUForecaster` with a
   :class:`~sklearn.model_selection.TimeSeriesSplit` (training folds always
   precede their test fold);
2. a :class:`~sklearn.pipeline.Pipeline` of
   :class:`~sklearn_rnn.SlidingWindows` and an
   :class:`~sklearn_rnn.RNNRegressor` searches the window length and the
   hidden size together.
"""

# %%
# A synthetic series: two seasonal cycles (periods 12 and 40) and noise.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from sklearn_rnn import GRUForecaster, RNNRegressor, SlidingWindows
from sklearn_rnn.plotting import plot_cv_results

rng = np.random.default_rng(0)
t = np.arange(720)
series = pd.Series(np.sin(2 * np.pi * t / 12) + 0.6 * np.sin(2 * np.pi * t / 40)
                   + 0.2 * rng.normal(size=t.size))
cv = TimeSeriesSplit(n_splits=3)

# %%
# 1. Which cell?
# --------------
# A forecaster's ``score`` is its skill against the naive last-value
# forecast on the test fold (``1 - MSE / MSE of the naive forecast``), so
# the search ranks candidates by how much they beat that baseline. Row ``t``
# of ``predict`` forecasts ``series[t]`` from the rows before it; as a pandas
# series, each test fold continues its training fold (its index starts where
# the training index ends), so its first rows are forecast from the end of
# the training fold: every test row is a true out-of-sample forecast. With
# ``horizon=1``, scikit-learn's own scorers (``scoring="r2"``, ...) work too.
cells = GridSearchCV(
    GRUForecaster(window=24, hidden_size=16, max_epochs=10, random_state=0),
    {"cell": ["rnn", "lstm", "gru"]},
    cv=cv,
).fit(series)
for cell, score, std in zip(cells.cv_results_["param_cell"],
                            cells.cv_results_["mean_test_score"],
                            cells.cv_results_["std_test_score"]):
    print(f"{cell:5s} skill {score:.3f} +/- {std:.3f}")

# %%
# 2. Window and hidden size in a Pipeline
# ---------------------------------------
# :class:`~sklearn_rnn.SlidingWindows` turns each row (time step) into the
# sequence of the last ``window`` values, keeping one row per time step, so
# a sequence estimator can learn a per-row target: here the next value.
# Because the window is a parameter of a pipeline step, the search tunes it.
X = series.to_numpy()[:-1].reshape(-1, 1)  # rows: time steps
y = series.to_numpy()[1:]          # the target of row t is the value at t+1
pipeline = Pipeline([
    ("windows", SlidingWindows(window=12)),
    ("rnn", RNNRegressor(cell="gru", max_epochs=10, random_state=0)),
])
search = GridSearchCV(
    pipeline,
    {"windows__window": [6, 24], "rnn__hidden_size": [8, 32]},
    cv=cv,
).fit(X, y)
print("best:", search.best_params_, f"R2 {search.best_score_:.3f}")

# %%
# The plots compare the values of one parameter across candidates: the bar is
# the best candidate with that value (error bar: standard deviation across
# folds), dots are the other candidates with that value.
fig, axes = plt.subplots(1, 3, figsize=(10, 3.5), layout="constrained")
plot_cv_results(cells, param="cell", ax=axes[0])
plot_cv_results(search, param="window", ax=axes[1])
plot_cv_results(search, param="hidden_size", ax=axes[2])
axes[0].set_ylabel("skill vs naive")
axes[1].set_ylabel("R2")
axes[2].set_ylabel("R2")
plt.show()
