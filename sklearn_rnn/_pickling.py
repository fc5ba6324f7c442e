"""Small pickles of fitted estimators, loadable on a machine without a GPU.

A fitted estimator keeps its skorch net as ``net_``. Pickled as it is, the
net holds the trained module twice (skorch pickles ``module_`` separately
from the ``module`` it was given, which is the same object here) and the
optimizer's state (for Adam, two more copies of every weight), and a module
trained on a GPU holds CUDA tensors that cannot be unpickled without one.

:func:`slim_net` returns a copy of the net for pickling that keeps its
configuration, its history and one CPU copy of each trained module and
criterion, as the ``module``/``criterion`` it is built from, and drops the
initialised components. :func:`~sklearn_rnn._net.restore_state`
initialises such a copy after unpickling: skorch has by then mapped a CUDA
device that is not available to the CPU, so the module lands there, and the
optimizer starts afresh, which is what ``warm_start`` then continues with.
"""

import copy
import itertools

import torch


def _on_cpu(obj):
    """``obj`` itself when it holds no tensor off the CPU, else a CPU copy."""
    if not isinstance(obj, torch.nn.Module):
        return obj
    tensors = itertools.chain(obj.parameters(), obj.buffers())
    if all(tensor.device.type == "cpu" for tensor in tensors):
        return obj
    return copy.deepcopy(obj).cpu()


def slim_net(net):
    """A copy of the fitted skorch ``net`` to pickle in its place.

    Parameters
    ----------
    net : skorch.NeuralNet
        An initialised net.

    Returns
    -------
    slim : skorch.NeuralNet
        A shallow copy, not initialised, whose ``module`` and ``criterion``
        are the trained ones on the CPU. It shares everything else with
        ``net``, so it must not be trained;
        :func:`~sklearn_rnn._net.restore_state` makes the unpickled copy
        whole.
    """
    # A shallow copy by hand: copy.copy would go through skorch's
    # __getstate__, which serialises the very tensors we mean to leave out.
    slim = object.__new__(type(net))
    slim.__dict__.update(net.__dict__)
    components = [*net._modules, *net._criteria, *net._optimizers]
    for name in components:
        slim.__dict__.pop(name + "_", None)
    for name in [*net._modules, *net._criteria]:
        if hasattr(net, name + "_"):
            slim.__dict__[name] = _on_cpu(getattr(net, name + "_"))
    slim.initialized_ = False
    return slim
