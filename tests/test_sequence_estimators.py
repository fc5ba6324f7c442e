"""What users do with the sequence estimators: search, validate, persist, train.

RNNRegressor and LSTMClassifier in scikit-learn's tools (GridSearchCV over
cells, cross_val_score on 3-D input, clone, pickle/joblib), on a learnable
task that a non-learning model cannot solve, and every training control.
"""

import pickle
import re

import joblib
import numpy as np
import pytest
import torch
from skorch.callbacks import Callback
from sklearn.base import clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from sklearn_rnn import LSTMClassifier, RNNRegressor

CELLS = ["rnn", "lstm", "gru"]
FAST = {"hidden_size": 8, "max_epochs": 3, "random_state": 0}


def _sum_task(n=160, n_steps=8, seed=0):
    """Targets are the sum of a noisy sequence: learnable, but only by reading
    every step (the mean of y, all a non-learning model has, explains nothing)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_steps, 1))
    y = X[:, :, 0].sum(axis=1) + rng.normal(scale=0.1, size=n)
    return X, y


@pytest.fixture(scope="module")
def task():
    X, y = _sum_task()
    return X[:120], y[:120], X[120:], y[120:]


def test_grid_search_over_cells_reports_a_score_per_cell(task):
    X, y = task[0][:64], task[1][:64]
    search = GridSearchCV(
        RNNRegressor(max_epochs=3, lr=0.02, random_state=0),
        {"cell": CELLS, "hidden_size": [4, 8]},
        cv=KFold(2),
    ).fit(X, y)
    results = search.cv_results_
    assert sorted(results["param_cell"]) == sorted(CELLS * 2)
    scores = results["mean_test_score"]
    assert np.isfinite(scores).all()
    for cell in CELLS:
        assert any(c == cell for c in results["param_cell"])
    assert search.best_params_["cell"] in CELLS
    assert search.best_estimator_.cell == search.best_params_["cell"]


def test_cross_val_score_on_3d_input(task):
    X, y, _, _ = task
    labels = np.where(y > 0, "up", "down")
    scores = cross_val_score(LSTMClassifier(**FAST), X, labels, cv=3)
    assert scores.shape == (3,)
    assert ((scores >= 0) & (scores <= 1)).all()


def test_clone_get_params_set_params(task):
    X, y, _, _ = task
    reg = RNNRegressor(cell="gru", hidden_size=8, max_epochs=1, random_state=0)
    params = reg.get_params()
    assert params["cell"] == "gru" and params["hidden_size"] == 8
    assert reg.set_params(cell="lstm", lr=0.1) is reg
    assert reg.get_params()["cell"] == "lstm" and reg.lr == 0.1
    reg.fit(X, y)
    copy = clone(reg)
    assert copy.get_params() == reg.get_params()
    assert not hasattr(copy, "net_") and not hasattr(copy, "n_features_in_")
    with pytest.raises(ValueError, match="Invalid parameter 'hiden_size'"):
        reg.set_params(hiden_size=4)


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
@pytest.mark.parametrize("Estimator", [RNNRegressor, LSTMClassifier])
def test_pickle_and_joblib_round_trips_predict_the_same(task, tmp_path, dump,
                                                        Estimator):
    X, y, X_test, _ = task
    target = y if Estimator is RNNRegressor else y > 0
    est = Estimator(**FAST).fit(X, target)
    if dump == "pickle":
        restored = pickle.loads(pickle.dumps(est))
    else:
        joblib.dump(est, tmp_path / "est.joblib")
        restored = joblib.load(tmp_path / "est.joblib")
    np.testing.assert_array_equal(restored.predict(X_test), est.predict(X_test))
    if Estimator is LSTMClassifier:
        np.testing.assert_array_equal(restored.predict_proba(X_test),
                                      est.predict_proba(X_test))


@pytest.mark.parametrize("cell", CELLS)
def test_each_cell_learns_what_a_dummy_cannot(task, cell):
    X, y, X_test, y_test = task
    reg = RNNRegressor(cell=cell, hidden_size=16, max_epochs=25, lr=0.03,
                       random_state=0).fit(X, y)
    dummy = DummyRegressor().fit(X[:, :, 0], y)
    assert dummy.score(X_test[:, :, 0], y_test) < 0.05
    assert reg.score(X_test, y_test) > 0.8
    clf = LSTMClassifier(cell=cell, hidden_size=16, max_epochs=25, lr=0.03,
                         random_state=0).fit(X, y > 0)
    dummy = DummyClassifier().fit(X[:, :, 0], y > 0)
    assert dummy.score(X_test[:, :, 0], y_test > 0) < 0.65
    assert clf.score(X_test, y_test > 0) > 0.85


def test_random_state_reproduces_predictions_and_changes_weights(task):
    X, y, X_test, _ = task
    a = RNNRegressor(**{**FAST, "random_state": 7}).fit(X, y)
    b = RNNRegressor(**{**FAST, "random_state": 7}).fit(X, y)
    c = RNNRegressor(**{**FAST, "random_state": 8}).fit(X, y)
    np.testing.assert_array_equal(a.predict(X_test), b.predict(X_test))
    wa, wc = (e.net_.module_.linear.weight.detach() for e in (a, c))
    assert not torch.equal(wa, wc)
    # The user's global torch random state is left alone.
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    RNNRegressor(**FAST).fit(X, y)
    assert torch.equal(torch.rand(3), expected)


def test_history_records_losses_and_gradient_norm_per_epoch(task):
    X, y, _, _ = task
    reg = RNNRegressor(**{**FAST, "max_epochs": 4}, early_stopping=True,
                       patience=10).fit(X, y)
    assert reg.n_iter_ == len(reg.history_) == 4
    for key in ("train_loss", "valid_loss", "grad_norm"):
        values = reg.history_[:, key]
        assert len(values) == 4 and np.isfinite(values).all() and min(values) > 0
    no_validation = RNNRegressor(**FAST, early_stopping=False).fit(X, y)
    assert "valid_loss" not in no_validation.history_[-1]


class RecordValidation(Callback):
    def on_train_begin(self, net, **kwargs):
        self.valid_y = None

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.train_y = dataset_train.y.numpy().ravel()
        self.valid_y = dataset_valid.y.numpy().ravel()


def _validation_indices(seed, fraction=0.2):
    """The samples a fit with early stopping validates on (y is the index,
    recognisable after the estimator's target scaling)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4, 1))
    y = np.arange(50.0)
    reg = RNNRegressor(**{**FAST, "random_state": seed}, early_stopping=True,
                       validation_fraction=fraction,
                       callbacks=[("record", RecordValidation())]).fit(X, y)
    record = dict(reg.net_.callbacks_)["record"]
    train, valid = (np.rint(v * y.std() + y.mean()).astype(int)
                    for v in (record.train_y, record.valid_y))
    return train, valid


def test_early_stopping_validates_on_a_random_subset():
    # Samples are independent sequences, whose order need not be time: a
    # random subset validates, drawn from random_state.
    train, valid = _validation_indices(seed=0)
    assert len(valid) == 10 and len(train) == 40
    assert sorted([*train, *valid]) == list(range(50))
    assert valid.tolist() != list(range(40, 50))
    assert np.array_equal(_validation_indices(seed=0)[1], valid)
    assert not np.array_equal(_validation_indices(seed=1)[1], valid)


def test_classifier_validation_holds_every_class_in_proportion():
    # Sorted by class, as the UCR training sets are: a tail would hold the
    # last class alone.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4, 1))
    y = np.repeat(["a", "b", "c"], [30, 20, 10])
    record = RecordValidation()
    clf = LSTMClassifier(**FAST, early_stopping=True, validation_fraction=0.2,
                         callbacks=[("record", record)]).fit(X, y)
    record = dict(clf.net_.callbacks_)["record"]
    counts = np.bincount(record.valid_y.astype(int), minlength=3)
    assert counts.tolist() == [6, 4, 2]


class Snapshots(Callback):
    """The module's weights before training (key 0) and after each epoch.

    Weights only: buffers such as batch-norm running statistics change in
    the forward pass, not by the optimizer's update.
    """

    def on_train_begin(self, net, **kwargs):
        self.states = {0: _weights(net.module_)}

    def on_epoch_end(self, net, **kwargs):
        self.states[len(net.history)] = _weights(net.module_)


def _weights(module):
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def test_early_stopping_restores_the_best_weights(task):
    X, _, _, _ = task
    # Noise targets: validation loss bottoms out early and then rises. No
    # linear path: its one-standard-error rule would keep the linear start.
    y = np.random.default_rng(1).normal(size=len(X))
    reg = RNNRegressor(hidden_size=16, max_epochs=30, lr=0.05, random_state=0,
                       early_stopping=True, patience=3, highway=False,
                       callbacks=[("snap", Snapshots())]).fit(X, y)
    valid = reg.history_[:, "valid_loss"]
    assert reg.best_epoch_ == int(np.argmin(valid)) + 1
    assert reg.best_epoch_ < reg.n_iter_ < 30  # stopped, and not at the best
    best = dict(reg.net_.callbacks_)["snap"].states[reg.best_epoch_]
    current = reg.net_.module_.state_dict()
    assert all(torch.equal(current[k], best[k]) for k in best)


def test_patience_none_trains_every_epoch_and_keeps_the_best(task):
    # The best checkpoint of the whole schedule: no epoch count without
    # improvement ends training, and the weights are the best epoch's.
    X, _, _, _ = task
    y = np.random.default_rng(1).normal(size=len(X))
    reg = RNNRegressor(hidden_size=16, max_epochs=30, lr=0.05, random_state=0,
                       early_stopping=True, patience=None, highway=False,
                       callbacks=[("snap", Snapshots())]).fit(X, y)
    assert reg.n_iter_ == 30
    valid = reg.history_[:, "valid_loss"]
    assert reg.best_epoch_ == int(np.argmin(valid)) + 1
    # The same fit with patience=3 stops early (test above): here the
    # validation loss went 3 epochs without improving and training went on.
    assert reg.best_epoch_ + 3 < 30
    best = dict(reg.net_.callbacks_)["snap"].states[reg.best_epoch_]
    current = reg.net_.module_.state_dict()
    assert all(torch.equal(current[k], best[k]) for k in best)


def test_patience_defaults():
    # RNNRegressor keeps the best epoch of its whole schedule (benchmarks/
    # README.md, issue 12's regression table); LSTMClassifier, which does
    # not validate by default, keeps its patience.
    assert RNNRegressor().patience is None
    assert LSTMClassifier().patience == 10


def test_plateau_schedule_without_patience_waits_half_the_default(task):
    X, y, _, _ = task
    reg = RNNRegressor(**FAST, lr_schedule="plateau", patience=None).fit(X, y)
    assert dict(reg.net_.callbacks_)["lr_schedule"].patience == 5
    reg = RNNRegressor(**FAST, lr_schedule="plateau", patience=8).fit(X, y)
    assert dict(reg.net_.callbacks_)["lr_schedule"].patience == 4


@pytest.mark.parametrize("schedule", ["cosine", "plateau"])
def test_lr_schedules_run_and_lower_the_rate(task, schedule):
    X, y, _, _ = task
    reg = RNNRegressor(**{**FAST, "max_epochs": 6}, lr=0.01, lr_schedule=schedule,
                       patience=2).fit(X, y)
    assert reg.n_iter_ == 6
    final_lr = reg.net_.optimizer_.param_groups[0]["lr"]
    assert final_lr < 0.01 if schedule == "cosine" else final_lr <= 0.01


def test_warm_start_continues_training(task):
    X, y, _, _ = task
    reg = RNNRegressor(**FAST, warm_start=True).fit(X, y)
    first = reg.history_[:, "train_loss"]
    reg.fit(X, y)
    assert reg.n_iter_ == 6
    assert reg.history_[:3, "train_loss"] == first
    cold = RNNRegressor(**FAST).fit(X, y)
    cold.fit(X, y)
    assert cold.n_iter_ == 3


def test_clip_grad_norm_bounds_the_update(task):
    # One SGD step per epoch: with clipping the update's norm is at most
    # lr * clip_grad_norm; the recorded norm is the one before clipping.
    # Without the ridge-started linear path, whose fit leaves little
    # gradient for an unclipped step to show.
    X, y, _, _ = task
    params = {**FAST, "max_epochs": 1, "batch_size": len(X), "optimizer": "sgd",
              "lr": 0.5, "highway": False}

    def moved(clip):
        reg = RNNRegressor(**params, clip_grad_norm=clip,
                           callbacks=[("snap", Snapshots())]).fit(X, y)
        states = dict(reg.net_.callbacks_)["snap"].states
        step = sum(((states[1][k] - states[0][k]) ** 2).sum() for k in states[0])
        return reg, float(torch.sqrt(step))

    clipped, clipped_step = moved(1e-3)
    free, free_step = moved(None)
    assert clipped_step <= 0.5 * 1e-3 * 1.01
    assert free_step > 10 * clipped_step
    # Both record the same pre-clipping gradient norm of the first step.
    assert clipped.history_[0, "grad_norm"] == pytest.approx(
        free.history_[0, "grad_norm"], rel=1e-5)


def test_verbose_zero_prints_nothing_and_one_prints_a_table(task, capsys):
    X, y, _, _ = task
    RNNRegressor(**FAST, verbose=0, early_stopping=True, patience=1).fit(X, y)
    assert capsys.readouterr().out == ""
    RNNRegressor(**FAST, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    for column in ("epoch", "train_loss", "grad_norm"):
        assert column in out
    # One row per epoch, whatever the layout: a table row starts with the
    # epoch number, a progress line with "epoch <n>".
    epochs = [int(m.group(1)) for line in out.splitlines()
              if (m := re.match(r"\s*(?:epoch\s+)?(\d+)\b", line))]
    assert epochs == [1, 2, 3]


@pytest.mark.parametrize("cell", CELLS)
def test_layer_norm_and_bidirectional_train(task, cell):
    X, y, X_test, y_test = task
    # The sum task is linear: without the ridge-started linear path the
    # network alone has to learn it.
    reg = RNNRegressor(cell=cell, layer_norm=True, bidirectional=True,
                       hidden_size=8, max_epochs=8, lr=0.02, highway=False,
                       random_state=0).fit(X, y)
    losses = reg.history_[:, "train_loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert reg.score(X_test, y_test) > 0.3


def test_highway_extrapolates_beyond_the_training_range():
    # Windows of a rising series, one step ahead: the test windows lie above
    # every training value. The ridge-started linear path follows the trend
    # there; a network alone saturates near the training range.
    from sklearn_rnn import make_windows

    rng = np.random.default_rng(0)
    X, Y = make_windows(np.cumsum(1 + rng.normal(scale=0.3, size=300)), 12)
    train, test = slice(0, 150), slice(200, None)

    def rmse(highway):
        reg = RNNRegressor(hidden_size=8, max_epochs=20, random_state=0,
                           highway=highway).fit(X[train], Y[train, 0])
        return np.sqrt(np.mean((reg.predict(X[test]) - Y[test, 0]) ** 2))

    with_path = rmse(True)
    assert with_path < 0.1 * np.std(Y[test, 0])
    assert with_path < 0.1 * rmse(False)


def test_highway_reads_the_last_globally_standardised_steps():
    X, y = _sum_task(n=40, n_steps=12)
    reg = RNNRegressor(**FAST, normalize="both").fit(X, y)
    # (outputs, features, steps): one feature (the global copy), 8 steps
    assert reg.net_.module_.highway.conv.weight.shape == (1, 1, 8)
    assert RNNRegressor(**FAST, highway=False).fit(X, y).net_.module_.highway is None


def test_regressor_keeps_its_network_only_when_it_clearly_beats_the_linear_start():
    # One-standard-error rule, with early stopping and the linear path: on a
    # linear target the network's validation gain is chance, so the linear
    # start is kept (head at zero, the ridge refitted on every sample); on
    # a product of two steps, which no linear model reads, the network wins
    # by far and is kept.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 8, 1))
    params = {"hidden_size": 16, "early_stopping": True, "random_state": 0}
    linear = X[:, -1, 0] - 0.5 * X[:, -2, 0] + rng.normal(scale=0.1, size=300)
    model = RNNRegressor(**params).fit(X, linear)
    assert model.best_epoch_ == 0
    assert not model.net_.module_.linear.weight.detach().abs().max() > 0
    # The start of a fit on every sample, before its first step.
    start = RNNRegressor(**{**params, "early_stopping": False}, max_epochs=1,
                         callbacks=[("snap", Snapshots())]).fit(X, linear)
    ridge = dict(start.net_.callbacks_)["snap"].states[0]
    kept = model.net_.module_.highway.conv.weight.detach()
    torch.testing.assert_close(kept, ridge["highway.conv.weight"])
    product = X[:, -1, 0] * X[:, -2, 0]
    kept = RNNRegressor(**params, callbacks=[("snap", Snapshots())]).fit(X, product)
    assert kept.best_epoch_ > 0
    # The linear path was then fitted again on every sample, the network's
    # output held fixed: it is no longer the trained epoch's.
    trained = dict(kept.net_.callbacks_)["snap"].states[kept.best_epoch_]
    assert not torch.equal(kept.net_.module_.highway.conv.weight.detach(),
                           trained["highway.conv.weight"])
    assert torch.equal(kept.net_.module_.linear.weight.detach(),
                       trained["linear.weight"])
