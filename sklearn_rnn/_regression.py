"""Sequence regression: a number (or a number per step) for each sequence."""

import numpy as np
import torch
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils.validation import _check_y, _num_samples, check_array

from ._docstrings import fill_doc
from ._net import MaskedMSELoss
from ._scaling import nonzero_scale
from ._validation import _is_sequence_list, check_numeric, check_y_length
from ._sequence import BaseSequenceEstimator


@fill_doc
class RNNRegressor(RegressorMixin, BaseSequenceEstimator):
    """Recurrent network regressor for sequences.

    Standardises each sequence, summarises it with 1-D convolution blocks
    that shorten long sequences, reads the result with a recurrent cell and
    predicts one value (or several) per sequence from the cell's outputs
    pooled over every real step, or one per step when ``y`` has a time
    axis. Each stage is a parameter (see the user guide, "Front end, cell
    and readout"); targets are scaled inside, so raw units work.

    Parameters
    ----------
    {network}

    {sequence}

    highway : bool, default=True
        Add a linear path from the last steps of each sequence (at most
        8; with ``normalize="both"`` their globally standardised copy, else
        the features as the network reads them) to the output beside the
        network (the "highway" of LSTNet, Lai et al., 2018). It starts as
        the ridge regression of the training targets on those steps (the
        penalty by generalised cross-validation) and the network's output
        layer starts at zero, so training starts from the linear model and
        the network learns what it misses; a linear path extrapolates to
        inputs beyond the training range, where a network saturates.
        With ``early_stopping`` the start is the ridge of the training
        samples, and the trained network is kept only when it beats that
        start on the validation samples by more than one standard error of
        the difference (a smaller gain is chance); otherwise the start is
        kept and ``best_epoch_`` is 0. Either way the path is then fitted
        again on every sample (a kept network's output held fixed).
        Padding never reaches it. Not used with token ids or per-step
        targets.

    {training}

    Attributes
    ----------
    n_features_in_ : int
        For 2-D ``X`` the number of time steps (scikit-learn's count of
        columns; ``predict`` then needs the same length). For 3-D and list
        input, the number of features per step (``predict`` accepts any
        sequence length).

    feature_names_in_ : ndarray of str
        Column names of a 2-D DataFrame ``X``, when it had string names.

    embedding_dim_ : int or None
        Size of the embedding reading token ids, or None when ``X`` is read
        as numbers (see ``embedding_dim``).

    {fitted}

    See Also
    --------
    LSTMClassifier : The same network for class labels.
    GRUForecaster : Forecasts a time series whose rows are time steps.

    Notes
    -----
    ``X`` is ``(n_samples, n_timesteps)`` for univariate sequences,
    ``(n_samples, n_timesteps, n_features)`` for multivariate ones, or a
    list of ``(n_timesteps_i, n_features)`` arrays of different lengths.
    Rows of NaN at the start or end of a sequence are padding that the
    network never sees. Without the convolutional front end
    (``conv_channels=None``) training batches group sequences of similar
    length, so padding costs little; with it, batches are drawn at random,
    so that batch normalisation sees sequences of every length. ``y`` is
    ``(n_samples,)``, ``(n_samples, n_outputs)``, or ``(n_samples,
    n_timesteps, n_outputs)`` for an output at every step (sequence-to-sequence); with a list ``X``,
    per-step targets may be a list of ``(n_timesteps_i, n_outputs)`` arrays,
    and per-step predictions for a list ``X`` are such a list.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 10))
    >>> y = X.sum(axis=1)
    >>> reg = RNNRegressor(max_epochs=30, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    >>> reg.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseSequenceEstimator._parameter_constraints,
        "highway": ["boolean"],
    }

    def __init__(self, *, cell="rnn", hidden_size=64, num_layers=1, dropout=0.0,
                 layer_norm=False, nonlinearity="tanh", bidirectional=False,
                 embedding_dim="auto", conv_channels=32, conv_layers=3,
                 kernel_size=7, stride=1, pool_size="auto", pooling="meanmax",
                 normalize="both", highway=True,
                 clip_grad_norm=1.0, optimizer="adam", lr=5e-3, weight_decay=0.0,
                 lr_schedule="onecycle", batch_size=32, max_epochs="auto",
                 early_stopping=True, validation_fraction=0.2, patience=None,
                 random_state=None, device="cpu", verbose=0, callbacks=None,
                 warm_start=False):
        super().__init__(
            cell=cell, hidden_size=hidden_size, num_layers=num_layers,
            dropout=dropout, layer_norm=layer_norm, nonlinearity=nonlinearity,
            clip_grad_norm=clip_grad_norm, optimizer=optimizer, lr=lr,
            weight_decay=weight_decay, lr_schedule=lr_schedule,
            batch_size=batch_size, max_epochs=max_epochs,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction, patience=patience,
            random_state=random_state, device=device, verbose=verbose,
            callbacks=callbacks, warm_start=warm_start,
        )
        self.bidirectional = bidirectional
        self.embedding_dim = embedding_dim
        self.conv_channels = conv_channels
        self.conv_layers = conv_layers
        self.kernel_size = kernel_size
        self.stride = stride
        self.pool_size = pool_size
        self.pooling = pooling
        self.normalize = normalize
        self.highway = highway

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the network to sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            Training sequences (see Notes of the class).
        y : array-like of shape (n_samples,), (n_samples, n_outputs) or \
(n_samples, n_timesteps, n_outputs), or list
            Targets; with a time axis, one target per step. For sequences of
            different lengths, a list of ``(n_timesteps_i, n_outputs)``
            arrays, one row per row of the matching sequence of ``X``.

        Returns
        -------
        self : RNNRegressor
            The fitted estimator.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the "
                "target y is None."
            )
        dataset, lengths, offsets = self._sequences(X, reset=True)
        if _is_sequence_list(y):
            y = _stack_step_targets(y, X, dataset.X.shape[1])
        y = self._check_target(y, dataset, lengths, offsets)
        known = ~np.isnan(y)
        axes = tuple(range(max(y.ndim - 1, 1)))
        self._y_ndim = y.ndim
        self._y_mean = np.nanmean(y, axis=axes)
        self._y_scale = nonzero_scale(np.nanstd(y, axis=axes))
        y_scaled = np.where(known, (y - self._y_mean) / self._y_scale, np.nan)
        y_scaled = y_scaled.reshape(len(y), -1) if y.ndim == 1 else y_scaled
        dataset.y = torch.from_numpy(y_scaled.astype(np.float32))
        return self._fit_sequences(
            dataset,
            output_size=y_scaled.shape[-1],
            head="every" if y.ndim == 3 else "last",
            criterion=MaskedMSELoss(),
            highway=self.highway,
        )

    def _check_target(self, y, dataset, lengths, offsets):
        """Validate ``y``; a time axis is aligned like ``X`` (padding masked)."""
        check_numeric(y, name="y", strings_hint=(
            "for class labels use LSTMClassifier (any cell)."))
        if getattr(y, "ndim", None) != 3 and np.asarray(y).ndim < 3:
            check_y_length(y, len(dataset.X))
            y = _check_y(y, multi_output=True, y_numeric=True, estimator=self)
            return y.astype(np.float64)
        y = check_array(y, allow_nd=True, dtype=np.float64,
                        ensure_all_finite="allow-nan", input_name="y")
        n, n_steps = dataset.X.shape[:2]
        if y.ndim != 3 or y.shape[:2] != (n, n_steps):
            raise ValueError(
                "y with a time axis must have shape (n_samples, n_timesteps, "
                f"n_outputs) matching X's {(n, n_steps)}; got {y.shape} instead."
            )
        if offsets is not None:
            index = (np.arange(n_steps)[None, :] + offsets[:, None]) % n_steps
            y = np.take_along_axis(y, index[:, :, None], axis=1)
            padding = np.arange(n_steps)[None, :] >= lengths[:, None]
            y[padding] = np.nan
        else:
            padding = np.zeros((n, n_steps), dtype=bool)
        if not np.isfinite(y[~padding]).all():
            raise ValueError(
                "y contains NaN or infinity at real steps of X. Every step "
                "that is not padding needs a finite target."
            )
        return y

    def predict(self, X):
        """Predict targets for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            Sequences to predict.

        Returns
        -------
        y_pred : ndarray or list of ndarray
            Shaped like the ``y`` given to ``fit``: ``(n_samples,)``,
            ``(n_samples, n_outputs)``, or ``(n_samples, n_timesteps,
            n_outputs)`` with NaN at padding steps of ``X``. Per-step
            predictions for a list ``X`` are a list of ``(n_timesteps_i,
            n_outputs)`` arrays, one per sequence.
        """
        outputs = self._predict_outputs(X).astype(np.float64)
        y_pred = outputs * self._y_scale + self._y_mean
        if self._y_ndim == 3 and _is_sequence_list(X):
            return [y_pred[i, : len(seq)] for i, seq in enumerate(X)]
        return y_pred[:, 0] if self._y_ndim == 1 else y_pred

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination :math:`R^2` of the predictions.

        For per-step targets, :math:`R^2` pools every real step of every
        sequence (padding steps are left out), each output a column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
            Test sequences.
        y : array-like or list of arrays
            True targets, shaped as in ``fit``.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; not supported with per-step targets.

        Returns
        -------
        score : float
            :math:`R^2` of ``self.predict(X)`` against ``y``.
        """
        if getattr(self, "_y_ndim", None) != 3:
            return super().score(X, y, sample_weight=sample_weight)
        if sample_weight is not None:
            raise ValueError(
                "sample_weight is not supported when scoring per-step targets. "
                "Got sample_weight instead of None."
            )
        y_pred = self.predict(X)
        if isinstance(y_pred, list):
            y_pred = np.concatenate(y_pred)
            y_true = np.concatenate([np.asarray(t, dtype=np.float64) for t in y])
        else:
            y_true = np.asarray(y, dtype=np.float64).reshape(-1, y_pred.shape[-1])
            y_pred = y_pred.reshape(-1, y_pred.shape[-1])
        real = ~np.isnan(y_pred).any(axis=1)
        return r2_score(y_true[real], y_pred[real])


def _stack_step_targets(y, X, n_steps):
    """Per-step targets given as a list, stacked like ``X``'s sequences.

    ``y[i]`` has a row for each row of sequence ``X[i]`` (padding rows
    included); the stack is NaN-padded at the end, as a list ``X`` is.
    """
    check_y_length(y, _num_samples(X))
    rows = [len(seq) for seq in X] if _is_sequence_list(X) else [n_steps] * len(y)
    targets = []
    for i, (target, n_rows) in enumerate(zip(y, rows)):
        target = check_array(target, dtype=np.float64, ensure_all_finite="allow-nan",
                             ensure_min_samples=0, input_name=f"y[{i}]")
        if len(target) != n_rows:
            raise ValueError(
                f"y[{i}] has {len(target)} steps but X[{i}] has {n_rows}. A list "
                "y holds one (n_timesteps_i, n_outputs) array per sequence, "
                "with a row for each row of the sequence."
            )
        if targets and target.shape[1] != targets[0].shape[1]:
            raise ValueError(
                f"Every y[i] needs the same number of outputs; y[0] has "
                f"{targets[0].shape[1]} and y[{i}] has {target.shape[1]}."
            )
        targets.append(target)
    stacked = np.full((len(targets), n_steps, targets[0].shape[1]), np.nan)
    for i, target in enumerate(targets):
        stacked[i, : len(target)] = target
    return stacked
