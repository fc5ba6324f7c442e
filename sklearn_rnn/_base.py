"""The estimator base of every recurrent estimator.

:class:`BaseRecurrent` validates parameters, builds the private torch module
and a skorch net in ``fit`` (kept as ``net_``; see ``_net.py``), runs
skorch's loop, reports training faults as warnings and predicts by running
the module. Task classes supply the data (a dataset object, see
``_datasets.py``), the loss and the output transform.
"""

import copy
import functools
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet

from ._datasets import BatchIterator, TailSplit
from ._net import (
    AUTO_STEPS,
    OPTIMIZERS,
    build_net,
    one_cycle_steps,
    resolve_device,
    restore_state,
    training_epochs,
)
from ._parallel import thread_budget
from ._pickling import slim_net
from ._validation import check_no_bool_numbers, check_seed
from .exceptions import DivergenceWarning, TrainingInterruptedWarning

PREDICT_BATCH_SIZE = 4096


class BaseRecurrent(BaseEstimator, metaclass=ABCMeta):
    """Base class of the recurrent estimators. Not public: use a subclass."""

    # Optimizer steps that max_epochs="auto" aims for.
    _auto_steps = AUTO_STEPS
    # What early_stopping validates on, in the docstring's words.
    _validation_set_doc = """The validation set is the
        time-ordered tail of the training data, never a random subset."""

    _parameter_constraints: dict = {
        "cell": [StrOptions({"rnn", "lstm", "gru"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "layer_norm": ["boolean"],
        "nonlinearity": [StrOptions({"tanh", "relu"})],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "lr_schedule": [StrOptions({"cosine", "plateau", "onecycle"}), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left"),
                       StrOptions({"auto"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 1, None, closed="left"), None],
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

    def _step_rows(self):
        """The most samples of one training pass (``LeanNeuralNet``'s
        ``step_rows``); None takes each batch whole, as a batch-normalised
        convolution front end must: its statistics are the batch's."""
        return None

    def _train_split(self, seed):
        """skorch ``train_split`` of ``early_stopping``: the time-ordered tail
        (:class:`~sklearn_rnn._datasets.TailSplit`); ``seed`` is the fit's."""
        return TailSplit(self.validation_fraction, self._validation_gap())

    # -- training ----------------------------------------------------------

    def _fit_dataset(self, dataset, *, input_size, output_size, head,
                     criterion, max_epochs=None, init_module=None, seed=None,
                     checkpoints=(), **module_params):
        """Build (or reuse, with ``warm_start``) the net and train it.

        ``max_epochs`` defaults to the parameter (``"auto"`` resolved by
        :func:`~sklearn_rnn._net.training_epochs`); ``init_module(module)``,
        when given, sets a new network's starting weights. ``seed`` (drawn
        from ``random_state`` when None) seeds the weights, the batches and
        the validation split; ``checkpoints`` are named callbacks a new net
        also trains with (see :func:`~sklearn_rnn._net.build_net`).

        Faults are handled by :class:`~sklearn_rnn._callbacks.FaultGuard` (the
        divergence rule is documented there) and reported here as warnings.
        An exception that escapes training leaves a reused net's weights and
        history as they were.
        """
        device = resolve_device(self.device)
        if seed is None:
            seed = check_seed(self.random_state)
        reuse = self.warm_start and hasattr(self, "net_")
        if max_epochs is None:
            max_epochs = training_epochs(self, len(dataset))
        # fork_rng keeps the user's global torch random state untouched while
        # weight init and dropout draw from our seed.
        devices = [torch.cuda.current_device()] if device.startswith("cuda") else []
        with torch.random.fork_rng(devices=devices), thread_budget():
            torch.manual_seed(seed)
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
                    schedule.lr_lambda = one_cycle_steps(self, max_epochs,
                                                         len(dataset))
            else:
                module_kwargs = {
                    "input_size": input_size, "output_size": output_size,
                    "head": head, **self._module_params(), **module_params,
                }
                net = build_net(self, criterion, module_kwargs=module_kwargs,
                                seed=seed, max_epochs=max_epochs,
                                n_samples=len(dataset),
                                checkpoints=checkpoints)
                if init_module is not None:
                    init_module(net.module)
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
        # check_is_fitted walks the instance's attributes even when fitted,
        # a visible share of a single window's forecast.
        if not hasattr(self, "net_"):
            check_is_fitted(self, "net_")
        module = self.net_.module_
        device = self.net_.device
        if module.training:  # eval() walks every submodule at every call
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
            restore_state(net, history=net.history_)
        super().__setstate__(state)


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
