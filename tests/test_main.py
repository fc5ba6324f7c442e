import importlib.metadata
import sys

import numpy as np
import pandas as pd
import pytest

from sklearn_rnn.__main__ import main

TINY = ["--window", "6", "--horizon", "4", "--epochs", "2", "--sp", "12"]


@pytest.fixture
def series_csv(tmp_path):
    months = pd.date_range("2000-01-01", periods=60, freq="MS")
    values = 100 + 10 * np.sin(np.arange(60) * 2 * np.pi / 12) + np.arange(60)
    path = tmp_path / "series.csv"
    pd.DataFrame({"month": months.strftime("%Y-%m-%d"), "label": "x",
                  "sales": values}).to_csv(path, index=False)
    return path, values


def test_csv_run_prints_table_and_writes_png(series_csv, tmp_path, capsys):
    path, values = series_csv
    png = tmp_path / "out.png"
    code = main(["--csv", str(path), "--column", "sales", "--folds", "2",
                 "--output", str(png), *TINY])
    out = capsys.readouterr().out
    assert code == 0
    assert png.stat().st_size > 0
    for name in ("naive (last value)", "naive (seasonal, sp=12)",
                 "GRUForecaster cell=gru", "GRUForecaster cell=lstm",
                 "GRUForecaster cell=rnn", "ConvGRUForecaster"):
        assert name in out
    # Progress names each fit, origins one horizon apart ending the series.
    assert ("fold 2/2: train on 56 values up to 2004-08-01, forecast "
            "2004-09-01 to 2004-12-01") in out
    assert "fold 1/2: train on 52 values" in out
    assert "[12/12] ConvGRUForecaster: MAE" in out
    assert "wrote" in out


def test_folds_forecast_from_their_origin(series_csv, tmp_path):
    from sklearn_rnn.__main__ import _parser, run

    path, values = series_csv
    args = _parser().parse_args(["--csv", str(path), "--folds", "3",
                                 "--output", str(tmp_path / "o.png"), *TINY])
    table = run(args, out=open(tmp_path / "log.txt", "w"))
    # The last-value forecast of the fold starting at row o repeats y[o-1].
    errors = [np.abs(values[o:o + 4] - values[o - 1]).mean() for o in (48, 52, 56)]
    assert table.loc["naive (last value)", "MAE"] == pytest.approx(np.mean(errors))
    assert table.loc["naive (last value)", "skill"] == 0.0
    assert np.isfinite(table.to_numpy()).all()


def test_quick_uses_one_fold(series_csv, tmp_path, capsys):
    path, _ = series_csv
    code = main(["--csv", str(path), "--quick", "--output",
                 str(tmp_path / "q.png"), *TINY])
    assert code == 0
    out = capsys.readouterr().out
    assert "fold 1/1:" in out and "[6/6]" in out


def test_too_many_folds_are_reduced_with_a_note(series_csv, tmp_path, capsys):
    path, _ = series_csv
    code = main(["--csv", str(path), "--folds", "50", "--window", "40",
                 "--horizon", "6", "--epochs", "1", "--output",
                 str(tmp_path / "f.png")])
    out = capsys.readouterr().out
    assert code == 0
    assert "allow 2 fold(s)" in out and "fold 2/2" in out


def test_missing_matplotlib_gives_a_note(series_csv, tmp_path, capsys,
                                         monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    path, _ = series_csv
    png = tmp_path / "none.png"
    code = main(["--csv", str(path), "--quick", "--output", str(png), *TINY])
    captured = capsys.readouterr()
    assert code == 0
    assert not png.exists()
    assert "matplotlib is not installed" in captured.out
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("make_args, message", [
    (lambda p, d: ["--csv", str(d / "nope.csv")], "no such file"),
    (lambda p, d: ["--csv", str(p), "--column", "label"], "not numeric: row 1"),
    (lambda p, d: ["--csv", str(p), "--column", "price"],
     "not a column of .*Columns: \\['month', 'label', 'sales'\\]"),
    (lambda p, d: ["--csv", str(p), "--window", "50", "--horizon", "12"],
     "shorter than window \\+ horizon = 50 \\+ 12 = 62"),
    (lambda p, d: ["--csv", str(p), "--window", "40", "--horizon", "12"],
     "needs window \\+ horizon = 52 values to train on"),
    (lambda p, d: ["--column", "sales"], "pass --csv too"),
    (lambda p, d: ["--horizon", "0"], "--horizon must be at least 1"),
    (lambda p, d: ["--output", str(d / "missing" / "x.png")], "does not exist"),
])
def test_bad_input_exits_2_with_a_message(make_args, message, series_csv,
                                          tmp_path, capsys):
    path, _ = series_csv
    code = main(make_args(path, tmp_path))
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("sklearn-rnn: error: ")
    assert pytest.importorskip("re").search(message, captured.err)
    assert "Traceback" not in captured.err


def test_csv_with_several_numeric_columns_needs_column(tmp_path, capsys):
    path = tmp_path / "two.csv"
    pd.DataFrame({"a": np.arange(50.0), "b": np.arange(50.0)}).to_csv(
        path, index=False)
    assert main(["--csv", str(path)]) == 2
    assert "choose one with --column" in capsys.readouterr().err


def test_console_script_is_declared():
    scripts = importlib.metadata.entry_points(group="console_scripts")
    script = [ep for ep in scripts if ep.name == "sklearn-rnn"]
    assert script and script[0].value == "sklearn_rnn.__main__:main"


@pytest.mark.parametrize("dates, values, message", [
    (["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-05"], [1, 2, 3, 4],
     r"first column 'date' holds the dates .* but rows 3 and 4 \(2020-01-03 "
     r"00:00:00 -> 2020-01-05 00:00:00\) are not spaced like the rows before"),
    (["2020-01-01", "2020-01-02", "2020-01-02", "2020-01-03"], [1, 2, 3, 4],
     r"row 3 \(2020-01-02 00:00:00\) does not come after row 2"),
    (["2020-01-01", "", "2020-01-03"], [1, 2, 3], "row 2 has no date"),
    (["2020-01-01", "2020-01-02", "2020-01-03"], [1, float("inf"), 3],
     r"--column 'value' of .* must hold finite numbers. Got inf at row 2"),
])
def test_csv_rows_that_are_not_one_regular_series_are_refused(
        dates, values, message, tmp_path, capsys):
    # Read in row order they would be forecast as if equally spaced.
    path = tmp_path / "irregular.csv"
    pd.DataFrame({"date": dates, "value": values}).to_csv(path, index=False)
    assert main(["--csv", str(path), "--output", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert pytest.importorskip("re").search(message, err), err
    assert "Traceback" not in err


def test_csv_dates_date_the_series(tmp_path):
    from sklearn_rnn.__main__ import load_series

    weeks = pd.date_range("2020-01-05", periods=5, freq="W")
    path = tmp_path / "weekly.csv"
    pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "value": np.arange(5.0)}
                 ).to_csv(path, index=False)
    series, _ = load_series(str(path))
    assert series.index.equals(weeks.rename("week"))
    assert series.index.freqstr == "W-SUN"
