"""Recurrent forecasters: rows of ``X`` are consecutive time steps.

Row ``t`` is forecast from the window of rows ``t - window + 1 ... t``; the
windows are cut from one padded copy of the series
(:class:`~sklearn_rnn._datasets.PaddedSeries`), batch by batch.
"""

import copy
import functools
import math
from numbers import Integral

import numpy as np
import torch
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import PREDICT_BATCH_SIZE, BaseRecurrent
from ._callbacks import GroupCheckpoint
from ._datasets import (
    FutureTargets,
    PaddedSeries,
    TailSplit,
    WindowDataset,
    prepare_windows,
)
from ._docstrings import fill_doc
from ._net import MaskedMSELoss
from ._one_se import clearly_better, loss_gains
from ._scaling import nonzero_scale
from ._series import ForecasterMixin, future_targets
from ._stationarity import kpss

# Values of the largest activation (every step's gates) of one block of
# windows when the network runs without gradients: blocks are bounded in
# memory whatever the window and hidden size.
BLOCK_VALUES = 2**21
# The same for one slice of a training batch, whose forward keeps several
# times its gate values for the backward: a batch is trained slice by slice
# (the gradients summed), so a step's memory is bounded whatever the batch
# size.
STEP_VALUES = 2**19
# Gate pre-activations per hidden unit of each cell.
_GATES = {"rnn": 1, "gru": 3, "lstm": 4}
# max_epochs="auto": enough epochs for this many optimizer steps.
STEP_BUDGET = 500
# window="auto": 3 * sp, clipped to this range.
AUTO_WINDOW = (8, 48)
# difference="auto" differences when KPSS rejects stationarity at this level.
KPSS_LEVEL = 0.05


class BaseRecurrentForecaster(ForecasterMixin, BaseRecurrent):
    """Base of the recurrent forecasters. Not public: use a subclass."""

    _auto_steps = STEP_BUDGET

    _parameter_constraints: dict = {
        **BaseRecurrent._parameter_constraints,
        **ForecasterMixin._forecaster_parameter_constraints,
        "window": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "sp": [Interval(Integral, 1, None, closed="left")],
        "strategy": [StrOptions({"direct", "recursive", "seq2seq"})],
        "loss_steps": [Interval(Integral, 1, None, closed="left"), None],
        "normalize": [StrOptions({"last", "standard"}), None],
        "difference": [StrOptions({"auto"}), "boolean"],
        "highway": ["boolean", StrOptions({"series"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left"),
                       StrOptions({"auto"})],
        "known": ["array-like", str, Interval(Integral, 0, None, closed="left"),
                  None],
        "series_embedding": [Interval(Integral, 1, None, closed="left"), None],
    }

    def _validation_gap(self):
        # A training row's targets reach ``horizon`` steps ahead: dropping
        # that many rows keeps every target step out of the validation tail.
        return self.horizon

    def _resolve_window(self):
        if self.window != "auto":
            return self.window
        # Three seasons of history, within the range where short yearly and
        # quarterly series keep enough training rows and long seasons keep
        # the recurrence short.
        return int(np.clip(3 * self.sp, AUTO_WINDOW[0], AUTO_WINDOW[1]))

    # The network's shape, and how its inputs and outputs are read.
    _fit_dependent_params = (
        *ForecasterMixin._fit_dependent_params, "sp", "strategy", "loss_steps",
        "normalize", "difference", "highway", "cell", "hidden_size",
        "num_layers", "layer_norm", "nonlinearity", "known", "series_embedding",
    )

    def _history_length(self):
        # The window, and the row before it, whose difference with the
        # window's first row a differenced forecaster reads.
        return self._resolve_window() + 1

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
        if self.difference is True and data.target_index is None:
            raise ValueError(
                "difference=True forecasts changes from the target's last "
                "value, which must be a column of X: omit y or pass a y equal "
                "to one of X's columns, or use difference='auto' or False. "
                "Got a y that is not a column of X instead."
            )
        if self.strategy == "recursive" and self._known:
            raise ValueError(
                "strategy='recursive' forecasts one step at a time from the "
                "target alone, so it has no use for known covariates. Use "
                "strategy='direct' or 'seq2seq' with known, or known=None. Got "
                f"known={self.known!r} instead."
            )
        if self.strategy == "seq2seq":
            loss_steps = self.loss_steps
            window = self._resolve_window()
            if loss_steps is not None and loss_steps > window:
                raise ValueError(
                    f"loss_steps must be at most window={window}. Got "
                    f"loss_steps={loss_steps} instead."
                )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train on every row whose whole forecast horizon lies in the data.

        Parameters
        ----------
        X : array-like or pandas object of shape (n_timesteps,) or \
(n_timesteps, n_channels), or a panel
            The series, rows being consecutive equally spaced time steps in
            time order; or a panel of such series (a pandas object with a
            (series id, time) ``MultiIndex``, or a list of series), which
            train one network together.
        y : array-like of shape (n_timesteps,), default=None
            The series to forecast, aligned with the rows of ``X``. By default
            the column of ``X`` named by ``target``. For a panel, aligned
            with its rows (a list of targets for a list of series).

        Returns
        -------
        self : object
            The fitted forecaster.
        """
        pieces = self._validate_fit_panel(X, y)
        self._check_strategy(pieces[0]._replace(target_index=self.target_index_))
        reuse = self.warm_start and hasattr(self, "net_")
        if not reuse:
            self.window_ = self._resolve_window()
            self._fit_scaling(pieces)
        steps = 1 if self.strategy == "recursive" else self.horizon
        dataset = self._window_dataset(pieces, steps)
        fit = functools.partial(
            self._fit_dataset, input_size=dataset.series.padded.shape[1],
            output_size=steps,
            head="every" if self.strategy == "seq2seq" else "last",
            # Only seq2seq targets have NaN (steps outside loss_steps); the
            # others skip the mask, which costs a check every batch.
            criterion=(MaskedMSELoss() if self.strategy == "seq2seq"
                       else torch.nn.MSELoss()),
            highway=self.window_ if self.highway else None,
            n_series=len(pieces), series_dim=self.series_embedding,
            highway_series=len(pieces) if self._per_series_highway() else None,
        )
        if reuse or not self.early_stopping:
            self.calibration_residuals_ = self.calibration_scales_ = None
            return fit(dataset, max_epochs=self._epochs(len(dataset)),
                       init_module=self._highway_init(dataset))
        # Train on the head and stop at the best validation loss on the
        # tail; keep the tail's out-of-sample errors; then fit the linear
        # path again on every row, the network's output held fixed: the tail
        # is the most recent data, which a forecaster cannot leave out.
        split = TailSplit(self.validation_fraction, self._validation_gap())
        train, valid = split(dataset)
        start = {}
        init = self._highway_init(train)

        def init_and_keep(module):
            if init is not None:
                init(module)
            start.update(copy.deepcopy(module.state_dict()))

        halves = GroupCheckpoint(self._tail_halves(valid))
        fit(dataset, max_epochs=self._epochs(len(train)),
            init_module=init_and_keep, checkpoints=[("tail_halves", halves)])
        if self.highway and not self._beats_start(valid, start):
            # The network did not clearly beat the linear model it started
            # from: keep that.
            self.net_.module_.load_state_dict(start)
            self.best_epoch_ = 0
        self._set_calibration(pieces, *self._cross_picked_residuals(
            pieces, valid, start, halves))
        if self.highway:
            module = self.net_.module_
            self._fit_highway(module.highway, dataset, network=module)
        return self

    def _window_dataset(self, pieces, steps):
        """The windows of every series, each series stored once, scaled by its own
        statistics as it is stored; no window crosses two series."""
        sizes = [len(data.y) for data in pieces]
        series = PaddedSeries(
            (self._standardised(self._with_known_leads(data.X), None,
                                self._stats(k))
             for k, data in enumerate(pieces)), self.window_, sizes=sizes)
        # The targets, in the units the network forecasts, are cut batch by
        # batch from the scaled target series; differenced, they are sums of
        # its scaled changes: the change since the row's value less the
        # drift, so a zero output forecasts a random walk with drift. A
        # target that is a column of X is that column of the inputs (its
        # statistics are the column's, see _series_stats), not stored again.
        if self.target_index_ is not None:
            column = series.padded[:, self.target_index_]
        else:
            column = PaddedSeries(
                ((data.y - self._y_mean[k]) / self._y_scale[k]
                 for k, data in enumerate(pieces)),
                self.window_, sizes=sizes).padded
        targets = FutureTargets(column, self.window_, steps,
                                cumulative=self.difference_)
        # Every row whose whole future is known: the first size - steps.
        return WindowDataset(
            series, [size - steps for size in sizes], targets,
            self.normalize, self._normalized_target(),
            every_step=(self.loss_steps or self.window_)
            if self.strategy == "seq2seq" else None,
            series_ids=self._reads_series(),
        )

    def _per_series_highway(self):
        """Whether the linear path has per-series corrections: a panel of
        several series (one series alone is fit as it would be alone)."""
        return (self.highway == "series" and self._series_ids is not None
                and len(self._series_ids) > 1)

    def _reads_series(self):
        """Whether the module reads each window's series."""
        return self.series_embedding is not None or self._per_series_highway()

    def _tail_halves(self, valid):
        """Half of each validation row: 0 for the earlier half of its series'
        validation rows, 1 for the later (the middle row goes to the later)."""
        counts = valid.counts.numpy()
        # Each series' rows are a run of 0s then a run of 1s: the byte a row
        # (held through training) is repeated from two per series, with no
        # array of every row's position in between.
        early = counts // 2
        runs = np.column_stack([early, counts - early]).ravel()
        return np.repeat(np.tile(np.array([0, 1], np.int8), len(counts)), runs)

    def _cross_picked_residuals(self, pieces, valid, start, halves):
        """Out-of-sample errors of the validation rows, each half's from the
        model picked on the other half.

        The tail that calibrates also picks the epoch (early stopping) and
        the network over its linear start (``_beats_start``), which flatters
        its errors there. So each half of every series' tail is forecast by
        the weights that the other half picks by the same two rules, from
        the same training run (``halves``, a
        :class:`~sklearn_rnn._callbacks.GroupCheckpoint`), and every row
        keeps a residual. A half with no other half to pick on takes the
        fitted weights. ``_tail_residuals`` gives the format.
        """
        module = self.net_.module_
        fitted = copy.deepcopy(module.state_dict())
        earlier, later = valid.halves()  # the halves of _tail_halves
        picks = []
        for half, (own, other) in enumerate([(earlier, later), (later, earlier)]):
            state = halves.best_states_.get(1 - half)
            if state is None or not len(other):
                state = fitted
            elif self.highway and not self._beats_start(other, start, state):
                state = start
            picks.append((own, state))
        calibration = self._tail_residuals(pieces, picks)
        module.load_state_dict(fitted)
        # Nothing more to pick: do not carry the weights, nor track a
        # later warm_start fit's validation rows.
        halves.groups, halves.best_states_ = None, {}
        return calibration

    def _beats_start(self, valid, start, state=None):
        """Whether the trained network (or its weights ``state``) beats its
        linear start ``start`` on ``valid`` by more than one standard error
        (:func:`~sklearn_rnn._one_se.clearly_better`).

        Neighbouring rows share ``horizon - 1`` target steps, so the loss
        differences are averaged over blocks of ``horizon`` consecutive
        rows of a series, roughly independent, before their standard error
        is taken (one-step targets of ``strategy="recursive"`` share none:
        blocks of one row).
        """
        gain = loss_gains(self.net_.module_, valid, start, state,
                          block=self._block_rows(), device=self.net_.device)
        size = 1 if self.strategy == "recursive" else self.horizon
        # One array made first, filled series by series: nothing is kept
        # per series among the freed temporaries.
        blocks = np.empty(len(gain) // size)
        n_blocks = stop = 0
        # valid's rows come series by series.
        for count in valid.counts.tolist():
            own = gain[stop: stop + count]
            stop += count
            own = own[np.isfinite(own)]
            own = own[len(own) % size:]  # whole blocks, the latest rows
            blocks[n_blocks: n_blocks + len(own) // size] = (
                own.reshape(-1, size).mean(axis=1))
            n_blocks += len(own) // size
        blocks = blocks[:n_blocks]
        if len(blocks) < 2:
            return gain.mean() > 0
        return clearly_better(blocks)

    def _block_rows(self, values=BLOCK_VALUES):
        """Windows per block of a pass without gradients (see BLOCK_VALUES),
        or of ``values`` gate values."""
        per_window = (self.window_ * _GATES[self.cell] * self.hidden_size
                      * self.num_layers)
        return max(1, values // per_window)

    def _step_rows(self):
        return self._block_rows(STEP_VALUES)

    def _batches(self, n_rows):
        return math.ceil(n_rows / self.batch_size)

    def _epochs(self, n_rows):
        """Epochs of a fit on ``n_rows`` rows: ``max_epochs``, or the step budget."""
        if self.max_epochs != "auto":
            return self.max_epochs
        return math.ceil(STEP_BUDGET / self._batches(n_rows))

    def _calibration_runs(self, pieces, valid):
        """The rows of ``valid`` whose whole future is known, as runs ``(k,
        first row, count)`` of series ``k`` (those with such rows), an int
        array ``(n_runs, 3)``."""
        first, counts = valid.first.numpy(), valid.counts.numpy()
        known = np.fromiter((len(data.y) for data in pieces), np.int64,
                            len(pieces)) - self.horizon
        counts = np.clip(np.minimum(first + counts, known) - first, 0, None)
        has = np.flatnonzero(counts)
        return np.stack([has, first[has], counts[has]], axis=1)

    def _tail_residuals(self, pieces, picks):
        """Out-of-sample errors of validation rows, target units.

        ``picks`` holds ``(valid, state)`` pairs: the rows of ``valid``
        whose whole future is known, forecast by the module holding the
        weights ``state`` (None: those it holds). Returns ``(runs,
        residuals)`` as ``_set_calibration`` takes them, each pair's rows
        after the previous pair's. The rows are counted first and their
        errors written into one array made once: nothing is kept per series
        among the freed temporaries of the forecasts.
        """
        module = self.net_.module_
        runs = [self._calibration_runs(pieces, valid) for valid, _ in picks]
        residuals = np.empty((sum(int(part[:, 2].sum()) for part in runs),
                              self.horizon))
        panel = self._series_ids is not None
        stop = 0
        for part, (_, state) in zip(runs, picks):
            if state is not None:
                module.load_state_dict(state)
            for run in part:
                k, first, count = run.tolist()
                data = pieces[k]
                truth = future_targets(data.y, self.horizon)[first: first + count]
                forecast = self._checked_forecast_rows(
                    self._with_known_leads(data.X),
                    np.arange(first, first + count), k if panel else None)
                np.subtract(truth, forecast, out=residuals[stop: stop + count])
                stop += count
        return np.concatenate(runs), residuals

    def _highway_init(self, dataset):
        """Set the linear path to the ridge regression of the targets on the windows.

        Training then starts from the best linear model (the network's head
        starts at zero), and early stopping can keep it when the network
        adds nothing. The ridge penalty is chosen by generalised
        cross-validation over a grid, as :class:`~sklearn.linear_model.RidgeCV`
        does.
        """
        if not self.highway:
            return None

        def init(module):
            self._fit_highway(module.highway, dataset)

        return init

    def _fit_highway(self, highway, dataset, network=None):
        """Set ``highway`` to the ridge regression of the targets on the windows.

        With ``network`` (a :class:`RecurrentNetwork`), of what its network
        part leaves of the targets.
        """
        device = highway.conv.weight.device
        block = self._block_rows()

        def blocks(targets):
            for start in range(0, len(dataset), block):
                index = torch.arange(start, min(start + block, len(dataset)))
                Xb, y = dataset.batch(index)
                Xb = {key: value.to(device) for key, value in Xb.items()}
                lengths = Xb.get("lengths")
                with torch.no_grad():
                    A = highway.inputs(Xb["X"], lengths)
                    if not targets:
                        y = None
                    elif network is not None:
                        network.eval()
                        y = y - network.network_output(**Xb).cpu()
                if y is not None and self.strategy == "seq2seq":
                    # The same map serves every step: fit it on the last one.
                    last = (lengths.cpu() - 1 if lengths is not None
                            else torch.full((len(y),), y.shape[1] - 1))
                    y = y[torch.arange(len(y)), last]
                yield A, y, Xb.get("series")

        if network is None:
            # The start: the best linear model by GCV, which the network
            # must clearly beat to be kept.
            highway.fit_ridge(blocks)
            return
        # The linear path kept: the most penalised one within one standard
        # error of the best. Neighbouring rows share all but one of their
        # ``horizon`` target steps (one-step targets of
        # strategy="recursive" share none), so their errors go in blocks,
        # as in _beats_start.
        highway.fit_ridge(blocks, block=1 if self.strategy == "recursive"
                          else self.horizon)

    # -- scaling and differencing ------------------------------------------

    def _fit_scaling(self, pieces, difference=None):
        """Statistics of the inputs and the target, per series; the differencing.

        One series has global statistics; each series of a panel its own
        (rows of the ``_x_mean``, ... arrays). With ``difference="auto"``, a
        panel is differenced when most of its series fail the KPSS test.
        """
        if difference is None:
            votes = [self._choose_difference(data) for data in pieces]
            difference = 2 * sum(votes) > len(votes)
        self.difference_ = bool(difference)
        # Arrays made once and filled: a tuple of small arrays per series
        # would be kept until the last series' were made.
        n_series, n_columns = len(pieces), pieces[0].X.shape[1]
        stats = (np.empty((n_series, n_columns)), np.empty((n_series, n_columns)),
                 np.empty(n_series), np.empty(n_series))
        for k, data in enumerate(pieces):
            for out, value in zip(stats, self._series_stats(data.X, data.y)):
                out[k] = value
        self._x_mean, self._x_scale, self._y_mean, self._y_scale = stats

    def _series_stats(self, X, y):
        """``(x_mean, x_scale, y_mean, y_scale)`` of one series."""
        X = self._differenced(X, None)
        # Row 0 of a differenced column has no difference: left out.
        rows = slice(1, None) if self.difference_ else slice(None)
        x_mean = X[rows].mean(axis=0)
        x_scale = nonzero_scale(X[rows].std(axis=0))
        index = self.target_index_
        if index is not None:
            # The target is its column of X, scaled alike: the training
            # targets are then read from the column (FutureTargets) and
            # recursive forecasts go back into it as they are.
            return x_mean, x_scale, x_mean[index], x_scale[index]
        return x_mean, x_scale, y.mean(), nonzero_scale(y.std())

    def _stats(self, series, X=None):
        """Scaling of series ``series`` of the fit, with the known columns' leads.

        ``series`` None: the one series fit on, or, after a panel, a series
        not seen in fit, scaled by its own rows ``X``.
        """
        if series is None and self._series_ids is None:
            series = 0
        if series is not None:
            stats = (self._x_mean[series], self._x_scale[series],
                     self._y_mean[series], self._y_scale[series])
        else:
            if self.target_index_ is None or len(X) < 2:
                raise ValueError(
                    f"{type(self).__name__} was fit on a panel, so a series it "
                    "was not fit on is scaled by its own rows, which needs at "
                    "least 2 of them and its target as a column of X. Got "
                    f"{len(X)} row(s) instead; forecast the fitted series by "
                    "their ids."
                )
            X = X[:, :self.n_features_in_]  # without the known columns' leads
            stats = self._series_stats(X, X[:, self.target_index_])
        x_mean, x_scale, y_mean, y_scale = stats
        if self._known:
            x_mean = np.concatenate([x_mean, x_mean[self._known]])
            x_scale = np.concatenate([x_scale, x_scale[self._known]])
        return x_mean, x_scale, y_mean, y_scale

    def _choose_difference(self, data):
        if self.difference != "auto":
            return bool(self.difference)
        y = data.y
        if data.target_index is None or len(y) < 3 or np.ptp(y) == 0:
            return False
        return kpss(y)[1] < KPSS_LEVEL

    def _differenced(self, X, previous, x_mean=None):
        """``X`` with the target column replaced by its first differences.

        ``previous`` is the row before ``X`` (None at the series' start,
        whose row 0 then gets ``x_mean``'s mean difference: zero once
        standardised).
        """
        if not self.difference_:
            return X
        index = self.target_index_
        X = X.copy()
        column = X[:, index].copy()
        before = (column[:1] if previous is None
                  else np.asarray(previous)[None, index])
        X[:, index] = np.diff(column, prepend=before)
        if previous is None and x_mean is not None:
            X[0, index] = x_mean[index]
        return X

    def _unscaled(self, scaled, X, rows, stats):
        """Forecasts in target units from the network's units."""
        _, _, y_mean, y_scale = stats
        if not self.difference_:
            return scaled * y_scale + y_mean
        if self.strategy == "recursive":
            # One-step changes, accumulated from the origin.
            scaled = np.cumsum(scaled, axis=1)
        ahead = np.arange(1, self.horizon + 1)
        last = X[rows, self.target_index_][:, None]
        return last + ahead * y_mean + scaled * y_scale

    def _normalized_target(self):
        # Differences carry no level: per-window normalisation rescales the
        # inputs only, and the forecast of a change is not shifted back.
        return None if self.difference_ else self.target_index_

    def _standardised(self, X, previous, stats):
        """``X`` differenced (when fit so) and standardised by ``stats``."""
        x_mean, x_scale, _, _ = stats
        return (self._differenced(X, previous, x_mean) - x_mean) / x_scale

    def _forecast_rows(self, X, rows):
        return self._forecast_series_rows(X, rows, None)

    def _forecast_series_rows(self, X, rows, series):
        stats = self._stats(series, X)
        # The series' embedding: its position in the fit (one series: 0), -1
        # for a series the fit did not see.
        code = (series if series is not None
                else 0 if self._series_ids is None else -1)
        # Only the history the rows see is standardised: forecast() on a
        # long series touches its last window, not the whole series.
        start = max(0, int(rows[0]) - self.window_ + 1)
        previous = X[start - 1] if start > 0 else None
        if len(rows) == 1 and self.strategy != "recursive":
            # One window (forecast()) is cut straight from the series, at its
            # own length: alone in its batch, a short history needs no
            # padding, and the windowing machinery of longer blocks is skipped.
            history = self._standardised(X[start: int(rows[0]) + 1], previous, stats)
            windows = torch.from_numpy(history.astype(np.float32))[None]
            scaled = self._step(windows, torch.tensor([len(history)]), code)
            return self._unscaled(scaled, X, rows, stats)
        series = PaddedSeries(
            self._standardised(X[start: int(rows[-1]) + 1], previous, stats),
            self.window_)
        local = rows - start
        # Rows before the first full window see a shorter history. Forecast
        # apart, they leave every other block free of padding, the module's
        # fast path; blocks bound the memory of gathered windows on long
        # series.
        split = int(np.searchsorted(local, series.first_full_row))
        block = self._block_rows()
        bounds = [*range(0, split, block), *range(split, len(local), block),
                  len(local)]
        local = torch.as_tensor(local, dtype=torch.int64)
        scaled = None
        for a, b in zip(bounds[:-1], bounds[1:]):
            part = self._forecast_windows(*series.windows(local[a:b]), code)
            if scaled is None:
                # Filled block by block, as in sample_losses: no array kept
                # per block among the block's freed activations.
                scaled = np.empty((len(local), *part.shape[1:]), part.dtype)
            scaled[a:b] = part
        return self._unscaled(scaled, X, rows, stats)

    def _forecast_windows(self, windows, lengths, series):
        """Forecasts in the network's units from right-aligned windows, (n, horizon)."""
        if self.strategy != "recursive":
            return self._step(windows, lengths, series)
        target = self.target_index_
        forecasts = []
        for _ in range(self.horizon):
            y_next = self._step(windows, lengths, series)[:, 0]
            forecasts.append(y_next)
            # Drop each window's oldest row and append the forecast. The target
            # is X's column, so X's and y's standardisations are the same and
            # the forecast goes in as it is.
            windows = torch.cat([windows[:, 1:], windows[:, -1:]], dim=1)
            windows[:, -1, target] = torch.as_tensor(y_next, dtype=windows.dtype)
            lengths = torch.clamp(lengths + 1, max=self.window_)
        return np.stack(forecasts, axis=1)

    def _step(self, windows, lengths, series):
        """One pass of the network over windows of series ``series``, in the
        network's units."""
        Xb, loc, scale = prepare_windows(windows, lengths, self.normalize,
                                         self._normalized_target())
        if self._reads_series():
            Xb["series"] = torch.full((len(windows),), series, dtype=torch.int64)
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
    recurrent network beside a linear path (a ridge regression on the
    window); the series is standardised with training statistics and, when
    a KPSS test finds it non-stationary, the target is differenced. Give
    the seasonal period ``sp``: it sets the window.
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
    >>> model = GRUForecaster(sp=12, horizon=3, random_state=0).fit(y[:-12])
    >>> model.predict(y).shape
    (144, 3)
    >>> model.forecast(y).index[0]
    Timestamp('1961-01-01 00:00:00')

    One network for a panel of series (a (series id, time) ``MultiIndex``),
    and a covariate known ahead, whose next values ``forecast`` takes:

    >>> import pandas as pd
    >>> panel = pd.concat({"a": y, "b": 2 * y[24:]}, names=["series", "month"])
    >>> model = GRUForecaster(sp=12, horizon=3, random_state=0).fit(panel)
    >>> model.forecast(panel).index.tolist()[2:4]
    [('a', Timestamp('1961-03-01 00:00:00')), ('b', Timestamp('1961-01-01 00:00:00'))]
    >>> X = pd.DataFrame({"passengers": y,
    ...                   "summer": y.index.month.isin([6, 7, 8]).astype(float)})
    >>> model = GRUForecaster(sp=12, horizon=3, known=["summer"],
    ...                       random_state=0).fit(X[:-3])
    >>> model.forecast(X[:-3], X_future=X[-3:][["summer"]]).index[0]
    Timestamp('1960-10-01 00:00:00')
    """

    def __init__(self, *, window="auto", sp=1, horizon=1, strategy="direct",
                 loss_steps=None, normalize=None, difference="auto", highway="series",
                 target=0, known=None, series_embedding=None, cell="gru",
                 hidden_size=32,
                 num_layers=1, dropout=0.0, layer_norm=False, nonlinearity="tanh",
                 clip_grad_norm=1.0, optimizer="adam", lr=5e-3, weight_decay=0.0,
                 lr_schedule=None, batch_size=32, max_epochs="auto",
                 early_stopping=True, validation_fraction=0.2, patience=10,
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
        self.sp = sp
        self.horizon = horizon
        self.strategy = strategy
        self.loss_steps = loss_steps
        self.normalize = normalize
        self.difference = difference
        self.highway = highway
        self.target = target
        self.known = known
        self.series_embedding = series_embedding


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
    >>> model = ConvGRUForecaster(sp=12, random_state=0).fit(y)
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

    def __init__(self, *, window="auto", sp=1, horizon=1, strategy="direct",
                 loss_steps=None, normalize=None, difference="auto", highway="series",
                 target=0, known=None, series_embedding=None, conv_channels=16,
                 kernel_size=3,
                 stride=1, cell="gru", hidden_size=32, num_layers=1, dropout=0.0,
                 layer_norm=False, nonlinearity="tanh", clip_grad_norm=1.0,
                 optimizer="adam", lr=5e-3, weight_decay=0.0, lr_schedule=None,
                 batch_size=32, max_epochs="auto", early_stopping=True,
                 validation_fraction=0.2, patience=10, random_state=None,
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
        self.sp = sp
        self.horizon = horizon
        self.strategy = strategy
        self.loss_steps = loss_steps
        self.normalize = normalize
        self.difference = difference
        self.highway = highway
        self.target = target
        self.known = known
        self.series_embedding = series_embedding
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

