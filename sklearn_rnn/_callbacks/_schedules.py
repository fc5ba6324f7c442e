"""Learning-rate schedules: skorch's scheduler callback and the one-cycle curve."""

import math

from skorch.callbacks import LRScheduler

__all__ = ["LRSchedule", "one_cycle"]


class LRSchedule(LRScheduler):
    """skorch's ``LRScheduler`` that lets go of its scheduler after training.

    The scheduler holds the optimizer, state and all; skorch builds a new
    one when training begins, so a fitted estimator need not keep it (nor
    pickle it). A schedule stepped every batch (one-cycle) runs whole in
    each fit, a ``warm_start`` fit included, from the current ``lr``.
    """

    def on_train_begin(self, net, **kwargs):
        if self.step_every == "batch":
            for group in net.optimizer_.param_groups:
                group.pop("initial_lr", None)
        super().on_train_begin(net, **kwargs)

    def on_train_end(self, net, **kwargs):
        self.lr_scheduler_ = None


def one_cycle(step, total_steps):
    """Learning-rate factor at optimizer ``step`` of a one-cycle schedule.

    A cosine warm-up from 1/25 of the rate to all of it over the first 30%
    of ``total_steps``, then a cosine decay to nearly zero (Smith & Topin,
    2019): the warm-up steadies the first steps of a fresh network, the
    decay settles it in a minimum. Steps past the end keep the last factor.
    """
    warmup = max(1, round(0.3 * total_steps))
    if step < warmup:
        return 0.04 + 0.96 * (1 - math.cos(math.pi * step / warmup)) / 2
    done = min(1.0, (step - warmup) / max(1, total_steps - warmup))
    return 1e-4 + (1 - 1e-4) * (1 + math.cos(math.pi * done)) / 2
