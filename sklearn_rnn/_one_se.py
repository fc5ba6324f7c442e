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

__all__ = ["clearly_better", "loss_gains", "sample_losses"]


def sample_losses(module, dataset, *, block, device, state=None):
    """Squared error of each sample of ``dataset``, averaged over its known
    target values, of ``module`` (or of a copy holding the weights ``state``).

    Computed ``block`` samples at a time, never on every sample (and the
    network's states on all of them) at once. The losses go into one array
    made before the blocks: a small array kept after each block would take
    the start of the block's freed activations, which the next block then
    no longer fits in, and the heap would grow by a block's activations
    at every block.
    """
    losses = np.empty(len(dataset))
    for rows, (loss,) in _block_losses(dataset, [_holding(module, state)],
                                       block=block, device=device):
        losses[rows] = loss
    return losses


def loss_gains(module, dataset, start, state=None, *, block, device):
    """:func:`sample_losses` of the weights ``start`` less those of
    ``module`` (or of its weights ``state``), sample by sample.

    Each block is gathered once and passed through both; the gains go into
    one array made before the blocks, and neither side's losses are kept
    whole (a second array made after a first pass would not fit where the
    first pass's blocks were freed either).
    """
    gains = np.empty(len(dataset))
    modules = [_holding(module, start), _holding(module, state)]
    for rows, (first, second) in _block_losses(dataset, modules, block=block,
                                               device=device):
        np.subtract(first, second, out=gains[rows])
    return gains


def _holding(module, state):
    """``module``, or a copy of it holding the weights ``state``; in eval mode."""
    if state is not None:
        module = copy.deepcopy(module)
        module.load_state_dict(state)
    return module.eval()


def _block_losses(dataset, modules, *, block, device):
    """Per block of ``block`` samples, its slice of ``dataset`` and the
    losses of each of ``modules`` on it (float64 arrays)."""
    with torch.no_grad():
        for start in range(0, len(dataset), block):
            index = torch.arange(start, min(start + block, len(dataset)))
            Xb, y = dataset.batch(index)
            Xb = {key: value.to(device) for key, value in Xb.items()}
            yield slice(start, start + len(index)), [
                ((module(**Xb).cpu() - y).flatten(1).double() ** 2)
                .nanmean(dim=1).numpy() for module in modules]


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
