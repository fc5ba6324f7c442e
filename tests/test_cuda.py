"""device="cuda" and device="auto": fit, predict, pickling and search.

The CUDA tests skip where torch sees no GPU; the rest check what a machine
without one does.
"""

import pickle

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_rnn import LSTMClassifier, RNNRegressor

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason="torch sees no CUDA GPU on this machine")
needs_no_cuda = pytest.mark.skipif(torch.cuda.is_available(),
                                   reason="a CUDA GPU is present")

SMALL = {"hidden_size": 8, "max_epochs": 3, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 8, 2))
    return X, X.sum(axis=(1, 2))


def _module_device(est):
    return next(est.net_.module_.parameters()).device.type


def test_auto_takes_the_gpu_only_when_there_is_one(data):
    X, y = data
    reg = RNNRegressor(device="auto", **SMALL).fit(X, y)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert _module_device(reg) == expected
    assert reg.predict(X).shape == (len(X),)
    # device is a parameter: stored untouched, resolved in fit.
    assert reg.get_params()["device"] == "auto"


@needs_no_cuda
def test_cuda_without_gpu_is_a_clear_error(data):
    X, y = data
    with pytest.raises(ValueError, match="device='cuda' was requested but"):
        RNNRegressor(device="cuda", **SMALL).fit(X, y)


@needs_cuda
@pytest.mark.parametrize("Estimator", [RNNRegressor, LSTMClassifier])
def test_fit_predict_on_cuda(Estimator, data):
    X, y = data
    if Estimator is LSTMClassifier:
        y = y > 0
    est = Estimator(device="cuda", **SMALL).fit(X, y)
    assert _module_device(est) == "cuda"
    y_pred = est.predict(X)
    assert isinstance(y_pred, np.ndarray)
    assert y_pred.shape == (len(X),)
    # The same seed trains the same model on the CPU, up to kernel rounding.
    cpu = Estimator(device="cpu", **SMALL).fit(X, y)
    if Estimator is RNNRegressor:
        np.testing.assert_allclose(y_pred, cpu.predict(X), rtol=1e-2, atol=1e-2)


@needs_cuda
def test_cuda_pickle_is_cpu_only_and_loads_without_gpu(data, monkeypatch):
    X, y = data
    est = RNNRegressor(device="cuda", **SMALL).fit(X, y)
    expected = est.predict(X)
    payload = pickle.dumps(est)
    # Pickling copied the weights to the CPU and left the original on CUDA.
    assert _module_device(est) == "cuda"
    # On this machine it loads back onto the GPU...
    loaded = pickle.loads(payload)
    assert _module_device(loaded) == "cuda"
    np.testing.assert_allclose(loaded.predict(X), expected, rtol=1e-6)
    # ...and where torch sees no GPU, onto the CPU (torch.load refuses CUDA
    # tensors when is_available() is False, so none may be in the pickle).
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning) as record:
        on_cpu = pickle.loads(payload)
    assert any("no CUDA devices are available" in str(w.message)
               for w in record)
    assert _module_device(on_cpu) == "cpu"
    np.testing.assert_allclose(on_cpu.predict(X), expected, rtol=1e-4, atol=1e-5)


@needs_cuda
def test_grid_search_on_cuda(data):
    X, y = data
    search = GridSearchCV(RNNRegressor(device="cuda", **SMALL),
                          {"cell": ["rnn", "gru"]}, cv=KFold(2)).fit(X, y)
    assert _module_device(search.best_estimator_) == "cuda"
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
