"""The gradient norm: measured every batch, clipped on request."""

import torch
from skorch.callbacks import GradientNormClipping

__all__ = ["GradientNorm", "clip_grad_norm"]


def clip_grad_norm(grads, max_norm, norm_type):
    """Total norm of ``grads``, and clip them to ``max_norm`` unless None.

    The arithmetic of :func:`torch.nn.utils.clip_grad_norm_` for gradients on
    one device (as ours are), without its per-call grouping by device and
    dtype, which costs as much as the norm on small networks.
    """
    norm = torch.linalg.vector_norm(
        torch.stack(torch._foreach_norm(grads, norm_type)), norm_type)
    if max_norm is not None:
        coef = torch.clamp(max_norm / (norm + 1e-6), max=1.0)
        torch._foreach_mul_(grads, coef)
    return norm


class GradientNorm(GradientNormClipping):
    """skorch's gradient clipping that also records the norm before clipping.

    The per-batch norms are averaged into the epoch's ``grad_norm`` entry of
    the history, which tells the vanishing/exploding-gradient story. With
    ``gradient_clip_value=None`` nothing is clipped, only measured.
    """

    def on_train_begin(self, net, **kwargs):
        # Listed once per fit: walking skorch's named_parameters generator at
        # every batch costs more than the norm itself on small networks.
        self._params = [p for _, p in net.get_all_learnable_params()]

    def on_train_end(self, net, **kwargs):
        self._params = None

    def __getstate__(self):
        return {**self.__dict__, "_params": None}

    def on_epoch_begin(self, net, **kwargs):
        self._sum, self._count = None, 0

    def on_grad_computed(self, net, named_parameters, **kwargs):
        params = getattr(self, "_params", None)
        if params is None:  # called outside fit, e.g. by a user's step
            params = [p for _, p in named_parameters]
        grads = [p.grad for p in params if p.grad is not None]
        if not grads:
            return
        norm = clip_grad_norm(grads, self.gradient_clip_value,
                               float(self.gradient_clip_norm_type))
        # Summed on the device and read once per epoch: an .item() per batch
        # would make the CPU wait for the GPU at every step, and a tensor
        # kept per batch would grow with the epoch.
        if self._sum is None:
            self._sum = norm.double()
        else:
            self._sum += norm
        self._count += 1

    def on_epoch_end(self, net, **kwargs):
        if self._count:
            net.history.record("grad_norm", self._sum.item() / self._count)
