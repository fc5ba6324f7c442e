"""One-way simple RNN and GRU layers with a hand-written backward through time.

On CPU, ``nn.LSTM`` runs on oneDNN's fused kernels while ``nn.RNN`` and
``nn.GRU`` run step by step through ATen operations, each of them recorded
for autograd: a dozen small kernels and as many autograd nodes per step and
layer, which at the package's usual sizes cost more than the arithmetic.
:class:`ScanRNN` and :class:`ScanGRU` are ``nn.RNN`` and ``nn.GRU`` (same
parameters, initialisation and ``state_dict``) whose one-way CPU forward
runs as one :class:`torch.autograd.Function` per layer:

- the input projections of all steps are one GEMM before the loop;
- the loop does one ``h @ W_hh^T`` GEMM per step and the gates' elementwise
  maths, saving the activations the backward pass needs;
- the backward pass walks the steps back with one GEMM each, and the weight,
  bias and input gradients of all steps are one GEMM each after it.

The GRU's per-step elementwise maths is still a dozen tensor operations in
Python, so its loops run in a small C++ extension (``_cell_kernels.cpp``),
compiled on first use and cached by torch; without a working C++ compiler
(or with ``SKLEARN_RNN_CELL_KERNELS=0`` in the environment) the same loops run
as torch operations, for training, and inference uses ``nn.GRU`` itself.
Everything else (bidirectional layers, packed sequences, an initial state,
other devices and dtypes) goes to the torch layer unchanged.
"""

import hashlib
import logging
import os
import shutil
import threading
from pathlib import Path

import torch
from torch import nn
from torch.autograd.function import once_differentiable
from torch.nn import functional as F

_KERNEL_SOURCE = Path(__file__).with_name("_cell_kernels.cpp")
_kernel_lock = threading.Lock()
_kernel_state = {}
_logger = logging.getLogger(__name__)


def compiled_kernels():
    """The C++ GRU loops as ``torch.ops`` namespace, or None when unavailable.

    Built once per source version into torch's extension cache (later
    processes only load it); a failed build is not retried in this process.
    """
    with _kernel_lock:
        if "ops" not in _kernel_state:
            _kernel_state["ops"] = _build_kernels()
        return _kernel_state["ops"]


def _build_kernels():
    if os.environ.get("SKLEARN_RNN_CELL_KERNELS", "1") == "0":
        return None
    compiler = os.environ.get("CXX", "c++")
    if shutil.which(compiler) is None or shutil.which("ninja") is None:
        return None
    source = _KERNEL_SOURCE.read_text()
    # torch's cache is per Python version only: a build against another
    # torch would be loaded as current, so torch's version names it too.
    digest = hashlib.sha1((torch.__version__ + source).encode()).hexdigest()[:12]
    name = f"sklearn_rnn_cells_{digest}"
    try:
        from torch.utils.cpp_extension import _get_build_directory, load_inline

        library = Path(_get_build_directory(name, verbose=False), f"{name}.so")
        if library.exists():
            # A cached build is loaded directly: load_inline would first take
            # torch's file lock, which a process interrupted while holding it
            # leaves behind, and every later process would wait on forever.
            try:
                torch.ops.load_library(str(library))
                return torch.ops.sklearn_rnn_cells
            except Exception:  # e.g. a library an interrupted build left
                pass
        else:
            # The build is silent and takes a while, once per environment: say
            # why the first GRU fit pauses, and how to skip it.
            _logger.warning(
                "sklearn_rnn: compiling the GRU cell's C++ loops once for this "
                "environment (cached by torch for later processes). Set "
                "SKLEARN_RNN_CELL_KERNELS=0 to skip it and use torch's loops.")
        load_inline(name, source, is_python_module=False,
                    extra_cflags=["-O3"], verbose=False)
    except Exception:  # no usable toolchain: the torch loops do the same maths
        return None
    return torch.ops.sklearn_rnn_cells


# -- the simple RNN -------------------------------------------------------------


class _RNNLayer(torch.autograd.Function):
    """One time-major simple RNN layer: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1}
    W_hh^T + b_hh)`` from ``h_0 = 0``."""

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, relu):
        n_steps, batch, _ = x.shape
        hidden = w_hh.shape[1]
        out = torch.addmm(b_ih + b_hh, x.reshape(n_steps * batch, -1), w_ih.t())
        out = out.view(n_steps, batch, hidden)
        activation = torch.relu_ if relu else torch.tanh_
        w_t = w_hh.t()
        activation(out[0])
        for t in range(1, n_steps):
            torch.addmm(out[t], out[t - 1], w_t, out=out[t])
            activation(out[t])
        ctx.save_for_backward(x, w_ih, w_hh, out)
        ctx.relu = relu
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, d_out):
        x, w_ih, w_hh, out = ctx.saved_tensors
        n_steps, batch, hidden = out.shape
        slope = (out > 0).to(out.dtype) if ctx.relu else 1 - out * out
        d_out = d_out.contiguous()
        # d_pre[t]: gradient of step t's pre-activation.
        d_pre = torch.empty_like(out)
        torch.mul(d_out[-1], slope[-1], out=d_pre[-1])
        for t in range(n_steps - 1, 0, -1):
            d_h = torch.addmm(d_out[t - 1], d_pre[t], w_hh)
            torch.mul(d_h, slope[t - 1], out=d_pre[t - 1])
        return (*_input_gradients(ctx, x, w_ih, out, d_pre), None)


# -- the GRU ---------------------------------------------------------------------


def _gru_forward_torch(x, w_ih, b_ih, w_hh, b_hh, save):
    """The C++ ``gru_forward`` loop (see ``_cell_kernels.cpp``) in torch ops.

    Runs for training only (``save`` is true): without the compiled loops,
    inference goes to ``nn.GRU``.
    """
    n_steps, batch, _ = x.shape
    hidden = w_hh.shape[1]
    gx = torch.addmm(b_ih, x.reshape(n_steps * batch, -1), w_ih.t())
    gx = gx.view(n_steps, batch, 3 * hidden)
    out = gx.new_empty(n_steps, batch, hidden)
    rz = gx.new_empty(n_steps, batch, 2 * hidden)
    n = gx.new_empty(n_steps, batch, hidden)
    ghn = gx.new_empty(n_steps, batch, hidden)
    w_t = w_hh.t()
    h = gx.new_zeros(batch, hidden)
    for t in range(n_steps):
        gh = torch.addmm(b_hh, h, w_t)
        torch.add(gx[t, :, :2 * hidden], gh[:, :2 * hidden], out=rz[t]).sigmoid_()
        ghn[t] = gh[:, 2 * hidden:]
        torch.addcmul(gx[t, :, 2 * hidden:], rz[t, :, :hidden], ghn[t], out=n[t])
        n[t].tanh_()
        h = torch.lerp(n[t], h, rz[t, :, hidden:], out=out[t])
    return out, rz, n, ghn


def _gru_backward_torch(d_out, w_hh, out, rz, n, ghn):
    """The C++ ``gru_backward`` loop in torch ops.

    Every gate gradient of step ``t`` is the step's output gradient ``d_h``
    times a factor known from the forward pass, so the factors are computed
    for all steps at once and the loop only carries ``d_h`` back. Returns
    the recurrent projections' gradients ``(T, B, 3H)`` and n's slot of the
    input projections' ones ``(T, B, H)`` (their other slots are the same).
    """
    n_steps, batch, hidden = out.shape
    r, z = rz[..., :hidden], rz[..., hidden:]
    h_prev = torch.cat([out.new_zeros(1, batch, hidden), out[:-1]])
    d_an = (1 - z) * (1 - n * n)  # d n's pre-activation / d h_t
    factors = torch.stack(
        [d_an * ghn * r * (1 - r), (h_prev - n) * z * (1 - z), d_an * r], dim=2
    )
    d_out = d_out.contiguous()
    d_h = torch.empty_like(out)
    dgh = out.new_empty(n_steps, batch, 3, hidden)
    d_h[-1] = d_out[-1]
    for t in range(n_steps - 1, -1, -1):
        torch.mul(d_h[t].unsqueeze(1), factors[t], out=dgh[t])
        if t > 0:
            carry = torch.addcmul(d_out[t - 1], z[t], d_h[t])
            torch.addmm(carry, dgh[t].view(batch, 3 * hidden), w_hh, out=d_h[t - 1])
    return dgh.view(n_steps, batch, 3 * hidden), d_h.mul_(d_an)


class _GRULayer(torch.autograd.Function):
    """One time-major GRU layer (``nn.GRU``'s equations) from ``h_0 = 0``."""

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, ops, grad_enabled):
        # A forward runs with gradients off and needs_input_grad reads only
        # the inputs' requires_grad, so the caller's grad mode comes as
        # ``grad_enabled``: without it, passes without gradients would keep
        # every step's gates (three times the outputs) for no backward.
        save = grad_enabled and any(ctx.needs_input_grad)
        loop = _gru_forward_torch if ops is None else ops.gru_forward
        out, rz, n, ghn = loop(x, w_ih, b_ih, w_hh, b_hh, save)
        if save:
            ctx.save_for_backward(x, w_ih, w_hh, out, rz, n, ghn)
            ctx.ops = ops
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, d_out):
        x, w_ih, w_hh, out, rz, n, ghn = ctx.saved_tensors
        ops = ctx.ops
        bptt = _gru_backward_torch if ops is None else ops.gru_backward
        dgh, dgx_n = bptt(d_out, w_hh, out, rz, n, ghn)
        return (*_input_gradients(ctx, x, w_ih, out, dgh, dgx_n), None, None)


def _input_gradients(ctx, x, w_ih, out, dgh, dgx_n=None):
    """Gradients of x, W_ih, W_hh, b_ih, b_hh from the pre-activation ones.

    ``dgh``: gradients of the recurrent projections of every step,
    ``(T, B, G)``; those of the input projections are the same but for the
    last ``dgx_n.shape[-1]`` columns, which are ``dgx_n`` (the GRU's n gate;
    None: no difference). All steps at once, one GEMM per weight. ``dgh`` is
    overwritten: the input projections' gradients take its place once the
    recurrent ones are used, rather than a second ``(T, B, G)`` array.
    """
    n_steps, batch, hidden = out.shape
    dgh2 = dgh.reshape(n_steps * batch, -1)
    # Step 0's recurrent projection multiplies h_0 = 0: no weight gradient.
    d_w_hh = dgh[1:].reshape(-1, dgh.shape[-1]).t() @ out[:-1].reshape(-1, hidden)
    d_b_hh = dgh2.sum(0)
    if dgx_n is not None:
        dgh[..., -dgx_n.shape[-1]:] = dgx_n
    dgx2 = dgh2
    d_w_ih = dgx2.t() @ x.reshape(n_steps * batch, -1)
    d_x = (dgx2 @ w_ih).view_as(x) if ctx.needs_input_grad[0] else None
    return d_x, d_w_ih, d_w_hh, dgx2.sum(0), d_b_hh


# -- the layers ------------------------------------------------------------------


def _scan_applies(module, input, hx):
    return (
        isinstance(input, torch.Tensor) and input.dim() == 3 and hx is None
        # An empty batch or sequence goes to torch's layer, which handles it.
        and input.numel() > 0
        and input.device.type == "cpu" and input.dtype in (torch.float32, torch.float64)
        and not module.bidirectional and module.bias
    )


def _stacked(module, x, layer):
    """Runs ``layer(x, weights)`` through the stack; nn.RNN's return values."""
    x = x.transpose(0, 1) if module.batch_first else x  # time-major
    finals = []
    for k in range(module.num_layers):
        if k > 0 and module.dropout and module.training:
            x = F.dropout(x, module.dropout, training=True)
        weights = [getattr(module, f"{name}_l{k}")
                   for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        x = layer(x, *weights)
        finals.append(x[-1])
    out = x.transpose(0, 1) if module.batch_first else x
    return out, torch.stack(finals)


class ScanRNN(nn.RNN):
    """``nn.RNN`` whose one-way CPU forward runs as :class:`_RNNLayer`."""

    def forward(self, input, hx=None):
        if not _scan_applies(self, input, hx):
            return super().forward(input, hx)
        relu = self.nonlinearity == "relu"
        return _stacked(self, input, lambda x, *w: _RNNLayer.apply(x, *w, relu))


class ScanGRU(nn.GRU):
    """``nn.GRU`` whose one-way CPU forward runs as :class:`_GRULayer`."""

    def forward(self, input, hx=None):
        if not _scan_applies(self, input, hx):
            return super().forward(input, hx)
        ops = compiled_kernels()
        training = torch.is_grad_enabled() and self.weight_hh_l0.requires_grad
        if ops is None and not training:
            # Without the compiled loops, nn.GRU's forward (its loop in C++)
            # beats the torch-ops loop; the latter pays off in training only.
            return super().forward(input, hx)
        grad_enabled = torch.is_grad_enabled()
        return _stacked(self, input,
                        lambda x, *w: _GRULayer.apply(x, *w, ops, grad_enabled))

    def last_states(self, input, lengths=None):
        """Each sequence's output at its last real step, ``(batch, hidden)``,
        without gradients; None where the compiled loop does not serve.

        The values of ``self(input)[0]`` (batch-first) at steps ``lengths -
        1``, or at the last step without ``lengths``. The compiled loop of
        the top layer keeps two steps' outputs rather than every step's, a
        block's largest array, which a reader of the final states alone
        never needs.
        """
        ops = compiled_kernels()
        if (ops is None or torch.is_grad_enabled()
                or not _scan_applies(self, input, None)
                or (self.training and self.dropout)):
            return None
        x = input.transpose(0, 1) if self.batch_first else input
        for k in range(self.num_layers):
            weights = [getattr(self, f"{name}_l{k}")
                       for name in ("weight_ih", "bias_ih", "weight_hh", "bias_hh")]
            if k == self.num_layers - 1:
                return ops.gru_last(x, *weights, lengths)
            x = ops.gru_forward(x, *weights, False)[0]
