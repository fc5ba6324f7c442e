"""The skorch callbacks every recurrent estimator trains with, one module per theme.

* :mod:`._gradients`: :class:`GradientNorm` records (and clips) the gradient norm.
* :mod:`._faults`: :class:`FaultGuard` handles divergence and interruption and
  restores the best weights.
* :mod:`._checkpoints`: :class:`GroupCheckpoint` keeps the best weights by the
  loss on each group of validation rows.
* :mod:`._progress`: :class:`EpochProgress` and :func:`progress_callback`
  report training at each ``verbose`` level; :func:`echo` and :func:`silent`
  are skorch sinks.
* :mod:`._schedules`: :class:`LRSchedule` runs a learning-rate schedule, such
  as :func:`one_cycle`.
"""

from ._checkpoints import GroupCheckpoint
from ._faults import FaultGuard
from ._gradients import GradientNorm, clip_grad_norm
from ._progress import MAX_PLAIN_LINES, EpochProgress, echo, progress_callback, silent
from ._schedules import LRSchedule, one_cycle

__all__ = [
    "MAX_PLAIN_LINES",
    "EpochProgress",
    "FaultGuard",
    "GradientNorm",
    "GroupCheckpoint",
    "LRSchedule",
    "clip_grad_norm",
    "echo",
    "one_cycle",
    "progress_callback",
    "silent",
]
