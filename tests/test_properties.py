"""Property tests (padding invariance) and determinism under threads.

The windowing properties (windows equal the slices they claim, shapes, no
copies) live in tests/test_windows.py.
"""

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_rnn import GRUForecaster, LSTMClassifier, RNNRegressor

N_FEATURES = 2
TOL = {"rtol": 1e-5, "atol": 1e-5}


def _train_sequences(seed=0):
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(int(n), N_FEATURES)) for n in rng.integers(1, 8, size=48)]
    y = np.array([x[:, 0].sum() for x in X])
    return X, y


@pytest.fixture(scope="module", params=["fused", "layer_norm"])
def regressor(request):
    X, y = _train_sequences()
    return RNNRegressor(cell="gru", hidden_size=8, max_epochs=2, random_state=0,
                        layer_norm=request.param == "layer_norm",
                        bidirectional=request.param == "layer_norm").fit(X, y)


@pytest.fixture(scope="module")
def every_step():
    X, _ = _train_sequences()
    Y = [np.cumsum(x[:, :1], axis=0) for x in X]
    n_steps = max(len(x) for x in X)
    X_pad = np.full((len(X), n_steps, N_FEATURES), np.nan)
    Y_pad = np.full((len(X), n_steps, 1), np.nan)
    for i, (x, t) in enumerate(zip(X, Y)):
        X_pad[i, : len(x)], Y_pad[i, : len(x)] = x, t
    return RNNRegressor(cell="lstm", hidden_size=8, max_epochs=2,
                        random_state=0).fit(X_pad, Y_pad)


finite = st.floats(-3, 3, allow_nan=False, width=32)
sequence = st.integers(1, 6).flatmap(
    lambda n: arrays(np.float64, (n, N_FEATURES), elements=finite))
padded_batch = st.lists(
    st.tuples(sequence, st.integers(0, 3), st.integers(0, 3)), min_size=1,
    max_size=4)


def _pad(batch):
    """A 3-D array holding each sequence after ``lead`` and before ``trail``
    all-NaN steps, all padded to a common length at the end."""
    n_steps = max(lead + len(seq) + trail for seq, lead, trail in batch)
    X = np.full((len(batch), n_steps, N_FEATURES), np.nan)
    for i, (seq, lead, _) in enumerate(batch):
        X[i, lead: lead + len(seq)] = seq
    return X


@settings(max_examples=25, deadline=None)
@given(batch=padded_batch)
def test_prediction_does_not_depend_on_padding(regressor, batch):
    sequences = [seq for seq, _, _ in batch]
    alone = np.concatenate([regressor.predict([seq]) for seq in sequences])
    np.testing.assert_allclose(regressor.predict(sequences), alone, **TOL)
    np.testing.assert_allclose(regressor.predict(_pad(batch)), alone, **TOL)


@settings(max_examples=20, deadline=None)
@given(batch=padded_batch)
def test_every_step_outputs_follow_the_real_steps(every_step, batch):
    out = every_step.predict(_pad(batch))
    for i, (seq, lead, _) in enumerate(batch):
        alone = every_step.predict([seq])[0]
        real = slice(lead, lead + len(seq))
        np.testing.assert_allclose(out[i, real], alone[: len(seq)], **TOL)
        padding = np.ones(out.shape[1], bool)
        padding[real] = False
        assert np.isnan(out[i, padding]).all()


# -- determinism ----------------------------------------------------------------


@lru_cache(maxsize=1)
def _fitted_estimators():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 8, 2))
    y = X[:, :, 0].sum(axis=1)
    series = np.sin(np.arange(120) / 5.0) + rng.normal(scale=0.1, size=120)
    return [
        (RNNRegressor(hidden_size=8, max_epochs=2, random_state=0).fit(X, y),
         "predict", X),
        (LSTMClassifier(hidden_size=8, max_epochs=2, random_state=0).fit(X, y > 0),
         "predict_proba", X),
        (GRUForecaster(window=8, horizon=2, hidden_size=8, max_epochs=2,
                       random_state=0).fit(series), "predict", series),
    ]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["regressor", "classifier",
                                                   "forecaster"])
def test_concurrent_predict_equals_serial(index):
    estimator, method, X = _fitted_estimators()[index]
    # Different inputs per call, so a thread that saw another's batch would show.
    inputs = [X[i:] if i else X for i in range(0, 16, 2)]
    predict = getattr(estimator, method)
    serial = [predict(x) for x in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(predict, inputs * 3))
    for i, result in enumerate(concurrent):
        np.testing.assert_array_equal(result, serial[i % len(inputs)])


def test_same_random_state_same_forecasts_different_state_different_weights():
    series = np.sin(np.arange(100) / 5.0)
    params = {"window": 6, "hidden_size": 8, "max_epochs": 2}
    a = GRUForecaster(**params, random_state=3).fit(series)
    b = GRUForecaster(**params, random_state=3).fit(series)
    c = GRUForecaster(**params, random_state=4).fit(series)
    np.testing.assert_array_equal(a.predict(series), b.predict(series))
    # The recurrent body's weights: the head may still be at its zero start.
    weights = [next(e.net_.module_.body.parameters()).detach().numpy()
               for e in (a, c)]
    assert not np.allclose(*weights)


@lru_cache(maxsize=None)
def _fitted_forecaster(strategy):
    y = np.sin(np.arange(60) / 3.0) + np.arange(60) / 30.0
    return GRUForecaster(window=6, horizon=3, strategy=strategy, hidden_size=8,
                         max_epochs=2, random_state=0).fit(y)


@pytest.mark.parametrize("strategy", ["direct", "recursive", "seq2seq"])
@settings(max_examples=20, deadline=None)
@given(
    series=arrays(np.float64, st.integers(2, 30),
                  elements=st.floats(-100, 100, allow_nan=False)),
    cut=st.integers(0, 29),
    noise=st.floats(-50, 50, allow_nan=False).filter(lambda v: abs(v) > 1e-3),
)
def test_row_t_forecasts_from_the_rows_before_t(strategy, series, cut, noise):
    # The row contract as a property: row t forecasts from the rows before
    # t only, so changing rows t, t+1, ... never changes rows <= t, and row t
    # is what forecast() returns for the series cut before t (row 0: the
    # empty history).
    model = _fitted_forecaster(strategy)
    cut = min(cut, len(series) - 1)
    changed = series.copy()
    changed[cut:] += noise
    before = model.predict(series)[: cut + 1]
    np.testing.assert_allclose(model.predict(changed)[: cut + 1], before, **TOL)
    np.testing.assert_allclose(model.forecast(series[:cut]), before[-1], **TOL)
