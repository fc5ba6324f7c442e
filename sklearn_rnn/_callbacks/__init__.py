"""The skorch callbacks every recurrent estimator trains with, one module per theme.

* :mod:`._gradients`: :class:`GradientNorm` records (and clips) the gradient norm.
* :mod:`._faults`: :class:`FaultGuard` handles divergence and interruption and
  restores the best weights.
* :mod:`._progress`: :class:`EpochProgress` and :func:`progress_callback`
  report training at each ``verbose`` level; :func:`echo` and :func:`silent`
  are skorch sinks.
"""

from ._faults import FaultGuard
from ._gradients import GradientNorm, clip_grad_norm
from ._progress import MAX_PLAIN_LINES, EpochProgress, echo, progress_callback, silent

__all__ = [
    "MAX_PLAIN_LINES",
    "EpochProgress",
    "FaultGuard",
    "GradientNorm",
    "clip_grad_norm",
    "echo",
    "progress_callback",
    "silent",
]
