"""Shared parameter text, substituted into estimator docstrings.

One source for the parameters every recurrent estimator has, so their
documentation cannot drift apart. Class docstrings write ``{network}``,
``{training}`` and ``{fitted}`` (and sequence estimators ``{sequence}``)
where the blocks belong.
"""

_NETWORK = """cell : {{"rnn", "lstm", "gru"}}, default="{cell}"
        Recurrent cell. Every estimator accepts every cell, so a grid search
        can compare them.

    hidden_size : int, default={hidden_size}
        Units in each recurrent layer.

    num_layers : int, default=1
        Stacked recurrent layers.

    dropout : float in [0, 1), default=0.0
        Dropout between stacked layers and before the output layer.

    layer_norm : bool, default=False
        Use layer-normalised cells (Ba et al., 2016): each pre-activation is
        normalised, which keeps gradients of long simple-RNN chains in range.
        These cells run as a Python loop over time steps, several times
        slower than the fused cuDNN/oneDNN kernels used otherwise.

    nonlinearity : {{"tanh", "relu"}}, default="tanh"
        Activation of the simple RNN cell (``cell="rnn"`` only)."""

_SEQUENCE = """bidirectional : bool, default=False
        Read each sequence in both directions and join the two summaries.

    embedding_dim : int, "auto" or None, default="auto"
        Size of the embedding that reads token ids (text from
        :class:`~sklearn_rnn.TextToSequences`). ``"auto"`` embeds with 32
        dimensions when ``X`` in ``fit`` is token ids: a list of integer arrays
        with one feature, or a 3-D integer array with one feature (2-D integer
        arrays are always read as numbers). An int always embeds (``X`` must
        then hold non-negative whole numbers, one per step); None never does.
        Token ids are not standardised; id 0 at the start or end of a sequence
        is padding, and ids larger than any seen in ``fit`` are read as the
        unknown id 1.

    conv_channels : int or None, default=32
        Channels of the convolutional front end: ``conv_layers`` blocks of
        ``Conv1d -> BatchNorm -> ReLU -> MaxPool`` over time that extract
        local patterns and shorten long sequences before the recurrent cell,
        whose memory is short (the FCN/LSTM-FCN recipe). None feeds the
        steps to the cell directly. Padding never reaches the network: each
        sequence's length shrinks with the stride and the pooling (at least
        one step is left), and batch statistics come from real steps only.

    conv_layers : int, default=3
        Convolution blocks of the front end.

    kernel_size : int, default=7
        Time steps each convolution output sees (centred on its step).

    stride : int, default=1
        Step between convolution outputs; above 1 it shortens every
        sequence ``stride``-fold in each block. Per-step targets (``y``
        with a time axis) need 1.

    pool_size : int or "auto", default="auto"
        Max-pooling factor after each block. ``"auto"`` picks, from the
        longest training sequence, the smallest factor that brings it to at
        most 64 steps at the cell, and pools only in the blocks it is still
        longer than that when it reaches them: sequences of at most 64 steps
        are not pooled. An int pools in every block (1: never). Per-step
        targets are never pooled.

    pooling : {{"last", "mean", "max", "meanmax", "attention"}}, \
default="meanmax"
        How the cell's outputs become one vector per sequence (per-sequence
        targets): ``"last"`` the final state (the classic sequence-to-vector
        reading), ``"mean"`` or ``"max"`` over every real step, ``"meanmax"``
        both side by side, ``"attention"`` a mean weighted by a learned score
        of each step. Padding steps are left out of all of them.

    normalize : {{"both", "standard"}} or None, default="both"
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

_TRAINING = """clip_grad_norm : float or None, default=1.0
        Clip the gradient's global L2 norm to this value each step; None
        turns clipping off. The norm before clipping is recorded in
        ``history_`` either way.

    optimizer : {{"adam", "adamw", "sgd", "rmsprop"}}, default="adam"
        Optimizer from ``torch.optim``. Adam, AdamW and SGD run torch's
        fused implementation (``fused=True``: one kernel updates every
        parameter; the same update rule as the default implementation).

    lr : float, default={lr}
        Learning rate. A rate too large makes training diverge: ``fit`` then
        stops, keeps the best finite weights and warns with a
        :class:`~sklearn_rnn.exceptions.DivergenceWarning` (whose
        documentation states the rule).

    weight_decay : float, default=0.0
        L2 penalty (decoupled for ``"adamw"``).

    lr_schedule : {{"onecycle", "cosine", "plateau"}} or None, \
default={lr_schedule}
        ``"onecycle"`` warms the learning rate up from ``lr / 25`` to ``lr``
        over the first 30% of the optimizer steps and anneals it to nearly
        zero over the rest (cosine curves, updated every step);
        ``"cosine"`` anneals it to zero over ``max_epochs``; ``"plateau"``
        halves it when the monitored loss stops improving; None keeps it.

    batch_size : int, default={batch_size}
        Samples per mini-batch.

    max_epochs : int or "auto", default={max_epochs}
        Passes over the training data. ``"auto"`` trains for about 1,000
        optimizer steps, as many epochs as that takes: small data sets (a
        few batches an epoch) get enough steps, large ones a capped cost.

    early_stopping : bool, default=False
        Stop when the validation loss has not improved for ``patience``
        epochs and restore the best weights. The validation set is the
        time-ordered tail of the training data, never a random subset.

    validation_fraction : float in (0, 1), default=0.1
        Fraction of the training data held out as the validation tail when
        ``early_stopping=True``.

    patience : int, default=10
        Epochs without improvement before early stopping.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and dropout. With an int, two
        fits on CPU give identical predictions. The global torch random
        state is left untouched.

    device : {{"cpu", "cuda", "auto"}}, default="cpu"
        Where to train and predict. ``"auto"`` takes a CUDA GPU when torch
        sees one.

    verbose : int, default=0
        0 is silent. 1 shows the epoch, losses, gradient norm and time: on
        one line rewritten in place when standard output is a terminal,
        else as plain lines, at most about 20 per fit. 2 prints skorch's
        table, a row per epoch.

    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks, copied at each ``fit``.

    warm_start : bool, default=False
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
        interruption, the epoch whose weights were kept (0: the weights the
        fit started with)."""


def fill_doc(**defaults):
    """Class decorator substituting the shared blocks into ``__doc__``."""

    def decorate(cls):
        values = {"hidden_size": "32", "lr_schedule": "None", **defaults}
        blocks = {
            "network": _NETWORK.format(**values),
            "sequence": _SEQUENCE.format(**values),
            "training": _TRAINING.format(**values),
            "fitted": _FITTED,
        }
        doc = cls.__doc__
        for name, text in blocks.items():
            doc = doc.replace("{" + name + "}", text)
        cls.__doc__ = doc
        return cls

    return decorate
