"""What sequences of different lengths cost, and proof that padding never leaks.

Run from the repository root (a few minutes on a 2-core CPU)::

    python benchmarks/bench_variable_length.py            # the full benchmark
    python benchmarks/bench_variable_length.py --quick    # a smoke run

Part 1, padding cost. ``RNNRegressor`` trains on two inputs with the same
total number of time steps: ``equal``, every sequence ``L`` steps long (a 3-D
array), and ``variable``, a list of sequences whose lengths are drawn
uniformly from ``[L/10, 19L/10]`` (so their mean is ``L``). Variable-length
batches are bucketed by length (shuffle, sort within runs of 50 batches,
shuffle the batch order); ``variable, unbucketed`` turns the bucketing off
(sorting within single batches) to show what it buys. The figure is the
training time per epoch (mean over the epochs of one fit), median over
``--repeats`` fits, the three inputs interleaved within each repeat; the
ratio is ``variable / equal``. Both the process CPU time and the wall time
(skorch's ``dur``) are printed: on one torch thread the CPU time is the
work done, and it holds steady on a machine shared with other jobs, where
wall times swing. Fused cells pack the sequences;
``layer_norm=True`` cells mask them in a Python loop over steps.

Part 2, leaks. Two classification tasks on 3-D inputs of 5 to 40 steps,
padded with NaN at the start of some sequences and at the end of others:
``last step`` (the label is the sign of the first feature at the last real
step; an LSTM) and ``length`` (the label says whether a sequence is long,
30-40 steps, or short, 5-15; a GRU, as the LSTM sat at chance for the 30
epochs with lr=0.01 here). A network that read the padding would see zeros
last, or count padding as steps; both reach near-perfect test accuracy only
if it never does.

Not collected by pytest (``testpaths`` are ``tests`` and ``sklearn_rnn``):
tests check behaviour, this script measures.
"""

import argparse
import functools
import platform
import statistics
import time

import numpy as np
import torch

import sklearn_rnn
from skorch.callbacks import Callback

from sklearn_rnn import LSTMClassifier, RNNRegressor
from sklearn_rnn._datasets import SequenceDataset

N_FEATURES = 4


class EpochCPUTime(Callback):
    """Records each epoch's process CPU time in the history as ``cpu``."""

    def on_epoch_begin(self, net, **kwargs):
        self._start = time.process_time()

    def on_epoch_end(self, net, **kwargs):
        net.history.record("cpu", time.process_time() - self._start)


def variable_lengths(n, mean_length, rng):
    return rng.integers(mean_length // 10, 19 * mean_length // 10 + 1, size=n)


def time_per_epoch(X, y, *, bucketed, cell, layer_norm, epochs, seed):
    original = SequenceDataset.shuffled_batches
    if not bucketed:
        # Sorting runs of one batch leaves batches as random as plain shuffling.
        SequenceDataset.shuffled_batches = functools.partialmethod(original, chunk=1)
    try:
        reg = RNNRegressor(cell=cell, layer_norm=layer_norm, hidden_size=32,
                           max_epochs=epochs, random_state=seed,
                           callbacks=[("cpu", EpochCPUTime())]).fit(X, y)
    finally:
        SequenceDataset.shuffled_batches = original
    return (float(np.mean(reg.history_[:, "cpu"])),
            float(np.mean(reg.history_[:, "dur"])))


def padding_cost(args):
    rng = np.random.default_rng(0)
    lengths = variable_lengths(args.n, args.length, rng)
    # Equal-length input with the same total number of steps.
    equal_length = int(round(lengths.sum() / args.n))
    X_var = [rng.normal(size=(t, N_FEATURES)).astype(np.float32) for t in lengths]
    X_eq = rng.normal(size=(args.n, equal_length, N_FEATURES)).astype(np.float32)
    y = rng.normal(size=args.n)
    print(f"{args.n} sequences, {N_FEATURES} features, hidden 32, batch 32; "
          f"variable lengths {lengths.min()}-{lengths.max()} "
          f"({lengths.sum()} steps), equal length {equal_length} "
          f"({equal_length * args.n} steps)")
    inputs = {
        "equal": (X_eq, True),
        "variable": (X_var, True),
        "variable, unbucketed": (X_var, False),
    }
    configs = [("lstm", False), ("gru", False), ("lstm", True)]
    results = {}
    for cell, layer_norm in configs:
        times = {name: [] for name in inputs}
        for repeat in range(args.repeats):
            names = list(inputs)
            names = names[repeat % len(names):] + names[: repeat % len(names)]
            for name in names:
                X, bucketed = inputs[name]
                times[name].append(time_per_epoch(
                    X, y, bucketed=bucketed, cell=cell, layer_norm=layer_norm,
                    epochs=args.epochs, seed=repeat))
        label = cell + (" (layer_norm)" if layer_norm else "")
        print(f"\n{label}: seconds per epoch, median of {args.repeats}")
        print(f"  {'':<22} {'CPU':>8} {'ratio':>6}   {'wall':>8} {'ratio':>6}")
        medians = {
            name: [statistics.median(column) for column in zip(*t)]
            for name, t in times.items()
        }
        results[label] = medians
        cpu_eq, wall_eq = medians["equal"]
        for name, (cpu, wall) in medians.items():
            print(f"  {name:<22} {cpu:7.3f}s {cpu / cpu_eq:6.2f}   "
                  f"{wall:7.3f}s {wall / wall_eq:6.2f}")
    return results


def leak_task(kind, n, rng):
    if kind == "last step":
        lengths = rng.integers(5, 41, size=n)
    else:
        long = rng.random(n) < 0.5
        lengths = np.where(long, rng.integers(30, 41, n), rng.integers(5, 16, n))
    n_steps = lengths.max()
    X = np.full((n, n_steps, N_FEATURES), np.nan, dtype=np.float32)
    labels = []
    for i, length in enumerate(lengths):
        seq = rng.normal(size=(length, N_FEATURES))
        # Half the sequences padded at the start, the rest at the end.
        start = n_steps - length if i % 2 else 0
        X[i, start: start + length] = seq
        if kind == "last step":
            labels.append("up" if seq[-1, 0] > 0 else "down")
        else:
            labels.append("long" if length >= 30 else "short")
    return X, np.array(labels)


def leaks(args):
    print("\nTest accuracy, NaN padding at the start or the end "
          f"({args.n_train} training, 2000 test sequences of 5-40 steps, "
          f"{args.task_epochs} epochs):")
    accuracies = {}
    for kind, cell in [("last step", "lstm"), ("length", "gru")]:
        rng = np.random.default_rng(1)
        X, y = leak_task(kind, args.n_train, rng)
        X_test, y_test = leak_task(kind, 2000, rng)
        clf = LSTMClassifier(cell=cell, hidden_size=32, max_epochs=args.task_epochs,
                             lr=0.01, random_state=0).fit(X, y)
        accuracies[kind] = clf.score(X_test, y_test)
        print(f"  {kind:<10} {cell:<5} {accuracies[kind]:.4f}  (chance "
              f"{max(np.mean(y_test == c) for c in np.unique(y_test)):.3f})")
    return accuracies


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (default 1: stable on a busy CPU)")
    args = parser.parse_args()
    args.n, args.length, args.epochs, args.repeats = (
        (200, 40, 1, 1) if args.quick else (2000, 100, 2, 3))
    args.n_train, args.task_epochs = (500, 3) if args.quick else (4000, 30)
    torch.set_num_threads(args.threads)
    print(f"sklearn-rnn {sklearn_rnn.__version__}, torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), {platform.processor() or 'cpu'}")
    padding_cost(args)
    leaks(args)


if __name__ == "__main__":
    main()
