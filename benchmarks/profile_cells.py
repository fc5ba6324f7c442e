"""Where a recurrent layer's time goes on CPU: torch.profiler per layer.

Run from the repository root::

    python benchmarks/profile_cells.py            # batch 64, window 64, hidden 32
    python benchmarks/profile_cells.py --top 8

For ``nn.LSTM``, ``nn.GRU``, ``nn.RNN`` and the package's scan layers
(``sklearn_rnn._cells``) on bench_speed's shapes, one thread: the median time of
a forward pass plus a backward pass through a linear readout of the last
step, how many ATen operator calls and autograd nodes one such pass runs, and
the operators that take the most self time in forward and backward.
"""

import argparse
import statistics
import time

import torch
from torch import nn

from sklearn_rnn import _cells

PROFILED = 10  # passes per profile: a single one is at the mercy of other load


def layers(hidden):
    return {
        "nn.LSTM": nn.LSTM(1, hidden, batch_first=True),
        "nn.GRU": nn.GRU(1, hidden, batch_first=True),
        "nn.RNN": nn.RNN(1, hidden, batch_first=True),
        "ScanGRU": _cells.ScanGRU(1, hidden, batch_first=True),
        "ScanRNN": _cells.ScanRNN(1, hidden, batch_first=True),
    }


def _in_backward(event):
    while event is not None:
        if event.name.startswith("autograd::engine"):
            return True
        event = event.cpu_parent
    return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--top", type=int, default=6)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    print(f"GRU loops: {'compiled C++' if _cells.compiled_kernels() else 'torch'}")
    x = torch.randn(args.batch, args.window, 1)
    readout = nn.Linear(args.hidden, 1)
    mods = layers(args.hidden)

    def step(module):
        out, _ = module(x)
        readout(out[:, -1]).pow(2).mean().backward()

    times = {name: [] for name in mods}
    for _ in range(5):
        for module in mods.values():
            step(module)
    for _ in range(40):  # interleaved, so that load from elsewhere hits all
        for name, module in mods.items():
            start = time.perf_counter()
            step(module)
            times[name].append(time.perf_counter() - start)
    lstm = times["nn.LSTM"]
    print(f"\nbatch {args.batch}, window {args.window}, hidden {args.hidden}, "
          "1 thread; forward + backward, medians\n")
    print("| layer | ms | / nn.LSTM (paired) | ATen calls fwd | ATen calls bwd "
          "| autograd nodes |")
    print("|---|---:|---:|---:|---:|---:|")
    tops = {}
    for name, module in mods.items():
        with torch.profiler.profile() as prof:
            for _ in range(PROFILED):
                step(module)
        events = prof.events()
        # Every ATen call, nested ones included, split by whether the
        # autograd engine (the backward pass) made it.
        aten = [e for e in events if e.name.startswith("aten::")]
        backward = [e for e in aten if _in_backward(e)]
        forward = [e for e in aten if not _in_backward(e)]
        nodes = [e for e in events
                 if e.name.startswith("autograd::engine::evaluate_function")]
        ratio = statistics.median(a / b for a, b in zip(times[name], lstm))
        print(f"| {name} | {1e3 * statistics.median(times[name]):.2f} "
              f"| {ratio:.2f} | {len(forward) // PROFILED} "
              f"| {len(backward) // PROFILED} | {len(nodes) // PROFILED} |")
        tops[name] = prof.key_averages().table(
            sort_by="self_cpu_time_total", row_limit=args.top,
            max_name_column_width=48)
    for name, table in tops.items():
        print(f"\n{name}: operators by self time ({PROFILED} forward + backward "
              "passes)\n")
        print(table)


if __name__ == "__main__":
    main()
