"""Recurrent neural networks (RNN, LSTM, GRU) as scikit-learn estimators."""

from ._classification import LSTMClassifier
from ._regression import RNNRegressor

__version__ = "0.1.0.dev0"

__all__ = [
    "LSTMClassifier",
    "RNNRegressor",
]
