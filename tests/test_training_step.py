"""The lean training step: same arithmetic and history as skorch's own."""

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from skorch import NeuralNet
from skorch.callbacks import Callback

import sklearn_rnn._forecasting as forecasting_module
import sklearn_rnn._net as net_module
from sklearn_rnn._callbacks import clip_grad_norm
from sklearn_rnn import GRUForecaster, RNNRegressor

TINY = {"hidden_size": 8, "max_epochs": 2, "batch_size": 16, "random_state": 0}


def _grads(seed):
    torch.manual_seed(seed)
    module = torch.nn.LSTM(3, 5)
    out, _ = module(torch.randn(7, 4, 3))
    (out ** 2).sum().backward()
    return [p.grad for p in module.parameters()]


@pytest.mark.parametrize("max_norm", [None, 1e-3, 1e3])
@pytest.mark.parametrize("norm_type", [1.0, 2.0, float("inf")])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    ours, theirs = _grads(0), _grads(0)
    norm = clip_grad_norm(ours, max_norm, norm_type)
    params = []
    for g in theirs:
        p = torch.nn.Parameter(torch.zeros_like(g))
        p.grad = g
        params.append(p)
    expected = torch.nn.utils.clip_grad_norm_(
        params, float("inf") if max_norm is None else max_norm, norm_type)
    assert norm.item() == pytest.approx(expected.item(), rel=1e-6)
    for mine, reference in zip(ours, theirs):
        assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-6)


class _RecordNorms(Callback):
    """Runs after GradientNorm: sees the same gradients, before the step."""

    def initialize(self):
        self.norms = []
        return self

    def on_grad_computed(self, net, named_parameters, **kwargs):
        grads = [p.grad for _, p in named_parameters if p.grad is not None]
        self.norms.append(
            torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])).item())


def test_grad_norm_history_is_the_mean_of_the_batch_norms():
    y = np.sin(np.arange(150) / 4)
    model = GRUForecaster(window=8, clip_grad_norm=None, callbacks=[_RecordNorms()],
                          **TINY).fit(y)
    recorder = dict(model.net_.callbacks_)["user_0"]
    batches = model.history_[-1, "train_batch_count"]
    last_epoch = recorder.norms[-batches:]
    assert len(recorder.norms) == 2 * batches
    assert model.history_[-1, "grad_norm"] == pytest.approx(np.mean(last_epoch),
                                                            rel=1e-5)


class _SkorchNet(NeuralNet):
    """skorch's own training step, which takes each batch whole."""

    def __init__(self, module, criterion, *, step_rows=None, **kwargs):
        super().__init__(module, criterion, **kwargs)


@pytest.mark.parametrize("make", [
    lambda: GRUForecaster(window=8, **TINY),
    lambda: RNNRegressor(early_stopping=True, **TINY),
])
def test_lean_step_trains_as_skorch_does(make, monkeypatch):
    rng = np.random.default_rng(0)
    if isinstance(make(), GRUForecaster):
        X, y = np.sin(np.arange(120) / 4) + 0.1 * rng.normal(size=120), None
    else:
        X = rng.normal(size=(60, 6, 2))
        y = X[:, -2:, 0].sum(axis=1)
    lean_net = net_module.LeanNeuralNet
    lean = make().fit(X, y)
    monkeypatch.setattr(net_module, "LeanNeuralNet", _SkorchNet)
    reference = make().fit(X, y)
    assert type(lean.net_) is lean_net
    assert type(reference.net_) is _SkorchNet
    for key in ("train_loss", "grad_norm"):
        assert_allclose(lean.history_[:, key], reference.history_[:, key],
                        rtol=1e-5)
    assert_allclose(lean.predict(X), reference.predict(X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd", "rmsprop"])
def test_fused_optimizers_train_as_the_default_implementation(optimizer, monkeypatch):
    # Adam, AdamW and SGD run torch's fused kernel: the same update rule, so
    # the same losses as the per-tensor implementation, up to rounding.
    X = np.sin(np.arange(120) / 4)
    params = {**TINY, "optimizer": optimizer, "lr": 1e-2, "weight_decay": 1e-3}
    fused = GRUForecaster(window=8, **params).fit(X)
    monkeypatch.setattr(net_module, "FUSED_OPTIMIZERS", set())
    default = GRUForecaster(window=8, **params).fit(X)
    assert fused.net_.optimizer_.defaults.get("fused") is (
        True if optimizer != "rmsprop" else None)
    assert not default.net_.optimizer_.defaults.get("fused")
    assert_allclose(fused.history_[:, "train_loss"],
                    default.history_[:, "train_loss"], rtol=1e-4)


@pytest.mark.parametrize("strategy", ["direct", "seq2seq"])
def test_sliced_step_trains_as_the_whole_batch(strategy, monkeypatch):
    # A batch trained in slices (gradients summed, each slice's loss weighted
    # by its share of the known targets; seq2seq's unknown steps are NaN) is
    # the whole batch's step, up to the rounding of the sum.
    X = np.sin(np.arange(200) / 4)
    params = {**TINY, "batch_size": 64, "horizon": 2, "strategy": strategy,
              "loss_steps": 3 if strategy == "seq2seq" else None}
    whole = GRUForecaster(window=8, **params).fit(X)
    # Ten windows of 8 steps of an 8-unit GRU's 3 gates a slice.
    monkeypatch.setattr(forecasting_module, "STEP_VALUES", 10 * 8 * 3 * 8)
    sliced = GRUForecaster(window=8, **params).fit(X)
    assert whole.net_.step_rows >= 64 and sliced.net_.step_rows == 10
    for key in ("train_loss", "grad_norm", "valid_loss"):
        assert_allclose(sliced.history_[:, key], whole.history_[:, key],
                        rtol=1e-5)
    assert_allclose(sliced.predict(X), whole.predict(X), rtol=1e-5, atol=1e-6)


def test_validation_batch_runs_forward_in_the_step_slices():
    # A validation batch's forward runs in slices of at most step_rows, its
    # outputs and loss those of the whole batch.
    X = np.sin(np.arange(200) / 4)
    model = GRUForecaster(window=8, **TINY).fit(X)
    net = model.net_
    dataset = model._window_dataset(model._validate_fit_panel(X, None), 1)
    batch = dataset.batch(torch.arange(10))
    sizes = []
    hook = net.module_.register_forward_hook(
        lambda module, args, kwargs, out: sizes.append(len(kwargs["X"])),
        with_kwargs=True)
    whole = net.validation_step(batch)
    net.step_rows = 4
    sliced = net.validation_step(batch)
    hook.remove()
    assert sizes == [10, 4, 4, 2]
    assert_allclose(sliced["y_pred"].numpy(), whole["y_pred"].numpy(), rtol=1e-6)
    assert sliced["loss"].item() == pytest.approx(whole["loss"].item(), rel=1e-6)
