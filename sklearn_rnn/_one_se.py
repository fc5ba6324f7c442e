"""The one-standard-error rule between a trained network and its linear start.

Estimators with a linear path (``highway``) start training from the ridge
regression of the targets; with early stopping they keep the trained
network only when it beats that start on the validation samples by more
than the noise of the comparison (Breiman et al., 1984; Hastie et al.,
2009, section 7.10): early stopping picks the best of many epochs on a
small validation set, so a small gain is mostly chance.
"""

import copy
import math

import numpy as np
import torch

__all__ = ["clearly_better", "sample_losses"]


def sample_losses(module, dataset, *, block, device, states=(None,)):
    """Squared error of each sample of ``dataset``, averaged over its known
    target values, of ``module`` holding each of the weights ``states``
    (None: those it holds), an array ``(len(states), n_samples)``.

    Computed ``block`` samples at a time, never on every sample (and the
    network's states on all of them) at once; each block is gathered once
    and passed through every state's module. The losses go into one array
    made before the blocks: a small array kept after each block would take
    the start of the block's freed activations, which the next block then
    no longer fits in, and the heap would grow by a block's activations
    at every block; so would a second array made after a first pass.
    """
    modules = []
    for state in states:
        if state is not None:
            module_copy = copy.deepcopy(module)
            module_copy.load_state_dict(state)
            modules.append(module_copy)
        else:
            modules.append(module)
    for each in modules:
        each.eval()
    losses = np.empty((len(modules), len(dataset)))
    with torch.no_grad():
        for start in range(0, len(dataset), block):
            index = torch.arange(start, min(start + block, len(dataset)))
            Xb, y = dataset.batch(index)
            Xb = {key: value.to(device) for key, value in Xb.items()}
            for row, each in zip(losses, modules):
                error = (each(**Xb).cpu() - y).flatten(1).double() ** 2
                row[start: start + len(index)] = error.nanmean(dim=1).numpy()
    return losses


def clearly_better(gains):
    """Whether the mean of ``gains`` exceeds its standard error.

    ``gains`` are the start's loss minus the network's, one per roughly
    independent unit of the validation data (a sample, or a block of
    samples that share targets); with fewer than two, any gain counts.
    """
    gains = np.asarray(gains, dtype=float)
    if len(gains) < 2:
        return bool(gains.mean() > 0)
    return bool(gains.mean() > gains.std(ddof=1) / math.sqrt(len(gains)))
