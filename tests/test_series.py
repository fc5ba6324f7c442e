"""The forecasting row contract: validate_series, the window helpers, the mixin."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import BaseEstimator, is_regressor
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.utils import get_tags

import sklearn_rnn._series as series_module
from sklearn_rnn._series import (
    ForecasterMixin,
    future_targets,
    validate_series,
    window_start,
)


class RecordingForecaster(ForecasterMixin, BaseEstimator):
    """Forecasts row t as X[t, 0] + 1 ... + horizon; records the rows asked for."""

    def __init__(self, *, window=None, horizon=1, target=0, bad_shape=False):
        self.window = window
        self.horizon = horizon
        self.target = target
        self.bad_shape = bad_shape

    def fit(self, X, y=None):
        self._validate_fit_series(X, y)
        return self

    def _forecast_rows(self, X, rows):
        self.rows_seen_ = rows
        if self.bad_shape:
            return np.zeros(len(rows))
        return X[rows, :1] + np.arange(1, self.horizon + 1)


def test_validate_series_1d_numpy_list_and_series_are_one_column():
    est = RecordingForecaster()
    for X in [np.arange(5.0), list(range(5)), pd.Series(np.arange(5), name="a")]:
        data = validate_series(est, X, reset=True)
        assert data.X.shape == (5, 1)
        assert data.X.dtype == np.float64
        assert data.y.dtype == np.float64
        assert data.target_index == 0
        assert est.n_features_in_ == 1
    assert list(est.feature_names_in_) == ["a"]


def test_validate_series_keeps_pandas_index():
    index = pd.date_range("2000-01-01", periods=4, freq="D")
    frame = pd.DataFrame({"a": np.arange(4.0), "b": np.ones(4)}, index=index)
    data = validate_series(RecordingForecaster(), frame, reset=True)
    assert data.index.equals(index)
    assert validate_series(RecordingForecaster(), np.ones(4), reset=True).index is None


def test_validate_series_target_by_position_and_name():
    frame = pd.DataFrame({"a": np.arange(4.0), "b": 10 + np.arange(4.0)})
    est = RecordingForecaster(target="b")
    data = validate_series(est, frame, reset=True)
    assert data.target_index == 1
    np.testing.assert_array_equal(data.y, frame["b"])
    data = validate_series(RecordingForecaster(target=1), frame.to_numpy(), reset=True)
    assert data.target_index == 1


def test_validate_series_y_matching_a_column_finds_it():
    X = np.c_[np.arange(5.0), np.arange(5.0) ** 2]
    data = validate_series(RecordingForecaster(), X, X[:, 1], reset=True)
    assert data.target_index == 1
    # The column named by target wins when several columns equal y.
    X = np.c_[np.ones(5), np.ones(5)]
    data = validate_series(RecordingForecaster(target=1), X, np.ones(5), reset=True)
    assert data.target_index == 1


def test_validate_series_y_not_a_column_gives_none():
    X = np.c_[np.arange(5.0), np.ones(5)]
    data = validate_series(RecordingForecaster(), X, np.arange(5.0) + 0.5, reset=True)
    assert data.target_index is None
    np.testing.assert_array_equal(data.y, np.arange(5.0) + 0.5)


def test_validate_series_column_vector_y_warns_and_is_raveled():
    X = np.arange(6.0).reshape(3, 2)
    with pytest.warns(DataConversionWarning):
        data = validate_series(
            RecordingForecaster(), X, [[0.0], [2.0], [4.0]], reset=True
        )
    assert data.y.shape == (3,)
    assert data.target_index == 0


@pytest.mark.parametrize(
    "y", [np.ones((5, 2)), np.ones((5, 1, 1)), pd.DataFrame(np.ones((5, 2)))]
)
def test_validate_series_rejects_several_series(y):
    with pytest.raises(ValueError, match="forecasters forecast one series"):
        validate_series(RecordingForecaster(), np.ones((5, 2)), y, reset=True)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([1.0, np.nan, 2.0]), "NaN"),
        (np.array([1.0, np.inf, 2.0]), "infinity"),
        (np.array([1 + 1j, 2.0]), "Complex data not supported"),
        (np.array(["a", "b"]), "could not convert"),
    ],
)
def test_validate_series_rejects_bad_values(X, match):
    with pytest.raises(ValueError, match=match):
        validate_series(RecordingForecaster(), X, reset=True)


def test_validate_series_rejects_sparse():
    with pytest.raises(TypeError, match="Sparse data"):
        X = sparse.csr_matrix(np.ones((4, 2)))
        validate_series(RecordingForecaster(), X, reset=True)


def test_validate_series_rejects_bad_targets():
    frame = pd.DataFrame({"a": np.arange(4.0), "b": np.ones(4)})
    with pytest.raises(ValueError, match=r"target='c' is not a column of X.*Got"):
        validate_series(RecordingForecaster(target="c"), frame, reset=True)
    with pytest.raises(ValueError, match="needs X to be a pandas DataFrame"):
        validate_series(RecordingForecaster(target="a"), np.ones((4, 2)), reset=True)
    with pytest.raises(ValueError, match=r"\[0, 1\].*Got target=2 instead"):
        validate_series(RecordingForecaster(target=2), np.ones((4, 2)), reset=True)


def test_validate_series_predict_time_checks_channels():
    est = RecordingForecaster().fit(np.ones((5, 3)))
    with pytest.raises(ValueError, match="Reshape your data"):
        validate_series(est, np.ones(5), reset=False)
    with pytest.raises(ValueError, match="X has 2 features"):
        validate_series(est, np.ones((5, 2)), reset=False)


def test_future_targets_is_an_aligned_view():
    y = np.arange(6.0)
    Y = future_targets(y, 3)
    assert Y.shape == (3, 3)
    for t in range(3):
        np.testing.assert_array_equal(Y[t], y[t + 1 : t + 4])
    assert np.shares_memory(Y, y)
    assert future_targets(y, 6).shape == (0, 6)


def test_window_start():
    np.testing.assert_array_equal(window_start(np.arange(4), None), [0, 0, 0, 0])
    np.testing.assert_array_equal(window_start(np.arange(4), 2), [0, 0, 1, 2])


def test_mixin_makes_a_regressor_with_optional_y():
    est = RecordingForecaster()
    assert is_regressor(est)
    tags = get_tags(est)
    assert tags.target_tags.required is False
    assert tags.target_tags.multi_output is False
    assert tags.regressor_tags.poor_score is True


def test_predict_shapes_follow_horizon():
    X = np.arange(6.0)
    assert RecordingForecaster().fit(X).predict(X).shape == (6,)
    Y = RecordingForecaster(horizon=3).fit(X).predict(X)
    assert Y.shape == (6, 3)
    # Row 2 forecasts steps 2, 3, 4 from rows 0 and 1.
    np.testing.assert_array_equal(Y[2], [2.0, 3.0, 4.0])


def test_forecast_asks_for_the_last_row_only():
    X = np.arange(6.0)
    est = RecordingForecaster(horizon=2).fit(X)
    np.testing.assert_array_equal(est.forecast(X), [6.0, 7.0])
    np.testing.assert_array_equal(est.rows_seen_, [5])


@pytest.mark.parametrize("horizon", [1, 3])
def test_predict_row_t_is_the_forecast_from_the_rows_before_t(horizon):
    X = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0])
    est = RecordingForecaster(horizon=horizon).fit(X)
    Y = est.predict(X).reshape(len(X), horizon)
    for t in range(len(X)):
        np.testing.assert_array_equal(Y[t], est.forecast(X[:t]))


def test_row_0_and_an_empty_history_get_the_training_mean():
    X = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0])
    est = RecordingForecaster(horizon=2).fit(X)
    np.testing.assert_array_equal(est.forecast(X[:0]), [X.mean(), X.mean()])
    np.testing.assert_array_equal(est.forecast([]), [X.mean(), X.mean()])
    np.testing.assert_array_equal(est.predict(X[3:])[0], [X.mean(), X.mean()])
    assert est.predict(X[:0]).shape == (0, 2)


def test_forecast_dates_follow_the_index_frequency():
    index = pd.date_range("1960-09-01", periods=4, freq="MS", name="month")
    X = pd.Series([0.0, 1.0, 2.0, 3.0], index=index, name="sales")
    forecast = RecordingForecaster(horizon=3).fit(X).forecast(X)
    assert isinstance(forecast, pd.Series)
    assert forecast.name == "sales"
    expected = pd.date_range("1961-01-01", periods=3, freq="MS", name="month")
    pd.testing.assert_index_equal(forecast.index, expected)
    np.testing.assert_array_equal(forecast, [4.0, 5.0, 6.0])


def test_forecast_infers_a_missing_frequency():
    index = pd.DatetimeIndex(["2024-01-01", "2024-01-08", "2024-01-15"])
    assert index.freq is None
    X = pd.Series([1.0, 2.0, 3.0], index=index)
    forecast = RecordingForecaster(horizon=2).fit(X).forecast(X)
    assert list(forecast.index.strftime("%Y-%m-%d")) == ["2024-01-22", "2024-01-29"]
    assert forecast.name is None


def test_forecast_period_index():
    index = pd.period_range("2000Q1", periods=4, freq="Q")
    X = pd.DataFrame({"a": np.arange(4.0)}, index=index)
    forecast = RecordingForecaster(horizon=2).fit(X).forecast(X)
    assert list(forecast.index.astype(str)) == ["2001Q1", "2001Q2"]


def test_forecast_without_a_frequency_is_a_clear_error():
    index = pd.DatetimeIndex(["2024-01-01", "2024-01-03"])
    X = pd.Series([1.0, 2.0], index=index)
    est = RecordingForecaster().fit(X)
    with pytest.raises(ValueError, match="DatetimeIndex has no freq.*asfreq"):
        est.forecast(X[:2])


def test_forecast_of_an_integer_index_continues_it():
    X = pd.Series([1.0, 2.0, 3.0], index=[10, 11, 12])
    forecast = RecordingForecaster(horizon=2).fit(X).forecast(X)
    assert list(forecast.index) == [13, 14]
    X = pd.Series([1.0, 2.0, 3.0], index=pd.RangeIndex(0, 15, 5))
    assert list(RecordingForecaster().fit(X).forecast(X).index) == [15]


def test_forecast_of_labels_without_time_is_an_array():
    X = pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"])
    assert isinstance(RecordingForecaster().fit(X).forecast(X), np.ndarray)


def test_fit_needs_horizon_plus_one_rows():
    msg = (
        r"horizon=3 needs at least horizon \+ 1 = 4 time steps .* Got X with 3 "
        r"time step\(s\) \(n_samples=3\) instead"
    )
    with pytest.raises(ValueError, match=msg):
        RecordingForecaster(horizon=3).fit(np.ones(3))
    RecordingForecaster(horizon=3).fit(np.ones(4))


def test_mixin_checks_window_and_horizon():
    with pytest.raises(ValueError, match="Got window=0 instead"):
        RecordingForecaster(window=0).fit(np.ones(4))
    with pytest.raises(ValueError, match="Got horizon=0 instead"):
        RecordingForecaster(horizon=0).fit(np.ones(4))


def test_hook_with_a_wrong_shape_is_reported():
    est = RecordingForecaster(horizon=2, bad_shape=True).fit(np.ones(4))
    with pytest.raises(RuntimeError, match=r"_forecast_rows must return .*\(3, 2\)"):
        est.predict(np.ones(4))


def test_unfitted_methods_raise():
    for method in ["predict", "forecast", "score"]:
        with pytest.raises(NotFittedError):
            getattr(RecordingForecaster(), method)(np.ones(4))


def test_score_is_skill_over_naive_on_rows_with_known_future():
    X = np.array([0.0, 1.0, 3.0, 2.0, 5.0])
    est = RecordingForecaster(horizon=2).fit(X)
    # rows t = 1..3 (history, and y[t], y[t+1] known); forecasts from row
    # t - 1: x[t-1] + 1, x[t-1] + 2; naive: y[t-1].
    Y_true = np.array([[1.0, 3.0], [3.0, 2.0], [2.0, 5.0]])
    Y_pred = X[:3, None] + [1.0, 2.0]
    Y_naive = X[:3, None] + [0.0, 0.0]
    expected = 1 - np.mean((Y_true - Y_pred) ** 2) / np.mean((Y_true - Y_naive) ** 2)
    assert est.score(X) == pytest.approx(expected)
    np.testing.assert_array_equal(est.rows_seen_, [0, 1, 2])


def test_score_with_y_and_errors():
    X = np.c_[np.arange(5.0), np.ones(5)]
    y = np.arange(5.0) ** 2
    est = RecordingForecaster().fit(X, y)
    assert est.target_index_ is None
    assert np.isfinite(est.score(X, y))
    with pytest.raises(ValueError, match="not a column of X.*pass y"):
        est.score(X)
    with pytest.raises(ValueError, match=r"at least horizon \+ 1 = 2 time steps"):
        RecordingForecaster().fit(X).score(X[:1])


def test_score_when_naive_is_exact_is_zero():
    X = np.ones(6)
    assert RecordingForecaster().fit(X).score(X) == 0.0


def _outcome(call):
    try:
        return call()
    except Exception as exc:  # compared by type and message below
        return exc


@pytest.mark.parametrize("X", [
    np.arange(6.0),
    np.c_[np.arange(6.0), np.ones(6)],
    np.arange(12.0).reshape(6, 2)[::2],  # a non-contiguous view
    np.arange(6),  # integers: converted by validate_data
    np.arange(6, dtype=np.float32),
    np.array([0.0, 1.0, np.nan]),
    np.array([0.0, np.inf]),
    np.zeros((0, 1)),
    np.zeros((3, 3)),
    [0.0, 1.0, 2.0],
    pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 2.0]}),
], ids=repr)
@pytest.mark.parametrize("fit_on", ["one column", "two columns", "named columns"])
def test_validate_series_fast_path_agrees_with_validate_data(X, fit_on, monkeypatch):
    # Fitted forecasters skip validate_data for plain float64 arrays; the
    # outcome (array or error) must be what validate_data gives.
    fit_X = {"one column": np.arange(8.0),
             "two columns": np.c_[np.arange(8.0), np.ones(8)],
             "named columns": pd.DataFrame({"a": np.arange(8.0),
                                            "b": np.ones(8)})}[fit_on]
    model = RecordingForecaster().fit(fit_X)
    with warnings.catch_warnings(record=True) as fast_warnings:
        warnings.simplefilter("always")
        fast = _outcome(lambda: validate_series(model, X, reset=False))
    monkeypatch.setattr(series_module, "_is_valid_fitted_series",
                        lambda estimator, X: False)
    with warnings.catch_warnings(record=True) as slow_warnings:
        warnings.simplefilter("always")
        slow = _outcome(lambda: validate_series(model, X, reset=False))
    assert [str(w.message) for w in fast_warnings] == [
        str(w.message) for w in slow_warnings]
    if isinstance(slow, Exception):
        assert type(fast) is type(slow) and str(fast) == str(slow)
    else:
        assert fast.target_index == slow.target_index
        np.testing.assert_array_equal(fast.X, slow.X)
        assert fast.X.dtype == slow.X.dtype == np.float64


def test_validate_series_fast_path_is_taken_for_float64_arrays(monkeypatch):
    model = RecordingForecaster().fit(np.arange(8.0))

    def fail(*args, **kwargs):
        raise AssertionError("validate_data was called")

    monkeypatch.setattr(series_module, "validate_data", fail)
    np.testing.assert_array_equal(model.forecast(np.arange(4.0)), [4.0])
    with pytest.raises(AssertionError, match="validate_data was called"):
        model.forecast(np.arange(4))  # integers go the long way


# -- history across a split: a pandas X that continues the training series --

def _indexes():
    return {
        "dates": pd.date_range("2000-01-01", periods=10, freq="D"),
        "periods": pd.period_range("2000Q1", periods=10, freq="Q"),
        "integers": pd.RangeIndex(10),
        "integer labels": pd.Index(np.arange(1990, 2000)),
    }


@pytest.mark.parametrize("kind", list(_indexes()))
def test_a_series_continuing_the_training_index_uses_the_training_end(kind):
    y = pd.Series([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0],
                  index=_indexes()[kind])
    est = RecordingForecaster(window=2, horizon=2).fit(y[:6])
    test = y[6:]
    whole = est.predict(y)
    # The first test row is forecast from the last training row, as it is
    # in the whole series; so are predict, forecast and score.
    np.testing.assert_array_equal(est.predict(test), whole[6:])
    np.testing.assert_array_equal(est.predict(test)[0], y.iloc[5] + [1.0, 2.0])
    np.testing.assert_array_equal(est.forecast(test), est.forecast(y))
    np.testing.assert_array_equal(est.forecast(test.iloc[:1]), whole[7])
    Y_pred = whole[6:9]
    Y_true = np.array([[2.0, 6.0], [6.0, 5.0], [5.0, 3.0]])
    Y_naive = y.iloc[5:8].to_numpy()[:, None] + [0.0, 0.0]
    expected = 1 - np.mean((Y_true - Y_pred) ** 2) / np.mean((Y_true - Y_naive) ** 2)
    assert est.score(test) == pytest.approx(expected)


@pytest.mark.parametrize("kind", list(_indexes()))
def test_a_series_not_continuing_the_training_index_stands_alone(kind):
    y = pd.Series(np.arange(10.0), index=_indexes()[kind])
    est = RecordingForecaster().fit(y[:6])
    train_mean = y[:6].mean()
    for later in (y[7:], y[:4], y[6:].to_numpy()):  # a gap, the past, no index
        assert est.predict(later)[0] == train_mean


def test_the_training_end_kept_is_what_the_window_needs():
    y = pd.Series(np.arange(100.0))
    assert RecordingForecaster(window=3).fit(y)._training_end["X"].shape == (3, 1)
    assert RecordingForecaster().fit(y)._training_end["X"].shape == (100, 1)


# -- only one regular series gets in -----------------------------------------

MONTHS = pd.date_range("2000-01-01", periods=12, freq="MS")
PERIODS = pd.period_range("2000-01", periods=12, freq="M")


@pytest.mark.parametrize("index, match", [
    (MONTHS[::-1], r"not sorted and unique: row 1 \(1999?.*comes before|"
                   r"not sorted and unique: row 1 .* comes before row 0"),
    (MONTHS[[0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10]], r"row 3 .* repeats row 2"),
    (MONTHS.delete(4).append(pd.DatetimeIndex(["2001-01-01"])),
     r"gap or an uneven step at row 4 .*asfreq\('MS'\)"),
    (PERIODS[::-1], r"PeriodIndex is not sorted.*sort_index\(\)"),
    (PERIODS.delete(7).append(pd.PeriodIndex(["2001-01"], freq="M")),
     r"PeriodIndex has a gap .* at row 7 .*asfreq\('M'\)"),
    (PERIODS[[0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]], r"row 1 .* repeats row 0"),
    (pd.RangeIndex(12)[::-1], r"RangeIndex is not sorted.*sort_index\(\)"),
    (pd.Index([0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]), r"gap .* at row 4"),
], ids=["reversed dates", "repeated dates", "missing month", "reversed periods",
        "missing period", "repeated period", "reversed range", "missing integer"])
def test_irregular_series_are_refused_naming_the_row_and_the_fix(index, match):
    y = pd.Series(np.arange(12.0), index=index)
    with pytest.raises(ValueError, match=match):
        RecordingForecaster().fit(y)
    est = RecordingForecaster().fit(np.arange(12.0))
    for method in ("predict", "forecast", "score"):
        with pytest.raises(ValueError, match=match):
            getattr(est, method)(y)


def test_a_panel_is_refused_until_panels_are_supported():
    # sktime's layout: (series id, time) rows of one long frame.
    index = pd.MultiIndex.from_product([["a", "b"], MONTHS[:6]],
                                       names=["store", "month"])
    panel = pd.DataFrame({"sales": np.arange(12.0)}, index=index)
    with pytest.raises(ValueError, match="MultiIndex.*panel.*one series"):
        RecordingForecaster().fit(panel)


# -- parameters changed after fit ------------------------------------------

@pytest.mark.parametrize("params", [dict(horizon=3), dict(window=2),
                                    dict(target=1)])
def test_parameters_changed_after_fit_ask_for_a_refit(params):
    X = np.c_[np.arange(8.0), np.ones(8)]
    est = RecordingForecaster().fit(X).set_params(**params)
    name, value = next(iter(params.items()))
    for method in ("predict", "forecast", "score"):
        with pytest.raises(NotFittedError, match=(
                rf"{name}=.* at fit, {value} now.*Call fit again")):
            getattr(est, method)(X)
    est.fit(X).predict(X)
    est.set_params(bad_shape=False).predict(X)  # not a fit-dependent parameter


# -- the panel's mean, without concatenating it -------------------------------

@pytest.mark.parametrize("seed", range(4))
def test_concatenated_mean_is_numpys_mean_of_the_concatenation(seed):
    # The empty-history forecast of a panel: numpy's pairwise sum over the
    # concatenation, to the bit, across series of every size (below, at and
    # across the pairwise blocks) and strided columns.
    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 2, 7, 8, 9, 127, 128, 129, 200, 257, 1000, 3001],
                       size=40)
    arrays = [rng.normal(size=n) * 10.0 ** rng.uniform(-4, 4, size=n) + 1e3
              for n in sizes]
    arrays[::3] = [np.c_[a, a][:, 1] for a in arrays[::3]]  # strided views
    expected = float(np.mean(np.concatenate(arrays)))
    assert series_module._concatenated_mean(arrays) == expected
    assert series_module._concatenated_mean(arrays[:1]) == float(np.mean(arrays[0]))
