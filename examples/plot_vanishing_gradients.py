"""
A simple RNN, and why it forgets: gradient norms, clipping and layer_norm
=========================================================================

A simple recurrent network (``cell="rnn"``) forecasts a smooth series well:
the next value depends on the last few. Asked to remember something from
many steps back, it struggles, because the gradient that would teach it has
to flow back through every step, multiplied by the recurrent weights each
time (it vanishes, or explodes). This example measures that with what every
fitted estimator records in ``history_``: the loss and the gradient norm of
each epoch (before clipping).
"""

# %%
# A simple RNN on a synthetic series
# ----------------------------------
# A noisy sine, forecast 10 steps ahead from a window of 20 steps. The
# forecaster's rows are time steps; it trains on the first 400.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_rnn import GRUForecaster, RNNRegressor
from sklearn_rnn.plotting import plot_forecast

rng = np.random.default_rng(0)
t = np.arange(500)
series = np.sin(2 * np.pi * t / 25) + 0.1 * rng.normal(size=t.size)
train, test = series[:400], series[400:410]

rnn = GRUForecaster(cell="rnn", window=20, horizon=10, max_epochs=30,
                    random_state=0).fit(train)
print(f"skill against the naive forecast on the training series: "
      f"{rnn.score(train):.3f}")
ax = plot_forecast(test, rnn.forecast(train), history=train[-75:],
                   title="Simple RNN, 10 steps ahead")
plt.show()

# %%
# A task that needs memory
# ------------------------
# Each sample is a sequence of 40 random numbers and its target is the
# *first* one: the network must carry it to the end and ignore everything
# after it, so the gradient that teaches it has to travel back 40 steps.
X = rng.normal(size=(800, 40, 1))
X_train, y_train = X[:600], X[:600, 0, 0]
X_test, y_test = X[600:], X[600:, 0, 0]

# %%
# Clipping and layer normalisation
# --------------------------------
# ``clip_grad_norm`` (1.0 by default) rescales any gradient whose norm is
# larger, which guards against *exploding* gradients; ``None`` turns it off.
# ``layer_norm=True`` normalises every pre-activation of the cell, which keeps
# activations, and so gradients, in range. We train the same simple RNN
# three ways and read the gradient norm that ``history_`` records for each
# epoch, before any clipping.
# The simple cell alone reads each sequence: no convolutional front end, the
# final state as the readout, no learning-rate schedule.
bare_cell = {"conv_channels": None, "pooling": "last", "lr_schedule": None,
             "hidden_size": 32, "max_epochs": 30, "random_state": 0}
variants = {
    "clip 1.0 (default)": RNNRegressor(**bare_cell),
    "no clipping": RNNRegressor(clip_grad_norm=None, **bare_cell),
    "layer_norm": RNNRegressor(layer_norm=True, **bare_cell),
}
for name, model in variants.items():
    model.fit(X_train, y_train)
    norms = model.history_[:, "grad_norm"]
    print(f"{name:20s} test R2 {model.score(X_test, y_test):6.3f}   gradient "
          f"norm per epoch: median {np.median(norms):.3g}, max {np.max(norms):.3g}")

fig, (loss_ax, norm_ax) = plt.subplots(1, 2, figsize=(10, 3.8),
                                       layout="constrained")
for name, model in variants.items():
    loss_ax.plot(model.history_[:, "train_loss"], label=name)
    norm_ax.plot(model.history_[:, "grad_norm"], label=name)
loss_ax.set(xlabel="epoch", ylabel="training loss", yscale="log")
norm_ax.set(xlabel="epoch", ylabel="gradient norm (before clipping)",
            yscale="log")
norm_ax.axhline(1.0, color="0.5", linestyle=":")
loss_ax.legend()
plt.show()

# %%
# How to read it
# --------------
# * A norm that collapses towards zero while the loss stays high is the
#   vanishing gradient: the network has stopped learning.
# * Spikes of several orders of magnitude are exploding gradients, which
#   clipping exists for.
# * Every epoch above the dotted line had its steps shortened by the default
#   clipping. That bounds the damage of a sudden spike (compare the maxima
#   printed above), at the price of shorter steps whenever gradients are
#   large for good reasons. Raise ``clip_grad_norm`` when the norms sit
#   steadily above it and the loss decreases smoothly.
# * ``layer_norm`` keeps the norms in a narrower band. It is no substitute
#   for memory (see its score), and it runs as a Python loop over time
#   steps, several times slower than the fused kernels.
#
# None of these knobs lets a simple RNN remember far back reliably: the
# remedy is a gated cell (``cell="gru"`` or ``"lstm"``), whose state can pass
# through many steps unchanged. :ref:`sphx_glr_auto_examples_plot_long_memory.py`
# measures that on a sequence of 120 steps.
