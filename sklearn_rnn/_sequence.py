"""Sequence estimators: one sample is one sequence.

Input handling shared by :class:`~sklearn_rnn.RNNRegressor` and
:class:`~sklearn_rnn.LSTMClassifier`: validation, per-feature
standardisation with training statistics (or token ids for an embedding),
and the tensor dataset.
"""

from numbers import Integral

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import BaseRecurrent
from ._datasets import SequenceDataset
from ._scaling import nonzero_scale
from ._tokens import PADDING_ID, UNKNOWN_ID
from ._validation import _is_sequence_list, check_sequences, roll_steps

# The embedding size that embedding_dim="auto" gives detected token ids.
AUTO_EMBEDDING_DIM = 32


class BaseSequenceEstimator(BaseRecurrent):
    """Base of estimators whose samples are whole sequences."""

    _parameter_constraints: dict = {
        **BaseRecurrent._parameter_constraints,
        "bidirectional": ["boolean"],
        "embedding_dim": [
            Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None,
        ],
    }

    def _module_params(self):
        params = {**super()._module_params(), "bidirectional": self.bidirectional}
        if self.embedding_dim_ is not None:
            params.update(num_embeddings=self._num_embeddings,
                          embedding_dim=self.embedding_dim_)
        return params

    def _sequences(self, X, *, reset):
        """Validated, standardised sequences as a :class:`SequenceDataset`.

        Also returns the leading-padding offsets and padded length of the
        input, which every-step predictions need to line up with ``X``.
        """
        if reset and not (self.warm_start and hasattr(self, "net_")):
            self.embedding_dim_ = _resolve_embedding(self.embedding_dim, X)
        if self.embedding_dim_ is not None:
            return self._token_sequences(X, reset=reset)
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

    def _token_sequences(self, X, *, reset):
        """Token-id sequences, unscaled, for the embedding layer.

        Id 0 at the start or end of a sequence is padding, like NaN for
        numbers; ids that fit never saw (past its largest id) become the
        unknown id 1 at prediction, as :class:`~sklearn_rnn.TextToSequences`
        numbers them.
        """
        X, lengths, offsets = check_sequences(self, X, reset=reset,
                                              padding_id=PADDING_ID)
        if X.shape[2] != 1:
            raise ValueError(
                "Token-id input (embedding_dim is set) needs exactly one "
                f"feature per step, the id. Got {X.shape[2]} features instead; "
                "use embedding_dim=None to read the features as numbers."
            )
        if (X < 0).any() or (X != np.floor(X)).any():
            bad = X[(X < 0) | (X != np.floor(X))][0]
            raise ValueError(
                "Token ids must be non-negative whole numbers (embedding_dim "
                f"is set). Got {float(bad):g} instead; use embedding_dim=None "
                "to read the input as numbers."
            )
        X = X.astype(np.int64)
        if reset and not (self.warm_start and hasattr(self, "net_")):
            self._num_embeddings = max(int(X.max()) + 1, UNKNOWN_ID + 1)
        X[X >= self._num_embeddings] = UNKNOWN_ID
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


def _is_token_input(X):
    """True for integer sequences with one feature: a list or a 3-D array.

    2-D integer arrays stay numbers: they are scikit-learn's ordinary
    tabular input (its common checks feed them), not token ids.
    """
    if _is_sequence_list(X):
        return all(
            np.asarray(seq).dtype.kind in "iu" and np.shape(seq)[1:] == (1,)
            for seq in X
        )
    return (isinstance(X, np.ndarray) and X.ndim == 3 and X.dtype.kind in "iu"
            and X.shape[2] == 1)


def _resolve_embedding(embedding_dim, X):
    """The embedding size ``embedding_dim`` asks for on ``X``, or None."""
    if embedding_dim == "auto":
        return AUTO_EMBEDDING_DIM if _is_token_input(X) else None
    return embedding_dim


def _masked_moments(X, lengths):
    """Per-feature mean and scale over real (non-padding) steps."""
    if lengths is None:
        values = X.reshape(-1, X.shape[2])
    else:
        values = X[np.arange(X.shape[1])[None, :] < lengths[:, None]]
    mean = values.mean(axis=0)
    return mean, nonzero_scale(values.std(axis=0))


def realign_steps(outputs, lengths, offsets, n_steps):
    """Put every-step outputs back where their input steps were.

    The network saw left-aligned sequences; padding positions of the input
    get NaN in the output, so output step ``t`` belongs to input step ``t``.
    """
    n, _, k = outputs.shape
    aligned = np.full((n, n_steps, k), np.nan, dtype=outputs.dtype)
    aligned[:, : outputs.shape[1]] = outputs[:, :n_steps]
    if lengths is None:
        return aligned
    aligned[np.arange(n_steps)[None, :] >= lengths[:, None]] = np.nan
    return roll_steps(aligned, -offsets)
