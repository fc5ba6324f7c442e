"""Every bad input gets a clear error: the matrix, one row per case.

Each row names the estimator and the case, and asserts the exception type and
a message that names the argument and says what was expected. Cases a
family accepts on purpose are listed at the end (``ALLOWED``) with the
reason, and tested to be accepted.
"""

import re
from functools import partial

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.exceptions import NotFittedError
from skorch.callbacks import EpochTimer

from sklearn_rnn import (
    ConvGRUForecaster,
    GRUForecaster,
    LSTMClassifier,
    NaiveForecaster,
    RepeatVector,
    RNNRegressor,
    SlidingWindows,
    ToSequences,
    make_windows,
)

RNG = np.random.default_rng(0)
X2 = RNG.normal(size=(12, 5))
X3 = RNG.normal(size=(12, 5, 2))
Y_REG = RNG.normal(size=12)
Y_CLF = np.arange(12) % 2
SERIES = np.sin(np.arange(40) / 4.0) + 5.0
TINY = {"hidden_size": 4, "max_epochs": 1, "batch_size": 8, "random_state": 0}
NO_GPU = not torch.cuda.is_available()


def _with(array, index, value):
    array = np.array(array, dtype=float)
    array[index] = value
    return array


def _frame(values):
    return pd.DataFrame({"a": values, "b": ["x"] * len(values)})


# -- sequence estimators: RNNRegressor, LSTMClassifier ----------------------

# (case, X for fit, exception, message)
SEQUENCE_X = [
    ("X empty 2-D", np.empty((0, 5)), ValueError, r"0 sample\(s\)"),
    ("X empty 3-D", np.empty((0, 5, 2)), ValueError, r"0 sample\(s\)"),
    ("X empty list", [], ValueError, r"X is an empty list; expected at least one"),
    ("X 1-D", X2[0], ValueError,
     r"X must be 2-D .* Got a 1-D array of shape \(5,\) instead\. Reshape"),
    ("X 4-D", X3[..., None], ValueError, r"got an array with 4 dimensions"),
    ("X None", None, ValueError, r"X must be 2-D .* Got None instead"),
    ("X strings", np.full((12, 5), "a"), ValueError,
     r"X must hold numbers: could not convert strings to float\. Got an array "
     r"of strings"),
    ("X objects", np.full((12, 5), object()), TypeError,
     r"X must hold numbers: float\(\) argument must be"),
    ("X complex 2-D", X2 + 1j, ValueError, r"Complex data not supported: X"),
    ("X complex 3-D", X3 + 1j, ValueError, r"Complex data not supported: X"),
    ("X inf 2-D", _with(X2, (3, 1), np.inf), ValueError, r"X contains infinity"),
    ("X inf 3-D", _with(X3, (3, 1, 0), -np.inf), ValueError, r"X contains infinity"),
    ("X NaN 2-D", _with(X2, (3, 1), np.nan), ValueError,
     r"X contains NaN, first at row 3, step 1\. 2-D X .* no padding"),
    ("X NaN step inside 3-D", _with(X3, (2, 2), np.nan), ValueError,
     r"X contains NaN inside sample 2 at step 2"),
    ("X NaN in one feature 3-D", _with(X3, (2, 2, 0), np.nan), ValueError,
     r"NaN in some but not all features of sample 2 at step 2"),
    ("X all padding", _with(X3, 4, np.nan), ValueError,
     r"Sample 4 of X has no time steps"),
    ("X list features disagree", [np.ones((3, 2)), np.ones((4, 3))], ValueError,
     r"same number of features; X\[0\] has 2 and X\[1\] has 3"),
    ("X list of ragged 1-D", [np.ones(3), np.ones(4)], ValueError,
     r"X is a list whose elements have different shapes .*seq\.reshape\(-1, 1\)"),
    ("X list with strings", [np.full((3, 1), "a"), np.ones((2, 1))], ValueError,
     r"Sequence X\[0\] is invalid: could not convert string"),
    ("X list with empty sequence", [np.ones((3, 1)), np.ones((0, 1))], ValueError,
     r"Sequence X\[1\] has no time steps"),
    ("X sparse", sp.csr_matrix(X2), TypeError, r"Sparse data was passed for X"),
    ("X pandas non-numeric", _frame(np.arange(12.0)), ValueError,
     r"X must hold numbers\. Got a DataFrame with non-numeric column\(s\) \{'b'"),
]

# (case, estimator class or None for both, y, exception, message)
SEQUENCE_Y = [
    ("y wrong length", None, lambda y: y[:11], ValueError,
     r"X has 12 sequences but y has 11 targets"),
    ("y None", None, lambda y: None, ValueError, r"requires y to be passed"),
    ("y NaN", RNNRegressor, lambda y: _with(y, 0, np.nan), ValueError,
     r"Input y contains NaN"),
    ("y inf", RNNRegressor, lambda y: _with(y, 0, np.inf), ValueError,
     r"Input y contains infinity"),
    ("y strings", RNNRegressor, lambda y: np.full(12, "a"), ValueError,
     r"y must hold numbers: .* use LSTMClassifier"),
    ("y time axis of wrong shape", RNNRegressor, lambda y: np.zeros((12, 4, 1)),
     ValueError, r"y with a time axis must have shape .* matching X's \(12, 5\)"),
    ("y time axis NaN at a real step", RNNRegressor,
     lambda y: _with(np.zeros((12, 5, 1)), (0, 2, 0), np.nan), ValueError,
     r"y contains NaN or infinity at real steps of X"),
    ("y NaN", LSTMClassifier, lambda y: _with(y, 0, np.nan), ValueError,
     r"Input y contains NaN, first at sample 0"),
    ("y single class", LSTMClassifier, lambda y: np.zeros(12), ValueError,
     r"needs samples of at least 2 classes in y; got 1 class"),
    ("y continuous", LSTMClassifier, lambda y: np.linspace(0, 1, 12), ValueError,
     r"Unknown label type: continuous"),
    ("y time axis", LSTMClassifier, lambda y: np.zeros((12, 5, 1)), ValueError,
     r"one class label per sequence, so y must be 1-D .* shape \(12, 5, 1\)"),
]

# (case, params, exception, message); InvalidParameterError is a ValueError.
SEQUENCE_PARAMS = [
    ("hidden_size 0", {"hidden_size": 0}, ValueError,
     r"'hidden_size' parameter .* int in the range \[1, inf\)\. Got 0"),
    ("hidden_size bool", {"hidden_size": True}, ValueError,
     r"'hidden_size' parameter .* a number, not a bool\. Got True"),
    ("hidden_size float", {"hidden_size": 2.5}, ValueError,
     r"'hidden_size' parameter .* Got 2\.5"),
    ("num_layers 0", {"num_layers": 0}, ValueError, r"'num_layers' parameter"),
    ("dropout 1", {"dropout": 1.0}, ValueError,
     r"'dropout' parameter .* range \[0\.0, 1\.0\)\. Got 1\.0"),
    ("lr 0", {"lr": 0.0}, ValueError, r"'lr' parameter .* \(0\.0, inf\)\. Got 0\.0"),
    ("lr negative", {"lr": -1e-3}, ValueError, r"'lr' parameter .* Got -0\.001"),
    ("weight_decay negative", {"weight_decay": -1.0}, ValueError,
     r"'weight_decay' parameter"),
    ("batch_size 0", {"batch_size": 0}, ValueError, r"'batch_size' parameter .* Got 0"),
    ("max_epochs 0", {"max_epochs": 0}, ValueError, r"'max_epochs' parameter .* Got 0"),
    ("patience 0", {"patience": 0}, ValueError, r"'patience' parameter .* Got 0"),
    ("clip_grad_norm 0", {"clip_grad_norm": 0.0}, ValueError,
     r"'clip_grad_norm' parameter .* or None\. Got 0\.0"),
    ("unknown cell", {"cell": "transformer"}, ValueError,
     r"'cell' parameter .* among \{.*\}\. Got 'transformer'"),
    ("unknown optimizer", {"optimizer": "lbfgs"}, ValueError,
     r"'optimizer' parameter .* Got 'lbfgs'"),
    ("unknown nonlinearity", {"nonlinearity": "sigmoid"}, ValueError,
     r"'nonlinearity' parameter .* Got 'sigmoid'"),
    ("unknown lr_schedule", {"lr_schedule": "step"}, ValueError,
     r"'lr_schedule' parameter .* Got 'step'"),
    ("unknown device", {"device": "tpu"}, ValueError, r"'device' parameter .* 'tpu'"),
    ("validation_fraction 0", {"validation_fraction": 0.0}, ValueError,
     r"'validation_fraction' parameter .* \(0\.0, 1\.0\)\. Got 0\.0"),
    ("validation_fraction 1", {"validation_fraction": 1.0}, ValueError,
     r"'validation_fraction' parameter .* Got 1\.0"),
    ("validation tail leaves no training sample",
     {"early_stopping": True, "validation_fraction": 0.95}, ValueError,
     r"validation_fraction=0\.95 leaves 0 training and 12 validation samples"),
    ("callbacks not callbacks", {"callbacks": [1]}, TypeError,
     r"callbacks must be a list of skorch callbacks .* Got 1 at position 0"),
    ("callbacks bad tuple", {"callbacks": [(EpochTimer(), "timer")]}, TypeError,
     r"callbacks must be a list of skorch callbacks"),
    ("embedding_dim 0", {"embedding_dim": 0}, ValueError,
     r"'embedding_dim' parameter .* Got 0"),
    ("max_epochs unknown string", {"max_epochs": "many"}, ValueError,
     r"'max_epochs' parameter .* \{'auto'\}.* Got 'many'"),
    ("conv_channels 0", {"conv_channels": 0}, ValueError,
     r"'conv_channels' parameter .* or None\. Got 0"),
    ("conv_layers 0", {"conv_layers": 0}, ValueError,
     r"'conv_layers' parameter .* Got 0"),
    ("kernel_size 0", {"kernel_size": 0}, ValueError,
     r"'kernel_size' parameter .* Got 0"),
    ("stride 0", {"stride": 0}, ValueError, r"'stride' parameter .* Got 0"),
    ("pool_size 0", {"pool_size": 0}, ValueError, r"'pool_size' parameter .* Got 0"),
    ("pool_size unknown string", {"pool_size": "max"}, ValueError,
     r"'pool_size' parameter .* Got 'max'"),
    ("unknown pooling", {"pooling": "sum"}, ValueError,
     r"'pooling' parameter .* among \{.*'meanmax'.*\}\. Got 'sum'"),
    ("unknown normalize", {"normalize": "global"}, ValueError,
     r"'normalize' parameter .* Got 'global'"),
    pytest.param(
        "device cuda without GPU", {"device": "cuda"}, ValueError,
        r"device='cuda' was requested but torch sees no CUDA GPU",
        marks=pytest.mark.skipif(not NO_GPU, reason="a GPU is present"),
    ),
]

SEQUENCE_ESTIMATORS = [RNNRegressor, LSTMClassifier]
_FITTED = {}


def _fitted_sequence(Estimator, kind):
    """A tiny fitted estimator, fit once per (class, input kind)."""
    key = (Estimator, kind)
    if key not in _FITTED:
        X = X2 if kind == "2d" else X3
        y = Y_REG if Estimator is RNNRegressor else Y_CLF
        _FITTED[key] = Estimator(**TINY).fit(X, y)
    return _FITTED[key]


def _default_y(Estimator):
    return Y_REG if Estimator is RNNRegressor else Y_CLF


def _fit(Estimator, X, y, **params):
    Estimator(**{**TINY, **params}).fit(X, y)


def _sequence_rows():
    rows = []
    for Est in SEQUENCE_ESTIMATORS:
        name = Est.__name__
        for case, X, exc, msg in SEQUENCE_X:
            y = _default_y(Est)
            if isinstance(X, list) and X:
                y = y[: len(X)]
            rows.append(pytest.param(partial(_fit, Est, X, y), exc, msg,
                                     id=f"{name}: {case}"))
        for case, only, make_y, exc, msg in SEQUENCE_Y:
            if only in (None, Est):
                rows.append(pytest.param(
                    partial(_fit, Est, X3, make_y(_default_y(Est))), exc, msg,
                    id=f"{name}: {case}"))
        for item in SEQUENCE_PARAMS:
            values = item.values if hasattr(item, "values") else item
            marks = item.marks if hasattr(item, "marks") else ()
            case, params, exc, msg = values
            rows.append(pytest.param(
                partial(_fit, Est, X2, _default_y(Est), **params), exc, msg,
                id=f"{name}: {case}", marks=marks))
        rows += [
            pytest.param(lambda E=Est: _fitted_sequence(E, "2d").predict(X2[:, :4]),
                         ValueError, r"X has 4 features, but \w+ is expecting 5",
                         id=f"{name}: predict with fewer time steps than fit (2-D)"),
            pytest.param(lambda E=Est: _fitted_sequence(E, "3d").predict(X3[..., :1]),
                         ValueError,
                         r"X has 1 features per time step, but \w+ was fitted with 2",
                         id=f"{name}: predict with other features (3-D)"),
            pytest.param(lambda E=Est: _fitted_sequence(E, "3d").predict(X2),
                         ValueError,
                         r"fitted on sequences with 2 features per step, but 2-D X",
                         id=f"{name}: predict 2-D after a 3-D fit"),
            pytest.param(
                lambda E=Est: _fitted_sequence(E, "2d").predict(
                    _with(X2, (0, 4), np.nan)),
                ValueError, r"X contains NaN, first at row 0, step 4",
                id=f"{name}: predict with NaN"),
            pytest.param(lambda E=Est: E(**TINY).predict(X2), NotFittedError,
                         r"not fitted yet", id=f"{name}: predict before fit"),
        ]
    rows += [
        pytest.param(
            lambda: _fit(RNNRegressor, X3, np.zeros((12, 5, 1)), stride=2),
            ValueError, r"Per-step targets need an output at every input step.* "
            r"Got stride=2 and pool_size='auto' instead",
            id="RNNRegressor: per-step targets with a downsampling front end"),
        pytest.param(
            lambda: _fit(LSTMClassifier, X2, Y_CLF, class_weight={5: 1.0}),
            ValueError, r"The classes, \[.*\], are not in class_weight",
            id="LSTMClassifier: class_weight names an unknown class"),
        pytest.param(
            lambda: LSTMClassifier(**TINY, warm_start=True).fit(X2, Y_CLF).fit(
                X2, Y_CLF + 5),
            ValueError, r"warm_start=True needs the same classes as the previous fit",
            id="LSTMClassifier: warm_start with other classes"),
    ]
    return rows


# -- windowing transformers and make_windows ----------------------------------

TRANSFORMERS = [SlidingWindows(window=3), RepeatVector(n_steps=2),
                ToSequences(n_timesteps=5)]

TRANSFORMER_X = [
    ("X empty", np.empty((0, 5)), ValueError, r"0 sample\(s\)"),
    ("X 1-D", X2[0], ValueError,
     r"X must be 2-D \(n_samples, n_features\).* 1-D array of shape \(5,\)"),
    ("X 3-D", X3, ValueError, r"Found array with dim 3, while dim <= 2 is required"),
    ("X strings", np.full((4, 5), "a"), ValueError, r"X must hold numbers"),
    ("X objects", np.full((4, 5), object()), TypeError, r"X must hold numbers"),
    ("X complex", X2 + 1j, ValueError, r"Complex data not supported: X"),
    ("X inf", _with(X2, (1, 1), np.inf), ValueError, r"X contains infinity"),
    ("X sparse", sp.csr_matrix(X2), TypeError, r"Sparse data was passed for X"),
    ("X pandas non-numeric", _frame(X2[:, 0]), ValueError,
     r"X must hold numbers\. Got a DataFrame with non-numeric column\(s\) \{'b'"),
]


def _transform_rows():
    rows = []
    for transformer in TRANSFORMERS:
        name = type(transformer).__name__
        for case, X, exc, msg in TRANSFORMER_X:
            rows.append(pytest.param(partial(transformer.fit, X), exc, msg,
                                     id=f"{name}: {case}"))
        rows.append(pytest.param(
            lambda t=transformer: t.fit(X2).transform(X2[:, :4]), ValueError,
            r"X has 4 features, but \w+ is expecting 5",
            id=f"{name}: transform with other features"))
        if name != "ToSequences":  # ToSequences passes NaN padding through
            rows.append(pytest.param(
                partial(transformer.fit, _with(X2, (2, 3), np.nan)), ValueError,
                r"X contains NaN, first at row 2, column 3\. \w+ does not accept",
                id=f"{name}: X NaN"))
    rows += [
        pytest.param(lambda: SlidingWindows(window=0).fit(X2), ValueError,
                     r"'window' parameter of SlidingWindows .* Got 0",
                     id="SlidingWindows: window 0"),
        pytest.param(lambda: SlidingWindows(window=True).fit(X2), ValueError,
                     r"'window' parameter .* not a bool",
                     id="SlidingWindows: window bool"),
        pytest.param(lambda: RepeatVector(n_steps=0).fit(X2), ValueError,
                     r"'n_steps' parameter of RepeatVector .* Got 0",
                     id="RepeatVector: n_steps 0"),
        pytest.param(lambda: ToSequences(n_timesteps=0).fit(X2), ValueError,
                     r"'n_timesteps' parameter of ToSequences .* Got 0",
                     id="ToSequences: n_timesteps 0"),
        pytest.param(lambda: ToSequences(n_timesteps=3).fit(X2), ValueError,
                     r"n_timesteps must divide the number of columns of X \(5\)",
                     id="ToSequences: n_timesteps does not divide the columns"),
    ]
    series = np.arange(10.0)
    rows += [
        pytest.param(partial(make_windows, series, 0), ValueError,
                     r"window must be an integer >= 1\. Got window=0",
                     id="make_windows: window 0"),
        pytest.param(partial(make_windows, series, 3, 0), ValueError,
                     r"horizon must be an integer >= 1\. Got horizon=0",
                     id="make_windows: horizon 0"),
        pytest.param(partial(make_windows, series, 2.0), TypeError,
                     r"window must be an integer >= 1\. Got 2\.0 of type float",
                     id="make_windows: float window"),
        pytest.param(partial(make_windows, series, 8, 3), ValueError,
                     r"window \+ horizon = 11 is longer than the series \(n=10\)",
                     id="make_windows: window + horizon longer than the series"),
        pytest.param(partial(make_windows, np.array([]), 1), ValueError,
                     r"longer than the series \(n=0\)", id="make_windows: empty"),
        pytest.param(partial(make_windows, X3, 1), ValueError,
                     r"series must be 1-D .* or 2-D .* shape \(12, 5, 2\)",
                     id="make_windows: 3-D series"),
        pytest.param(partial(make_windows, np.full(10, "a"), 2), TypeError,
                     r"series must hold numeric values\. Got dtype <U1",
                     id="make_windows: strings"),
        pytest.param(partial(make_windows, series + 1j, 2), TypeError,
                     r"series must hold numeric values\. Got dtype complex128",
                     id="make_windows: complex"),
        pytest.param(partial(make_windows, _frame(series), 2), TypeError,
                     r"series must hold numeric values\. Got a pandas object",
                     id="make_windows: pandas non-numeric"),
        pytest.param(partial(make_windows, sp.csr_matrix(X2), 2), TypeError,
                     r"series must hold numeric values", id="make_windows: sparse"),
        pytest.param(partial(make_windows, X2, 2, target=7), ValueError,
                     r"target must name a column of series.*for series with 5 column\(s\)",
                     id="make_windows: target out of range"),
    ]
    return rows


# -- forecasters ---------------------------------------------------------------

FORECASTERS = [
    lambda **p: NaiveForecaster(**p),
    lambda **p: GRUForecaster(**{**TINY, "window": 5, **p}),
    lambda **p: ConvGRUForecaster(**{**TINY, "window": 5, **p}),
]

# (case, X, y, exception, message)
FORECASTER_DATA = [
    ("X empty", np.array([]), None, ValueError, r"0 sample\(s\)"),
    ("X one time step", SERIES[:1], None, ValueError,
     r"needs at least horizon \+ 1 = 2 time steps .* Got X with 1 time step"),
    ("X 3-D", X3, None, ValueError, r"dim 3, while dim <= 2 is required"),
    ("X strings", np.full(40, "a"), None, ValueError, r"X must hold numbers"),
    ("X objects", np.full(40, object()), None, TypeError, r"X must hold numbers"),
    ("X complex", SERIES + 1j, None, ValueError, r"Complex data not supported: X"),
    ("X inf", _with(SERIES, 7, np.inf), None, ValueError, r"X contains infinity"),
    ("X NaN", _with(SERIES, 7, np.nan), None, ValueError, r"X contains NaN"),
    ("X sparse", sp.csr_matrix(SERIES[:, None]), None, TypeError,
     r"Sparse data was passed for X"),
    ("X pandas non-numeric", _frame(SERIES), None, ValueError,
     r"X must hold numbers\. Got a DataFrame with non-numeric column\(s\) \{'b'"),
    ("y wrong length", SERIES, SERIES[:-1], ValueError,
     r"X has 40 time steps but y has 39 targets"),
    ("y NaN", SERIES, _with(SERIES, 3, np.nan), ValueError, r"Input y contains NaN"),
    ("y inf", SERIES, _with(SERIES, 3, np.inf), ValueError,
     r"Input y contains infinity"),
    ("y several series", SERIES, np.c_[SERIES, SERIES], ValueError,
     r"y must be one series .* Got y of shape \(40, 2\)"),
    ("y time axis", SERIES, np.zeros((40, 3, 1)), ValueError,
     r"y must be one series .* Got y of shape \(40, 3, 1\)"),
    ("y strings", SERIES, np.full(40, "a"), ValueError, r"y must hold numbers"),
]

FORECASTER_PARAMS = [
    ("horizon 0", {"horizon": 0}, ValueError, r"'horizon' parameter .* Got 0"),
    ("horizon bool", {"horizon": True}, ValueError, r"'horizon' .* not a bool"),
    ("horizon longer than the series", {"horizon": 40}, ValueError,
     r"horizon=40 needs at least horizon \+ 1 = 41 time steps"),
    ("unknown strategy", {"strategy": "magic"}, ValueError,
     r"'strategy' parameter .* Got 'magic'"),
    ("target out of range", {"target": 5}, ValueError,
     r"target must name a column of X: a column label or a position in \[0, 0\]"),
    ("target names no column", {"target": "price"}, ValueError,
     r"target='price' is a column label, which needs X to be a pandas DataFrame"),
]


def _forecaster_rows():
    rows = []
    for make in FORECASTERS:
        name = type(make()).__name__
        for case, X, y, exc, msg in FORECASTER_DATA:
            rows.append(pytest.param(lambda m=make, X=X, y=y: m().fit(X, y), exc,
                                     msg, id=f"{name}: {case}"))
        for case, params, exc, msg in FORECASTER_PARAMS:
            rows.append(pytest.param(lambda m=make, p=params: m(**p).fit(SERIES),
                                     exc, msg, id=f"{name}: {case}"))
        rows.append(pytest.param(
            lambda m=make: m().fit(np.c_[SERIES, SERIES]).predict(SERIES[:, None]),
            ValueError, r"X has 1 features, but \w+ is expecting 2",
            id=f"{name}: predict with other channels"))
        rows.append(pytest.param(
            lambda m=make: m().fit(np.c_[SERIES, SERIES]).predict(SERIES),
            ValueError, r"X is 1-D, one channel, but \w+ was fit on 2 channels",
            id=f"{name}: predict 1-D after a 2-channel fit"))
    rows += [
        pytest.param(lambda: NaiveForecaster(window=0).fit(SERIES), ValueError,
                     r"'window' parameter of NaiveForecaster .* Got 0",
                     id="NaiveForecaster: window 0"),
        pytest.param(lambda: NaiveForecaster(strategy="seasonal", sp=0).fit(SERIES),
                     ValueError, r"'sp' parameter .* Got 0",
                     id="NaiveForecaster: sp 0"),
        pytest.param(
            lambda: NaiveForecaster(strategy="seasonal", sp=12, window=4).fit(SERIES),
            ValueError, r"window must be None or at least sp=12\. Got window=4",
            id="NaiveForecaster: seasonal window shorter than sp"),
    ]
    for make in FORECASTERS[1:]:
        name = type(make()).__name__
        rows += [
            pytest.param(lambda m=make: m(window=0).fit(SERIES), ValueError,
                         r"'window' parameter .* Got 0", id=f"{name}: window 0"),
            pytest.param(lambda m=make: m(hidden_size=0).fit(SERIES), ValueError,
                         r"'hidden_size' parameter .* Got 0",
                         id=f"{name}: hidden_size 0"),
            pytest.param(lambda m=make: m(lr=-1.0).fit(SERIES), ValueError,
                         r"'lr' parameter .* Got -1\.0", id=f"{name}: lr negative"),
            pytest.param(
                lambda m=make: m(early_stopping=True, validation_fraction=0.99).fit(
                    SERIES),
                ValueError, r"leaves 0 training and \d+ validation samples",
                id=f"{name}: validation tail leaves no training sample"),
            pytest.param(
                lambda m=make: m(strategy="recursive").fit(np.c_[SERIES, SERIES],
                                                           SERIES * 2),
                ValueError, r"strategy='recursive' feeds forecasts back into the "
                r"target column, so the target must be a column of X",
                id=f"{name}: recursive with y not a column of X"),
            pytest.param(
                lambda m=make: m(device="cuda").fit(SERIES), ValueError,
                r"device='cuda' was requested but torch sees no CUDA GPU",
                id=f"{name}: device cuda without GPU",
                marks=pytest.mark.skipif(not NO_GPU, reason="a GPU is present")),
        ]
    for param in ("kernel_size", "stride", "conv_channels"):
        rows.append(pytest.param(
            lambda p=param: ConvGRUForecaster(**TINY, **{p: 0}).fit(SERIES),
            ValueError, rf"'{param}' parameter of ConvGRUForecaster .* Got 0",
            id=f"ConvGRUForecaster: {param} 0"))
    return rows


ROWS = _sequence_rows() + _transform_rows() + _forecaster_rows()


@pytest.mark.parametrize("call, exception, message", ROWS)
def test_bad_input_is_rejected_with_a_clear_error(call, exception, message):
    with pytest.raises(exception) as info:
        call()
    # re.DOTALL: some messages span lines; the pattern must still match.
    assert re.search(message, str(info.value), re.DOTALL), (
        f"message {str(info.value)!r} does not match {message!r}"
    )


# -- accepted on purpose ------------------------------------------------------

ALLOWED = [
    # A single training sequence is a valid, if tiny, regression problem;
    # scikit-learn's regressors accept it too (a classifier needs 2 classes).
    # Without validation samples: early stopping needs two sequences.
    ("RNNRegressor: one sample",
     lambda: RNNRegressor(**TINY, early_stopping=False).fit(X2[:1], Y_REG[:1])),
    # Booleans are numbers 0/1 to NumPy and scikit-learn alike.
    ("RNNRegressor: boolean X", lambda: RNNRegressor(**TINY).fit(X2 > 0, Y_REG)),
    # Labels of any type, bool included, are classes.
    ("LSTMClassifier: boolean y", lambda: LSTMClassifier(**TINY).fit(X2, Y_CLF > 0)),
    # NaN marks padding for the sequence estimators; ToSequences passes it on.
    ("ToSequences: NaN padding",
     lambda: ToSequences(n_timesteps=5).fit_transform(_with(X2, (0, 4), np.nan))),
    # make_windows is a view over the series; the estimator that receives the
    # windows validates them (and reads NaN steps as padding).
    ("make_windows: NaN", lambda: make_windows(_with(np.arange(10.0), 2, np.nan), 3)),
    # design.md: rows with less than `window` history use what they have, so
    # a window longer than the series means every row is a shorter history.
    ("GRUForecaster: window longer than the series",
     lambda: GRUForecaster(**{**TINY, "window": 60}).fit(SERIES)),
    # Documented: rows with less than one season of history repeat the last
    # value, so a season longer than the series forecasts like "last".
    ("NaiveForecaster: sp longer than the series",
     lambda: NaiveForecaster(strategy="seasonal", sp=100).fit(SERIES)),
]


@pytest.mark.parametrize("call", [c for _, c in ALLOWED], ids=[n for n, _ in ALLOWED])
def test_cases_allowed_on_purpose_are_accepted(call):
    call()
