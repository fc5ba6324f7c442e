"""The shared training machinery of every recurrent estimator.

:class:`BaseRecurrent` validates parameters, builds the private torch module
and a skorch net in ``fit`` (kept as ``net_``), and runs skorch's loop with
callbacks for clipping, early stopping and learning-rate schedules. Task
classes supply the data (a dataset object, see ``_data.py``), the loss and
the output transform.
"""

import copy
import functools
import math
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from skorch.utils import TeeGenerator
from skorch.callbacks import (
    Callback,
    EarlyStopping,
    GradientNormClipping,
    LRScheduler,
)

from ._data import BatchIterator, TailSplit, check_seed
from ._faults import FaultGuard
from ._modules import RecurrentNetwork
from ._parallel import thread_budget
from ._pickling import restore_net, slim_net
from ._validation import check_no_bool_numbers
from ._progress import echo, progress_callback
from .exceptions import DivergenceWarning, TrainingInterruptedWarning

_OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
# Optimizers with torch's fused kernel: one kernel updates every parameter,
# where the default implementation runs a few ops per parameter tensor. The
# update rule is the same; on the small networks this package trains, a
# step takes a third of the time (benchmarks/bench_speed.py).
_FUSED = {"adam", "adamw", "sgd"}

PREDICT_BATCH_SIZE = 4096
# max_epochs="auto" trains for about this many optimizer steps: enough for a
# few dozen sequences (a handful of batches an epoch), a cap on large data.
AUTO_STEPS = 1000


def _clip_grad_norm(grads, max_norm, norm_type):
    """Total norm of ``grads``, and clip them to ``max_norm`` unless None.

    The arithmetic of :func:`torch.nn.utils.clip_grad_norm_` for gradients on
    one device (as ours are), without its per-call grouping by device and
    dtype, which costs as much as the norm on small networks.
    """
    norm = torch.linalg.vector_norm(
        torch.stack(torch._foreach_norm(grads, norm_type)), norm_type)
    if max_norm is not None:
        coef = torch.clamp(max_norm / (norm + 1e-6), max=1.0)
        torch._foreach_mul_(grads, coef)
    return norm


class GradientNorm(GradientNormClipping):
    """skorch's gradient clipping that also records the norm before clipping.

    The per-batch norms are averaged into the epoch's ``grad_norm`` entry of
    the history, which tells the vanishing/exploding-gradient story. With
    ``gradient_clip_value=None`` nothing is clipped, only measured.
    """

    def on_train_begin(self, net, **kwargs):
        # Listed once per fit: walking skorch's named_parameters generator at
        # every batch costs more than the norm itself on small networks.
        self._params = [p for _, p in net.get_all_learnable_params()]

    def on_train_end(self, net, **kwargs):
        self._params = None

    def __getstate__(self):
        return {**self.__dict__, "_params": None}

    def on_epoch_begin(self, net, **kwargs):
        self._sum, self._count = None, 0

    def on_grad_computed(self, net, named_parameters, **kwargs):
        params = getattr(self, "_params", None)
        if params is None:  # called outside fit, e.g. by a user's step
            params = [p for _, p in named_parameters]
        grads = [p.grad for p in params if p.grad is not None]
        if not grads:
            return
        norm = _clip_grad_norm(grads, self.gradient_clip_value,
                               float(self.gradient_clip_norm_type))
        # Summed on the device and read once per epoch: an .item() per batch
        # would make the CPU wait for the GPU at every step, and a tensor
        # kept per batch would grow with the epoch.
        if self._sum is None:
            self._sum = norm.double()
        else:
            self._sum += norm
        self._count += 1

    def on_epoch_end(self, net, **kwargs):
        if self._count:
            net.history.record("grad_norm", self._sum.item() / self._count)


class LRSchedule(LRScheduler):
    """skorch's ``LRScheduler`` that lets go of its scheduler after training.

    The scheduler holds the optimizer, state and all; skorch builds a new
    one when training begins, so a fitted estimator need not keep it (nor
    pickle it). A schedule stepped every batch (one-cycle) runs whole in
    each fit, a ``warm_start`` fit included, from the current ``lr``.
    """

    def on_train_begin(self, net, **kwargs):
        if self.step_every == "batch":
            for group in net.optimizer_.param_groups:
                group.pop("initial_lr", None)
        super().on_train_begin(net, **kwargs)

    def on_train_end(self, net, **kwargs):
        self.lr_scheduler_ = None


class _NeuralNet(NeuralNet):
    """skorch's ``NeuralNet`` with a leaner training step.

    On the small networks this package trains, skorch's per-batch
    bookkeeping is a measurable share of a step (``benchmarks/bench_speed.py``):
    ``module.train()`` visits every submodule at every batch, and
    ``train_step`` wraps the step in a closure for optimizers, such as LBFGS,
    that re-evaluate the loss, and converts batches that our datasets already
    deliver as tensors. Here modes change only when they differ, and a step
    is one forward, backward and optimizer step; callbacks see the same
    notifications as with skorch's.
    """

    def _set_training(self, training=True):
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    def train_step(self, batch, **fit_params):
        Xi, yi = batch  # our datasets give a dict of tensors and a tensor
        device = self.device
        self._zero_grad_optimizer()
        self._set_training(True)
        y_pred = self.module_(**{key: value.to(device) for key, value in Xi.items()},
                              **fit_params)
        loss = self.criterion_(y_pred, yi.to(device))
        loss.backward()
        self.notify("on_grad_computed",
                    named_parameters=TeeGenerator(self.get_all_learnable_params()),
                    batch=batch, training=True)
        self._step_optimizer(None)
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


class BaseRecurrent(BaseEstimator, metaclass=ABCMeta):
    """Base class of the recurrent estimators. Not public: use a subclass."""

    _parameter_constraints: dict = {
        "cell": [StrOptions({"rnn", "lstm", "gru"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "layer_norm": ["boolean"],
        "nonlinearity": [StrOptions({"tanh", "relu"})],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "optimizer": [StrOptions(set(_OPTIMIZERS))],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "lr_schedule": [StrOptions({"cosine", "plateau", "onecycle"}), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left"),
                       StrOptions({"auto"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "verbose": ["verbose"],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
    }

    @abstractmethod
    def __init__(self, *, cell, hidden_size, num_layers, dropout, layer_norm,
                 nonlinearity, clip_grad_norm, optimizer, lr, weight_decay,
                 lr_schedule, batch_size, max_epochs, early_stopping,
                 validation_fraction, patience, random_state, device, verbose,
                 callbacks, warm_start):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.layer_norm = layer_norm
        self.nonlinearity = nonlinearity
        self.clip_grad_norm = clip_grad_norm
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "fit" in cls.__dict__:
            cls.fit = _unfitted_on_error(cls.__dict__["fit"])

    def _validate_params(self):
        super()._validate_params()
        check_no_bool_numbers(self)

    # -- hooks for task classes -------------------------------------------

    def _module_params(self):
        """Keyword arguments of :class:`RecurrentNetwork` set by parameters."""
        return {
            "cell": self.cell,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "dropout": self.dropout,
            "layer_norm": self.layer_norm,
            "nonlinearity": self.nonlinearity,
        }

    def _validation_gap(self):
        """Samples dropped between the training data and the validation tail."""
        return 0

    # -- training ----------------------------------------------------------

    def _resolve_device(self):
        if self.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if self.device == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                "device='cuda' was requested but torch sees no CUDA GPU "
                f"(torch {torch.__version__}, CUDA build: "
                f"{torch.version.cuda is not None}). Use device='cpu', or "
                "device='auto' to take a GPU only when there is one."
            )
        return self.device

    def _train_batches(self, n_samples):
        """Training batches per epoch for a dataset of ``n_samples``."""
        if self.early_stopping:
            n_samples -= (math.ceil(self.validation_fraction * n_samples)
                          + self._validation_gap())
        return max(1, math.ceil(n_samples / self.batch_size))

    def _resolve_epochs(self, n_samples):
        """``max_epochs``, with ``"auto"`` giving about ``AUTO_STEPS`` steps."""
        if self.max_epochs != "auto":
            return self.max_epochs
        return math.ceil(AUTO_STEPS / self._train_batches(n_samples))

    def _callbacks(self, max_epochs, n_samples):
        callbacks = [
            ("grad_norm", GradientNorm(gradient_clip_value=self.clip_grad_norm)),
            # Before early stopping, which ends training by raising in its
            # on_epoch_end: the guard must have seen that epoch.
            ("fault_guard", FaultGuard()),
        ]
        if self.early_stopping:
            # The guard restores the best weights (by the rule of best_epoch_).
            callbacks.append(("early_stopping", EarlyStopping(
                monitor="valid_loss", patience=self.patience, load_best=False,
                sink=echo if self.verbose else _silent,
            )))
        if self.lr_schedule == "cosine":
            callbacks.append(("lr_schedule", LRSchedule(
                policy="CosineAnnealingLR", T_max=max_epochs)))
        elif self.lr_schedule == "onecycle":
            total = max_epochs * self._train_batches(n_samples)
            callbacks.append(("lr_schedule", LRSchedule(
                policy=torch.optim.lr_scheduler.LambdaLR, step_every="batch",
                last_epoch=-1,
                lr_lambda=functools.partial(one_cycle, total_steps=total))))
        elif self.lr_schedule == "plateau":
            monitor = "valid_loss" if self.early_stopping else "train_loss"
            callbacks.append(("lr_schedule", LRSchedule(
                policy="ReduceLROnPlateau", monitor=monitor,
                patience=max(1, self.patience // 2), factor=0.5)))
        for i, callback in enumerate(self.callbacks or []):
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

    def _fit_dataset(self, dataset, *, input_size, output_size, head,
                     criterion, **module_params):
        """Build (or reuse, with ``warm_start``) the net and train it.

        Faults are handled by :class:`~sklearn_rnn._faults.FaultGuard` (the
        divergence rule is documented there) and reported here as warnings.
        An exception that escapes training leaves a reused net's weights and
        history as they were.
        """
        device = self._resolve_device()
        seed = check_seed(self.random_state)
        reuse = self.warm_start and hasattr(self, "net_")
        # fork_rng keeps the user's global torch random state untouched while
        # weight init and dropout draw from our seed.
        devices = [torch.cuda.current_device()] if device.startswith("cuda") else []
        with torch.random.fork_rng(devices=devices), thread_budget():
            torch.manual_seed(seed)
            max_epochs = self._resolve_epochs(len(dataset))
            if reuse:
                net = self.net_
                # The current lr applies, so that lowering it after a
                # DivergenceWarning takes effect (skorch updates the
                # optimizer in place, keeping its state).
                net.set_params(lr=self.lr, max_epochs=max_epochs)
                schedule = dict(net.callbacks_).get("lr_schedule")
                if self.lr_schedule == "onecycle" and schedule is not None:
                    # Set on the callback itself: set_params would rebuild
                    # every callback, losing their state.
                    schedule.lr_lambda = functools.partial(
                        one_cycle, total_steps=max_epochs
                        * self._train_batches(len(dataset)))
            else:
                module_kwargs = {
                    "input_size": input_size, "output_size": output_size,
                    "head": head, **self._module_params(), **module_params,
                }
                net = self._build_net(RecurrentNetwork(**module_kwargs),
                                      criterion, device, seed, max_epochs,
                                      len(dataset))
            guard = dict(getattr(net, "callbacks_", [])).get("fault_guard")
            try:
                net.partial_fit(dataset, None) if reuse else net.fit(dataset, None)
            except BaseException:
                if reuse and guard is not None:
                    guard.rollback(net)
                raise
        guard = dict(net.callbacks_).get("fault_guard")
        if not reuse:
            # Everything needed to rebuild the module, for sklearn_rnn.save.
            self._module_kwargs = module_kwargs
        self.net_ = net
        self.history_ = net.history
        self.n_iter_ = len(net.history)
        if guard is not None and guard.restored_:
            self.best_epoch_ = guard.best_epoch_
        else:
            monitor = ("valid_loss" if net.history and "valid_loss" in net.history[-1]
                       else "train_loss")
            losses = np.array([row.get(monitor, np.nan) for row in net.history],
                              dtype=float)
            finite = np.isfinite(losses)
            self.best_epoch_ = (int(np.argmin(np.where(finite, losses, np.inf))) + 1
                                if finite.any() else 0)
        if guard is not None:
            self._warn_faults(guard)
        return self

    def _build_net(self, module, criterion, device, seed, max_epochs=None,
                   n_samples=None):
        """The skorch net, not initialised, that trains ``module``.

        ``max_epochs`` and ``n_samples`` (the training set's size) set the
        budget and the schedule; a net rebuilt without data (loading a saved
        model) counts one batch an epoch until its next fit.
        """
        if n_samples is None:
            n_samples = self.batch_size
        if max_epochs is None:
            max_epochs = self._resolve_epochs(n_samples)
        return _NeuralNet(
            module=module,
            criterion=criterion,
            optimizer=_OPTIMIZERS[self.optimizer],
            optimizer__weight_decay=self.weight_decay,
            **({"optimizer__fused": True} if self.optimizer in _FUSED else {}),
            lr=self.lr,
            max_epochs=max_epochs,
            batch_size=self.batch_size,
            iterator_train=BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__seed=seed,
            iterator_valid=BatchIterator,
            train_split=(
                TailSplit(self.validation_fraction, self._validation_gap())
                if self.early_stopping else None
            ),
            callbacks=self._callbacks(max_epochs, n_samples),
            # Replaces skorch's PrintLog: silent at 0, compact at 1.
            callbacks__print_log=progress_callback(self.verbose),
            device=device,
            verbose=self.verbose,
        )

    def _warn_faults(self, guard):
        """Tell the user what FaultGuard did, and what to try."""
        name = type(self).__name__
        kept = (f"the weights of epoch {guard.best_epoch_}" if guard.best_epoch_
                else "the weights it started this fit with")
        if guard.outcome_ == "diverged":
            hints = [f"a lower lr (now {self.lr:g})"]
            if self.clip_grad_norm is None:
                hints.append("gradient clipping (clip_grad_norm=1.0; now None)")
            else:
                hints.append(
                    f"a smaller clip_grad_norm (now {self.clip_grad_norm:g})")
            if self.cell == "rnn" and not self.layer_norm:
                hints.append("layer_norm=True")
            warnings.warn(
                f"{name} training diverged: {guard.reason_}. Training stopped "
                f"there and the estimator kept {kept}, the best before it, so "
                f"its predictions are finite. Try {', '.join(hints[:-1])} or "
                f"{hints[-1]}.",
                DivergenceWarning,
                stacklevel=3,
            )
        elif guard.outcome_ == "interrupted":
            warnings.warn(
                f"{name}.fit was interrupted after {self.n_iter_ - guard.start_} "
                f"completed epoch(s); the estimator kept {kept} (the best so "
                f"far) and history_ up to epoch {self.n_iter_}. Fit "
                "again with warm_start=True to continue training.",
                TrainingInterruptedWarning,
                stacklevel=3,
            )

    # -- prediction --------------------------------------------------------

    def _forward(self, dataset, dtype=None):
        """Network outputs for every sample of ``dataset``, as a numpy array."""
        return self._forward_batches(BatchIterator(dataset, PREDICT_BATCH_SIZE),
                                     dtype)

    def _forward_batches(self, batches, dtype=None):
        """Network outputs for an iterable of ``(X_batch, y_batch)``, stacked.

        Runs the module directly under ``inference_mode``, skipping skorch's
        per-batch machinery, which only training needs. A caller holding one
        batch passes ``[(X_batch, None)]``: a single window's forecast is
        then little more than the module's own forward pass.
        """
        if not hasattr(self, "net_"):  # check_is_fitted costs 10 us when fitted
            check_is_fitted(self, "net_")
        module = self.net_.module_
        device = self.net_.device
        if module.training:  # eval() walks every submodule: 30 us a call
            module.eval()
        if dtype is not None:  # a copy computing in dtype; inputs follow
            module = copy.deepcopy(module).to(dtype)
        outputs = []
        with torch.inference_mode(), thread_budget():
            for Xb, _ in batches:
                Xb = {key: value.to(device, dtype if dtype is not None
                                    and value.is_floating_point() else None)
                      for key, value in Xb.items()}
                outputs.append(module(**Xb).float().cpu())
        if len(outputs) == 1:
            return outputs[0].numpy()
        n_steps = max(out.shape[1] for out in outputs) if outputs[0].ndim == 3 else 0
        if n_steps:
            outputs = [torch.nn.functional.pad(out, (0, 0, 0, n_steps - out.shape[1]))
                       for out in outputs]
        return torch.cat(outputs).numpy()

    # -- pickling ----------------------------------------------------------

    def __getstate__(self):
        # The net travels as its trained module and criterion on the CPU,
        # without optimizer state (see _pickling.py): a quarter of the size,
        # and a GPU-trained estimator unpickles where there is no GPU.
        state = super().__getstate__()
        net = state.get("net_")
        if isinstance(net, NeuralNet) and getattr(net, "initialized_", False):
            state = {**state, "net_": slim_net(net)}
        return state

    def __setstate__(self, state):
        net = state.get("net_")
        if isinstance(net, NeuralNet) and not getattr(net, "initialized_", True):
            restore_net(net)
        super().__setstate__(state)


def one_cycle(step, total_steps):
    """Learning-rate factor at optimizer ``step`` of a one-cycle schedule.

    A cosine warm-up from 1/25 of the rate to all of it over the first 30%
    of ``total_steps``, then a cosine decay to nearly zero (Smith & Topin,
    2019): the warm-up steadies the first steps of a fresh network, the
    decay settles it in a minimum. Steps past the end keep the last factor.
    """
    warmup = max(1, round(0.3 * total_steps))
    if step < warmup:
        return 0.04 + 0.96 * (1 - math.cos(math.pi * step / warmup)) / 2
    done = min(1.0, (step - warmup) / max(1, total_steps - warmup))
    return 1e-4 + (1 - 1e-4) * (1 + math.cos(math.pi * done)) / 2


def _unfitted_on_error(fit):
    """Wrap ``fit`` so that an exception leaves the estimator as it was.

    Fitted attributes are set as ``fit`` goes (``n_features_in_`` during
    validation, ``classes_`` before training); a fit that raises must not
    leave them behind, or ``check_is_fitted`` would pass on a half-built
    estimator. The instance's attributes are put back as they were before
    the call (a reused ``warm_start`` net is rolled back by ``_fit_dataset``).
    """

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        state = dict(self.__dict__)
        try:
            return fit(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    return wrapper


def _silent(*args, **kwargs):
    """A skorch sink that prints nothing."""
