"""The airline passengers series (Box & Jenkins series G)."""

from importlib import resources

import numpy as np
import pandas as pd

__all__ = ["load_airline"]


def load_airline():
    """Load the monthly airline passengers series, 1949 to 1960.

    Monthly totals of international airline passengers, in thousands, from
    January 1949 to December 1960: 144 observations with a trend and a yearly
    seasonality whose amplitude grows with the level. It is the classic
    benchmark of univariate forecasting, small enough to fit in seconds.

    Returns
    -------
    passengers : pandas.Series of shape (144,), dtype float64
        The series, named ``"passengers"``, indexed by a monthly
        :class:`~pandas.DatetimeIndex` named ``"month"`` (frequency ``"MS"``,
        month start, 1949-01-01 to 1960-12-01).

    Notes
    -----
    The data are in the public domain. They are read from the CSV file bundled
    with the package, so no network access is needed.

    References
    ----------
    .. [1] G. E. P. Box and G. M. Jenkins, "Time Series Analysis: Forecasting
       and Control", Holden-Day, 1976, Series G: international airline
       passengers, monthly totals (thousands), January 1949 - December 1960.

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_airline
    >>> y = load_airline()
    >>> y.shape
    (144,)
    >>> y.index.freqstr
    'MS'
    >>> y.head(3)
    month
    1949-01-01    112.0
    1949-02-01    118.0
    1949-03-01    132.0
    Freq: MS, Name: passengers, dtype: float64
    """
    source = resources.files(__package__).joinpath("airline_passengers.csv")
    with source.open("r", encoding="utf-8") as file:
        frame = pd.read_csv(file, dtype={"month": str, "passengers": np.float64})
    index = pd.DatetimeIndex(
        pd.to_datetime(frame["month"], format="%Y-%m"), freq="MS", name="month"
    )
    return pd.Series(
        frame["passengers"].to_numpy(), index=index, name="passengers"
    )
