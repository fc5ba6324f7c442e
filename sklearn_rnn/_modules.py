"""Private torch modules: recurrent bodies, convolutional front end, readouts, heads.

Every estimator builds one :class:`RecurrentNetwork` in ``fit``. The module
takes a batch ``X`` of shape ``(batch, time, features)`` whose sequences are
*left-aligned* (real steps first, padding after) and an optional ``lengths``
tensor; without ``lengths`` every sequence fills the whole time axis.
"""

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._cells import ScanGRU, ScanRNN
from ._ridge import EIGH_CHUNK, ridge_gcv, ridge_one_se, series_grams, shrunk_ridge
from ._tokens import PADDING_ID

# nn.LSTM runs on oneDNN's fused kernels on CPU; the simple RNN and the GRU
# get layers with a hand-written backward through time (same parameters).
_FUSED_LAYERS = {"rnn": ScanRNN, "lstm": nn.LSTM, "gru": ScanGRU}


def roll_rows(x, shift):
    """Rotate each sequence of ``x`` left along time by its own ``shift``.

    ``roll_rows(x, T - lengths)`` turns right-aligned (padding first) batches
    into left-aligned ones, and ``roll_rows(x, lengths - T)`` does the
    reverse. A gather, so it costs one copy of the batch.
    """
    n_steps = x.shape[1]
    steps = torch.arange(n_steps, device=x.device)
    index = (steps[None, :] + shift[:, None]) % n_steps
    index = index.unsqueeze(-1).expand(-1, -1, x.shape[2])
    return x.gather(1, index)


def reverse_padded(x, lengths):
    """Reverse each left-aligned sequence within its own length."""
    n_steps = x.shape[1]
    steps = torch.arange(n_steps, device=x.device)[None, :]
    last = (lengths.to(x.device) - 1)[:, None]
    index = torch.where(steps <= last, last - steps, steps)
    return x.gather(1, index.unsqueeze(-1).expand(-1, -1, x.shape[2]))


class _FusedRecurrent(nn.Module):
    """``nn.RNN``/``nn.LSTM``/``nn.GRU``, packing only batches that need it.

    The fused modules run through oneDNN (the LSTM) or ``_cells``' scan
    layers (the simple RNN and GRU) on CPU and cuDNN on GPU; packing is
    skipped when every sequence of the batch has the full length, which is
    the common case and the fast path. One-way cells skip it always: a
    causal recurrence cannot carry trailing padding back into the steps
    before it, so the padded batch runs unpacked (packed batches run several
    times slower on CPU) and each sequence's summary is read at its last
    real step. Only bidirectional cells, whose backward pass must start at
    each sequence's own end, pack.
    """

    def __init__(self, cell, input_size, hidden_size, num_layers, dropout,
                 bidirectional, nonlinearity):
        super().__init__()
        kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.cell = cell
        self.rnn = _FUSED_LAYERS[cell](
            input_size, hidden_size, num_layers=num_layers, batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional, **kwargs,
        )

    def forward(self, x, lengths=None, every_output=True):
        """Every step's output and the final state; with ``every_output``
        False the caller reads the final state alone, and the outputs after
        a sequence's end are left unmasked (the mask is an array of the
        outputs' size), or, for a one-way GRU, not returned (None)."""
        n_steps = x.shape[1]
        if not every_output and isinstance(self.rnn, ScanGRU):
            # Only the final states are read: without gradients, the outputs
            # of every step are not kept (see ScanGRU.last_states).
            last = self.rnn.last_states(
                x, None if lengths is None else lengths.to(x.device))
            if last is not None:
                return None, last
        if lengths is not None and not self.rnn.bidirectional:
            out, _ = self.rnn(x)
            lengths = lengths.to(x.device)
            # Read step-major, the layout the recurrent layers compute in:
            # the gradient of the outputs is then made in that layout, not
            # made batch-major and copied over.
            last = out.transpose(0, 1)[lengths - 1,
                                       torch.arange(len(out), device=x.device)]
            if every_output:
                steps = torch.arange(n_steps, device=x.device)
                out = out * (steps[None, :] < lengths[:, None]).unsqueeze(-1)
            return out, last
        if lengths is not None:
            x = pack_padded_sequence(
                x, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
        out, state = self.rnn(x)
        if lengths is not None:
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=n_steps)
        h_n = state[0] if self.cell == "lstm" else state
        n_dirs = 2 if self.rnn.bidirectional else 1
        # h_n holds each direction's final state, i.e. the forward state at
        # the last real step and the backward state at the first one.
        last = torch.cat(list(h_n[-n_dirs:]), dim=-1)
        return out, last


class _LayerNormCell(nn.Module):
    """One step of a layer-normalised RNN, LSTM or GRU cell (Ba et al., 2016).

    Input and recurrent projections are normalised separately before they
    are summed, which keeps the pre-activations at unit scale whatever the
    weights grow to: the classic remedy for exploding and vanishing
    activations in simple RNNs.
    """

    _GATES = {"rnn": 1, "lstm": 4, "gru": 3}

    def __init__(self, cell, input_size, hidden_size, nonlinearity):
        super().__init__()
        self.cell = cell
        self.hidden_size = hidden_size
        n_gates = self._GATES[cell]
        self.input_proj = nn.Linear(input_size, n_gates * hidden_size)
        self.hidden_proj = nn.Linear(hidden_size, n_gates * hidden_size, bias=False)
        self.input_norm = nn.LayerNorm(n_gates * hidden_size)
        self.hidden_norm = nn.LayerNorm(n_gates * hidden_size)
        if cell == "lstm":
            self.cell_norm = nn.LayerNorm(hidden_size)
        self.activation = torch.relu if nonlinearity == "relu" else torch.tanh

    def forward(self, x_t, state):
        h, c = state
        gx = self.input_norm(self.input_proj(x_t))
        gh = self.hidden_norm(self.hidden_proj(h))
        if self.cell == "rnn":
            return self.activation(gx + gh), c
        if self.cell == "lstm":
            i, f, g, o = (gx + gh).chunk(4, dim=-1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            return torch.sigmoid(o) * torch.tanh(self.cell_norm(c)), c
        xr, xz, xn = gx.chunk(3, dim=-1)
        hr, hz, hn = gh.chunk(3, dim=-1)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        return (1 - z) * n + z * h, c


class _LayerNormRecurrent(nn.Module):
    """A stack of layer-normalised cells unrolled in Python.

    Same interface as :class:`_FusedRecurrent`. Padding is masked: a
    sequence's state stops changing after its last real step and its
    outputs there are zero, so padding never reaches a prediction.
    """

    def __init__(self, cell, input_size, hidden_size, num_layers, dropout,
                 bidirectional, nonlinearity):
        super().__init__()
        n_dirs = 2 if bidirectional else 1
        self.hidden_size = hidden_size
        self.bidirectional = bidirectional
        self.layers = nn.ModuleList()
        for layer in range(num_layers):
            size = input_size if layer == 0 else n_dirs * hidden_size
            self.layers.append(nn.ModuleList(
                _LayerNormCell(cell, size, hidden_size, nonlinearity)
                for _ in range(n_dirs)
            ))
        self.dropout = nn.Dropout(dropout)

    def _unroll(self, cell, x, lengths):
        batch, n_steps, _ = x.shape
        h = x.new_zeros(batch, self.hidden_size)
        c = x.new_zeros(batch, self.hidden_size)
        outputs = []
        for t in range(n_steps):
            h_new, c_new = cell(x[:, t], (h, c))
            if lengths is None:
                h, c = h_new, c_new
                outputs.append(h)
            else:
                live = (t < lengths)[:, None]
                h = torch.where(live, h_new, h)
                c = torch.where(live, c_new, c)
                outputs.append(h_new * live)
        return torch.stack(outputs, dim=1), h

    def forward(self, x, lengths=None, every_output=True):
        # Outputs are masked as they are made: every_output changes nothing.
        if lengths is not None:
            lengths = lengths.to(x.device)
        full = torch.full((x.shape[0],), x.shape[1], device=x.device)
        for index, directions in enumerate(self.layers):
            if index > 0:
                x = self.dropout(x)
            out, last = self._unroll(directions[0], x, lengths)
            if self.bidirectional:
                rev_lengths = full if lengths is None else lengths
                x_rev = reverse_padded(x, rev_lengths)
                out_rev, last_rev = self._unroll(directions[1], x_rev, lengths)
                out = torch.cat([out, reverse_padded(out_rev, rev_lengths)], -1)
                last = torch.cat([last, last_rev], dim=-1)
            x = out
        return x, last


def _real_steps(lengths, n_steps, align):
    """``(batch, n_steps)`` mask of the real steps of left- or right-aligned rows."""
    steps = torch.arange(n_steps, device=lengths.device)[None, :]
    if align == "left":
        return steps < lengths[:, None]
    return steps >= (n_steps - lengths)[:, None]


class _MaskedBatchNorm(nn.BatchNorm1d):
    """Batch normalisation over the real steps of ``(batch, time, channels)``.

    Statistics (and the running averages kept for prediction) come from real
    steps only, so padding never shifts them and a sequence's outputs do not
    depend on how much padding its batch holds. Padding outputs are zero.
    """

    def forward(self, x, real=None):
        values = x.reshape(-1, x.shape[-1]) if real is None else x[real]
        if self.training and values.shape[0] < 2:
            # One value per channel has no variance to normalise by: use
            # the running statistics, as at prediction.
            out = nn.functional.batch_norm(
                values, self.running_mean, self.running_var, self.weight,
                self.bias, False, 0.0, self.eps)
        else:
            out = super().forward(values)
        if real is None:
            return out.reshape(x.shape)
        return x.new_zeros(x.shape).index_put((real,), out)


def _convolve(conv, x):
    """``conv`` applied to ``(batch, time, channels)``, as a product of windows.

    The same arithmetic as ``conv`` (no padding of its own), computed as one
    matrix product of each output step's window with the kernel. Unlike
    torch's ``Conv1d`` on CPU, whose blocking depends on the batch size, each
    output then comes out the same whatever else is in the batch, so a
    sequence's prediction does not depend on the sequences predicted with it.
    """
    windows = x.unfold(1, conv.kernel_size[0], conv.stride[0])  # (B, T', C, k)
    windows = windows.reshape(*windows.shape[:2], -1)
    return nn.functional.linear(windows, conv.weight.reshape(conv.out_channels, -1),
                                conv.bias)


class ConvFrontEnd(nn.Module):
    """Blocks of 1-D convolution, batch norm, ReLU and max-pooling over time.

    Any recurrent cell can read its output: the blocks extract local patterns
    and shorten long sequences (``stride`` and ``pool_size``) before the
    recurrence, whose memory is short. Each block runs
    ``Conv1d(kernel_size, stride) -> [BatchNorm] -> ReLU -> [MaxPool(pool_size)]``.

    Sequences are exact whatever their padding: padding steps are zero
    before every convolution (as the convolution's own zero padding would
    be), pooling windows never mix in padding, normalisation statistics
    come from real steps only, and each sequence's length shrinks with the
    stride and the pooling, ``ceil(length / stride)`` then
    ``ceil(length / pool_size)``, so a sequence shorter than a pooling
    window keeps one step.

    Parameters
    ----------
    input_size : int
    channels : int
        Output channels of every block.
    kernel_size, stride : int
    num_layers : int, default=1
        Number of blocks.
    norm : bool, default=False
        Batch normalisation (over real steps) after each convolution.
    pool_size : int or tuple of int, default=1
        Max-pooling factor after each block (or one per block); 1 does not
        pool.
    causal : bool, default=False
        Pad before the sequence only, so an output sees no later step, and
        anchor strides and pooling windows on the sequence's last step (the
        newest observation, which forecasts depend on most, is never
        skipped). Otherwise the convolution is centred.
    """

    def __init__(self, input_size, channels, kernel_size, stride=1, num_layers=1,
                 norm=False, pool_size=1, causal=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride
        if isinstance(pool_size, int):
            pool_size = (pool_size,) * num_layers
        self.pool_sizes = tuple(pool_size)
        self.causal = causal
        self.convs = nn.ModuleList(
            nn.Conv1d(input_size if i == 0 else channels, channels, kernel_size,
                      stride=stride)
            for i in range(num_layers)
        )
        self.norms = nn.ModuleList(
            _MaskedBatchNorm(channels) for _ in range(num_layers)) if norm else None
        self.activation = nn.ReLU()

    def output_lengths(self, lengths):
        """Real steps left of sequences of ``lengths`` after every block."""
        for p in self.pool_sizes:
            lengths = torch.div(lengths - 1, self.stride, rounding_mode="floor") + 1
            lengths = torch.div(lengths - 1, p, rounding_mode="floor") + 1
        return lengths

    def forward(self, x, lengths=None):
        align = "right" if self.causal else "left"
        if lengths is not None:
            lengths = lengths.to(x.device)
            if self.causal:
                x = roll_rows(x, lengths - x.shape[1])
        k, s = self.kernel_size, self.stride
        for i, (conv, p) in enumerate(zip(self.convs, self.pool_sizes)):
            n_steps = x.shape[1]
            if self.causal:
                # The strided grid ends on the last step.
                pad = (0, 0, k - 1 + (1 - n_steps) % s, 0)
            else:
                pad = (0, 0, (k - 1) // 2, k // 2)
            z = _convolve(conv, nn.functional.pad(x, pad))
            real = None
            if lengths is not None:
                lengths = torch.div(lengths - 1, s, rounding_mode="floor") + 1
                real = _real_steps(lengths, z.shape[1], align)
            if self.norms is not None:
                z = self.norms[i](z, real)
            z = self.activation(z)
            if real is not None:
                # Zero padding: the next convolution's own padding value, and
                # below every ReLU output, so it never wins a max-pool.
                z = z * real.unsqueeze(-1)
            if p > 1:
                extra = (-z.shape[1]) % p
                pad = (0, 0, extra, 0) if self.causal else (0, 0, 0, extra)
                z = nn.functional.pad(z, pad)
                z = nn.functional.max_pool1d(z.transpose(1, 2), p).transpose(1, 2)
                if lengths is not None:
                    lengths = torch.div(lengths - 1, p, rounding_mode="floor") + 1
            x = z
        if lengths is not None and self.causal:
            x = roll_rows(x, x.shape[1] - lengths)  # left-align for the cell
            x = x * _real_steps(lengths, x.shape[1], "left").unsqueeze(-1)
        return x, lengths


class _Highway(nn.Module):
    """A linear map from the last ``window`` input steps to the outputs.

    LSTNet's "highway" (Lai et al., 2018): beside the network, a linear
    autoregressive path carries the scale of the latest inputs straight to
    the outputs, and the network learns what the linear model misses. It is
    a causal convolution whose kernel spans the window, so with one output
    per step (``head="every"``) each step's output sees the ``window`` steps
    up to it; steps before a sequence's start count as zeros. With
    ``features``, it reads only the last ``features`` input features.
    """

    def __init__(self, input_size, output_size, window, features=None,
                 n_series=None):
        super().__init__()
        self.window = window
        self.features = input_size if features is None else features
        self.conv = nn.Conv1d(self.features, output_size, window)
        # A panel's per-series corrections of the shared map (global-local),
        # zero for a series not seen in training (id -1). Buffers: the ridge
        # fit sets them; trained by gradient, they fit the training rows so
        # closely that the network never improved on the linear start.
        per_series = n_series is not None
        self.register_buffer("series_weight", torch.zeros(
            n_series, output_size, self.features * window) if per_series else None)
        self.register_buffer("series_bias", torch.zeros(
            n_series, output_size) if per_series else None)

    def _read(self, x):
        return x if self.features == x.shape[-1] else x[..., -self.features:]

    def inputs(self, x, lengths=None):
        """The last ``window`` steps of each left-aligned sequence.

        Returns ``(batch, features, window)``, the kernel's layout: each
        sequence right-aligned, zeros before its first step.
        """
        x = self._read(x)
        if lengths is not None:
            n_steps = x.shape[1]
            lengths = lengths.to(x.device)
            x = roll_rows(x, lengths - n_steps)
            steps = torch.arange(n_steps, device=x.device)
            x = x * (steps[None, :] >= (n_steps - lengths)[:, None]).unsqueeze(-1)
        x = x[:, -self.window:].transpose(1, 2)
        return nn.functional.pad(x, (self.window - x.shape[2], 0))

    def fit_ridge(self, blocks, block=None):
        """Set the map to the ridge regression of the targets on its inputs.

        ``blocks(targets)`` yields ``(inputs, targets, series)``, ``inputs``
        as :meth:`inputs` returns them, ``targets`` ``(batch, outputs)``
        (None unless ``targets``) and ``series`` each sequence's series (None
        without per-series corrections), the sequences of a series together
        and the series in increasing order; only their sums of products are
        kept, so the inputs of all sequences are never gathered at once. The
        penalty is chosen by generalised cross-validation
        (:func:`~sklearn_rnn._ridge.ridge_gcv`), or with ``block`` (rows
        in order, neighbours sharing ``block - 1`` target steps) by the
        one-standard-error rule on the leave-one-out errors of blocks of
        that many rows (:func:`~sklearn_rnn._ridge.ridge_one_se`, a second
        pass over ``blocks(True)``). With per-series corrections,
        each is the ridge regression of what the shared map leaves of its
        series' targets, one penalty for all
        (:func:`~sklearn_rnn._ridge.shrunk_ridge`): a large one gives back
        the shared map, so short series stay near it. Their inputs' sums of
        products are then summed again (``blocks(False)``) a chunk of series
        at a time rather than held for every series.
        """
        per_series = self.series_weight is not None
        n_groups = len(self.series_weight) if per_series else 1
        width = self.features * self.window + 1
        n_outputs = self.conv.out_channels

        def inputs(targets):
            for A, y, series in blocks(targets):
                A = A.flatten(1).double().cpu()
                A = torch.cat([A, torch.ones(len(A), 1, dtype=A.dtype)], 1)
                yield (A.numpy(), None if y is None else y.double().cpu().numpy(),
                       series.cpu().numpy() if per_series and series is not None
                       else None)

        cross = np.zeros((n_groups, width, n_outputs))
        sq = np.zeros((n_groups, n_outputs))
        gram = np.zeros((width, width))
        # One array of a chunk's Gram matrices for every pass.
        store = np.empty((min(EIGH_CHUNK, n_groups), width, width))
        for _, grams in series_grams(inputs, n_groups, width, cross, sq, store):
            for gram_k in grams:  # in series order, as a sum over series adds
                gram += gram_k
        if block is None:
            W, b = ridge_gcv(gram, cross.sum(0), sq.sum(0))
        else:
            W, b = ridge_one_se(
                gram, cross.sum(0), sq.sum(0),
                lambda: ((A, y) for A, y, _ in inputs(True)), block)
        with torch.no_grad():
            self.conv.weight.copy_(torch.from_numpy(W.T).reshape(self.conv.weight.shape))
            self.conv.bias.copy_(torch.from_numpy(b))
        if not per_series:
            return
        shared = np.vstack([W, b])

        def residual_sums():
            # What the shared map leaves of each series' targets.
            for start, grams in series_grams(inputs, n_groups, width,
                                             store=store):
                own = slice(start, start + len(grams))
                fitted = grams @ shared
                yield (grams, cross[own] - fitted,
                       sq[own] - 2 * (shared * cross[own]).sum(1)
                       + (shared * fitted).sum(1))

        with torch.no_grad():
            # Chunk by chunk into the buffers: no float64 copy of every
            # series' coefficients.
            for start, coef in shrunk_ridge(residual_sums, n_groups):
                own = slice(start, start + len(coef))
                self.series_weight[own] = torch.from_numpy(
                    coef[:, :-1].transpose(0, 2, 1))
                self.series_bias[own] = torch.from_numpy(coef[:, -1])

    def _series_correction(self, inputs, series):
        """Each sequence's series' correction; ``inputs`` (batch, ..., features)."""
        known = (series >= 0).to(inputs.dtype)
        series = series.clamp(min=0)
        weight = self.series_weight[series] * known[:, None, None]
        bias = self.series_bias[series] * known[:, None]
        out = torch.einsum("b...f,bof->b...o", inputs, weight)
        return out + bias.view(len(bias), *([1] * (out.dim() - 2)), -1)

    def forward(self, x, lengths=None, every=False, series=None):
        per_series = self.series_weight is not None and series is not None
        if every:  # an output per step, from the window ending there
            z = nn.functional.pad(self._read(x).transpose(1, 2),
                                  (self.window - 1, 0))
            out = self.conv(z).transpose(1, 2)
            if per_series:
                steps = z.unfold(2, self.window, 1).transpose(1, 2).flatten(2)
                out = out + self._series_correction(steps, series.to(x.device))
            return out
        inputs = self.inputs(x, lengths)
        out = self.conv(inputs)[..., 0]
        if per_series:
            out = out + self._series_correction(inputs.flatten(1),
                                                series.to(x.device))
        return out


class RecurrentNetwork(nn.Module):
    """Embedding or convolution front end, recurrent body, readout, linear head.

    Parameters
    ----------
    input_size : int
        Number of input features per step (ignored with an embedding).
    output_size : int
        Outputs per prediction (per step with ``head="every"``).
    cell : {"rnn", "lstm", "gru"}
    hidden_size, num_layers, dropout, bidirectional, nonlinearity, layer_norm
        As the estimators document them.
    head : {"last", "every"}
        ``"last"`` reads one vector per sequence (sequence-to-vector, see
        ``pooling``); ``"every"`` emits an output at every step
        (sequence-to-sequence).
    pooling : {"last", "mean", "max", "meanmax", "attention"}
        With ``head="last"``, how the sequence becomes one vector: the final
        state, or the mean, maximum, both, or an attention-weighted mean of
        the outputs at every real step.
    conv_channels : int or None
        When set, a :class:`ConvFrontEnd` with this many channels,
        ``kernel_size``, ``stride``, ``conv_layers`` blocks, ``conv_norm``,
        ``pool_size`` and ``causal`` feeds the recurrent body.
    n_stats : int
        Size of a per-sequence vector (``stats``, e.g. the location and scale
        taken out by per-sequence standardisation) joined to the readout, or
        to every step's output with ``head="every"``.
    num_embeddings, embedding_dim : int or None
        When set, inputs are token ids looked up in an embedding (id 0 pads).
    highway : int or None
        When set, a linear path from the last ``highway`` input steps to the
        outputs is added to the network's output (:class:`_Highway`), and the
        network's head starts at zero, so training starts from the linear
        model.
    highway_features : int or None
        The linear path reads the last this many input features; None reads
        them all.
    n_series, series_dim : int or None
        When set, each sequence's ``series`` (an id in ``0 .. n_series - 1``)
        is looked up in a learned embedding of ``series_dim`` values, joined
        to every real input step of the network (not of the highway); id -1
        (a series not seen in training) gets the mean of the embeddings.
    highway_series : int or None
        When set (with ``highway``), the linear path has a correction of its
        coefficients for each of ``highway_series`` series, read by each
        sequence's ``series``; id -1 gets none (the shared map).
    """

    def __init__(self, *, input_size, output_size, cell="lstm", hidden_size=32,
                 num_layers=1, dropout=0.0, bidirectional=False,
                 nonlinearity="tanh", layer_norm=False, head="last",
                 pooling="last", conv_channels=None, kernel_size=3, stride=1,
                 conv_layers=1, conv_norm=False, pool_size=1, causal=True,
                 n_stats=0, num_embeddings=None, embedding_dim=None,
                 highway=None, highway_features=None, n_series=None,
                 series_dim=None, highway_series=None):
        super().__init__()
        self.head = head
        self.pooling = pooling
        input_size_raw = input_size
        self.embedding = None
        if num_embeddings is not None:
            self.embedding = nn.Embedding(
                num_embeddings, embedding_dim, padding_idx=PADDING_ID
            )
            input_size = embedding_dim
        self.series_embedding = None
        if n_series is not None and series_dim is not None:
            self.series_embedding = nn.Embedding(n_series, series_dim)
            input_size += series_dim
        self.conv = None
        if conv_channels is not None:
            self.conv = ConvFrontEnd(
                input_size, conv_channels, kernel_size, stride=stride,
                num_layers=conv_layers, norm=conv_norm, pool_size=pool_size,
                causal=causal)
            input_size = conv_channels
        body = _LayerNormRecurrent if layer_norm else _FusedRecurrent
        self.body = body(cell, input_size, hidden_size, num_layers, dropout,
                         bidirectional, nonlinearity)
        self.dropout = nn.Dropout(dropout)
        n_dirs = 2 if bidirectional else 1
        width = n_dirs * hidden_size
        self.attention = nn.Linear(width, 1) if pooling == "attention" else None
        if head == "last" and pooling == "meanmax":
            width *= 2
        self.linear = nn.Linear(width + n_stats, output_size)
        self.highway = None
        if highway is not None:
            self.highway = _Highway(input_size_raw, output_size, highway,
                                    highway_features, highway_series)
            nn.init.zeros_(self.linear.weight)
            nn.init.zeros_(self.linear.bias)

    def _series_steps(self, series, X, lengths):
        """The embedding of each sequence's series at its real steps, zero after."""
        weight = self.series_embedding.weight
        series = series.to(weight.device)
        vectors = torch.where((series >= 0)[:, None], weight[series.clamp(min=0)],
                              weight.mean(0))
        steps = vectors[:, None].expand(-1, X.shape[1], -1)
        if lengths is not None:
            real = _real_steps(lengths.to(X.device), X.shape[1], "left")
            steps = steps * real.unsqueeze(-1)
        return steps.to(X.dtype)

    def _readout(self, out, last, lengths):
        """One vector per sequence from the body's outputs, padding excluded."""
        if self.pooling == "last":
            return last
        real = None
        if lengths is not None:
            real = _real_steps(lengths.to(out.device), out.shape[1], "left")
            real = real.unsqueeze(-1)
        if self.pooling == "attention":
            score = self.attention(out)
            if real is not None:
                score = score.masked_fill(~real, float("-inf"))
            return (torch.softmax(score, dim=1) * out).sum(1)
        parts = []
        if self.pooling in ("mean", "meanmax"):
            if real is None:
                parts.append(out.mean(1))
            else:
                parts.append((out * real).sum(1) / real.sum(1))
        if self.pooling in ("max", "meanmax"):
            parts.append((out if real is None
                          else out.masked_fill(~real, float("-inf"))).amax(1))
        return torch.cat(parts, dim=-1) if len(parts) > 1 else parts[0]

    def forward(self, X, lengths=None, stats=None, series=None):
        if self.highway is not None:
            linear = self.highway(X, lengths, every=self.head == "every",
                                  series=series)
            return self.network_output(X, lengths, stats, series) + linear
        return self.network_output(X, lengths, stats, series)

    def network_output(self, X, lengths=None, stats=None, series=None):
        """The output without the highway."""
        if self.embedding is not None:
            X = self.embedding(X[..., 0].long())
        if self.series_embedding is not None:
            X = torch.cat([X, self._series_steps(series, X, lengths)], dim=-1)
        if self.conv is not None:
            X, lengths = self.conv(X, lengths)
        # Only the every-step head and the pooled readouts read the outputs.
        out, last = self.body(X, lengths, every_output=self.head == "every"
                              or self.pooling != "last")
        if self.head == "every":
            if stats is not None:
                stats = stats[:, None].expand(-1, out.shape[1], -1)
                out = torch.cat([out, stats], dim=-1)
            return self.linear(self.dropout(out))
        summary = self._readout(out, last, lengths)
        if stats is not None:
            summary = torch.cat([summary, stats], dim=-1)
        return self.linear(self.dropout(summary))
