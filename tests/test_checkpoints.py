"""GroupCheckpoint keeps each validation group's best epoch from one training."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from sklearn_rnn._callbacks import GroupCheckpoint


def _net():
    module = torch.nn.Linear(1, 1, bias=False)
    return SimpleNamespace(module_=module, history=[], callbacks_=[])


def _epoch(callback, net, weight, y_pred, *, guard_diverged=False):
    """One epoch: a training batch, then the validation pass in two batches."""
    net.history.append({})
    with torch.no_grad():
        net.module_.weight.fill_(weight)
    net.callbacks_ = [("fault_guard", SimpleNamespace(diverged_=guard_diverged))]
    y = torch.zeros(len(y_pred), 1)
    y_pred = torch.tensor(y_pred, dtype=torch.float32).reshape(-1, 1)
    callback.on_epoch_begin(net)
    # A training batch never counts, whatever its loss.
    callback.on_batch_begin(net, batch=(None, y), training=True)
    callback.on_batch_end(net, batch=(None, y), training=True, y_pred=y_pred + 99)
    callback.on_batch_begin(net, batch=(None, y[:2]), training=False)
    callback.on_batch_end(net, batch=(None, y[:2]), training=False, y_pred=y_pred[:2])
    callback.on_batch_begin(net, batch=(None, y[2:]), training=False)
    callback.on_batch_end(net, batch=(None, y[2:]), training=False, y_pred=y_pred[2:])
    callback.on_epoch_end(net)


def test_each_group_keeps_its_own_best_epoch():
    callback, net = GroupCheckpoint(groups=[0, 0, 1, 1]), _net()
    callback.on_train_begin(net)
    _epoch(callback, net, 1.0, [1, 1, 5, 5])   # group 0: 1, group 1: 25
    _epoch(callback, net, 2.0, [3, 3, 1, 1])   # group 0: 9, group 1: 1
    _epoch(callback, net, 3.0, [2, 2, 2, 2])   # neither improves
    callback.on_train_end(net)
    assert callback.best_epochs_ == {0: 1, 1: 2}
    assert callback.best_states_[0]["weight"].item() == 1.0
    assert callback.best_states_[1]["weight"].item() == 2.0
    # The kept weights are copies, not the live module's.
    assert net.module_.weight.item() == 3.0


def test_diverged_epochs_and_no_groups_keep_nothing():
    callback, net = GroupCheckpoint(groups=[0, 0, 1, 1]), _net()
    callback.on_train_begin(net)
    _epoch(callback, net, 1.0, [0, 0, 0, 0], guard_diverged=True)
    assert callback.best_states_ == {}
    callback.groups = None
    _epoch(callback, net, 2.0, [0, 0, 0, 0])
    assert callback.best_states_ == {}


def test_groups_must_match_the_validation_rows():
    callback, net = GroupCheckpoint(groups=np.zeros(3, dtype=int)), _net()
    callback.on_train_begin(net)
    with pytest.raises(ValueError, match="groups for 3 validation rows"):
        _epoch(callback, net, 1.0, [0, 0, 0, 0])


def test_row_losses_live_through_the_validation_pass_only():
    callback, net = GroupCheckpoint(groups=[0, 0, 1, 1]), _net()
    callback.on_train_begin(net)
    net.history.append({})
    net.callbacks_ = [("fault_guard", SimpleNamespace(diverged_=False))]
    y = torch.zeros(4, 1)
    callback.on_epoch_begin(net)
    callback.on_batch_begin(net, batch=(None, y), training=True)
    callback.on_batch_end(net, batch=(None, y), training=True, y_pred=y)
    assert callback.row_losses_ is None
    callback.on_batch_begin(net, batch=(None, y), training=False)
    assert callback.row_losses_.shape == (4,)
    callback.on_batch_end(net, batch=(None, y), training=False, y_pred=y)
    callback.on_epoch_end(net)
    assert callback.row_losses_ is None


def test_groups_best_at_the_same_epoch_share_one_copy():
    callback, net = GroupCheckpoint(groups=[0, 0, 1, 1]), _net()
    callback.on_train_begin(net)
    _epoch(callback, net, 1.0, [1, 1, 5, 5])
    assert callback.best_states_[0] is callback.best_states_[1]
    _epoch(callback, net, 2.0, [3, 3, 1, 1])   # group 1 alone improves
    assert callback.best_states_[0]["weight"].item() == 1.0
    assert callback.best_states_[1]["weight"].item() == 2.0
