"""Training faults: divergence, interruption, and the best weights so far.

:class:`FaultGuard` is the skorch callback every recurrent estimator trains
with. It keeps an in-memory copy of the best weights of the current ``fit``
and decides, when training ends, which weights the estimator keeps:

* **Divergence.** An epoch whose training or validation loss is not finite,
  or whose training loss exceeds ``factor`` (100) times the loss of the
  starting weights and is above 1, has diverged (losses are on standardised
  targets, where 1 is about the loss of predicting the mean, so the floor of
  1 keeps a warm start from a near-perfect fit from counting ordinary noise
  as divergence). Training stops after that epoch, the best weights are
  restored (the starting weights if no epoch before it was healthy) and the
  optimizer state, which a diverged step leaves huge or NaN, is reset.
* **Interruption.** skorch catches a ``KeyboardInterrupt`` raised during its
  loop and ends training. Unless early stopping or divergence raised it, the
  guard restores the best weights so far and drops the epoch that was cut
  short from the history.
* **Early stopping.** With a validation set the best weights (lowest
  validation loss) are always restored at the end, as
  ``EarlyStopping(load_best=True)`` would, but by the same rule as
  ``best_epoch_``.

The estimator reads the guard's verdict after ``fit`` and warns
(:class:`~sklearn_rnn.exceptions.DivergenceWarning`,
:class:`~sklearn_rnn.exceptions.TrainingInterruptedWarning`).
"""

import copy
import math

import torch
from skorch.callbacks import Callback, EarlyStopping

__all__ = ["FaultGuard"]

# Samples of the training data on which the starting weights' loss is
# measured: enough for a stable reference, cheap next to an epoch.
REFERENCE_SAMPLES = 256


class FaultGuard(Callback):
    """Keep the best finite weights in memory; stop and restore on faults.

    Parameters
    ----------
    factor : float, default=100.0
        An epoch whose training loss exceeds ``factor`` times the loss of
        the starting weights (and ``factor * floor``) has diverged.
    floor : float, default=0.01
        Smallest reference loss, see ``factor``.

    Attributes
    ----------
    outcome_ : {"completed", "early_stopping", "diverged", "interrupted"}
        How the last training run ended.
    reason_ : str or None
        What diverged, in words.
    best_epoch_ : int
        The epoch (1-based, in ``net.history``) whose weights the net holds
        after a restore, or 0 for the starting weights.
    restored_ : bool
        Whether the weights were replaced at the end of training.
    complete_ : int
        Length of ``net.history`` up to the last completed epoch.
    """

    def __init__(self, factor=100.0, floor=0.01):
        self.factor = factor
        self.floor = floor

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.start_ = len(net.history)
        self.complete_ = self.start_
        self.outcome_ = "completed"
        self.reason_ = None
        self.restored_ = False
        self.diverged_ = False
        self.best_epoch_ = 0
        self.best_loss_ = math.inf
        self.start_state_ = copy.deepcopy(net.module_.state_dict())
        self.best_state_ = self.start_state_
        self.reference_ = self._reference_loss(net, X)

    @staticmethod
    def _reference_loss(net, dataset):
        """Loss of the starting weights on the first training samples."""
        if not hasattr(dataset, "batch") or len(dataset) == 0:
            return None
        index = torch.arange(min(len(dataset), REFERENCE_SAMPLES))
        Xb, yb = dataset.batch(index)
        if yb is None:
            return None
        net.module_.eval()
        with torch.no_grad():
            loss = net.get_loss(net.infer(Xb), yb, X=Xb, training=False)
        loss = float(loss)
        return loss if math.isfinite(loss) else None

    def on_epoch_begin(self, net, **kwargs):
        # Raising here rather than in on_epoch_end lets every callback
        # (the progress table too) finish the diverged epoch first.
        if self.diverged_:
            raise KeyboardInterrupt

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        epoch = len(net.history)
        train = row.get("train_loss", math.nan)
        valid = row.get("valid_loss")
        self.complete_ = epoch
        reference = self.reference_
        if reference is None and epoch == self.start_ + 1 and math.isfinite(train):
            reference = self.reference_ = train
        if not math.isfinite(train):
            self.reason_ = f"the training loss became {train} at epoch {epoch}"
        elif valid is not None and not math.isfinite(valid):
            self.reason_ = f"the validation loss became {valid} at epoch {epoch}"
        elif reference is not None and train > self.factor * max(reference,
                                                                  self.floor):
            self.reason_ = (
                f"the training loss rose to {train:.4g} at epoch {epoch}, more "
                f"than {self.factor:g} times the loss of the starting weights "
                f"({reference:.4g})"
            )
        if self.reason_ is not None:
            self.diverged_ = True
            return
        loss = train if valid is None else valid
        if loss < self.best_loss_:
            self.best_loss_ = loss
            self.best_epoch_ = epoch
            self.best_state_ = copy.deepcopy(net.module_.state_dict())

    def on_train_end(self, net, **kwargs):
        n_epochs = self.complete_ - self.start_
        stopped_early = any(
            isinstance(cb, EarlyStopping) and cb.misses_ >= cb.patience
            for _, cb in net.callbacks_
        )
        if self.diverged_:
            self.outcome_ = "diverged"
        elif stopped_early:
            self.outcome_ = "early_stopping"
        elif n_epochs < net.max_epochs:
            self.outcome_ = "interrupted"
        # An epoch cut short changed the weights but has no losses to show.
        cut_short = len(net.history) > self.complete_
        del net.history[self.complete_:]
        validated = bool(net.history) and "valid_loss" in net.history[-1]
        if self.outcome_ in ("diverged", "interrupted") or validated:
            if (self.best_epoch_ != self.complete_ or self.best_epoch_ == 0
                    or cut_short or self.diverged_):
                net.module_.load_state_dict(self.best_state_)
                self.restored_ = True
        if self.diverged_:
            net.initialize_optimizer()
        # The copies can be as large as the model; they are not needed now.
        self.best_state_ = self.start_state_ = None

    def rollback(self, net):
        """Undo a training run that raised: starting weights and history."""
        net.module_.load_state_dict(self.start_state_)
        del net.history[self.start_:]
        self.start_state_ = self.best_state_ = None
