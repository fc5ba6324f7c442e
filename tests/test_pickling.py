"""Pickling fitted estimators: small, faithful, loadable without a GPU."""

import copy
import pickle

import numpy as np
import pytest
import torch
from skorch.exceptions import DeviceWarning

from sklearn_rnn import GRUForecaster, LSTMClassifier, RNNRegressor

SMALL = {"hidden_size": 8, "max_epochs": 3, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 8, 2))
    return X, X.sum(axis=(1, 2))


def _fitted(name, data, **params):
    X, y = data
    params = {**SMALL, **params}
    if name == "regressor":
        return RNNRegressor(**params).fit(X, y), X
    if name == "classifier":
        return LSTMClassifier(class_weight="balanced", **params).fit(
            X, np.where(y > 0, "up", "down")), X
    series = np.sin(np.arange(200) / 5.0)
    return GRUForecaster(window=12, horizon=3, **params).fit(series), series


def _outputs(est, X):
    method = getattr(est, "predict_proba", est.predict)
    return method(X)


@pytest.mark.parametrize("name", ["regressor", "classifier", "forecaster"])
def test_round_trip_predicts_identically(name, data):
    est, X = _fitted(name, data)
    loaded = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(_outputs(loaded, X), _outputs(est, X))
    assert loaded.n_iter_ == est.n_iter_
    assert loaded.history_[:, "train_loss"] == est.history_[:, "train_loss"]
    # One History object, shared by the estimator and its net, as after fit.
    assert loaded.history_ is loaded.net_.history_


def test_pickle_holds_weights_once_without_optimizer_state(data):
    est, _ = _fitted("regressor", data, hidden_size=64, cell="lstm")
    n_weight_bytes = sum(
        p.numel() * p.element_size() for p in est.net_.module_.parameters())
    # Adam keeps two moments per weight; skorch alone pickles the module
    # twice and the optimizer with its state: about 4x the weights.
    full = len(pickle.dumps(est.net_))
    size = len(pickle.dumps(est))
    assert full > 3.5 * n_weight_bytes
    assert n_weight_bytes < size < 1.25 * n_weight_bytes


def test_pickling_leaves_the_original_intact(data):
    est, X = _fitted("regressor", data)
    before = est.predict(X)
    optimizer = est.net_.optimizer_
    pickle.dumps(est)
    assert est.net_.optimizer_ is optimizer
    assert est.net_.initialized_
    np.testing.assert_array_equal(est.predict(X), before)


def test_warm_start_after_unpickling_continues_training(data):
    X, y = data
    # Without the ridge-started linear path, whose start leaves the first
    # epoch's loss near where training ends.
    est, _ = _fitted("regressor", data, warm_start=True, highway=False)
    loaded = pickle.loads(pickle.dumps(est))
    weights = {k: v.clone() for k, v in loaded.net_.module_.state_dict().items()}
    loaded.fit(X, y)
    # Training continued from the pickled weights: the history grew, and the
    # new epochs started from where the old ones ended, not from scratch.
    assert loaded.n_iter_ == 2 * est.n_iter_
    assert loaded.history_[:3, "train_loss"] == est.history_[:, "train_loss"]
    assert loaded.history_[3, "train_loss"] < loaded.history_[0, "train_loss"]
    changed = [not torch.equal(weights[k], v)
               for k, v in loaded.net_.module_.state_dict().items()]
    assert any(changed)
    # The optimizer is a new one, over the loaded module's parameters.
    params = {id(p) for group in loaded.net_.optimizer_.param_groups
              for p in group["params"]}
    assert params == {id(p) for p in loaded.net_.module_.parameters()}


def test_deepcopy_of_fitted_estimator(data):
    est, X = _fitted("regressor", data)
    copied = copy.deepcopy(est)
    assert copied.net_.module_ is not est.net_.module_
    np.testing.assert_array_equal(copied.predict(X), est.predict(X))


def test_estimator_trained_on_cuda_loads_on_cpu(data):
    # Without a GPU we cannot train on one, so we pickle an estimator whose
    # net says it lives on CUDA: skorch's unpickling maps that device to the
    # CPU, and predictions must be the CPU ones. The tensors themselves are
    # copied to the CPU when pickling; test_cuda.py checks that on a GPU.
    est, X = _fitted("regressor", data)
    expected = est.predict(X)
    est.net_.device = "cuda"
    payload = pickle.dumps(est)
    est.net_.device = "cpu"
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: the estimator would load onto it")
    with pytest.warns(DeviceWarning) as record:
        loaded = pickle.loads(payload)
    assert any("no CUDA devices are available" in str(w.message)
               for w in record)
    assert torch.device(loaded.net_.device).type == "cpu"
    assert next(loaded.net_.module_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(loaded.predict(X), expected)


def test_unfitted_estimator_pickles_as_params():
    est = RNNRegressor(hidden_size=8)
    loaded = pickle.loads(pickle.dumps(est))
    assert loaded.get_params() == est.get_params()
    assert not hasattr(loaded, "net_")
