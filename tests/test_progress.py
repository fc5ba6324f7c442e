import io
import re
import sys

import numpy as np
import pytest

from sklearn_rnn import GRUForecaster, RNNRegressor
from sklearn_rnn._callbacks import MAX_PLAIN_LINES, EpochProgress


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 5, 1))
    return X, X[:, -1, 0]


def _fit(max_epochs, verbose, **params):
    # Every epoch runs unless a test asks for early stopping.
    X, y = _data()
    params = {"early_stopping": False, **params}
    return RNNRegressor(hidden_size=4, max_epochs=max_epochs, verbose=verbose,
                        random_state=0, **params).fit(X, y)


def test_verbose_0_prints_nothing(capsys):
    _fit(3, verbose=0, early_stopping=True, patience=1)
    assert capsys.readouterr().out == ""


def test_verbose_1_off_terminal_prints_a_bounded_number_of_lines(capsys):
    model = _fit(100, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    # First epoch, then every fifth: no flood however many epochs.
    assert 1 < len(lines) <= MAX_PLAIN_LINES + 2
    assert "\r" not in "".join(lines)
    assert lines[0].startswith("epoch   1/100")
    assert lines[-1].startswith("epoch 100/100")
    last = model.history_[-1]
    assert f"train_loss {last['train_loss']:.4g}" in lines[-1]
    assert "grad_norm" in lines[-1]
    assert re.match(r"epoch 100/100  \d+\.\ds  train_loss", lines[-1])


def test_verbose_1_off_terminal_prints_every_epoch_of_a_short_fit(capsys):
    _fit(4, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == ["1/4", "2/4", "3/4", "4/4"]


def test_verbose_1_on_a_terminal_rewrites_one_line(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    _fit(6, verbose=1)
    out = terminal.getvalue()
    assert out.count("\r") == 6
    assert out.endswith("\n") and out.count("\n") == 1
    assert "epoch 6/6" in out.split("\r")[-1]


def test_early_stopping_message_gets_its_own_line_on_a_terminal(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    series = np.sin(np.arange(120) / 3.0)
    model = GRUForecaster(window=6, hidden_size=4, max_epochs=200, lr=0.2,
                          early_stopping=True, patience=2, verbose=1,
                          random_state=0).fit(series)
    assert model.n_iter_ < 200
    out = terminal.getvalue()
    stopping = [line for line in out.split("\n") if "Stopping since" in line]
    assert len(stopping) == 1 and stopping[0].startswith("Stopping since")
    # The live line shows valid loss and marks the best epoch with *.
    assert "valid_loss" in out and "*" in out


def test_verbose_2_keeps_skorchs_table(capsys):
    _fit(3, verbose=2)
    out = capsys.readouterr().out
    assert "train_loss" in out.splitlines()[0]
    assert len(out.splitlines()) == 5  # header, rule, one row per epoch


@pytest.mark.parametrize("live", [True, False])
def test_label_prefixes_every_line(live, monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    X, y = _data()
    RNNRegressor(hidden_size=4, max_epochs=2, random_state=0, verbose=0,
                 callbacks=[("progress", EpochProgress(live=live, label="rnn"))]
                 ).fit(X, y)
    parts = [p for p in re.split(r"[\r\n]", terminal.getvalue()) if p.strip()]
    assert parts and all(p.startswith("rnn  epoch") for p in parts)
