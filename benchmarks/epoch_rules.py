"""Which epoch should early stopping keep? Rules replayed on whole-schedule fits.

For each regression task of ``bench_accuracy.py`` and each seed, fits
``RNNRegressor()`` with ``patience=None`` (every epoch of the one-cycle
schedule runs), records the weights after every epoch and each validation
sequence's loss under them, then applies each selection rule to that record:
the rule picks an epoch (0 = the ridge start), and the estimator's own end
of fit follows (the one-standard-error rule against the start, the linear
path fitted again on every sequence). Every epoch's weights are those of a
fit stopped there, so each rule's ratio to ``RidgeCV`` is what a fit with
that rule gives, without a fit per rule. Rules (``v`` = mean validation
loss per epoch, ``E`` epochs):

- ``patience10``: skorch ``EarlyStopping(patience=10)``, best epoch so far
  (the default before ``patience=None``);
- ``whole``: the lowest ``v`` over all ``E`` epochs (``patience=None``);
- ``last``: epoch ``E``;
- ``annealing``: the lowest ``v`` once the one-cycle rate has peaked (30%);
- ``ma5``, ``ma10``: the lowest trailing 5- or 10-epoch mean of ``v``;
- ``patience5%``, ``patience20%``: patience of 5% or 20% of ``E``;
- ``one-se-later``: the latest epoch within one standard error (of the
  per-sequence difference) of the best epoch, the more trained network;
- ``one-se-earlier``: the earliest such epoch, the less trained network.

Run::

    PYTHONPATH=$PWD python benchmarks/epoch_rules.py                  # seeds 0-2
    PYTHONPATH=$PWD python benchmarks/epoch_rules.py --seeds 10 --sets elnino,UnitTest
"""

import argparse
import copy
import math

import numpy as np
import torch
from skorch.callbacks import Callback

import bench_accuracy as bench
from sklearn_rnn import RNNRegressor
from sklearn_rnn._base import PREDICT_BATCH_SIZE
from sklearn_rnn._one_se import clearly_better, sample_losses
from sklearn_rnn._sequence import _ridge_start


class EveryEpoch(Callback):
    """The module's state before training and after each epoch."""

    def on_train_begin(self, net, **kwargs):
        self.states = [copy.deepcopy(net.module_.state_dict())]

    def on_epoch_end(self, net, **kwargs):
        self.states.append(copy.deepcopy(net.module_.state_dict()))


def stopped_at(v, patience, threshold=1e-4):
    """Last epoch skorch's EarlyStopping (relative threshold) runs on ``v``."""
    best, misses = math.inf, 0
    for epoch in range(1, len(v)):
        if v[epoch] < best * (1 - threshold):
            best, misses = v[epoch], 0
        else:
            misses += 1
        if misses >= patience:
            return epoch
    return len(v) - 1


def lowest(v, first, last):
    return first + int(np.argmin(v[first: last + 1]))


def trailing_mean(v, k):
    return np.array([v[max(1, e - k + 1): e + 1].mean() if e else v[0]
                     for e in range(len(v))])


def rules(losses):
    """Epoch each rule keeps; ``losses[e]`` are epoch ``e``'s per-sequence
    validation losses (row 0: the start)."""
    v = losses.mean(axis=1)
    E = len(v) - 1
    best = lowest(v, 1, E)
    gap = losses - losses[best]
    se = gap.std(axis=1, ddof=1) / math.sqrt(losses.shape[1])
    near = [e for e in range(1, E + 1) if gap[e].mean() <= se[e]]
    return {
        "patience10": lowest(v, 1, stopped_at(v, 10)),
        "whole": best,
        "last": E,
        "annealing": lowest(v, max(1, round(0.3 * E)), E),
        "ma5": lowest(trailing_mean(v, 5), 1, E),
        "ma10": lowest(trailing_mean(v, 10), 1, E),
        "patience5%": lowest(v, 1, stopped_at(v, max(1, math.ceil(0.05 * E)))),
        "patience20%": lowest(v, 1, stopped_at(v, max(1, math.ceil(0.2 * E)))),
        "one-se-later": max(near),
        "one-se-earlier": min(near),
    }


def end_of_fit(est, dataset, states, losses, epoch):
    """The estimator's end of fit with the weights of ``epoch``."""
    module = est.net_.module_
    if epoch > 0 and clearly_better(losses[0] - losses[epoch]):
        module.load_state_dict(states[epoch])
        _ridge_start(dataset, network=module)(module)
    else:
        module.load_state_dict(states[0])
        _ridge_start(dataset)(module)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--sets", type=lambda s: s.split(","),
                        default=[*bench.FORECAST_SETS, *bench.CLASSIFICATION_SETS])
    args = parser.parse_args()
    torch.set_num_threads(1)
    bench.refuse_network()
    ratios = {}
    for task, X_tr, y_tr, X_te, y_te, R_tr, R_te in bench.regression_tasks(args.sets):
        ridge = bench.RidgeCV(alphas=bench.RIDGE_ALPHAS).fit(R_tr, y_tr)
        ridge = bench.rmse(y_te, ridge.predict(R_te))
        for seed in range(args.seeds):
            est = RNNRegressor(random_state=seed, patience=None,
                               callbacks=[("every", EveryEpoch())]).fit(X_tr, y_tr)
            states = dict(est.net_.callbacks_)["every"].states
            dataset, _, _ = est._sequences(X_tr, reset=False)
            dataset.y = torch.from_numpy(((y_tr - est._y_mean) / est._y_scale)
                                         .reshape(len(y_tr), -1).astype(np.float32))
            _, valid = est._train_split(seed)(dataset)
            losses = np.array([sample_losses(est.net_.module_, valid,
                                             block=PREDICT_BATCH_SIZE,
                                             device="cpu", state=state)
                               for state in states])
            picks, scores = rules(losses), {}
            for epoch in set(picks.values()):
                end_of_fit(est, dataset, states, losses, epoch)
                scores[epoch] = bench.rmse(y_te, est.predict(X_te)) / ridge
            for rule, epoch in picks.items():
                ratios.setdefault(rule, {}).setdefault(task, []).append(scores[epoch])
            print(f"  {task} seed {seed}: " + ", ".join(
                f"{rule} {epoch} ({scores[epoch]:.3f})"
                for rule, epoch in picks.items()), flush=True)
    tasks = list(next(iter(ratios.values())))
    rows = [[rule, *(f"{np.mean(by_task[t]):.3f}" for t in tasks),
             f"{np.mean([np.mean(by_task[t]) for t in tasks]):.3f}"]
            for rule, by_task in ratios.items()]
    bench.print_table(
        f"Epoch rules, ratio of test RMSE to RidgeCV, seeds 0-{args.seeds - 1}",
        ["rule", *(t.split()[0] for t in tasks), "mean"], rows)


if __name__ == "__main__":
    main()
