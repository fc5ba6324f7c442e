"""The checks of a series' time index: the row at fault and a fix that works."""

import numpy as np
import pandas as pd
import pytest

from sklearn_rnn import NaiveForecaster
from sklearn_rnn._time_index import check_regular_index


def test_a_gap_in_an_integer_index_suggests_the_reindex_that_fills_it():
    index = pd.Index([0, 2, 4, 8, 10])
    with pytest.raises(ValueError, match=r"at row 3 \(4 -> 8\).*"
                                         r"X.reindex\(range\(0, 12, 2\)\)"):
        check_regular_index(index)


def test_an_uneven_integer_step_is_not_offered_a_reindex_that_drops_rows():
    with pytest.raises(ValueError, match=r"at row 3 \(4 -> 5\).*resampled"):
        check_regular_index(pd.Index([0, 2, 4, 5]))


@pytest.mark.parametrize("index", [
    pd.DatetimeIndex(["2020-01-01", "NaT", "2020-01-03"]),
    pd.PeriodIndex(["2020-01", None, "2020-03"], freq="M"),
])
def test_a_missing_time_is_named_as_such(index):
    with pytest.raises(ValueError, match="missing time \\(NaT\\) at row 1"):
        check_regular_index(index)
    with pytest.raises(ValueError, match="missing time \\(NaT\\) at row 1"):
        NaiveForecaster().fit(pd.Series(np.arange(3.0), index=index))
