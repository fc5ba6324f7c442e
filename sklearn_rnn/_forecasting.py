"""Recurrent forecasters: rows of ``X`` are consecutive time steps.

Row ``t`` is forecast from the window of rows ``t - window + 1 ... t``; the
windows are cut from one padded copy of the series
(:class:`~sklearn_rnn._datasets.PaddedSeries`), batch by batch.
"""

from numbers import Integral

import numpy as np
import torch
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import PREDICT_BATCH_SIZE, BaseRecurrent
from ._datasets import PaddedSeries, WindowDataset, prepare_windows
from ._docstrings import fill_doc
from ._net import MaskedMSELoss
from ._scaling import nonzero_scale
from ._series import ForecasterMixin, future_targets

PREDICT_ROWS = 8192


class BaseRecurrentForecaster(ForecasterMixin, BaseRecurrent):
    """Base of the recurrent forecasters. Not public: use a subclass."""

    _parameter_constraints: dict = {
        **BaseRecurrent._parameter_constraints,
        **ForecasterMixin._forecaster_parameter_constraints,
        "window": [Interval(Integral, 1, None, closed="left")],
        "strategy": [StrOptions({"direct", "recursive", "seq2seq"})],
        "loss_steps": [Interval(Integral, 1, None, closed="left"), None],
        "normalize": [StrOptions({"last", "standard"}), None],
    }

    # The network's shape, and how its inputs and outputs are read.
    _fit_dependent_params = (
        *ForecasterMixin._fit_dependent_params, "strategy", "loss_steps",
        "normalize", "cell", "hidden_size", "num_layers", "layer_norm",
        "nonlinearity",
    )

    def _validation_gap(self):
        # A training row's targets reach ``horizon`` steps ahead: dropping
        # that many rows keeps every target step out of the validation tail.
        return self.horizon

    def _check_strategy(self, data):
        """Cross-parameter rules; a subclass adds those of its own parameters."""
        n_channels = data.X.shape[1]
        if self.strategy == "recursive" and data.target_index is None:
            raise ValueError(
                "strategy='recursive' feeds forecasts back into the target "
                "column, so the target must be a column of X: omit y (the "
                "target is then column `target` of X) or pass a y equal to one "
                "of X's columns. Got a y that is not a column of X instead."
            )
        if self.strategy == "recursive" and n_channels > 1:
            raise ValueError(
                "strategy='recursive' feeds its own forecasts back as the next "
                f"input, but X has {n_channels} columns whose future values are "
                "unknown and would have to be made up. Use strategy='direct' or "
                "'seq2seq' with covariates, or pass only the target column. "
                f"Got X with {n_channels} columns instead."
            )
        if self.strategy == "seq2seq":
            loss_steps = self.loss_steps
            if loss_steps is not None and loss_steps > self.window:
                raise ValueError(
                    f"loss_steps must be at most window={self.window}. Got "
                    f"loss_steps={loss_steps} instead."
                )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train on every row whose whole forecast horizon lies in the data.

        Parameters
        ----------
        X : array-like or pandas object of shape (n_timesteps,) or \
(n_timesteps, n_channels)
            The series, rows being consecutive equally spaced time steps in
            time order.
        y : array-like of shape (n_timesteps,), default=None
            The series to forecast, aligned with the rows of ``X``. By default
            the column of ``X`` named by ``target``.

        Returns
        -------
        self : object
            The fitted forecaster.
        """
        data = self._validate_fit_series(X, y)
        self._check_strategy(data)
        if not (self.warm_start and hasattr(self, "net_")):
            self._x_mean = data.X.mean(axis=0)
            self._x_scale = nonzero_scale(data.X.std(axis=0))
            self._y_mean = data.y.mean()
            self._y_scale = nonzero_scale(data.y.std())
        steps = 1 if self.strategy == "recursive" else self.horizon
        n_rows = len(data.y) - steps
        future = (future_targets(data.y, steps) - self._y_mean) / self._y_scale
        dataset = WindowDataset(
            self._padded_series(data.X), torch.arange(n_rows),
            PaddedSeries(future, self.window, fill=np.nan),
            self.normalize, self._target_column(),
            every_step=(self.loss_steps or self.window)
            if self.strategy == "seq2seq" else None,
        )
        return self._fit_dataset(
            dataset, input_size=data.X.shape[1], output_size=steps,
            head="every" if self.strategy == "seq2seq" else "last",
            # Only seq2seq targets have NaN (steps outside loss_steps); the
            # others skip the mask, which costs a check every batch.
            criterion=(MaskedMSELoss() if self.strategy == "seq2seq"
                       else torch.nn.MSELoss()),
        )

    def _target_column(self):
        return self.target_index_

    def _padded_series(self, X):
        """The series standardised with the training statistics, padded."""
        return PaddedSeries((X - self._x_mean) / self._x_scale, self.window)

    def _forecast_rows(self, X, rows):
        # Only the history the rows see is standardised: forecast() on a
        # long series touches its last window, not the whole series.
        start = max(0, int(rows[0]) - self.window + 1)
        if len(rows) == 1 and self.strategy != "recursive":
            # One window (forecast()) is cut straight from the series, at its
            # own length: alone in its batch, a short history needs no
            # padding, and skipping the gathering of windows saves much of
            # what forecast() spends outside the network.
            history = (X[start: int(rows[0]) + 1] - self._x_mean) / self._x_scale
            windows = torch.from_numpy(history.astype(np.float32))[None]
            scaled = self._step(windows, torch.tensor([len(history)]))
            return scaled * self._y_scale + self._y_mean
        series = self._padded_series(X[start: int(rows[-1]) + 1])
        rows = rows - start
        # Rows before the first full window see a shorter history. Forecast
        # apart, they leave every other block free of padding, the module's
        # fast path; blocks bound the memory of gathered windows on long
        # series.
        split = int(np.searchsorted(rows, series.first_full_row))
        bounds = [*range(0, split, PREDICT_ROWS),
                  *range(split, len(rows), PREDICT_ROWS), len(rows)]
        rows = torch.as_tensor(rows, dtype=torch.int64)
        scaled = [
            self._forecast_windows(*series.windows(rows[a:b]))
            for a, b in zip(bounds[:-1], bounds[1:])
        ]
        scaled = scaled[0] if len(scaled) == 1 else np.concatenate(scaled)
        return scaled * self._y_scale + self._y_mean

    def _forecast_windows(self, windows, lengths):
        """Standardised forecasts from right-aligned windows, shape (n, horizon)."""
        if self.strategy != "recursive":
            return self._step(windows, lengths)
        target = self._target_column()
        forecasts = []
        for _ in range(self.horizon):
            y_next = self._step(windows, lengths)[:, 0]
            forecasts.append(y_next)
            # Drop each window's oldest row and append the forecast. The target
            # is X's column, so X's and y's standardisations are the same and
            # the forecast goes in as it is.
            windows = torch.cat([windows[:, 1:], windows[:, -1:]], dim=1)
            windows[:, -1, target] = torch.as_tensor(y_next, dtype=windows.dtype)
            lengths = torch.clamp(lengths + 1, max=self.window)
        return np.stack(forecasts, axis=1)

    def _step(self, windows, lengths):
        """One pass of the network over windows, in standardised target units."""
        Xb, loc, scale = prepare_windows(windows, lengths, self.normalize,
                                         self._target_column())
        # Slices of the prepared windows are the batches: a single window's
        # forecast goes straight to the module.
        outputs = self._forward_batches(
            ({key: value[i: i + PREDICT_BATCH_SIZE] for key, value in Xb.items()}, None)
            for i in range(0, len(windows), PREDICT_BATCH_SIZE)
        )
        if self.strategy == "seq2seq":
            # Left-aligned outputs: a window's forecast is at its last real step.
            outputs = outputs[np.arange(len(outputs)), lengths.numpy() - 1]
        if loc is None:
            return outputs
        return outputs * scale.numpy() + loc.numpy()

@fill_doc
class GRUForecaster(BaseRecurrentForecaster):
    """Recurrent forecaster of a time series (a GRU by default).

    Each row's forecast is made from a window of the rows before it by a
    recurrent network; the series is standardised with training statistics
    and, by default, each window by its own.
    {forecaster}
    {network}

    {training}

    Attributes
    ----------
    {forecaster_attributes}

    See Also
    --------
    ConvGRUForecaster : 1-D convolutions feeding the recurrent network.
    NaiveForecaster : The baseline that ``score`` compares with.

    Notes
    -----
    {forecaster_notes}

    Examples
    --------
    >>> from sklearn_rnn import GRUForecaster
    >>> from sklearn_rnn.datasets import load_airline
    >>> y = load_airline()
    >>> model = GRUForecaster(horizon=3, max_epochs=5, random_state=0).fit(y[:-12])
    >>> model.predict(y).shape
    (144, 3)
    >>> model.forecast(y).index[0]
    Timestamp('1961-01-01 00:00:00')
    """

    def __init__(self, *, window=24, horizon=1, strategy="direct", loss_steps=None,
                 normalize="standard", target=0, cell="gru", hidden_size=32,
                 num_layers=1, dropout=0.0, layer_norm=False, nonlinearity="tanh",
                 clip_grad_norm=1.0, optimizer="adam", lr=5e-3, weight_decay=0.0,
                 lr_schedule=None, batch_size=32, max_epochs=100,
                 early_stopping=False, validation_fraction=0.1, patience=10,
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
        self.window = window
        self.horizon = horizon
        self.strategy = strategy
        self.loss_steps = loss_steps
        self.normalize = normalize
        self.target = target


@fill_doc
class ConvGRUForecaster(BaseRecurrentForecaster):
    """Forecaster whose 1-D convolutions feed a recurrent network (a GRU).

    A causal convolution extracts local patterns from each window (its
    strided grid ends on the newest step, so the latest observation is never
    skipped) and a recurrent network reads the resulting feature sequence.
    {forecaster}
    conv_channels : int, default=16
        Output channels of the convolution.

    kernel_size : int, default=3
        Time steps each convolution output sees.

    stride : int, default=1
        Step between convolution outputs; above 1 it shortens the sequence
        the recurrent network reads (not with ``strategy="seq2seq"``).

    {network}

    {training}

    Attributes
    ----------
    {forecaster_attributes}

    See Also
    --------
    GRUForecaster : The same forecaster without convolutions.

    Notes
    -----
    {forecaster_notes}

    Examples
    --------
    >>> from sklearn_rnn import ConvGRUForecaster
    >>> from sklearn_rnn.datasets import load_airline
    >>> y = load_airline()
    >>> model = ConvGRUForecaster(max_epochs=5, random_state=0).fit(y)
    >>> model.predict(y).shape
    (144,)
    """

    _parameter_constraints: dict = {
        **BaseRecurrentForecaster._parameter_constraints,
        "conv_channels": [Interval(Integral, 1, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
    }

    _fit_dependent_params = (
        *BaseRecurrentForecaster._fit_dependent_params, "conv_channels",
        "kernel_size", "stride",
    )

    def __init__(self, *, window=24, horizon=1, strategy="direct", loss_steps=None,
                 normalize="standard", target=0, conv_channels=16, kernel_size=3,
                 stride=1, cell="gru", hidden_size=32, num_layers=1, dropout=0.0,
                 layer_norm=False, nonlinearity="tanh", clip_grad_norm=1.0,
                 optimizer="adam", lr=5e-3, weight_decay=0.0, lr_schedule=None,
                 batch_size=32, max_epochs=100, early_stopping=False,
                 validation_fraction=0.1, patience=10, random_state=None,
                 device="cpu", verbose=0, callbacks=None, warm_start=False):
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
        self.window = window
        self.horizon = horizon
        self.strategy = strategy
        self.loss_steps = loss_steps
        self.normalize = normalize
        self.target = target
        self.conv_channels = conv_channels
        self.kernel_size = kernel_size
        self.stride = stride

    def _check_strategy(self, data):
        super()._check_strategy(data)
        if self.strategy == "seq2seq" and self.stride != 1:
            raise ValueError(
                "strategy='seq2seq' needs an output at every input step, "
                f"which stride={self.stride} does not give. Use stride=1. "
                f"Got stride={self.stride} instead."
            )

    def _module_params(self):
        return {
            **super()._module_params(),
            "conv_channels": self.conv_channels,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
        }

