"""The numpy KPSS test that decides a forecaster's differencing."""

import warnings

import numpy as np
import pytest

from sklearn_rnn._stationarity import kpss

RNG = np.random.default_rng(0)
SERIES = {
    "white noise": RNG.normal(size=200),
    "random walk": np.cumsum(RNG.normal(size=150)),
    "seasonal": np.sin(np.arange(300) * 2 * np.pi / 12) + RNG.normal(size=300) / 5,
    "trend": np.arange(80.0) + RNG.normal(size=80),
    "short": RNG.normal(size=5),
}


@pytest.mark.parametrize("name", SERIES)
def test_kpss_matches_statsmodels(name):
    stattools = pytest.importorskip("statsmodels.tsa.stattools")
    x = SERIES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # p-values outside the table's range
        expected = stattools.kpss(x, regression="c", nlags="auto")
    statistic, p_value, lags = kpss(x)
    assert statistic == pytest.approx(expected[0], rel=1e-10)
    assert p_value == pytest.approx(expected[1], rel=1e-10)
    assert lags == expected[2]


def test_kpss_rejects_a_random_walk_and_keeps_noise():
    assert kpss(SERIES["white noise"])[1] > 0.05
    assert kpss(SERIES["random walk"])[1] <= 0.01
    assert kpss(SERIES["trend"])[1] <= 0.01
