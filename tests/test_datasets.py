import numpy as np
import pandas as pd

from sklearn_rnn.datasets import load_airline


def test_load_airline_is_the_monthly_series():
    y = load_airline()
    assert isinstance(y, pd.Series)
    assert y.name == "passengers"
    assert y.dtype == np.float64
    assert y.shape == (144,)
    assert isinstance(y.index, pd.DatetimeIndex)
    assert y.index.freqstr == "MS"
    assert y.index[0] == pd.Timestamp("1949-01-01")
    assert y.index[-1] == pd.Timestamp("1960-12-01")
    assert not y.isna().any()


def test_load_airline_values_match_box_jenkins_series_g():
    y = load_airline()
    assert y.iloc[0] == 112.0
    assert y.iloc[-1] == 432.0
    assert y.max() == 622.0
    assert y.idxmax() == pd.Timestamp("1960-07-01")
    assert y.sum() == 40363.0


def test_load_airline_returns_independent_copies():
    first = load_airline()
    first.iloc[0] = -1.0
    assert load_airline().iloc[0] == 112.0
