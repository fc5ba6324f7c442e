"""Sequence estimators: one sample is one sequence.

Input handling shared by :class:`~sklearn_rnn.RNNRegressor` and
:class:`~sklearn_rnn.LSTMClassifier`: validation, per-feature
standardisation with training statistics, and the tensor dataset.
"""

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._base import BaseRecurrent
from ._data import SequenceDataset, check_sequences


class BaseSequenceEstimator(BaseRecurrent):
    """Base of estimators whose samples are whole sequences."""

    _parameter_constraints: dict = {
        **BaseRecurrent._parameter_constraints,
        "bidirectional": ["boolean"],
    }

    def _module_params(self):
        return {**super()._module_params(), "bidirectional": self.bidirectional}

    def _sequences(self, X, *, reset):
        """Validated, standardised sequences as a :class:`SequenceDataset`.

        Also returns the leading-padding offsets and padded length of the
        input, which every-step predictions need to line up with ``X``.
        """
        X, lengths, offsets = check_sequences(self, X, reset=reset)
        if reset:
            self._x_mean, self._x_scale = _masked_moments(X, lengths)
        X = ((X - self._x_mean) / self._x_scale).astype(np.float32)
        if lengths is not None:
            X[np.arange(X.shape[1])[None, :] >= lengths[:, None]] = 0
        dataset = SequenceDataset(
            torch.from_numpy(X),
            None if lengths is None else torch.from_numpy(lengths),
        )
        return dataset, lengths, offsets

    def _predict_outputs(self, X):
        """Raw network outputs, and how to line every-step ones up with X."""
        check_is_fitted(self, "net_")
        dataset, lengths, offsets = self._sequences(X, reset=False)
        outputs = self._forward(dataset)
        if outputs.ndim == 3:
            outputs = realign_steps(outputs, lengths, offsets, dataset.X.shape[1])
        return outputs


def _masked_moments(X, lengths):
    """Per-feature mean and scale over real (non-padding) steps."""
    if lengths is None:
        values = X.reshape(-1, X.shape[2])
    else:
        values = X[np.arange(X.shape[1])[None, :] < lengths[:, None]]
    mean = values.mean(axis=0)
    scale = values.std(axis=0)
    # Constant features would divide by zero; leaving them unscaled is what
    # StandardScaler does too.
    scale[scale < 10 * np.finfo(scale.dtype).eps] = 1.0
    return mean, scale


def realign_steps(outputs, lengths, offsets, n_steps):
    """Put every-step outputs back where their input steps were.

    The network saw left-aligned sequences; padding positions of the input
    get NaN in the output, so output step ``t`` belongs to input step ``t``.
    """
    n, _, k = outputs.shape
    aligned = np.full((n, n_steps, k), np.nan, dtype=outputs.dtype)
    if lengths is None:
        aligned[:, : outputs.shape[1]] = outputs[:, :n_steps]
        return aligned
    for i in range(n):
        aligned[i, offsets[i]: offsets[i] + lengths[i]] = outputs[i, : lengths[i]]
    return aligned
