"""The best weights by the loss on each group of validation rows.

:class:`GroupCheckpoint` watches the validation pass of every epoch and keeps,
for each group of validation rows, the weights of the epoch whose mean loss
on that group is lowest: several early-stopping picks from one training run.
The forecasters use it to pick on one half of the validation tail and take
the calibration residuals of the other half from that pick, so no residual
comes from the model its own rows chose.
"""

import copy

import numpy as np
from skorch.callbacks import Callback

__all__ = ["GroupCheckpoint"]


class GroupCheckpoint(Callback):
    """Keep the weights of the best epoch on each group of validation rows.

    Parameters
    ----------
    groups : array-like of int of shape (n_valid_rows,) or None
        The group of each validation row, in the order of the validation
        pass; None keeps nothing (set it to None once the weights are read,
        so that a later ``warm_start`` fit on other rows does not track).

    Attributes
    ----------
    best_states_ : dict
        Group to the ``state_dict`` of its best epoch; a group with no
        finite epoch has none.
    best_epochs_ : dict
        Group to its best epoch (1-based, in ``net.history``).
    """

    def __init__(self, groups=None):
        self.groups = groups

    def on_train_begin(self, net, **kwargs):
        self.best_states_, self.best_epochs_, self.best_losses_ = {}, {}, {}

    def on_epoch_begin(self, net, **kwargs):
        self.row_losses_ = None
        self._filled = 0

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        if training or self.groups is None or self.row_losses_ is not None:
            return
        # One array for the pass, filled batch by batch (a small array kept
        # after each batch would split the batch's freed activations, which
        # the next batch then no longer fits in), made before the pass's
        # first batch: the training pass before it has no use for it.
        self.row_losses_ = np.empty(len(self.groups))

    def on_batch_end(self, net, batch=None, training=None, y_pred=None,
                     **kwargs):
        if training or self.groups is None:
            return
        y = batch[1]
        error = (y_pred.detach().cpu().reshape(y.shape) - y).flatten(1).double()
        stop = self._filled + len(error)
        if stop <= len(self.row_losses_):
            self.row_losses_[self._filled: stop] = (
                (error ** 2).nanmean(dim=1).numpy())
        self._filled = stop

    def on_epoch_end(self, net, **kwargs):
        if self.groups is None or not self._filled:
            return
        guard = dict(net.callbacks_).get("fault_guard")
        if guard is not None and guard.diverged_:
            return
        losses = self.row_losses_
        groups = np.asarray(self.groups)
        if self._filled != len(groups):
            raise ValueError(
                f"GroupCheckpoint has groups for {len(groups)} validation rows; "
                f"the validation pass had {self._filled}.")
        # Groups whose best is this epoch share one copy of its weights.
        state = None
        for group in np.unique(groups).tolist():
            loss = losses[groups == group].mean()
            if loss < self.best_losses_.get(group, np.inf):
                if state is None:
                    state = copy.deepcopy(net.module_.state_dict())
                self.best_losses_[group] = loss
                self.best_epochs_[group] = len(net.history)
                self.best_states_[group] = state
        self.row_losses_ = None

    def on_train_end(self, net, **kwargs):
        self.row_losses_ = None
