"""Sequence estimators: one sample is one sequence.

Input handling shared by :class:`~sklearn_rnn.RNNRegressor` and
:class:`~sklearn_rnn.LSTMClassifier`: validation, per-feature
standardisation with training statistics (or token ids for an embedding),
and the tensor dataset.
"""

import copy
from numbers import Integral

import numpy as np
import torch
from sklearn.base import is_classifier
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import PREDICT_BATCH_SIZE, BaseRecurrent
from ._datasets import RandomSplit, SequenceDataset
from ._one_se import clearly_better, loss_gains
from ._scaling import nonzero_scale
from ._tokens import PADDING_ID, UNKNOWN_ID
from ._validation import (
    _is_sequence_list,
    check_seed,
    check_sequences,
    roll_steps,
)

# The embedding size that embedding_dim="auto" gives detected token ids.
AUTO_EMBEDDING_DIM = 32
# pool_size="auto" pools until at most this many steps reach the cell: long
# enough to keep a sequence's shape, short enough for a recurrent memory.
MAX_CELL_STEPS = 64
# The linear path (highway=True) reads at most this many last steps: the
# recent past that a linear model of a sequence's continuation reads most,
# not a weight for every step, which a ridge fit on a few dozen sequences
# would overfit (the network then learns little beside it).
HIGHWAY_STEPS = 8


class BaseSequenceEstimator(BaseRecurrent):
    """Base of estimators whose samples are whole sequences."""

    _validation_set_doc = """The validation set is a
        random subset of the training sequences (drawn from
        ``random_state``; stratified by class for a classifier): samples
        are independent sequences, and data sorted by label would leave a
        tail of one kind."""

    _parameter_constraints: dict = {
        **BaseRecurrent._parameter_constraints,
        "bidirectional": ["boolean"],
        "embedding_dim": [
            Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None,
        ],
        "conv_channels": [Interval(Integral, 1, None, closed="left"), None],
        "conv_layers": [Interval(Integral, 1, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "pool_size": [Interval(Integral, 1, None, closed="left"),
                      StrOptions({"auto"})],
        "pooling": [StrOptions({"last", "mean", "max", "meanmax", "attention"})],
        "normalize": [StrOptions({"standard", "both"}), None],
    }

    def _module_params(self):
        params = {**super()._module_params(), "bidirectional": self.bidirectional,
                  "pooling": self.pooling}
        if self.embedding_dim_ is not None:
            params.update(num_embeddings=self._num_embeddings,
                          embedding_dim=self.embedding_dim_)
        if self.conv_channels is not None:
            params.update(
                conv_channels=self.conv_channels, conv_layers=self.conv_layers,
                kernel_size=self.kernel_size, stride=self.stride,
                conv_norm=True, causal=False,
                pool_size=self._pool_sizes(self._n_steps_fit),
            )
        if self._stats_mean is not None:
            params["n_stats"] = len(self._stats_mean)
        return params

    def _pool_sizes(self, n_steps):
        """Each conv block's pooling factor for sequences of ``n_steps``.

        ``pool_size="auto"`` takes the smallest factor that, pooling after
        every block, brings ``n_steps`` to at most ``MAX_CELL_STEPS``, and
        pools only in the blocks the sequence is still longer than that
        when it reaches: short sequences pass through unpooled.
        """
        if self.pool_size != "auto":
            return self.pool_size

        def after_stride(steps):
            return -(-steps // self.stride)

        factor = 2
        while True:
            steps = n_steps
            for _ in range(self.conv_layers):
                steps = -(-after_stride(steps) // factor)
            if steps <= MAX_CELL_STEPS:
                break
            factor += 1
        sizes, steps = [], n_steps
        for _ in range(self.conv_layers):
            steps = after_stride(steps)
            sizes.append(factor if steps > MAX_CELL_STEPS else 1)
            steps = -(-steps // sizes[-1])
        return tuple(sizes)

    def _train_split(self, seed):
        """A random validation subset, stratified by class for classifiers
        (:class:`~sklearn_rnn._datasets.RandomSplit`): samples are
        independent sequences, and a data set sorted by class would leave
        a tail of one class."""
        return RandomSplit(self.validation_fraction, seed,
                           stratify=is_classifier(self))

    def _fit_sequences(self, dataset, *, output_size, head, criterion,
                       highway=False):
        """Train on ``dataset``; a per-step head keeps every step's output.

        With ``highway`` (numeric sequences, one output per sequence), a
        linear path from the last steps of each sequence, started at the
        ridge regression of the targets (:func:`_ridge_start`), joins the
        network's output. With early stopping too, the start is the ridge
        of the training samples, and the trained network is kept only when
        it beats that start on the validation samples by more than one
        standard error (:meth:`_beats_start`); otherwise the start is kept.
        Either way the linear path is then fitted again on every sample (a
        kept network's output held fixed).
        """
        module_params, init_module, judge = {}, None, None
        seed = check_seed(self.random_state)
        if highway and head == "last" and self.embedding_dim_ is None:
            # With "both" the linear path reads the globally standardised
            # copy: a level never seen in training moves its output in
            # proportion.
            n_features = dataset.X.shape[2] // (2 if self._both else 1)
            module_params.update(
                highway=min(self._n_steps_fit, HIGHWAY_STEPS),
                highway_features=n_features)
            if self.early_stopping and not (self.warm_start
                                            and hasattr(self, "net_")):
                # The validation samples judge the start as they judge the
                # network: it is fitted without them.
                train, valid = self._train_split(seed)(dataset)
                ridge, start = _ridge_start(train), {}

                def init_module(module):
                    ridge(module)
                    start.update(copy.deepcopy(module.state_dict()))

                judge = valid, start
            else:
                init_module = _ridge_start(dataset)
        if head == "every" and self.conv_channels is not None:
            if self.stride != 1 or self.pool_size not in (1, "auto"):
                raise ValueError(
                    "Per-step targets need an output at every input step, "
                    "which a convolutional front end that downsamples does "
                    f"not give. Got stride={self.stride} and "
                    f"pool_size={self.pool_size!r} instead; use stride=1 "
                    "and pool_size=1 (or 'auto')."
                )
            module_params["pool_size"] = 1
        self._fit_dataset(
            dataset, input_size=dataset.X.shape[2], output_size=output_size,
            head=head, criterion=criterion, init_module=init_module, seed=seed,
            **module_params,
        )
        if judge is not None:
            module = self.net_.module_
            if self._beats_start(*judge):
                # Fit the linear path again on every sample, the network's
                # output held fixed, as the forecasters do: the validation
                # samples shape it too.
                _ridge_start(dataset, network=module)(module)
            else:
                # The network did not clearly beat the linear model it
                # started from: keep that (the network's head starts at
                # zero, so it is the ridge alone), fitted on every sample.
                module.load_state_dict(judge[1])
                _ridge_start(dataset)(module)
                self.best_epoch_ = 0
        return self

    def _beats_start(self, valid, start):
        """Whether the trained network beats its linear start ``start`` on the
        samples ``valid`` by more than one standard error
        (:func:`~sklearn_rnn._one_se.clearly_better`); the samples are
        independent sequences, so each is a unit of the comparison."""
        module, device = self.net_.module_, self.net_.device
        return clearly_better(loss_gains(module, valid, start,
                                         block=PREDICT_BATCH_SIZE, device=device))

    def _sequences(self, X, *, reset):
        """Validated, standardised sequences as a :class:`SequenceDataset`.

        Also returns the leading-padding offsets and padded length of the
        input, which every-step predictions need to line up with ``X``.
        """
        new_net = reset and not (self.warm_start and hasattr(self, "net_"))
        if new_net:
            self.embedding_dim_ = _resolve_embedding(self.embedding_dim, X)
        if self.embedding_dim_ is not None:
            dataset, lengths, offsets = self._token_sequences(X, reset=reset)
            if new_net:
                self._stats_mean = None
        else:
            dataset, lengths, offsets = self._number_sequences(
                X, reset=reset, new_net=new_net)
        if new_net:
            self._n_steps_fit = (int(dataset.X.shape[1]) if lengths is None
                                 else int(lengths.max()))
        return dataset, lengths, offsets

    def _number_sequences(self, X, *, reset, new_net):
        """Numeric sequences, standardised, as a dataset.

        With ``normalize="standard"`` each sequence is standardised by its
        own mean and standard deviation (per feature, over real steps), and
        those, standardised with training statistics, go to the readout as
        ``stats``: the network sees each sequence's shape at one scale and
        still knows its level and spread. Otherwise every sequence is
        standardised with the training statistics.
        """
        X, lengths, offsets = check_sequences(self, X, reset=reset)
        if new_net:
            # The network's input layout is fixed when it is built.
            self._per_sequence = self.normalize in ("standard", "both")
            self._both = self.normalize == "both"
        stats = None
        if reset:
            self._x_mean, self._x_scale = _masked_moments(X, lengths)
        if self._per_sequence:
            mean, scale = _sequence_moments(X, lengths)
            X_global = (X - self._x_mean) / self._x_scale
            X = (X - mean[:, None]) / scale[:, None]
            if self._both:
                X = np.concatenate([X, X_global], axis=2)
            stats = np.concatenate([mean, np.log(scale)], axis=1)
            if new_net:
                self._stats_mean, self._stats_scale = _masked_moments(
                    stats[:, None], None)
            stats = ((stats - self._stats_mean) / self._stats_scale).astype(
                np.float32)
        else:
            if new_net:
                self._stats_mean = None
            X = (X - self._x_mean) / self._x_scale
        X = X.astype(np.float32)
        if lengths is not None:
            X[np.arange(X.shape[1])[None, :] >= lengths[:, None]] = 0
        return self._dataset(X, lengths, stats), lengths, offsets

    def _dataset(self, X, lengths, stats=None):
        """A :class:`SequenceDataset` of numpy ``X``, ``lengths`` and ``stats``.

        Training batches group sequences of similar length (less padding)
        unless the front end has batch normalisation: where length goes
        with the label, batches of one length would hold few classes, and
        their batch statistics, which the network learns to read during
        training, would differ from the statistics of all sequences that
        predictions use.
        """
        return SequenceDataset(
            torch.from_numpy(X),
            None if lengths is None else torch.from_numpy(lengths),
            stats=None if stats is None else torch.from_numpy(stats),
            bucket=self.conv_channels is None,
        )

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
        return self._dataset(X, lengths), lengths, offsets

    def _forward(self, dataset, dtype=None):
        """Network outputs for ``dataset``; in float64 on the CPU.

        CPU kernels sum in float32 in an order that depends on the batch
        size, so a float32 output moves in its last digits with the
        sequences predicted beside it. Computed in float64 and rounded, a
        sequence's prediction is the same alone or in any batch.
        """
        if dtype is None and torch.device(self.net_.device).type == "cpu":
            dtype = torch.float64
        return super()._forward(dataset, dtype)

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


def _ridge_start(dataset, network=None):
    """``init_module`` setting the linear path to the ridge regression of
    ``dataset``'s targets on what the path reads (the penalty chosen by
    generalised cross-validation), so training starts from it.

    With ``network`` (the trained module), of what its network part leaves
    of the targets.
    """

    def init(module):
        # A trained module may be on a GPU; a new one is still on the CPU.
        device = module.highway.conv.weight.device

        def blocks(targets):
            for start in range(0, len(dataset), PREDICT_BATCH_SIZE):
                Xb, y = dataset.batch(torch.arange(
                    start, min(start + PREDICT_BATCH_SIZE, len(dataset))))
                Xb = {key: value.to(device) for key, value in Xb.items()}
                with torch.no_grad():
                    A = module.highway.inputs(Xb["X"], Xb.get("lengths"))
                    if not targets:
                        y = None
                    elif network is not None:
                        network.eval()
                        y = y - network.network_output(**Xb).cpu()
                yield A, y, None

        module.highway.fit_ridge(blocks)

    return init


def _masked_moments(X, lengths):
    """Per-feature mean and scale over real (non-padding) steps."""
    if lengths is None:
        values = X.reshape(-1, X.shape[2])
    else:
        values = X[np.arange(X.shape[1])[None, :] < lengths[:, None]]
    mean = values.mean(axis=0)
    return mean, nonzero_scale(values.std(axis=0))


def _sequence_moments(X, lengths):
    """Each sequence's per-feature mean and scale over its real steps.

    Returns two ``(n_samples, n_features)`` arrays; a flat sequence gets
    scale 1 (nothing to divide), as a constant feature does globally.
    """
    if lengths is None:
        mean, std = X.mean(axis=1), X.std(axis=1)
    else:
        real = (np.arange(X.shape[1])[None, :] < lengths[:, None])[:, :, None]
        count = lengths[:, None].astype(X.dtype)
        mean = np.where(real, X, 0).sum(axis=1) / count
        std = np.sqrt((np.where(real, X - mean[:, None], 0) ** 2).sum(axis=1)
                      / count)
    tiny = 10 * np.finfo(np.float32).eps * np.maximum(np.abs(mean), 1)
    return mean, np.where(std < tiny, 1.0, std)


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
