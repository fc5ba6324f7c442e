"""Warnings and errors specific to sklearn-rnn.

Filter the warnings like any other, e.g.
``warnings.simplefilter("error", DivergenceWarning)`` to turn a diverged fit
into an exception in a hyperparameter search.
"""

__all__ = [
    "DivergenceWarning",
    "ModelFileError",
    "TrainingInterruptedWarning",
]


class DivergenceWarning(UserWarning):
    """Training diverged; the estimator kept its best finite weights.

    Raised by ``fit`` when an epoch's loss is not finite, or when an epoch's
    training loss exceeds 100 times the loss of the starting weights (and
    is above 1, about the loss of predicting the mean of standardised
    targets). Training stops at that epoch, the weights of the epoch with the
    lowest loss before it are restored (the starting weights if there is
    none) and the optimizer state is reset, so ``predict`` returns finite
    values and ``warm_start`` can continue. The message says what to try:
    usually a lower ``lr``, gradient clipping (``clip_grad_norm``) or
    ``layer_norm=True``.
    """


class TrainingInterruptedWarning(UserWarning):
    """``fit`` was interrupted (KeyboardInterrupt) and returned early.

    The estimator keeps the weights of the best epoch completed so far and
    ``history_`` up to the last completed epoch; fit again with
    ``warm_start=True`` to continue training.
    """


class ModelFileError(ValueError):
    """A file given to :func:`sklearn_rnn.load` cannot be trusted or read.

    Raised when the file is not a sklearn-rnn model file, was written by an
    incompatible version of the format, or its contents do not match the
    SHA-256 digests recorded when it was saved (it was modified or
    corrupted).
    """
