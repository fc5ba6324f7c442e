"""Recurrent neural networks (RNN, LSTM, GRU) as scikit-learn estimators."""

from ._classification import LSTMClassifier
from ._forecasting import ConvGRUForecaster, GRUForecaster
from ._naive import NaiveForecaster
from ._persistence import load, save
from ._regression import RNNRegressor
from ._text import TextToSequences
from ._version import __version__
from ._windows import RepeatVector, SlidingWindows, ToSequences, make_windows

__all__ = [
    "ConvGRUForecaster",
    "GRUForecaster",
    "LSTMClassifier",
    "NaiveForecaster",
    "RNNRegressor",
    "RepeatVector",
    "SlidingWindows",
    "TextToSequences",
    "ToSequences",
    "load",
    "make_windows",
    "save",
]
