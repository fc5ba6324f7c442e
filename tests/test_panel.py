"""Panels (many series): splitting into single series and back, the splitter."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import TimeSeriesSplit

from sklearn_rnn import GRUForecaster
from sklearn_rnn._datasets import FutureTargets, PaddedSeries, WindowDataset
from sklearn_rnn._series import future_targets
from sklearn_rnn._panel import is_panel, split_panel
from sklearn_rnn.model_selection import PanelSplit


def _long_panel():
    """Two series of different lengths and start dates, sorted by (id, time)."""
    a = pd.DataFrame({"y": np.arange(6.0), "x": np.ones(6)},
                     index=pd.period_range("2000Q1", periods=6, freq="Q"))
    b = pd.DataFrame({"y": 10 + np.arange(4.0), "x": np.zeros(4)},
                     index=pd.period_range("2000Q3", periods=4, freq="Q"))
    return pd.concat({"a": a, "b": b}, names=["id", "quarter"])


def test_is_panel():
    assert is_panel(_long_panel())
    assert is_panel([np.arange(3.0), pd.Series([1.0, 2.0])])
    # A list of numbers or of rows is one series, as before panels.
    assert not is_panel([1.0, 2.0, 3.0])
    assert not is_panel([[1.0, 2.0], [3.0, 4.0]])
    assert not is_panel(np.arange(3.0))
    assert not is_panel(pd.Series([1.0, 2.0]))


def test_split_multiindex_panel_into_series_and_back():
    X = _long_panel()
    panel = split_panel(X, X["y"])
    assert panel.ids == ["a", "b"]
    pd.testing.assert_frame_equal(panel.X[1], X.xs("b"))
    assert panel.X[1].index.freqstr == "Q-DEC"
    np.testing.assert_array_equal(panel.y[1], 10 + np.arange(4.0))
    # Rows go back where they came from, whatever the input's row order.
    shuffled = X.sample(frac=1.0, random_state=0)
    panel = split_panel(shuffled.sort_index(level=1, sort_remaining=False))
    per_series = [series["y"].to_numpy() for series in panel.X]
    rows = panel.rows(per_series)
    np.testing.assert_array_equal(
        rows, shuffled.sort_index(level=1, sort_remaining=False)["y"].to_numpy())


def test_panel_forecasts_are_indexed_by_id_and_time():
    X = _long_panel()
    panel = split_panel(X)
    values = [pd.Series([1.0, 2.0], index=pd.period_range("2001Q3", periods=2,
                                                           freq="Q")),
              pd.Series([3.0, 4.0], index=pd.period_range("2001Q3", periods=2,
                                                          freq="Q"))]
    out = panel.forecasts(values, name="y")
    assert out.index.names == ["id", "quarter"]
    assert out.name == "y"
    assert out.loc["a"].tolist() == [1.0, 2.0]
    # Arrays on an integer time level: labels made after each series' end.
    integer = X.reset_index(level=1, drop=True).set_index(
        pd.Index([0, 1, 2, 3, 4, 5, 3, 4, 5, 6], name="step"), append=True)
    out = split_panel(integer).forecasts([np.array([1.0, 2.0]),
                                          np.array([3.0, 4.0])])
    assert list(out.loc["a"].index) == [6, 7]
    assert list(out.loc["b"].index) == [7, 8]


def test_list_panel_keeps_list_layout():
    X = [np.arange(5.0), np.arange(3.0)]
    panel = split_panel(X, y=[np.arange(5.0), np.arange(3.0)])
    assert panel.ids == [0, 1] and panel.is_list
    assert [len(rows) for rows in panel.rows([np.zeros(5), np.ones(3)])] == [5, 3]
    assert panel.forecasts([np.zeros(2), np.ones(2)]).shape == (2, 2)


@pytest.mark.parametrize("times, match", [
    ([0, 2, 1], "not in time order: time 1 comes before 2"),
    ([0, 1, 1], "time 1 repeats 1"),
    ([0, 1, 3], r"gap or an uneven step \(1 -> 3\)"),
])
def test_split_rejects_unsorted_repeated_and_gapped_time(times, match):
    index = pd.MultiIndex.from_arrays([["a", "a", "a", "b", "b", "b"],
                                       [0, 1, 2, *times]])
    X = pd.Series(np.arange(6.0), index=index)
    with pytest.raises(ValueError, match=f"Series 'b' of X .*{match}"):
        split_panel(X)


def test_split_rejects_gapped_dates_and_periods():
    dates = pd.to_datetime(["2000-01-01", "2000-02-01", "2000-03-01",
                            "2000-05-01"])
    X = pd.Series(np.arange(4.0), index=pd.MultiIndex.from_arrays([[7] * 4, dates]))
    with pytest.raises(ValueError, match=r"Series 7 .*2000-03-01.* -> 2000-05-01"):
        split_panel(X)
    periods = pd.PeriodIndex(["2000Q1", "2000Q2", "2000Q4"], freq="Q")
    X = pd.Series(np.arange(3.0), index=pd.MultiIndex.from_arrays([[7] * 3, periods]))
    with pytest.raises(ValueError, match="gap or an uneven step"):
        split_panel(X)
    # Months are uneven in days, not in calendar steps.
    monthly = pd.date_range("2000-01-31", periods=5, freq="ME")
    split_panel(pd.Series(np.arange(5.0),
                          index=pd.MultiIndex.from_arrays([[7] * 5, monthly])))


@pytest.mark.parametrize("X, error, match", [
    ([], ValueError, "empty list"),
    ([np.arange(3.0), np.array([])], ValueError, "Series 1 of X is empty"),
    ([np.zeros((3, 2)), np.zeros((3, 3))], ValueError, "same columns"),
    ([pd.DataFrame({"a": [1.0]}), pd.DataFrame({"b": [1.0]})], ValueError,
     r"series 0 has \['a'\] and series 1 has \['b'\]"),
    ([np.zeros((2, 2, 2))], ValueError, "must be 1-D"),
])
def test_split_list_errors(X, error, match):
    with pytest.raises(error, match=match):
        split_panel(X)


def test_split_other_errors():
    X = _long_panel()
    three = X.set_index(pd.Index(range(len(X)), name="n"), append=True)
    with pytest.raises(ValueError, match="3-level MultiIndex"):
        split_panel(three)
    strings = pd.Series(1.0, index=pd.MultiIndex.from_product([["a"], ["x", "y"]]))
    with pytest.raises(ValueError, match="integers, dates .* or periods"):
        split_panel(strings)
    # A missing time was reported as a time step out of order or a gap.
    for times in [[pd.NaT, "2020-01-01", "2020-01-02"],
                  ["2020-01-01", "2020-01-02", pd.NaT]]:
        missing = pd.Series(1.0, index=pd.MultiIndex.from_arrays(
            [["a"] * 3, pd.DatetimeIndex(times)]))
        with pytest.raises(ValueError, match="time level has a missing value"):
            split_panel(missing)
    with pytest.raises(ValueError, match="y must be indexed like X"):
        split_panel(X, X["y"].reset_index(drop=True).set_axis(X.index[::-1]))
    with pytest.raises(ValueError, match="one value per row of X"):
        split_panel(X, np.zeros(3))
    with pytest.raises(ValueError, match="y must be a list of 2 target series"):
        split_panel([np.zeros(3), np.zeros(4)], y=np.zeros(7))
    with pytest.raises(ValueError, match=r"y\[1\] must have one value"):
        split_panel([np.zeros(3), np.zeros(4)], y=[np.zeros(3), np.zeros(3)])


def test_panel_split_on_one_series_is_time_series_split():
    X = np.arange(20.0)
    for kwargs in [{}, {"test_size": 3, "gap": 1}, {"max_train_size": 5}]:
        ours = list(PanelSplit(4, **kwargs).split(X))
        theirs = list(TimeSeriesSplit(4, **kwargs).split(X))
        assert len(ours) == len(theirs)
        for (a, b), (c, d) in zip(ours, theirs):
            np.testing.assert_array_equal(a, c)
            np.testing.assert_array_equal(b, d)


def test_panel_split_cuts_every_series_at_the_same_times():
    X = _long_panel()
    times = X.index.get_level_values(1)
    splitter = PanelSplit(n_splits=2, test_size=2)
    assert splitter.get_n_splits(X) == 2
    folds = list(splitter.split(X))
    for train, test in folds:
        assert times[train].max() < times[test].min()
        assert np.intersect1d(train, test).size == 0
        for series in ["a", "b"]:
            own = np.flatnonzero(X.index.get_level_values(0) == series)
            # Each series' parts are consecutive rows of that series.
            assert np.all(np.diff(np.intersect1d(own, train)) == 1)
            assert np.all(np.diff(np.intersect1d(own, test)) == 1)
    # The last fold tests on the last two quarters of both series.
    assert X.index[folds[-1][1]].tolist() == [
        ("a", pd.Period("2001Q1")), ("a", pd.Period("2001Q2")),
        ("b", pd.Period("2001Q1")), ("b", pd.Period("2001Q2"))]


def test_panel_split_errors():
    with pytest.raises(TypeError, match="list of series cannot be cut"):
        list(PanelSplit().split([np.zeros(3), np.zeros(3)]))
    with pytest.raises(ValueError, match="n_splits >= 2"):
        list(PanelSplit(1).split(np.zeros(10)))
    X = _long_panel()
    three = X.set_index(pd.Index(range(len(X)), name="n"), append=True)
    with pytest.raises(ValueError, match="two-level MultiIndex"):
        list(PanelSplit().split(three))


def test_padded_series_keeps_each_series_to_its_own_windows():
    values = np.arange(1.0, 8.0)[:, None]  # series a: 1..4, series b: 5..7
    padded = PaddedSeries(values, window=3, sizes=[4, 3])
    rows = torch.cat([padded.rows(0, torch.arange(4)), padded.rows(1, torch.arange(3))])
    windows, lengths = padded.windows(rows)
    assert lengths.tolist() == [1, 2, 3, 3, 1, 2, 3]
    # Row 0 of b sees padding and b's first value, never a's last ones.
    assert windows[4, :, 0].tolist() == [0.0, 0.0, 5.0]
    assert windows[6, :, 0].tolist() == [5.0, 6.0, 7.0]
    assert padded.at(rows)[:, 0].tolist() == values[:, 0].tolist()
    # One series is the single-series layout.
    single = PaddedSeries(values[:4], window=3)
    assert torch.equal(single.windows(torch.arange(4))[0], windows[:4])
    # Early stopping validates on the last rows of every series.
    dataset = WindowDataset(padded, [4, 3])
    assert torch.equal(dataset.rows, rows)
    train, valid = dataset.tail_split(0.25, gap=1)
    assert padded.at(train.rows)[:, 0].tolist() == [1.0, 2.0, 5.0]
    assert padded.at(valid.rows)[:, 0].tolist() == [4.0, 7.0]


def test_window_dataset_keeps_a_run_of_rows_per_series_not_an_index_of_rows():
    # Its rows, and those of its tail split, are a first row and a count per
    # series: nothing the size of the rows is held beside the shared store.
    sizes = [50, 7, 30]
    values = np.arange(87.0)[:, None]  # step t of series k holds its position
    padded = PaddedSeries(values, window=4, sizes=sizes)
    dataset = WindowDataset(padded, [size - 2 for size in sizes])
    train, valid = dataset.tail_split(0.2, gap=2)
    for part in (dataset, train, valid):
        assert part.series is padded
        assert all(len(value) == len(sizes) for value in vars(part).values()
                   if isinstance(value, torch.Tensor))
    offsets = np.cumsum([0, *sizes[:-1]])
    n_valid = [10, 1, 6]  # ceil(0.2 * (size - 2))
    expected_train = np.concatenate([
        offset + np.arange(size - 2 - n - 2)
        for offset, size, n in zip(offsets, sizes, n_valid)])
    expected_valid = np.concatenate([
        offset + np.arange(size - 2 - n, size - 2)
        for offset, size, n in zip(offsets, sizes, n_valid)])
    assert padded.at(train.rows)[:, 0].tolist() == expected_train.tolist()
    assert padded.at(valid.rows)[:, 0].tolist() == expected_valid.tolist()
    # A batch gathers the windows of its rows (left-aligned), wherever they lie.
    index = torch.tensor([len(train) - 1, 0, 40])
    X, _ = train.batch(index)
    last = X["X"][torch.arange(3), X["lengths"] - 1, 0]
    assert last.tolist() == expected_train[index.numpy()].tolist()


def test_panel_split_leaves_series_too_short_out_of_a_training_part():
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    from sklearn_rnn import NaiveForecaster

    rng = np.random.default_rng(0)
    # d starts one step before the first cut-off: fit needs horizon + 1.
    panel = pd.concat({k: pd.Series(rng.normal(size=40 - start).cumsum(),
                                    index=pd.RangeIndex(start, 40))
                       for k, start in zip("abcd", [0, 5, 20, 27])},
                      names=["id", "t"])
    ids = panel.index.get_level_values("id")
    plain, short = PanelSplit(4, test_size=3), PanelSplit(4, test_size=3,
                                                         min_train_size=3)
    for (train, test), (kept, same) in zip(plain.split(panel),
                                           short.split(panel)):
        np.testing.assert_array_equal(test, same)
        counts = pd.Series(ids[train]).value_counts()
        np.testing.assert_array_equal(
            kept, train[counts[ids[train]].to_numpy() >= 3])
    first = next(short.split(panel))[0]
    assert "d" in set(ids[next(plain.split(panel))[0]]) - set(ids[first])
    naive = NaiveForecaster(horizon=2)
    grid = {"strategy": ["last", "mean", "drift"]}
    # Without it, the first fold fails for every candidate: all scores NaN.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's FitFailedWarning
        search = GridSearchCV(naive, grid, cv=plain).fit(panel)
    assert np.isnan(search.cv_results_["mean_test_score"]).all()
    search = GridSearchCV(naive, grid, cv=short).fit(panel)
    for i, strategy in enumerate(grid["strategy"]):
        for fold, (train, test) in enumerate(short.split(panel)):
            model = clone(naive).set_params(strategy=strategy)
            expected = model.fit(panel.iloc[train]).score(panel.iloc[test])
            assert search.cv_results_[f"split{fold}_test_score"][i] == \
                pytest.approx(expected)
    for bad in [0, 2.5, True]:
        with pytest.raises(ValueError, match="min_train_size"):
            next(PanelSplit(min_train_size=bad).split(panel))


def _two_series(window):
    # Integer values: sums of differences are exact in float32.
    a, b = np.array([3.0, 5, 4, 8, 9, 7]), np.array([10.0, 14, 13, 17, 20])
    padded = PaddedSeries([a[:, None], b[:, None]], window, sizes=[6, 5])
    return a, b, padded


@pytest.mark.parametrize("window", [1, 3])
def test_future_targets_gather_each_rows_future_within_its_series(window):
    steps = 2
    a, b, padded = _two_series(window)
    rows = torch.cat([padded.rows(0, torch.arange(4)), padded.rows(1, torch.arange(3))])
    level = FutureTargets(padded.padded[:, 0], window, steps)
    expected = np.concatenate([future_targets(a, steps), future_targets(b, steps)])
    assert level.at(rows).tolist() == expected.tolist()
    # Differenced: the column holds one-step changes, the targets their sums,
    # the change since the row's own value.
    changes = PaddedSeries([np.diff(a, prepend=0), np.diff(b, prepend=0)], window,
                           sizes=[6, 5])
    summed = FutureTargets(changes.padded, window, steps, cumulative=True)
    origin = np.concatenate([a[:4], b[:3]])[:, None]
    assert summed.at(rows).tolist() == (expected - origin).tolist()
    # A window's futures are those of its rows, right-aligned; its rows
    # before the series' start are the caller's to mask (lengths).
    windows = level.windows(rows)
    _, lengths = padded.windows(rows)
    assert windows.shape == (7, window, steps)
    for i, row in enumerate(rows):
        real = windows[i, window - int(lengths[i]):]
        assert torch.equal(real, level.at(row - torch.arange(len(real) - 1, -1, -1)))


def test_seq2seq_batches_have_targets_only_at_real_loss_steps():
    window, steps = 3, 2
    a, b, padded = _two_series(window)
    targets = FutureTargets(padded.padded[:, 0], window, steps)
    dataset = WindowDataset(padded, [6 - steps, 5 - steps], targets, every_step=2)
    Xb, y = dataset.batch(torch.arange(len(dataset)))
    # Left-aligned like the module's outputs: step j of row t's window is
    # row t - length + 1 + j, with a target at its last 2 real steps only.
    series = [a, b]
    which, _ = dataset.locate(torch.arange(len(dataset)))
    local = np.concatenate([np.arange(4), np.arange(3)])
    for i, (k, t) in enumerate(zip(which.tolist(), local)):
        length = min(t + 1, window)
        for j in range(window):
            step = t - length + 1 + j
            if j < length and j >= length - 2:
                expected = future_targets(series[k], steps)[step]
                assert y[i, j].tolist() == expected.tolist()
            else:
                assert torch.isnan(y[i, j]).all()


@pytest.mark.parametrize("difference", [True, False])
def test_training_targets_are_read_from_the_inputs_target_column(difference):
    # The target of a column of X is not stored again beside the inputs.
    rng = np.random.default_rng(0)
    panel = [np.c_[np.cumsum(rng.normal(size=n)), rng.normal(size=n)]
             for n in (30, 25)]
    model = GRUForecaster(window=4, horizon=3, difference=difference,
                          max_epochs=1, hidden_size=4, random_state=0).fit(panel)
    dataset = model._window_dataset(model._validate_fit_panel(panel), 3)
    store = dataset.series.padded
    assert (dataset.targets.column.untyped_storage().data_ptr()
            == store.untyped_storage().data_ptr())
    # The targets are the scaled futures all the same.
    _, y = dataset.batch(torch.arange(len(dataset)))
    expected = []
    for k, data in enumerate(panel):
        future = future_targets(data[:, 0], 3)
        if difference:
            drift = np.arange(1, 4) * model._y_mean[k]
            future = future - data[:len(future), :1] - drift
        else:
            future = future - model._y_mean[k]
        expected.append(future / model._y_scale[k])
    np.testing.assert_allclose(y.numpy(), np.concatenate(expected), rtol=0, atol=1e-5)
