import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.lib.array_utils import byte_bounds
from numpy.testing import assert_array_equal
from sklearn import config_context
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnn import RepeatVector, SlidingWindows, ToSequences, make_windows

TRANSFORMERS = [SlidingWindows(window=3), RepeatVector(n_steps=3), ToSequences()]

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


def _span(array):
    """Bytes of memory between the first and last element a view can reach."""
    low, high = byte_bounds(array)
    return high - low


@st.composite
def series_and_params(draw):
    window = draw(st.integers(1, 8))
    horizon = draw(st.integers(1, 5))
    n_timesteps = draw(st.integers(window + horizon, window + horizon + 20))
    n_features = draw(st.integers(1, 4))
    series = draw(arrays(np.float64, (n_timesteps, n_features), elements=finite))
    target = draw(st.integers(-n_features, n_features - 1))
    return series, window, horizon, target


@given(series_and_params())
@settings(max_examples=60, deadline=None)
def test_make_windows_every_window_is_its_slice(params):
    series, window, horizon, target = params
    n_timesteps, n_features = series.shape
    X, Y = make_windows(series, window, horizon, target=target)

    n_windows = n_timesteps - window - horizon + 1
    assert X.shape == (n_windows, window, n_features)
    assert Y.shape == (n_windows, horizon)
    for i in range(n_windows):
        assert_array_equal(X[i], series[i : i + window])
        assert_array_equal(Y[i], series[i + window : i + window + horizon, target])
    # The last target is the last row: no window is dropped needlessly.
    assert Y[-1, -1] == series[-1, target]
    assert np.shares_memory(X, series)
    assert np.shares_memory(Y, series)
    assert not X.flags.writeable
    assert not Y.flags.writeable


@given(
    arrays(np.float64, st.integers(2, 30), elements=finite),
    st.integers(1, 5),
)
@settings(max_examples=40, deadline=None)
def test_make_windows_1d_series_is_one_feature(series, window):
    window = min(window, len(series) - 1)
    X, Y = make_windows(series, window)
    assert X.shape == (len(series) - window, window, 1)
    assert_array_equal(X[:, :, 0][:, -1], series[window - 1 : -1])
    assert_array_equal(Y[:, 0], series[window:])
    assert np.shares_memory(X, series)


def test_make_windows_pandas_target_by_label_and_position():
    frame = pd.DataFrame(
        {"a": np.arange(10.0), "b": np.arange(10.0) * 10}, index=range(10)
    )
    X, Y = make_windows(frame, 3, horizon=2, target="b")
    assert X.shape == (6, 3, 2)
    assert_array_equal(Y[0], [30.0, 40.0])
    _, Y_position = make_windows(frame, 3, horizon=2, target=1)
    assert_array_equal(Y, Y_position)
    _, Y_default = make_windows(frame, 3, horizon=2)
    assert_array_equal(Y_default[0], [3.0, 4.0])
    # A single-dtype frame is one block: the windows are a view of it.
    assert np.shares_memory(X, frame.to_numpy())


def test_make_windows_pandas_label_takes_precedence_over_position():
    frame = pd.DataFrame({1: np.zeros(6), 0: np.ones(6)})
    _, Y = make_windows(frame, 2, target=0)
    assert_array_equal(Y, np.ones((4, 1)))


def test_make_windows_pandas_series_and_nullable_dtype():
    series = pd.Series([1, 2, None, 4, 5], dtype="Int64")
    X, Y = make_windows(series, 2)
    assert X.dtype == np.float64
    assert np.isnan(X[1, 1, 0])
    assert_array_equal(Y[:, 0], [np.nan, 4.0, 5.0])


def test_make_windows_keeps_numeric_dtype_and_converts_numeric_lists():
    X, _ = make_windows(np.arange(5, dtype=np.int32), 2)
    assert X.dtype == np.int32
    X, Y = make_windows([1.0, 2.0, 3.0, 4.0], 2, horizon=2)
    assert_array_equal(X[0, :, 0], [1.0, 2.0])
    assert_array_equal(Y[0], [3.0, 4.0])
    X, _ = make_windows(np.array([1, 2.5, 3], dtype=object), 1)
    assert X.dtype == np.float64


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"window": 0}, "window must be an integer >= 1. Got window=0 instead"),
        ({"window": 2, "horizon": 0}, "horizon must be an integer >= 1"),
        (
            {"window": 25, "horizon": 5},
            r"window \+ horizon = 30 is longer than the series \(n=20\).*Got "
            "window=25, horizon=5 instead",
        ),
        ({"window": 3, "target": 5}, "target must name a column.*Got target=5"),
        ({"window": 3, "target": "b"}, "needs series to be a pandas DataFrame"),
    ],
)
def test_make_windows_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_windows(np.zeros(20), **kwargs)


@pytest.mark.parametrize("window", [2.0, True, "3", None])
def test_make_windows_window_must_be_an_integer(window):
    with pytest.raises(TypeError, match="window must be an integer"):
        make_windows(np.zeros(10), window)


@pytest.mark.parametrize(
    "series",
    [
        np.array(["a", "b", "c", "d"]),
        np.array(["a", 1, 2, 3], dtype=object),
        pd.Series(["a", "b", "c", "d"]),
        pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": list("abcd")}),
        pd.date_range("2000", periods=4).to_series(),
        np.arange(4) + 1j,
    ],
)
def test_make_windows_rejects_non_numeric(series):
    with pytest.raises(TypeError, match="series must hold numeric values"):
        make_windows(series, 2)


def test_make_windows_rejects_3d_series():
    with pytest.raises(ValueError, match=r"Got an array of shape \(5, 2, 2\)"):
        make_windows(np.zeros((5, 2, 2)), 2)


@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 25), st.integers(1, 4)),
        elements=finite,
    ),
    st.integers(1, 8),
)
@settings(max_examples=60, deadline=None)
def test_sliding_windows_hold_the_history_ending_at_each_row(X, window):
    n_samples, n_features = X.shape
    out = SlidingWindows(window=window).fit_transform(X)

    assert out.shape == (n_samples, window, n_features)
    for t in range(n_samples):
        history = X[max(0, t - window + 1) : t + 1]
        assert_array_equal(out[t, window - len(history) :], history)
        # Missing history is leading all-NaN rows: the padding convention.
        assert np.isnan(out[t, : window - len(history)]).all()
    assert not out.flags.writeable
    # One padded copy of the series backs every window.
    assert _span(out) == (n_samples + window - 1) * n_features * X.itemsize


@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 20), st.integers(1, 4)),
        elements=finite,
    ),
    st.integers(1, 6),
)
@settings(max_examples=40, deadline=None)
def test_repeat_vector_is_a_view_repeating_each_row(X, n_steps):
    out = RepeatVector(n_steps=n_steps).fit_transform(X)
    assert out.shape == (X.shape[0], n_steps, X.shape[1])
    assert_array_equal(out, np.repeat(X[:, np.newaxis], n_steps, axis=1))
    assert np.shares_memory(out, X)
    assert not out.flags.writeable


@given(
    st.integers(1, 10),
    st.integers(1, 5),
    st.integers(1, 4),
    st.data(),
)
@settings(max_examples=40, deadline=None)
def test_to_sequences_reads_rows_step_by_step(n_samples, n_timesteps, n_channels, data):
    X = data.draw(
        arrays(np.float64, (n_samples, n_timesteps * n_channels), elements=finite)
    )
    out = ToSequences(n_timesteps=n_timesteps).fit_transform(X)
    assert out.shape == (n_samples, n_timesteps, n_channels)
    for step in range(n_timesteps):
        assert_array_equal(
            out[:, step], X[:, step * n_channels : (step + 1) * n_channels]
        )
    assert np.shares_memory(out, X)
    assert not out.flags.writeable
    assert X.flags.writeable


def test_to_sequences_default_reads_each_column_as_a_step():
    X = np.arange(6.0).reshape(2, 3)
    transformer = ToSequences().fit(X)
    assert transformer.n_timesteps_ == 3
    assert transformer.n_channels_ == 1
    assert_array_equal(transformer.transform(X)[:, :, 0], X)


def test_to_sequences_digit_image_rows():
    image = np.arange(64.0).reshape(1, 64)
    out = ToSequences(n_timesteps=8).fit_transform(image)
    assert_array_equal(out[0], image.reshape(8, 8))


def test_to_sequences_columns_not_divisible():
    with pytest.raises(
        ValueError,
        match=r"n_timesteps must divide the number of columns of X \(10\).*Got "
        "n_timesteps=3 instead",
    ):
        ToSequences(n_timesteps=3).fit(np.zeros((4, 10)))


def test_to_sequences_passes_nan_padding_but_not_inf():
    X = np.array([[1.0, 2.0, np.nan, np.nan]])
    out = ToSequences(n_timesteps=2).fit_transform(X)
    assert np.isnan(out[0, 1]).all()
    with pytest.raises(ValueError, match="infinity"):
        ToSequences().fit(np.array([[1.0, np.inf]]))


@pytest.mark.parametrize("transformer", [SlidingWindows(), RepeatVector()])
def test_windows_reject_nan(transformer):
    with pytest.raises(ValueError, match="NaN"):
        transformer.fit(np.array([[1.0], [np.nan]]))


@pytest.mark.parametrize("transformer", TRANSFORMERS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transformers_keep_float_dtype(transformer, dtype):
    X = np.arange(12, dtype=dtype).reshape(4, 3)
    assert transformer.fit_transform(X).dtype == dtype


@pytest.mark.parametrize("transformer", TRANSFORMERS)
def test_transformers_keep_rows_and_ignore_y(transformer):
    X = np.arange(12.0).reshape(4, 3)
    y = np.array([0, 1, 0, 1])
    y_before = y.copy()
    out = clone(transformer).fit_transform(X, y)
    assert out.shape[0] == X.shape[0]
    assert out.ndim == 3
    assert_array_equal(y, y_before)


@pytest.mark.parametrize(
    "transformer, param, value",
    [
        (SlidingWindows(), "window", 0),
        (RepeatVector(), "n_steps", 0),
        (ToSequences(), "n_timesteps", 0),
        (SlidingWindows(), "window", 1.5),
    ],
)
def test_transformers_validate_parameters_in_fit(transformer, param, value):
    transformer = clone(transformer).set_params(**{param: value})
    match = f"The '{param}' parameter of {type(transformer).__name__} must be"
    with pytest.raises(InvalidParameterError, match=match):
        transformer.fit(np.zeros((3, 2)))


@pytest.mark.parametrize("transformer", TRANSFORMERS)
def test_transformers_clone_and_params(transformer):
    (param,) = transformer.get_params()
    cloned = clone(transformer).set_params(**{param: 4})
    assert cloned.get_params() == {param: 4}
    assert transformer.get_params()[param] != 4
    restored = pickle.loads(pickle.dumps(cloned.fit(np.zeros((3, 4)))))
    assert restored.n_features_in_ == 4


@pytest.mark.parametrize("transformer", TRANSFORMERS)
def test_transformers_need_fit_and_same_features(transformer):
    transformer = clone(transformer)
    with pytest.raises(NotFittedError):
        transformer.transform(np.zeros((3, 2)))
    transformer.fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="features"):
        transformer.transform(np.zeros((3, 4)))


@pytest.mark.parametrize("transformer", TRANSFORMERS)
def test_transformers_set_output(transformer):
    X = np.arange(6.0).reshape(3, 2)
    transformer = clone(transformer)
    assert transformer.set_output(transform="default") is transformer
    assert transformer.set_output(transform=None) is transformer
    with pytest.raises(ValueError, match="Got transform='pandas' instead"):
        transformer.set_output(transform="pandas")
    # The global setting cannot apply to 3-D output, so it is ignored.
    with config_context(transform_output="pandas"):
        assert isinstance(transformer.fit_transform(X), np.ndarray)
    pipeline = make_pipeline(StandardScaler(), transformer)
    pipeline.set_output(transform="default")
    assert pipeline.fit_transform(X).shape[0] == 3


def test_get_feature_names_out_names_the_channels():
    frame = pd.DataFrame({"price": [1.0, 2.0, 3.0], "volume": [4.0, 5.0, 6.0]})
    for transformer in (SlidingWindows(window=2), RepeatVector(n_steps=2)):
        names = transformer.fit(frame).get_feature_names_out()
        assert_array_equal(names, ["price", "volume"])
    names = SlidingWindows().fit(np.zeros((2, 3))).get_feature_names_out()
    assert_array_equal(names, ["x0", "x1", "x2"])
    to_sequences = ToSequences(n_timesteps=1).fit(frame)
    assert_array_equal(
        to_sequences.get_feature_names_out(), ["tosequences0", "tosequences1"]
    )
    with pytest.raises(ValueError, match="input_features is not equal"):
        to_sequences.get_feature_names_out(["a", "b"])


def _flatten(X):
    # Stands in for a sequence estimator: padding NaN becomes 0 for Ridge.
    return np.nan_to_num(X.reshape(len(X), -1))


def test_sliding_windows_window_is_searchable_in_a_pipeline():
    rng = np.random.RandomState(0)
    x = rng.normal(size=60)
    # y[t] = x[t-1] needs one step of history beyond the current row.
    y = np.r_[0.0, x[:-1]]
    pipeline = make_pipeline(
        SlidingWindows(), FunctionTransformer(_flatten), Ridge(alpha=1e-6)
    )
    search = GridSearchCV(
        pipeline,
        {"slidingwindows__window": [1, 2]},
        cv=TimeSeriesSplit(n_splits=3),
    ).fit(x.reshape(-1, 1), y)
    assert search.best_params_ == {"slidingwindows__window": 2}
    # Each test fold's first row has no history before the fold: the one
    # miss of the fold.
    assert search.best_score_ > 0.9


def test_windows_of_a_panel_are_refused():
    # Rows of a (series id, time) panel in order: the windows ran from the
    # end of one series into the next (was silent).
    panel = pd.concat({"a": pd.DataFrame({"y": [1.0, 2.0, 3.0]}),
                       "b": pd.DataFrame({"y": [10.0, 20.0, 30.0]})},
                      names=["id", "t"])
    with pytest.raises(ValueError, match="series has a MultiIndex, a panel"):
        make_windows(panel, window=2)
    with pytest.raises(ValueError, match="X has a MultiIndex, a panel"):
        SlidingWindows(window=2).fit(panel)
    windows = SlidingWindows(window=2).fit(panel.xs("a"))
    with pytest.raises(ValueError, match="X has a MultiIndex, a panel"):
        windows.transform(panel)
