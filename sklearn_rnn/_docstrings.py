"""Shared docstring text, substituted into estimator docstrings.

One source for the parameters every recurrent estimator (or every
forecaster) has, so their documentation cannot drift apart. A class
docstring writes ``{network}``, ``{training}`` and ``{fitted}`` (sequence
estimators ``{sequence}``, forecasters ``{forecaster}``,
``{forecaster_attributes}`` and ``{forecaster_notes}``) where the blocks belong, and :func:`fill_doc` puts
them in with each parameter's default read from the class's ``__init__``
signature, so a documented default is always the real one.
"""

import inspect

__all__ = ["SCORER_PARAMETERS", "fill_doc", "format_default"]

# The parameters of a forecaster scorer, ``scorer(estimator, X, y=None)``
# (skill_scorer, interval_scorer), ahead of their own Returns section.
SCORER_PARAMETERS = """Parameters
----------
estimator : fitted forecaster
    Any forecaster of the package.
X : array-like or pandas object
    Rows to forecast, continuing or replacing the training rows, as
    ``predict`` takes them.
y : array-like of shape (n_timesteps,), default=None
    The target series; by default the target column of ``X``, as in
    ``fit`` and ``score``.
"""

_NETWORK = """cell : {{"rnn", "lstm", "gru"}}, default={cell}
        Recurrent cell. Every estimator accepts every cell, so a grid search
        can compare them.

    hidden_size : int, default={hidden_size}
        Units in each recurrent layer.

    num_layers : int, default={num_layers}
        Stacked recurrent layers.

    dropout : float in [0, 1), default={dropout}
        Dropout between stacked layers and before the output layer.

    layer_norm : bool, default={layer_norm}
        Use layer-normalised cells (Ba et al., 2016): each pre-activation is
        normalised, which keeps gradients of long simple-RNN chains in range.
        These cells run as a Python loop over time steps, several times
        slower than the fused cuDNN/oneDNN kernels used otherwise.

    nonlinearity : {{"tanh", "relu"}}, default={nonlinearity}
        Activation of the simple RNN cell (``cell="rnn"`` only)."""

_SEQUENCE = """bidirectional : bool, default={bidirectional}
        Read each sequence in both directions and join the two summaries.

    embedding_dim : int, "auto" or None, default={embedding_dim}
        Size of the embedding that reads token ids (text from
        :class:`~sklearn_rnn.TextToSequences`). ``"auto"`` embeds with 32
        dimensions when ``X`` in ``fit`` is token ids: a list of integer arrays
        with one feature, or a 3-D integer array with one feature (2-D integer
        arrays are always read as numbers). An int always embeds (``X`` must
        then hold non-negative whole numbers, one per step); None never does.
        Token ids are not standardised; id 0 at the start or end of a sequence
        is padding, and ids larger than any seen in ``fit`` are read as the
        unknown id 1.

    conv_channels : int or None, default={conv_channels}
        Channels of the convolutional front end: ``conv_layers`` blocks of
        ``Conv1d -> BatchNorm -> ReLU -> MaxPool`` over time that extract
        local patterns and shorten long sequences before the recurrent cell,
        whose memory is short (the FCN/LSTM-FCN recipe). None feeds the
        steps to the cell directly. Padding never reaches the network: each
        sequence's length shrinks with the stride and the pooling (at least
        one step is left), and batch statistics come from real steps only.

    conv_layers : int, default={conv_layers}
        Convolution blocks of the front end.

    kernel_size : int, default={kernel_size}
        Time steps each convolution output sees (centred on its step).

    stride : int, default={stride}
        Step between convolution outputs; above 1 it shortens every
        sequence ``stride``-fold in each block. Per-step targets (``y``
        with a time axis) need 1.

    pool_size : int or "auto", default={pool_size}
        Max-pooling factor after each block. ``"auto"`` picks, from the
        longest training sequence, the smallest factor that brings it to at
        most 64 steps at the cell, and pools only in the blocks it is still
        longer than that when it reaches them: sequences of at most 64 steps
        are not pooled. An int pools in every block (1: never). Per-step
        targets are never pooled.

    pooling : {{"last", "mean", "max", "meanmax", "attention"}}, \
default={pooling}
        How the cell's outputs become one vector per sequence (per-sequence
        targets): ``"last"`` the final state (the classic sequence-to-vector
        reading), ``"mean"`` or ``"max"`` over every real step, ``"meanmax"``
        both side by side, ``"attention"`` a mean weighted by a learned score
        of each step. Padding steps are left out of all of them.

    normalize : {{"both", "standard"}} or None, default={normalize}
        ``"standard"`` standardises each sequence by its own mean and
        standard deviation (per feature, over its real steps), so the
        network compares shapes at one scale; the mean and the log standard
        deviation it took out (standardised with training statistics) join
        the readout. ``"both"`` feeds each feature twice: standardised per
        sequence as with ``"standard"``, and standardised with the training
        statistics, so a sequence's shape and its level both count (per
        sequence alone, a network can overfit shapes where the level
        decides). None standardises with the training statistics only.
        Token ids are never scaled."""

_TRAINING = """clip_grad_norm : float or None, default={clip_grad_norm}
        Clip the gradient's global L2 norm to this value each step; None
        turns clipping off. The norm before clipping is recorded in
        ``history_`` either way.

    optimizer : {{"adam", "adamw", "sgd", "rmsprop"}}, default={optimizer}
        Optimizer from ``torch.optim``. Adam, AdamW and SGD run torch's
        fused implementation (``fused=True``: one kernel updates every
        parameter; the same update rule as the default implementation).

    lr : float, default={lr}
        Learning rate. A rate too large makes training diverge: ``fit`` then
        stops, keeps the best finite weights and warns with a
        :class:`~sklearn_rnn.exceptions.DivergenceWarning` (whose
        documentation states the rule).

    weight_decay : float, default={weight_decay}
        L2 penalty (decoupled for ``"adamw"``).

    lr_schedule : {{"onecycle", "cosine", "plateau"}} or None, \
default={lr_schedule}
        ``"onecycle"`` warms the learning rate up from ``lr / 25`` to ``lr``
        over the first 30% of the optimizer steps and anneals it to nearly
        zero over the rest (cosine curves, updated every step; each fit runs
        a whole cycle); ``"cosine"`` anneals it to zero over ``max_epochs``;
        ``"plateau"`` halves it when the monitored loss stops improving; None
        keeps it.

    batch_size : int, default={batch_size}
        Samples per mini-batch.

    max_epochs : {max_epochs_type}, default={max_epochs}
        Passes over the training data.{max_epochs_auto}

    early_stopping : bool, default={early_stopping}
        Hold out a validation set, stop when its loss has not improved for
        ``patience`` epochs and restore the weights of the epoch with the
        lowest validation loss. {validation_set}

    validation_fraction : float in (0, 1), default={validation_fraction}
        Fraction of the training data held out for validation when
        ``early_stopping=True``.

    patience : int or None, default={patience}
        Epochs without improvement before early stopping. None never stops
        early: every epoch of ``max_epochs`` runs and the best epoch's
        weights are kept (the best checkpoint of the whole schedule). A
        learning-rate schedule that warms up, such as ``"onecycle"``, raises
        the loss for a while before annealing lowers it, and on a small
        validation set the loss jumps from epoch to epoch: an integer
        ``patience`` may then stop in the warm-up. With
        ``lr_schedule="plateau"``, None halves the rate after 5 epochs
        without improvement.

    random_state : int, RandomState instance or None, default={random_state}
        Seeds weight initialisation, shuffling and dropout. With an int, two
        fits on CPU give identical predictions. The global torch random
        state is left untouched.

    device : {{"cpu", "cuda", "auto"}}, default={device}
        Where to train and predict. ``"auto"`` takes a CUDA GPU when torch
        sees one.

    verbose : int, default={verbose}
        0 is silent. 1 shows the epoch, losses, gradient norm and time: on
        one line rewritten in place when standard output is a terminal,
        else as plain lines, at most about 20 per fit. 2 prints skorch's
        table, a row per epoch.

    callbacks : list of skorch callbacks or (name, callback) tuples, default={callbacks}
        Extra skorch callbacks, copied at each ``fit``.

    warm_start : bool, default={warm_start}
        Continue training the fitted network on the next ``fit`` instead of
        starting again, with the current ``lr`` and ``max_epochs`` (other
        parameters keep the values the network was built with)."""

_FITTED = """net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module.

    history_ : skorch.History
        Per epoch: ``train_loss``, ``valid_loss`` (with early stopping),
        ``grad_norm`` (mean gradient norm before clipping) and ``dur``
        (seconds). Index it like ``history_[:, "train_loss"]``.

    n_iter_ : int
        Epochs trained, counting earlier fits with ``warm_start``.

    best_epoch_ : int
        The epoch (1-based) with the lowest validation loss, or the lowest
        training loss without early stopping. After a divergence or an
        interruption, or when the linear path's start was kept (see
        ``highway``), the epoch whose weights were kept (0: the weights the
        fit started with)."""

_FORECASTER = """
    Parameters
    ----------
    window : int or "auto", default={window}
        Steps of history the network sees: row ``t`` of ``predict`` is
        forecast from rows ``t-window ... t-1`` (fewer near the start of the
        series). ``"auto"`` is three seasons, ``3 * sp``, clipped to
        ``[8, 48]``: long enough to see a season repeat, short enough that a
        short quarterly or yearly series keeps most of its rows for training.

    sp : int, default={sp}
        Seasonal period in time steps (12 for monthly data with a yearly
        cycle, 4 for quarterly), as in :class:`~sklearn_rnn.NaiveForecaster`;
        it sets ``window="auto"`` and the changes that scale the forecast
        intervals (over whole seasons, see :doc:`/intervals`).

    horizon : int, default={horizon}
        Steps forecast: row ``t`` of ``predict`` forecasts ``y[t] ...
        y[t+horizon-1]``; ``predict`` returns ``(n_timesteps, horizon)``, or
        ``(n_timesteps,)`` when ``horizon == 1``.

    strategy : {{"direct", "recursive", "seq2seq"}}, default={strategy}
        - ``"direct"``: the head emits all ``horizon`` steps at once.
        - ``"recursive"``: a one-step network fed its own forecasts
          ``horizon`` times. Needs ``X`` to be the target alone: other
          columns' future is unknown, and rather than hold them constant
          silently, ``fit`` raises an error.
        - ``"seq2seq"``: the network emits the next ``horizon`` values at
          every step of the window and is trained on the last ``loss_steps``
          outputs of each window; every target comes from inside the data.

    loss_steps : int or None, default={loss_steps}
        With ``strategy="seq2seq"``, how many of the last outputs of each
        window enter the loss; None means all ``window`` of them.

    normalize : {{"standard", "last"}} or None, default={normalize}
        Scale each window by its own statistics before the network and undo
        it after: ``"standard"`` subtracts the window's mean and divides by its
        standard deviation (per column), ``"last"`` subtracts the last value.
        When the target is a column of ``X`` and not differenced, its
        forecast is made in the window's units and scaled back; otherwise
        only the inputs are normalised. None uses the training statistics
        only: every column is standardised with its mean and standard
        deviation over the training series, which keeps each window's level,
        information a per-window scaling throws away.

    difference : "auto" or bool, default={difference}
        Forecast the target's changes rather than its level: the network
        reads the target's first differences and forecasts, ``h`` steps
        ahead, the change since the last known value (less ``h`` mean
        differences, so a zero output is a random walk with drift), which
        reaches levels never seen in training. ``"auto"`` differences when a
        KPSS test rejects that the target is level-stationary at the 5%
        level; True always; False never. Needs the target to be a column of
        ``X`` (``"auto"`` does not difference otherwise). ``difference_``
        holds the choice.

    highway : "series" or bool, default={highway}
        Add a linear path from the window to the forecast beside the network
        (the "highway" of LSTNet, Lai et al., 2018). It starts as the ridge
        regression of the training targets on the windows (the penalty by
        generalised cross-validation) and the network's output layer starts
        at zero, so training starts from the best linear autoregressive
        model and the network learns what it misses. On a panel,
        ``"series"`` gives each series its own linear path, the one network
        staying shared (a global-local model): the shared map plus a
        correction per series, ridge-fit to what the shared map leaves of
        that series, with one penalty for all series chosen by generalised
        cross-validation, so that short or alike series stay near the
        shared map; a series not seen in fit reads the shared map. True
        shares one linear path across the panel. On one series the two are
        the same.

    target : int or str, default={target}
        The column of ``X`` to forecast when ``y`` is omitted: a position, or a
        name for a DataFrame.

    known : str, int or list of them, default={known}
        Columns of ``X`` whose future is known ahead (calendar, plans,
        prices set in advance): the network also reads each of them
        ``horizon`` steps ahead of every row, so a forecast sees them over
        its forecast steps (all of them when ``window >= horizon``), while
        the other columns are read only before the forecast origin.
        ``forecast(X, X_future)`` takes their values over the next
        ``horizon`` steps. The last ``horizon - 1`` rows of ``predict``
        need values past the end of ``X`` and are NaN. Not with
        ``strategy="recursive"``. None: no column is known ahead.

    series_embedding : int, default={series_embedding}
        With a panel, the size of a learned vector per series (an embedding
        of the series id) that the network reads beside every input step,
        so it can tell the series apart; a series the fit did not see gets
        the mean vector. None: the network sees only the values, as for one
        series.
"""

_FORECASTER_NOTES = """
    ``X`` is one series: ``(n_timesteps,)`` or ``(n_timesteps, n_channels)``,
    rows equally spaced and in time order (pandas welcome); the columns are
    what the network sees, so the target's own past is an input whenever it
    is a column of ``X``. ``fit`` trains on every row whose whole horizon
    lies in the data, so no target reaches past the data it was given and a
    :class:`~sklearn.model_selection.TimeSeriesSplit` fold cannot leak. With
    ``early_stopping``, the validation rows are the last ones, after a gap of
    ``horizon`` rows so no target step is shared with training. The
    network keeps its best epoch, or its linear start (``best_epoch_`` 0)
    unless that epoch beats it on the validation rows by more than one
    standard error of the difference (a smaller gain is chance); their
    forecast errors
    are kept (``calibration_residuals_``), and the linear path (with
    ``highway``) is then fit again on every row, the network's output held
    fixed, so the most recent rows shape the forecast too; its penalty is
    then the largest whose leave-one-out error is within one standard
    error of the least (errors in blocks of ``horizon`` rows, which share
    target steps): of the linear paths that fit as well, the simplest.

    Row ``t`` of ``predict(X)`` forecasts ``y[t] ... y[t+horizon-1]`` from
    the rows before ``t``, so ``predict(X)[t] == forecast(X[:t])``; row 0
    gets the training mean of the target, unless ``X`` is a pandas object
    whose index continues the training series (then the training end is its
    history). ``score`` is the skill against the naive last-value forecast,
    ``1 - MSE(model) / MSE(naive)``; positive means better than naive.
    ``forecast(X)`` returns the out-of-sample forecast of the steps after
    the last row, labelled when ``X`` has a date, period or integer index.
    Changing ``horizon``, ``window``, ``strategy``, ``target`` or the
    network's shape after ``fit`` needs a new ``fit``.

    ``X`` may also be a panel of many series (a pandas object with a (series
    id, time) ``MultiIndex``, or a list of series): one network is trained
    on the windows of every series (no window crosses two), each series
    standardised by its own training statistics, and ``predict``,
    ``forecast`` and ``score`` answer in the panel's layout; see
    :doc:`/panels`. A batch whose activations exceed a bound (``2**19``
    gate values: 227 windows of 24 steps for a 32-unit GRU) is trained in
    slices, their gradients summed: the step of the whole batch, up to
    float rounding, in the memory of one slice.
"""


_FORECASTER_ATTRIBUTES = """n_features_in_ : int
        Columns (channels) of ``X``.

    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``, when they are strings.

    target_index_ : int or None
        Column of ``X`` holding the target; None when ``y`` was passed and is
        not a column of ``X``.

    window_ : int
        The window used: ``window``, or the one ``"auto"`` chose.

    difference_ : bool
        Whether the target is differenced (see ``difference``).

    calibration_residuals_ : ndarray of shape (n_tail_rows, horizon) or None
        With ``early_stopping``: the out-of-sample errors, in the target's
        units, of the forecasts of the validation rows by the network that
        was trained without them, ``y[t+h] - forecast``, a row per
        validation row whose whole horizon is known and a column per step
        ``h``; forecast intervals are calibrated on them. They are the
        errors of the model before its linear path is fit again on every
        row (see Notes), while forecasts come from the refit model: the
        intervals are calibrated on the pre-refit model's residuals. As the
        validation rows also pick the epoch and the network over its linear
        start, each half of every series' validation rows is forecast by
        the model that the other half picks (by the same rules, from the
        same training run), so no residual comes from the model its own row
        chose. None
        without early stopping (or after a ``warm_start`` fit), whose
        network saw every row.

    calibration_scales_ : ndarray of shape (n_tail_rows, horizon) or None
        The local scale of the series at the origin of each of those
        forecasts (the mean absolute change of the target over the step's
        lag in the 24 steps before it; with ``sp > 1``, over whole seasons
        and about their mean, the recent growth of a year left out), which
        the intervals divide the residuals by; a forecast's interval is the
        conformal quantile of those ratios times the scale at its own
        origin.

    """ + _FITTED


def format_default(value):
    """A default as numpydoc writes it: ``"text"`` for strings, else ``repr``."""
    return f'"{value}"' if isinstance(value, str) else repr(value)


def fill_doc(cls):
    """Class decorator substituting the shared blocks into ``cls.__doc__``."""
    defaults = {
        name: format_default(parameter.default)
        for name, parameter in inspect.signature(cls.__init__).parameters.items()
        if parameter.default is not parameter.empty
    }
    auto = defaults.get("max_epochs") == '"auto"'
    defaults["max_epochs_type"] = 'int or "auto"' if auto else "int"
    defaults["validation_set"] = cls._validation_set_doc
    steps = cls._auto_steps
    defaults["max_epochs_auto"] = (
        f' ``"auto"`` trains for about {steps:,} optimizer steps\n'
        f"        (``ceil({steps} / batches per epoch)`` epochs): enough for "
        "small data,\n        bounded for large." if auto else "")
    blocks = {
        # (template, how the filled block is trimmed)
        "forecaster_notes": (_FORECASTER_NOTES, str.strip),
        "forecaster_attributes": (_FORECASTER_ATTRIBUTES, None),
        "forecaster": (_FORECASTER, lambda text: text.rstrip() + "\n"),
        "network": (_NETWORK, None),
        "sequence": (_SEQUENCE, None),
        "training": (_TRAINING, None),
        "fitted": (_FITTED, None),
    }
    doc = cls.__doc__
    for name, (template, trim) in blocks.items():
        if "{" + name + "}" in doc:
            text = template.format(**defaults)
            doc = doc.replace("{" + name + "}", trim(text) if trim else text)
    cls.__doc__ = doc
    return cls
