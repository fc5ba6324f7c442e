"""The skorch net every recurrent estimator trains, and the one place it is built.

:class:`LeanNeuralNet` is skorch's ``NeuralNet`` with a leaner training step.
:func:`build_net` configures it from an estimator's parameters, for ``fit``
(a fresh net) and for :func:`~sklearn_rnn.load` (a net initialised with
saved weights, optimizer state and history); :func:`restore_state`
initialises a configured net while keeping trained state, which is also how
an unpickled net is made whole (``_pickling.py``). :class:`MaskedMSELoss` is
the loss of targets that may be missing.
"""

import copy
import functools
import math

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping
from skorch.utils import TeeGenerator

from ._callbacks import (
    FaultGuard,
    GradientNorm,
    LRSchedule,
    echo,
    one_cycle,
    progress_callback,
    silent,
)
from ._datasets import BatchIterator
from ._modules import RecurrentNetwork
from ._validation import check_seed

__all__ = [
    "OPTIMIZERS",
    "LeanNeuralNet",
    "MaskedMSELoss",
    "build_net",
    "network_layout",
    "one_cycle_steps",
    "resolve_device",
    "restore_state",
]

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
# Optimizers with torch's fused kernel: one kernel updates every parameter,
# where the default implementation runs a few ops per parameter tensor. The
# update rule is the same, and on the small networks this package trains a
# step is much faster (benchmarks/bench_speed.py).
FUSED_OPTIMIZERS = {"adam", "adamw", "sgd"}
# max_epochs="auto" trains for about this many optimizer steps: enough for a
# few dozen sequences (a handful of batches an epoch), a cap on large data.
AUTO_STEPS = 1000
# lr_schedule="plateau" halves the rate after half this many epochs without
# improvement when patience=None (no early stopping) gives no count.
PLATEAU_PATIENCE = 10


class LeanNeuralNet(NeuralNet):
    """skorch's ``NeuralNet`` with a leaner training step.

    On the small networks this package trains, skorch's per-batch
    bookkeeping is a measurable share of a step (``benchmarks/bench_speed.py``):
    ``module.train()`` visits every submodule at every batch, and
    ``train_step`` wraps the step in a closure for optimizers, such as LBFGS,
    that re-evaluate the loss, and converts batches that our datasets already
    deliver as tensors. Here modes change only when they differ, and a step
    is one forward, backward and optimizer step; callbacks see the same
    notifications as with skorch's.

    Parameters
    ----------
    module, criterion, **kwargs
        As for skorch's ``NeuralNet``.
    step_rows : int or None, default=None
        The most samples one forward and backward pass takes: a larger
        batch is trained in equal slices of at most this many, each
        slice's loss weighted by its share of the batch's known targets and
        the gradients summed, so the step is that of the whole batch (the
        same loss and gradient, up to the float rounding of the sum) while
        its activations are those of one slice. The criterion must average
        over the known (non-NaN) targets, as the MSE losses here do. A
        validation batch runs forward in the same slices, its loss that of
        the whole batch's outputs. None takes the batch in one pass.
    """

    def __init__(self, module, criterion, *, step_rows=None, **kwargs):
        super().__init__(module, criterion, **kwargs)
        self.step_rows = step_rows

    def _set_training(self, training=True):
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    def _slices(self, n):
        """Equal slices of at most ``step_rows`` of a batch of ``n`` samples."""
        n_slices = 1 if self.step_rows is None else -(-n // self.step_rows)
        size = -(-n // n_slices)
        return [slice(start, start + size) for start in range(0, n, size)]

    def train_step(self, batch, **fit_params):
        Xi, yi = batch  # our datasets give a dict of tensors and a tensor
        device = self.device
        self._zero_grad_optimizer()
        self._set_training(True)
        slices = self._slices(len(yi))
        known = (~torch.isnan(yi)).sum()
        loss, y_pred = 0.0, []
        for part in slices:
            # The slice's share of the batch's mean: exactly 1 for one slice,
            # whose step is then the unsliced one to the bit.
            share = float((~torch.isnan(yi[part])).sum() / known)
            out = self.module_(**{key: value[part].to(device)
                                  for key, value in Xi.items()}, **fit_params)
            part_loss = self.criterion_(out, yi[part].to(device)) * share
            part_loss.backward()
            loss = loss + part_loss.detach()
            y_pred.append(out.detach())
        y_pred = y_pred[0] if len(slices) == 1 else torch.cat(y_pred)
        self.notify("on_grad_computed",
                    named_parameters=TeeGenerator(self.get_all_learnable_params()),
                    batch=batch, training=True)
        self._step_optimizer(None)
        return {"loss": loss, "y_pred": y_pred}

    def validation_step(self, batch, **fit_params):
        # The forward in the training step's slices, whose activations are
        # then the largest of the fit rather than a whole batch's; each
        # sample's output is its own, so the loss is that of the whole batch.
        Xi, yi = batch
        self._set_training(False)
        with torch.no_grad():
            y_pred = [self.infer({key: value[part] for key, value in Xi.items()},
                                 **fit_params)
                      for part in self._slices(len(yi))]
            y_pred = y_pred[0] if len(y_pred) == 1 else torch.cat(y_pred)
            loss = self.get_loss(y_pred, yi, X=Xi, training=False)
        return {"loss": loss, "y_pred": y_pred}


class MaskedMSELoss(torch.nn.Module):
    """Mean squared error over the targets that are not NaN.

    NaN marks targets that do not exist: padding steps of a sequence, or
    steps of a forecast window whose future lies beyond the data.
    """

    def forward(self, y_pred, y_true):
        y_pred = y_pred.reshape(y_true.shape)
        known = ~torch.isnan(y_true)
        if bool(known.all()):
            return torch.nn.functional.mse_loss(y_pred, y_true)
        return torch.nn.functional.mse_loss(y_pred[known], y_true[known])


def resolve_device(device):
    """The torch device for the ``device`` parameter."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "device='cuda' was requested but torch sees no CUDA GPU "
            f"(torch {torch.__version__}, CUDA build: "
            f"{torch.version.cuda is not None}). Use device='cpu', or "
            "device='auto' to take a GPU only when there is one."
        )
    return device


def train_batches(estimator, n_samples):
    """Training batches an epoch on ``n_samples`` (less the validation tail)."""
    if estimator.early_stopping:
        n_samples -= (math.ceil(estimator.validation_fraction * n_samples)
                      + estimator._validation_gap())
    return max(1, math.ceil(n_samples / estimator.batch_size))


def training_epochs(estimator, n_samples):
    """``max_epochs``, with ``"auto"`` giving about the estimator's
    ``_auto_steps`` optimizer steps on ``n_samples``."""
    if estimator.max_epochs != "auto":
        return estimator.max_epochs
    return math.ceil(estimator._auto_steps / train_batches(estimator, n_samples))


def one_cycle_steps(estimator, max_epochs, n_samples):
    """The one-cycle curve over the optimizer steps of a fit of ``max_epochs``
    epochs on ``n_samples``."""
    total = max_epochs * train_batches(estimator, n_samples)
    return functools.partial(one_cycle, total_steps=total)


def training_callbacks(estimator, max_epochs, n_samples, checkpoints=()):
    """The named skorch callbacks that ``estimator``'s parameters ask for,
    for a fit of ``max_epochs`` epochs on ``n_samples``, with the named
    ``checkpoints`` the fit itself asks for."""
    callbacks = [
        ("grad_norm", GradientNorm(gradient_clip_value=estimator.clip_grad_norm)),
        # Before early stopping, which ends training by raising in its
        # on_epoch_end: the guard (and the checkpoints) must have seen that
        # epoch.
        ("fault_guard", FaultGuard()),
        *checkpoints,
    ]
    if estimator.early_stopping and estimator.patience is not None:
        # The guard restores the best weights (by the rule of best_epoch_);
        # with patience=None it does so after the whole budget.
        callbacks.append(("early_stopping", EarlyStopping(
            monitor="valid_loss", patience=estimator.patience, load_best=False,
            sink=echo if estimator.verbose else silent,
        )))
    if estimator.lr_schedule == "cosine":
        callbacks.append(("lr_schedule", LRSchedule(
            policy="CosineAnnealingLR", T_max=max_epochs)))
    elif estimator.lr_schedule == "onecycle":
        callbacks.append(("lr_schedule", LRSchedule(
            policy=torch.optim.lr_scheduler.LambdaLR, step_every="batch",
            last_epoch=-1,
            lr_lambda=one_cycle_steps(estimator, max_epochs, n_samples))))
    elif estimator.lr_schedule == "plateau":
        monitor = "valid_loss" if estimator.early_stopping else "train_loss"
        callbacks.append(("lr_schedule", LRSchedule(
            policy="ReduceLROnPlateau", monitor=monitor,
            patience=max(1, (estimator.patience or PLATEAU_PATIENCE) // 2),
            factor=0.5)))
    for i, callback in enumerate(estimator.callbacks or []):
        name = callback[0] if isinstance(callback, tuple) else f"user_{i}"
        obj = callback[1] if isinstance(callback, tuple) else callback
        if not (isinstance(name, str) and isinstance(obj, Callback)):
            raise TypeError(
                "callbacks must be a list of skorch callbacks or (name, "
                f"callback) tuples. Got {callback!r} at position {i} "
                "instead."
            )
        callbacks.append((name, copy.deepcopy(obj)))
    return callbacks


def build_net(estimator, criterion, *, module_kwargs=None, seed=None,
              trained=None, max_epochs=None, n_samples=None, checkpoints=()):
    """The skorch net that trains ``estimator``'s network.

    Parameters
    ----------
    estimator : BaseRecurrent
        Its parameters configure the net (optimizer, batches, validation
        split, callbacks, device).
    criterion : torch.nn.Module
        The loss.
    module_kwargs : dict, default=None
        The :class:`~sklearn_rnn._modules.RecurrentNetwork` to build; None
        rebuilds the one ``estimator`` was fitted with (its
        ``_module_kwargs``).
    seed : int, default=None
        Seed of the batch shuffling; None draws it from ``random_state``.
    trained : dict, default=None
        None gives a net that is not initialised, for ``fit``. Otherwise
        the net is initialised and takes the saved state: ``"module"`` and
        ``"optimizer"`` state dicts and a ``"history"``.
    max_epochs : int, default=None
        Epochs a fit trains; None resolves the estimator's ``max_epochs``
        (``"auto"``: about ``_auto_steps`` optimizer steps on ``n_samples``).
    n_samples : int, default=None
        Size of the training data, which sets ``max_epochs="auto"`` and the
        one-cycle schedule; None (a loaded net, until its next fit) counts
        one batch an epoch.
    checkpoints : list of (str, skorch.callbacks.Callback), default=()
        Named callbacks that watch each epoch before early stopping can end
        training, such as :class:`~sklearn_rnn._callbacks.GroupCheckpoint`.

    Returns
    -------
    net : LeanNeuralNet
    """
    if module_kwargs is None:
        module_kwargs = network_layout(estimator)
    if seed is None:
        seed = check_seed(estimator.random_state)
    if n_samples is None:
        n_samples = estimator.batch_size
    if max_epochs is None:
        max_epochs = training_epochs(estimator, n_samples)
    net = LeanNeuralNet(
        module=RecurrentNetwork(**module_kwargs),
        criterion=criterion,
        optimizer=OPTIMIZERS[estimator.optimizer],
        optimizer__weight_decay=estimator.weight_decay,
        **({"optimizer__fused": True}
           if estimator.optimizer in FUSED_OPTIMIZERS else {}),
        lr=estimator.lr,
        max_epochs=max_epochs,
        batch_size=estimator.batch_size,
        iterator_train=BatchIterator,
        iterator_train__shuffle=True,
        iterator_train__seed=seed,
        iterator_valid=BatchIterator,
        train_split=(estimator._train_split(seed) if estimator.early_stopping
                     else None),
        callbacks=training_callbacks(estimator, max_epochs, n_samples,
                                     checkpoints),
        # Replaces skorch's PrintLog: silent at 0, compact at 1.
        callbacks__print_log=progress_callback(estimator.verbose),
        device=resolve_device(estimator.device),
        verbose=estimator.verbose,
        step_rows=estimator._step_rows(),
    )
    if trained is not None:
        restore_state(net, history=trained["history"],
                      module_state=trained["module"],
                      optimizer_state=trained["optimizer"])
    return net


def network_layout(estimator):
    """The keyword arguments of the network ``estimator`` was fitted with.

    None when there are none (an unfitted estimator, or a malformed file).
    ``fit`` records them so that :func:`build_net` can rebuild the network.
    """
    layout = getattr(estimator, "_module_kwargs", None)
    return layout if isinstance(layout, dict) else None


def restore_state(net, *, history, module_state=None, optimizer_state=None):
    """Initialise ``net`` in place on ``net.device``, keeping trained state.

    The modules keep their weights (or take ``module_state``), the history
    is ``history``, and the optimizer starts afresh unless
    ``optimizer_state`` is given.
    """
    trained = {name: getattr(net, name) for name in net._modules}
    # initialize() moves each module to net.device and builds a new
    # optimizer; it also clears the history in place, so it gets None to
    # replace instead, and the history is put back.
    net.history_ = None
    net.initialize()
    net.history_ = history
    for name, module in trained.items():
        # initialize() keeps a module instance unless module__ parameters
        # make it build a new one, which would hold untrained weights.
        if getattr(net, name + "_") is not module:
            getattr(net, name + "_").load_state_dict(module.state_dict())
    if module_state is not None:
        net.module_.load_state_dict(module_state)
    if optimizer_state is not None:
        net.optimizer_.load_state_dict(optimizer_state)
    return net
