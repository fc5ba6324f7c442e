"""
Digits read row by row, and digits drawn row by row
===================================================

Two directions of the same idea, on scikit-learn's 8x8 handwritten digits.

* **Sequence to vector.** :class:`~sklearn_rnn.ToSequences` turns each flat
  64-pixel image into a sequence of 8 steps of 8 pixels (one row per step);
  an :class:`~sklearn_rnn.LSTMClassifier` reads the rows top to bottom and
  names the digit from its final state.
* **Vector to sequence.** :class:`~sklearn_rnn.RepeatVector` feeds the same
  vector (here, which digit to draw) at every one of 8 steps, and an
  :class:`~sklearn_rnn.RNNRegressor` with a target at every step emits one
  row of pixels per step: it draws the digit.
"""

# %%
# Sequence to vector: classify a digit from its rows
# --------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMClassifier, RepeatVector, RNNRegressor, ToSequences

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0, stratify=y)

print(ToSequences(n_timesteps=8).fit_transform(X[:1]).shape)  # 1 image, 8 rows of 8

# %%
# Both steps keep one row per image, so they make an ordinary pipeline (and a
# grid search could tune ``tosequences__n_timesteps`` or the cell).
clf = make_pipeline(ToSequences(n_timesteps=8),
                    LSTMClassifier(hidden_size=32, max_epochs=20, random_state=0))
clf.fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# A few test images with the predicted label.
fig, axes = plt.subplots(1, 8, figsize=(9, 1.6))
predicted = clf.predict(X_test[:8])
for ax, image, label in zip(axes, X_test[:8], predicted):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_title(f"pred {label}")
    ax.set_axis_off()
plt.show()

# %%
# Vector to sequence: draw a digit row by row
# -------------------------------------------
# The input is the one-hot code of the digit, repeated at each of the 8
# steps; the target of step ``t`` is row ``t`` of the image, so ``y`` has a
# time axis, ``(n_samples, 8 steps, 8 pixels)``, and the regressor emits an
# output at every step.
codes = np.eye(10)[y]                       # (n_samples, 10)
rows = X.reshape(-1, 8, 8) / 16.0           # (n_samples, 8, 8)
drawer = make_pipeline(RepeatVector(n_steps=8),
                       RNNRegressor(cell="gru", hidden_size=32, max_epochs=30,
                                    random_state=0))
drawer.fit(codes, rows)

# %%
# What the network draws for each digit. With the same input at every step,
# it is the recurrent state that knows which row comes next. Trained on the
# squared error, it draws each class's average image.
drawn = drawer.predict(np.eye(10))          # (10, 8, 8)
fig, axes = plt.subplots(2, 10, figsize=(10, 2.4))
for digit in range(10):
    axes[0, digit].imshow(drawn[digit], cmap="gray_r", vmin=0, vmax=1)
    axes[0, digit].set_title(str(digit))
    axes[1, digit].imshow(rows[y == digit].mean(axis=0), cmap="gray_r",
                          vmin=0, vmax=1)
for ax in axes.ravel():
    ax.set_axis_off()
axes[0, 0].text(-12, 4, "drawn", va="center")
axes[1, 0].text(-12, 4, "mean", va="center")
plt.show()

error = np.abs(drawn - np.stack([rows[y == d].mean(axis=0) for d in range(10)]))
print(f"mean absolute difference from the class means: {error.mean():.3f}")
