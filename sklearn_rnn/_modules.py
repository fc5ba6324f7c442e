"""Private torch modules: recurrent bodies, the convolutional front end, heads.

Every estimator builds one :class:`RecurrentNetwork` in ``fit``. The module
takes a batch ``X`` of shape ``(batch, time, features)`` whose sequences are
*left-aligned* (real steps first, padding after) and an optional ``lengths``
tensor; without ``lengths`` every sequence fills the whole time axis.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._cells import ScanGRU, ScanRNN
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

    def forward(self, x, lengths=None):
        n_steps = x.shape[1]
        if lengths is not None and not self.rnn.bidirectional:
            out, _ = self.rnn(x)
            lengths = lengths.to(x.device)
            last = out[torch.arange(len(out), device=x.device), lengths - 1]
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

    def forward(self, x, lengths=None):
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


class _CausalConv(nn.Module):
    """1-D convolutions over time whose strides end on each sequence's last step.

    Zero padding goes before the sequence, so an output only sees steps up to
    its own, and the strided grid is anchored at the most recent step: the
    newest observation, the one a forecast depends on most, is never skipped.
    """

    def __init__(self, input_size, channels, kernel_size, stride):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride
        self.conv = nn.Conv1d(input_size, channels, kernel_size, stride=stride)
        self.activation = nn.ReLU()

    def output_lengths(self, lengths):
        return torch.div(lengths - 1, self.stride, rounding_mode="floor") + 1

    def forward(self, x, lengths=None):
        n_steps = x.shape[1]
        if lengths is not None:
            x = roll_rows(x, lengths.to(x.device) - n_steps)  # right-align
        pad = self.kernel_size - 1 + (1 - n_steps) % self.stride
        z = nn.functional.pad(x.transpose(1, 2), (pad, 0))
        z = self.activation(self.conv(z)).transpose(1, 2)
        if lengths is None:
            return z, None
        new_lengths = self.output_lengths(lengths)
        # Right-aligned padding positions may hold non-zero conv outputs;
        # left-align and zero them so the recurrent layer ignores them.
        z = roll_rows(z, z.shape[1] - new_lengths.to(z.device))
        steps = torch.arange(z.shape[1], device=z.device)[None, :, None]
        z = z * (steps < new_lengths.to(z.device)[:, None, None])
        return z, new_lengths


class _Highway(nn.Module):
    """A linear map from the last ``window`` input steps to the outputs.

    LSTNet's "highway" (Lai et al., 2018): beside the network, a linear
    autoregressive path carries the scale of the latest inputs straight to
    the outputs, and the network learns what the linear model misses. It is
    a causal convolution whose kernel spans the window, so with one output
    per step (``head="every"``) each step's output sees the ``window`` steps
    up to it; steps before a sequence's start count as zeros.
    """

    def __init__(self, input_size, output_size, window):
        super().__init__()
        self.window = window
        self.conv = nn.Conv1d(input_size, output_size, window)

    def inputs(self, x, lengths=None):
        """The last ``window`` steps of each left-aligned sequence.

        Returns ``(batch, features, window)``, the kernel's layout: each
        sequence right-aligned, zeros before its first step.
        """
        if lengths is not None:
            n_steps = x.shape[1]
            lengths = lengths.to(x.device)
            x = roll_rows(x, lengths - n_steps)
            steps = torch.arange(n_steps, device=x.device)
            x = x * (steps[None, :] >= (n_steps - lengths)[:, None]).unsqueeze(-1)
        x = x[:, -self.window:].transpose(1, 2)
        return nn.functional.pad(x, (self.window - x.shape[2], 0))

    def forward(self, x, lengths=None, every=False):
        if every:  # an output per step, from the window ending there
            z = nn.functional.pad(x.transpose(1, 2), (self.window - 1, 0))
            return self.conv(z).transpose(1, 2)
        return self.conv(self.inputs(x, lengths))[..., 0]


class RecurrentNetwork(nn.Module):
    """Embedding or convolution front end, recurrent body, linear head.

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
        ``"last"`` reads the final state (sequence-to-vector); ``"every"``
        emits an output at every step (sequence-to-sequence).
    conv_channels : int or None
        When set, a causal 1-D convolution with this many channels,
        ``kernel_size`` and ``stride`` feeds the recurrent body.
    num_embeddings, embedding_dim : int or None
        When set, inputs are token ids looked up in an embedding (id 0 pads).
    highway : int or None
        When set, a linear path from the last ``highway`` input steps to the
        outputs is added to the network's output (:class:`_Highway`), and the
        network's head starts at zero, so training starts from the linear
        model.
    """

    def __init__(self, *, input_size, output_size, cell="lstm", hidden_size=32,
                 num_layers=1, dropout=0.0, bidirectional=False,
                 nonlinearity="tanh", layer_norm=False, head="last",
                 conv_channels=None, kernel_size=3, stride=1,
                 num_embeddings=None, embedding_dim=None, highway=None):
        super().__init__()
        self.head = head
        input_size_raw = input_size
        self.embedding = None
        if num_embeddings is not None:
            self.embedding = nn.Embedding(
                num_embeddings, embedding_dim, padding_idx=PADDING_ID
            )
            input_size = embedding_dim
        self.conv = None
        if conv_channels is not None:
            self.conv = _CausalConv(input_size, conv_channels, kernel_size, stride)
            input_size = conv_channels
        body = _LayerNormRecurrent if layer_norm else _FusedRecurrent
        self.body = body(cell, input_size, hidden_size, num_layers, dropout,
                         bidirectional, nonlinearity)
        self.dropout = nn.Dropout(dropout)
        n_dirs = 2 if bidirectional else 1
        self.linear = nn.Linear(n_dirs * hidden_size, output_size)
        self.highway = None
        if highway is not None:
            self.highway = _Highway(input_size_raw, output_size, highway)
            nn.init.zeros_(self.linear.weight)
            nn.init.zeros_(self.linear.bias)

    def forward(self, X, lengths=None):
        if self.highway is not None:
            linear = self.highway(X, lengths, every=self.head == "every")
            return self.network_output(X, lengths) + linear
        return self.network_output(X, lengths)

    def network_output(self, X, lengths=None):
        """The output without the highway."""
        if self.embedding is not None:
            X = self.embedding(X[..., 0].long())
        if self.conv is not None:
            X, lengths = self.conv(X, lengths)
        out, last = self.body(X, lengths)
        if self.head == "last":
            return self.linear(self.dropout(last))
        return self.linear(self.dropout(out))

