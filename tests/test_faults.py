"""Training faults lose nothing: divergence, interruption, failing callbacks."""

import copy
import warnings

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn import GRUForecaster, LSTMClassifier, RNNRegressor
from sklearn_rnn.exceptions import DivergenceWarning, TrainingInterruptedWarning

FAST = {"hidden_size": 8, "batch_size": 16, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 6))
    y = X.sum(axis=1)
    return X, y


class Snapshots(Callback):
    """Record the module's weights at the end of every epoch."""

    def on_train_begin(self, net, **kwargs):
        self.states = {}

    def on_epoch_end(self, net, **kwargs):
        self.states[len(net.history)] = copy.deepcopy(net.module_.state_dict())


class InterruptOnce(Callback):
    """Raise KeyboardInterrupt (as Ctrl-C would) once, mid-epoch."""

    def __init__(self, epoch, batch=2):
        self.epoch = epoch
        self.batch = batch
        self.fired = False

    def on_batch_end(self, net, training=False, **kwargs):
        batches = len(net.history[-1]["batches"])
        if (training and not self.fired and len(net.history) == self.epoch
                and batches == self.batch):
            self.fired = True
            raise KeyboardInterrupt


class FailAt(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise RuntimeError("callback failed on purpose")


def _weights(estimator):
    return {k: v.clone() for k, v in estimator.net_.module_.state_dict().items()}


def _same_weights(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_divergence_keeps_best_finite_weights_and_warns(data, optimizer):
    # Adam with lr=1e3 blows the loss up to ~1e7, SGD to inf/NaN.
    X, y = data
    reg = RNNRegressor(**FAST, max_epochs=5, lr=1e3, optimizer=optimizer,
                       clip_grad_norm=None)
    with pytest.warns(DivergenceWarning, match=r"diverged.*lower lr.*clip_grad_norm"):
        reg.fit(X, y)
    assert reg.n_iter_ < 5  # stopped at the diverged epoch
    assert np.isfinite(reg.predict(X)).all()
    losses = reg.history_[:, "train_loss"]
    assert not np.isfinite(losses[-1]) or losses[-1] > 100
    # The first epoch already diverged: the starting weights were kept.
    assert reg.best_epoch_ == 0


def test_divergence_after_healthy_epochs_restores_the_best_epoch(data):
    X, y = data

    class BlowUp(Callback):
        """Wreck the weights during epoch 3, as a diverging step would."""

        def on_batch_end(self, net, training=False, **kwargs):
            if training and len(net.history) == 3:
                with torch.no_grad():
                    for p in net.module_.parameters():
                        p.mul_(np.nan)

    snapshots = Snapshots()
    # Without validation: the best epoch is the lowest training loss.
    reg = RNNRegressor(**FAST, max_epochs=6, early_stopping=False,
                       callbacks=[("snap", snapshots), ("blow", BlowUp())])
    with pytest.warns(DivergenceWarning, match="became nan at epoch 3"):
        reg.fit(X, y)
    assert reg.n_iter_ == 3
    assert np.isnan(reg.history_[-1, "train_loss"])
    best = reg.best_epoch_
    assert best in (1, 2)
    states = dict(reg.net_.callbacks_)["snap"].states
    assert _same_weights(_weights(reg), states[best])
    assert np.isfinite(reg.predict(X)).all()


def test_divergence_then_warm_start_with_lower_lr_trains(data):
    X, y = data
    clf = LSTMClassifier(**FAST, max_epochs=3, lr=1e5, optimizer="sgd",
                         clip_grad_norm=None)
    with pytest.warns(DivergenceWarning):
        clf.fit(X, y > 0)
    n_before = clf.n_iter_
    clf.set_params(lr=0.01, optimizer="adam", warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        clf.fit(X, y > 0)
    assert clf.n_iter_ == n_before + 3
    assert np.isfinite(clf.history_[-1, "train_loss"])
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)


def test_healthy_training_does_not_warn(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg = RNNRegressor(**FAST, max_epochs=3, early_stopping=True,
                           patience=1).fit(X, y)
    assert reg.n_iter_ >= 2


def test_keyboard_interrupt_keeps_best_weights_history_and_warm_starts(data):
    X, y = data
    snapshots = Snapshots()
    reg = RNNRegressor(**FAST, max_epochs=5, early_stopping=False, callbacks=[
        ("snap", snapshots), ("stop", InterruptOnce(epoch=3))])
    with pytest.warns(TrainingInterruptedWarning,
                      match=r"interrupted after 2 completed epoch.*warm_start=True"):
        reg.fit(X, y)
    # history_ holds the completed epochs only, each with its losses.
    assert reg.n_iter_ == len(reg.history_) == 2
    assert all("train_loss" in row and "grad_norm" in row for row in reg.history_)
    check_is_fitted(reg)
    states = dict(reg.net_.callbacks_)["snap"].states
    assert _same_weights(_weights(reg), states[reg.best_epoch_])
    assert np.isfinite(reg.predict(X)).all()

    reg.set_params(warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg.fit(X, y)
    assert reg.n_iter_ == 7
    assert [row["epoch"] for row in reg.history_] == list(range(1, 8))


def test_keyboard_interrupt_in_first_epoch_leaves_a_usable_estimator(data):
    X, y = data
    clf = LSTMClassifier(**FAST, max_epochs=3,
                         callbacks=[InterruptOnce(epoch=1, batch=1)])
    with pytest.warns(TrainingInterruptedWarning, match="after 0 completed"):
        clf.fit(X, y > 0)
    assert clf.n_iter_ == 0 and clf.best_epoch_ == 0
    assert set(clf.predict(X)) <= {False, True}


def test_keyboard_interrupt_with_validation_restores_best_valid_epoch(data):
    X, y = data
    snapshots = Snapshots()
    # No linear path, whose one-standard-error rule may keep its start.
    reg = RNNRegressor(**FAST, max_epochs=6, early_stopping=True, patience=5,
                       highway=False, callbacks=[
                           ("snap", snapshots), ("stop", InterruptOnce(epoch=4))])
    with pytest.warns(TrainingInterruptedWarning):
        reg.fit(X, y)
    valid = reg.history_[:, "valid_loss"]
    assert reg.best_epoch_ == int(np.argmin(valid)) + 1
    states = dict(reg.net_.callbacks_)["snap"].states
    assert _same_weights(_weights(reg), states[reg.best_epoch_])


@pytest.mark.parametrize("Estimator, target", [
    (RNNRegressor, lambda y: y),
    (LSTMClassifier, lambda y: np.where(y > 0, "up", "down")),
])
def test_callback_exception_propagates_and_leaves_estimator_unfitted(
        data, Estimator, target):
    X, y = data
    est = Estimator(**FAST, max_epochs=3, callbacks=[FailAt(epoch=2)])
    with pytest.raises(RuntimeError, match="callback failed on purpose"):
        est.fit(X, target(y))
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    # Nothing half-built is left behind: only the constructor parameters.
    assert set(vars(est)) == set(est.get_params())
    with pytest.raises(NotFittedError):
        est.predict(X)


def test_failed_warm_start_rolls_back_weights_and_history(data):
    X, y = data
    reg = RNNRegressor(**FAST, max_epochs=2).fit(X, y)
    before, history, pred = _weights(reg), list(reg.history_), reg.predict(X)
    reg.set_params(warm_start=True)
    reg.net_.callbacks_.append(("fail", FailAt(epoch=3)))  # fails mid-run
    reg.net_.callbacks_[-1][1].initialize()
    with pytest.raises(RuntimeError):
        reg.fit(X, y)
    assert _same_weights(_weights(reg), before)
    assert list(reg.history_) == history and reg.n_iter_ == 2
    np.testing.assert_array_equal(reg.predict(X), pred)


def test_failed_refit_keeps_the_previous_fit(data):
    X, y = data
    reg = RNNRegressor(**FAST, max_epochs=1).fit(X, y)
    pred = reg.predict(X)
    with pytest.raises(ValueError, match="y has 3 targets"):
        reg.fit(X, y[:3])
    np.testing.assert_array_equal(reg.predict(X), pred)
    assert reg.n_features_in_ == X.shape[1]


def test_forecaster_divergence_is_caught():
    series = np.sin(np.arange(200) / 4.0) * 10 + 50
    fc = GRUForecaster(window=8, **FAST, max_epochs=3, lr=1e3, optimizer="sgd",
                       clip_grad_norm=None)
    with pytest.warns(DivergenceWarning):
        fc.fit(series)
    assert np.isfinite(fc.predict(series)).all()
