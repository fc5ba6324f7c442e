"""Speed and memory of sklearn-rnn's forecasters against plain PyTorch and skorch.

Run from the repository root (about 15 minutes on an idle 2-core CPU)::

    python benchmarks/bench_speed.py            # the full benchmark
    python benchmarks/bench_speed.py --quick    # a smoke run of every part

Three implementations train the same module on the same windows in the same
process:

(a) ``torch``: a minimal hand-written loop over tensors built once, shuffled
    by index permutation, no DataLoader.
(b) ``skorch``: :class:`skorch.NeuralNetRegressor` with its defaults, except
    ``train_split=None`` and ``iterator_train__shuffle=True`` so that it does
    the same work as (a) (by default it would hold out a random fifth and not
    shuffle).
(c) ``sklearn-rnn``: ``GRUForecaster`` / ``ConvGRUForecaster`` fitted on the
    raw series (validation, standardisation and windowing included).

Workload: a noisy sum of sines (20,000 points, seed 0), windows of 64,
next-value target, hidden 32, batch 64, 5 epochs, Adam lr 1e-3, float32,
``torch.set_num_threads(2)``, for the rnn, lstm and gru cells and the ConvGRU.
The forecaster trains on every row whose next value is known, ``n - 1`` rows,
the first 63 with a shorter history; (a) and (b) get the same ``n - 1``
windows, the short ones zero-padded in front (the forecaster itself never
sees padding). Clipping is off in (c) (``clip_grad_norm=None``) as in (a) and
(b); (c) still records the gradient norm of every batch for ``history_``. The
module is the package's private ``RecurrentNetwork`` in all three. (c) trains
with Adam's fused kernel (``fused=True``, the package's default: the same
update rule in one kernel); (a) and (b) with Adam's default implementation,
as their users would write them. ``--fused-reference`` gives (a) and (b) the
fused kernel too, so that the ratios measure the wrapper alone.

The implementations take turns epoch by epoch (skorch's ``partial_fit`` and
the forecaster's ``warm_start`` continue the same net one epoch at a time;
the order rotates), then predict call by call and single-window call by
call. Each ratio is the median of ratios taken side by side, so that a burst
of load from other processes slows both sides of a ratio rather than one;
absolute figures are medians over epochs and repeats. A fit's time per epoch
is its median epoch plus its one-off set-up spread over the 5 epochs.

Panel (issue 14): a panel of 1,250 ... 10,000 random walks of 200 steps (up
to 2,000,000 values) fit by one ``GRUForecaster``, each size in a fresh
process: peak memory of ``fit`` above the RSS before it, and CPU time per
value. The code is ``bench_panel.py``'s ``scale`` part, run from here.

Not collected by pytest (``testpaths`` are ``tests`` and ``sklearn_rnn``):
tests check behaviour, this script measures speed.
"""

import argparse
import ctypes
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view

import sklearn_rnn
from sklearn_rnn import ConvGRUForecaster, GRUForecaster, _cells, _modules, make_windows
from sklearn_rnn._modules import RecurrentNetwork

THREADS = 2
WINDOW = 64
HIDDEN = 32
BATCH = 64
LR = 1e-3
SEED = 0
PREDICT_CHUNK = 4096
CELLS = {
    "rnn": {"cell": "rnn"},
    "lstm": {"cell": "lstm"},
    "gru": {"cell": "gru"},
    "convgru": {"cell": "gru", "conv_channels": 16, "kernel_size": 3, "stride": 1},
}
TARGETS = {"fit": 1.10, "predict": 0.90, "latency": 2.0}
# Keyword arguments of (a)'s and (b)'s Adam: torch's defaults unless
# --fused-reference gives them the fused kernel that (c) uses.
REFERENCE_ADAM = {}


# -- measuring ---------------------------------------------------------------


def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not found in /proc/self/status")


class PeakMemory:
    """Peak resident memory above the level at entry, in MB (Linux only).

    Writing 5 to ``/proc/self/clear_refs`` resets the kernel's high-water
    mark (VmHWM), so each block gets its own peak. tracemalloc would miss
    torch's allocations, which bypass Python's allocator.
    """

    def __enter__(self):
        gc.collect()
        # Hand freed heap back to the system first, so that a run does not
        # look small merely because an earlier one left memory to reuse.
        _malloc_trim()
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        self.start_kb = _status_kb("VmRSS")
        return self

    def __exit__(self, *exc):
        self.mb = (_status_kb("VmHWM") - self.start_kb) / 1024


def _malloc_trim():
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def median_latency(call, n_calls):
    for _ in range(10):
        call()
    times = []
    for _ in range(n_calls):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_series(n_points, seed=SEED):
    """A noisy sum of sines, float64."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_points)
    return (np.sin(2 * np.pi * t / 50) + 0.5 * np.sin(2 * np.pi * t / 13.7)
            + 0.3 * np.sin(2 * np.pi * t / 365) + 0.1 * rng.standard_normal(n_points))


class Workload:
    """The series and, for (a) and (b), its ``n - 1`` windows built once."""

    def __init__(self, n_points, window=WINDOW):
        self.window = window
        self.series = make_series(n_points)
        mean, std = self.series.mean(), self.series.std()
        z = ((self.series - mean) / std).astype(np.float32)
        padded = np.concatenate([np.zeros(window - 1, np.float32), z])
        # Row t is the window ending at t, as the forecaster sees it.
        windows = np.ascontiguousarray(sliding_window_view(padded, window)[:-1])
        self.X = torch.from_numpy(windows[:, :, None])
        self.y = torch.from_numpy(z[1:, None].copy())
        self.std = std
        self.last_window = np.ascontiguousarray(z[-window:])


def build_module(spec, hidden=HIDDEN, torch_layers=False):
    """The package's module; with ``torch_layers``, on nn.RNN / nn.GRU instead
    of the package's scan layers (same parameters and initial weights)."""
    if not torch_layers:
        return RecurrentNetwork(input_size=1, output_size=1, hidden_size=hidden,
                                **spec)
    saved = dict(_modules._FUSED_LAYERS)
    _modules._FUSED_LAYERS.update(rnn=torch.nn.RNN, gru=torch.nn.GRU)
    try:
        return build_module(spec, hidden)
    finally:
        _modules._FUSED_LAYERS.update(saved)


# -- (a) a minimal hand-written loop ------------------------------------------
#
# Each implementation is driven epoch by epoch so that the three can take
# turns: ``start`` builds it (timed as set-up), ``epoch`` trains one epoch and
# returns ``(seconds of the epoch, set-up seconds it paid besides)``.


class TorchLoop:
    name = "(a) torch"
    torch_layers = False

    def __init__(self, spec, hidden=HIDDEN, window=WINDOW):
        self.spec, self.hidden = spec, hidden

    def start(self, data):
        torch.manual_seed(SEED)
        self.model = build_module(self.spec, self.hidden, self.torch_layers)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LR,
                                          **REFERENCE_ADAM)
        self.generator = torch.Generator().manual_seed(SEED)

    def epoch(self, data):
        start = time.perf_counter()
        model, optimizer, X, y = self.model, self.optimizer, data.X, data.y
        model.train()
        n = len(X)
        order = torch.randperm(n, generator=self.generator)
        for begin in range(0, n, BATCH):
            index = order[begin: begin + BATCH]
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(X[index]), y[index])
            loss.backward()
            optimizer.step()
        return time.perf_counter() - start, 0.0

    def predict(self, data):
        self.model.eval()
        with torch.inference_mode():
            out = [self.model(data.X[i: i + PREDICT_CHUNK])
                   for i in range(0, len(data.X), PREDICT_CHUNK)]
        return torch.cat(out)[:, 0].numpy()  # standardised units

    def latency_call(self, data):
        window, model = data.last_window, self.model

        def call():
            with torch.inference_mode():
                return model(torch.from_numpy(window).reshape(1, -1, 1)).item()
        return call


class TorchLayerLoop(TorchLoop):
    """(a) on torch's own nn.RNN / nn.GRU: the cells' speed before _cells."""

    name = "(a0) torch layer"
    torch_layers = True


# -- (b) skorch's NeuralNetRegressor -----------------------------------------


class SkorchDefaults:
    name = "(b) skorch"

    def __init__(self, spec, hidden=HIDDEN, window=WINDOW):
        self.spec, self.hidden = spec, hidden

    def start(self, data):
        from skorch import NeuralNetRegressor

        torch.manual_seed(SEED)
        # max_epochs=1: each partial_fit below is one epoch of the same net.
        self.net = NeuralNetRegressor(
            RecurrentNetwork,
            module__input_size=1, module__output_size=1,
            module__hidden_size=self.hidden,
            **{f"module__{key}": value for key, value in self.spec.items()},
            optimizer=torch.optim.Adam, lr=LR, batch_size=BATCH, max_epochs=1,
            **{f"optimizer__{key}": value for key, value in REFERENCE_ADAM.items()},
            train_split=None, iterator_train__shuffle=True, verbose=0,
        ).initialize()

    def epoch(self, data):
        self.net.partial_fit(data.X.numpy(), data.y.numpy())
        return self.net.history[-1, "dur"], 0.0

    def predict(self, data):
        return self.net.predict(data.X.numpy())[:, 0]

    def latency_call(self, data):
        window = data.last_window.reshape(1, -1, 1)
        return lambda: self.net.predict(window)


# -- (c) sklearn-rnn ------------------------------------------------------------


class SklearnRNN:
    name = "(c) sklearn-rnn"

    def __init__(self, spec, hidden=HIDDEN, window=WINDOW):
        spec = dict(spec)
        cls = ConvGRUForecaster if "conv_channels" in spec else GRUForecaster
        # warm_start with max_epochs=1: each fit below is one more epoch of
        # the same net, so that the implementations can take turns.
        self.model = cls(
            window=window, horizon=1, normalize=None, hidden_size=hidden,
            batch_size=BATCH, max_epochs=1, lr=LR, clip_grad_norm=None,
            random_state=SEED, warm_start=True, **spec,
        )

    def start(self, data):
        pass

    def epoch(self, data):
        first = not hasattr(self.model, "net_")
        start = time.perf_counter()
        self.model.fit(data.series)
        elapsed = time.perf_counter() - start
        epoch = self.model.history_[-1, "dur"]
        # The first call's validation, standardisation and net building are
        # the fit's set-up; later calls repeat the validation only because
        # the benchmark fits one epoch at a time, so they are not counted.
        return epoch, (elapsed - epoch) if first else 0.0

    def predict(self, data):
        # All n rows (one more than (a) and (b) predict: the last row's
        # out-of-sample forecast), back in standardised units for the MSE.
        z = (self.model.predict(data.series) - data.series.mean()) / data.std
        return z[:-1]

    def latency_call(self, data):
        series = data.series[-data.window:]
        return lambda: self.model.forecast(series)


IMPLEMENTATIONS = [TorchLoop, SkorchDefaults, SklearnRNN]
BASELINE = "lstm"  # the cell the others are compared with


def build(classes, cells, **kwargs):
    """One implementation per (cell, class), keyed by ``(cell, class name)``.

    Cells on the package's scan layers (not the LSTM) also get
    :class:`TorchLayerLoop`, so that one run compares them with torch's.
    """
    impls = {}
    for cell in cells:
        extra = [TorchLayerLoop] if CELLS[cell]["cell"] != "lstm" else []
        for cls in classes + (extra if TorchLoop in classes else []):
            impls[cell, cls.name] = cls(CELLS[cell], **kwargs)
    return impls


def rotated(items, shift):
    shift %= len(items)
    return items[shift:] + items[:shift]


def run_repeat(impls, data, epochs, repeat, latency_calls, predict_calls=3):
    """One fit of each implementation, all taking turns epoch by epoch.

    ``impls`` maps keys to implementations (:func:`build`). Returns, per
    key, its set-up and epoch times, predict and single-window times, peak
    memory and the MSE of its predictions.
    """
    keys = list(impls)
    out = {key: {"epoch_s": [], "predict_s": [], "latency_s": []} for key in keys}
    for key in rotated(keys, repeat):
        impl = impls[key]
        with PeakMemory() as memory:
            start = time.perf_counter()
            impl.start(data)
            setup = time.perf_counter() - start
            epoch, extra = impl.epoch(data)
        out[key].update(setup_s=setup + extra, peak_mb=memory.mb)
        out[key]["epoch_s"].append(epoch)
    for e in range(1, epochs):
        for key in rotated(keys, repeat + e):
            epoch, extra = impls[key].epoch(data)
            out[key]["epoch_s"].append(epoch)
            out[key]["setup_s"] += extra
    if not predict_calls:
        return out
    for call in range(predict_calls):
        for key in rotated(keys, repeat + call):
            with PeakMemory() as memory:
                start = time.perf_counter()
                pred = impls[key].predict(data)
                out[key]["predict_s"].append(time.perf_counter() - start)
            row = out[key]
            row["peak_mb"] = max(row["peak_mb"], memory.mb)
            row["n_predicted"] = len(pred)
            row["mse"] = float(np.mean((pred - data.y[:, 0].numpy()) ** 2))
    calls = {key: impl.latency_call(data) for key, impl in impls.items()}
    for call in calls.values():
        for _ in range(10):
            call()
    chunk = max(1, latency_calls // 6)
    for turn in range(6):
        for key in rotated(keys, turn):
            call, times = calls[key], out[key]["latency_s"]
            for _ in range(chunk):
                start = time.perf_counter()
                call()
                times.append(time.perf_counter() - start)
    return out


# -- the comparison -----------------------------------------------------------


def fit_per_epoch(run, epochs):
    """A fit's time per epoch: its median epoch plus its set-up spread out."""
    return statistics.median(run["epoch_s"]) + run["setup_s"] / epochs


def compare(cells, n_points, epochs, repeats, latency_calls):
    """Every implementation of every cell, all taking turns in each repeat."""
    data = Workload(n_points)
    # One small untimed round first: torch and oneDNN set up kernels and
    # buffers on first use (and _cells loads or builds its C++ loops),
    # which the first timed run would otherwise pay.
    run_repeat(build(IMPLEMENTATIONS, cells), Workload(500), 1, 0,
               latency_calls=6, predict_calls=1)
    results = {cell: [] for cell in cells}
    for repeat in range(repeats):
        runs = run_repeat(build(IMPLEMENTATIONS, cells), data, epochs, repeat,
                          latency_calls)
        for cell in cells:
            results[cell].append({name: run for (c, name), run in runs.items()
                                  if c == cell})
        for (cell, name), run in runs.items():
            print(f"  repeat {repeat + 1}/{repeats} {cell:8s} {name:16s} "
                  f"epochs {' '.join(f'{e:.2f}' for e in run['epoch_s'])} s "
                  f"(+{run['setup_s']:.2f} set-up), "
                  f"{run['n_predicted'] / statistics.median(run['predict_s']):,.0f}"
                  f" windows/s, "
                  f"{statistics.median(run['latency_s']) * 1e3:.3f} ms",
                  flush=True)
    summary = {cell: summarise(runs_list, epochs)
               for cell, runs_list in results.items()}
    if BASELINE in cells:
        for cell in cells:
            summary[cell]["vs_lstm"] = against_lstm(results[cell],
                                                    results[BASELINE], epochs)
    return summary


def against_lstm(runs_list, lstm_runs_list, epochs):
    """A cell's times over the LSTM's, paired within each repeat.

    All cells take turns in a repeat, so epoch ``e`` of one cell's
    implementation ran beside epoch ``e`` of the LSTM's. Predict and
    latency figures are time ratios too (the LSTM's throughput over the
    cell's): below 1 the cell is faster.
    """
    ratios = {}
    for name in [TorchLayerLoop.name, *(cls.name for cls in IMPLEMENTATIONS)]:
        if name not in runs_list[0]:
            continue
        reference = TorchLoop.name if name == TorchLayerLoop.name else name
        merged = [{"x": runs[name], "y": lstm_runs[reference]}
                  for runs, lstm_runs in zip(runs_list, lstm_runs_list)]
        ratios[name] = {
            "fit": paired(merged, "x", "y", "fit", epochs),
            "predict": 1 / paired(merged, "x", "y", "predict", epochs),
            "latency": paired(merged, "x", "y", "latency", epochs),
        }
    return ratios


def summarise(runs_list, epochs):
    """Medians per implementation, and ratios as medians of paired ratios.

    Every ratio compares figures taken side by side: an epoch of (c) with
    the same epoch of (a) in the same repeat (each with its fit's set-up
    spread over the epochs), a predict call with the one beside it, a
    repeat's median latency with the other's. On a machine shared with other
    work, a burst of load then slows both sides of a ratio, not one.
    """
    names = list(runs_list[0])
    medians = {}
    for name in names:
        runs = [runs[name] for runs in runs_list]
        medians[name] = {
            "fit_epoch_s": statistics.median(fit_per_epoch(r, epochs) for r in runs),
            "setup_s": statistics.median(r["setup_s"] for r in runs),
            "predict_per_s": statistics.median(
                r["n_predicted"] / t for r in runs for t in r["predict_s"]),
            "latency_ms": 1e3 * statistics.median(
                statistics.median(r["latency_s"]) for r in runs),
            "peak_mb": statistics.median(r["peak_mb"] for r in runs),
            "mse": statistics.median(r["mse"] for r in runs),
        }

    a, b, c = (cls.name for cls in IMPLEMENTATIONS)
    ratios = {
        "fit": paired(runs_list, c, a, "fit", epochs),
        "predict": paired(runs_list, c, a, "predict", epochs),
        "latency": paired(runs_list, c, a, "latency", epochs),
        "b_fit": paired(runs_list, b, c, "fit", epochs),
        "b_predict": paired(runs_list, b, c, "predict", epochs),
        "b_latency": paired(runs_list, b, c, "latency", epochs),
    }
    return {"medians": medians, "ratios": ratios}


def paired(runs_list, num, den, kind, epochs):
    """Median over side-by-side measurements of ``num``'s figure over ``den``'s."""
    values = []
    for runs in runs_list:
        x, y = runs[num], runs[den]
        if kind == "fit":
            values += [(ex + x["setup_s"] / epochs) / (ey + y["setup_s"] / epochs)
                       for ex, ey in zip(x["epoch_s"], y["epoch_s"])]
        elif kind == "predict":  # throughput: windows per second
            values += [(x["n_predicted"] / tx) / (y["n_predicted"] / ty)
                       for tx, ty in zip(x["predict_s"], y["predict_s"])]
        else:
            values.append(statistics.median(x["latency_s"])
                          / statistics.median(y["latency_s"]))
    return statistics.median(values)


def print_comparison(summary):
    print("\n### Comparison (medians)\n")
    print("| cell | implementation | fit s/epoch | of which set-up | predict windows/s "
          "| 1-window latency ms | peak MB | MSE |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for cell, result in summary.items():
        for name, m in result["medians"].items():
            print(f"| {cell} | {name} | {m['fit_epoch_s']:.3f} "
                  f"| {m['setup_s']:.3f} s | {m['predict_per_s']:,.0f} "
                  f"| {m['latency_ms']:.3f} | {m['peak_mb']:.0f} | {m['mse']:.4f} |")
    print("\n### Ratios (medians of paired ratios)\n")
    print("| cell | fit (c)/(a) <= 1.10 | predict (c)/(a) >= 0.90 "
          "| latency (c)/(a) <= 2 | fit (b)/(c) | predict (b)/(c) "
          "| latency (b)/(c) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for cell, result in summary.items():
        r = result["ratios"]
        marks = {
            "fit": r["fit"] <= TARGETS["fit"],
            "predict": r["predict"] >= TARGETS["predict"],
            "latency": r["latency"] <= TARGETS["latency"],
        }
        cells = " | ".join(
            f"{r[key]:.2f}{'' if marks[key] else ' (missed)'}" for key in marks)
        print(f"| {cell} | {cells} | {r['b_fit']:.2f} | {r['b_predict']:.2f} "
              f"| {r['b_latency']:.2f} |")
    if not any("vs_lstm" in result for result in summary.values()):
        return
    print("\n### Cells against the LSTM (time ratios, medians of paired ratios)\n")
    print("Each figure is the cell's time over the LSTM's for the same "
          "implementation, side by side in one run (predict: time per window); "
          f"{TorchLayerLoop.name} is (a) on torch's nn.RNN / nn.GRU, over (a)'s "
          "LSTM. Targets on (c)'s fit: GRU <= 1.5, simple RNN <= 1.0.\n")
    print("| cell | implementation | fit | predict | 1-window latency |")
    print("|---|---|---:|---:|---:|")
    for cell, result in summary.items():
        if cell == BASELINE:
            continue
        for name, r in result.get("vs_lstm", {}).items():
            print(f"| {cell} | {name} | {r['fit']:.2f} | {r['predict']:.2f} "
                  f"| {r['latency']:.2f} |")


# -- memory on a long series ----------------------------------------------------


class _StopAfter(Exception):
    pass


def memory_child(n_points, window, n_batches, threads):
    """Runs in a fresh process: peak memory of set-up and ``n_batches`` batches."""
    from skorch.callbacks import Callback

    class StopAfter(Callback):
        def initialize(self):
            self.count = 0
            return self

        def on_batch_end(self, net, **kwargs):
            self.count += 1
            if self.count >= n_batches:
                raise _StopAfter

    torch.set_num_threads(threads)
    # The first torch optimizer imports torch._dynamo (about 70 MB), lazily:
    # part of importing torch, not of the forecaster, so it comes first.
    before_mb = _status_kb("VmRSS") / 1024
    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
    lazy_import_mb = _status_kb("VmRSS") / 1024 - before_mb
    series = make_series(n_points)
    gc.collect()
    baseline_mb = _status_kb("VmRSS") / 1024
    with PeakMemory() as windows_memory:
        X, Y = make_windows(series, window)
        shape = X.shape
        del X, Y
    model = GRUForecaster(window=window, max_epochs=1, random_state=SEED,
                          callbacks=[StopAfter()])
    with PeakMemory() as memory:
        start = time.perf_counter()
        try:
            model.fit(series)
        except _StopAfter:
            pass
        elapsed = time.perf_counter() - start
    print(json.dumps({"baseline_mb": baseline_mb, "peak_above_mb": memory.mb,
                      "seconds": elapsed, "batch_size": model.batch_size,
                      "make_windows_mb": windows_memory.mb,
                      "make_windows_shape": list(shape),
                      "lazy_import_mb": lazy_import_mb}))


def memory_benchmark(n_points, window, n_batches):
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(n_points), str(window),
         str(n_batches), str(torch.get_num_threads())],
        check=True, capture_output=True, text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    materialised_mb = n_points * window * 4 / 1e6
    print("\n### Memory: fit on a long series\n")
    print(f"GRUForecaster(window={window}) defaults (batch "
          f"{result['batch_size']}) on {n_points:,} points, set-up and the first "
          f"{n_batches} batches ({result['seconds']:.1f} s):")
    print(f"- footprint after importing torch and loading the series: "
          f"{result['baseline_mb']:.0f} MB (including the "
          f"{result['lazy_import_mb']:.0f} MB torch takes when it builds its "
          "first optimizer)")
    print(f"- peak above it: {result['peak_above_mb']:.1f} MB (limit 300 MB)")
    print(f"- materialised float32 window matrix: {materialised_mb:,.0f} MB; "
          f"peak / materialised = {result['peak_above_mb'] / materialised_mb:.4f}")
    print(f"- make_windows(series, {window}): windows of shape "
          f"{tuple(result['make_windows_shape'])}, peak "
          f"{result['make_windows_mb']:.1f} MB above the footprint")
    return result


# -- panel --------------------------------------------------------------------------


def panel_benchmark(quick):
    """Many short series, one model: ``bench_panel.py --part scale``."""
    import bench_panel  # this script's folder is first on sys.path

    print("\n### Panel: many series, one model (bench_panel.py --part scale)\n")
    return bench_panel.part_scale(quick)


# -- scaling ------------------------------------------------------------------------


def scaling(cell, n_points, epochs, grid):
    print(f"\n### Scaling: fit s/epoch, {cell}, {n_points:,} points, "
          f"{epochs} epochs, (a) and (c) taking turns\n")
    print("| window | hidden | (a) torch | (c) sklearn-rnn | (c)/(a) "
          "| (c) per window step, ms |")
    print("|---:|---:|---:|---:|---:|---:|")
    classes = [TorchLoop, SklearnRNN]
    for window, hidden in grid:
        data = Workload(n_points, window)
        impls = {cls.name: cls(CELLS[cell], hidden=hidden, window=window)
                 for cls in classes}
        runs = run_repeat(impls, data, epochs, 0, latency_calls=0, predict_calls=0)
        a, c = (fit_per_epoch(runs[cls.name], epochs) for cls in classes)
        ratio = paired([runs], classes[1].name, classes[0].name, "fit", epochs)
        print(f"| {window} | {hidden} | {a:.3f} | {c:.3f} | {ratio:.2f} "
              f"| {c / window * 1e3:.2f} |", flush=True)


def describe_machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import skorch

    return (f"{cpu}, {os.cpu_count()} cores, torch {torch.__version__} "
            f"({torch.get_num_threads()} threads), skorch {skorch.__version__}, "
            f"sklearn-rnn {sklearn_rnn.__version__}, Python "
            f"{platform.python_version()}, load average before the run "
            f"{os.getloadavg()[0]:.1f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small data, one repeat: checks that every part runs")
    parser.add_argument("--cells", nargs="+", choices=list(CELLS),
                        default=list(CELLS))
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--skip-comparison", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--skip-panel", action="store_true")
    parser.add_argument("--full-grid", action="store_true",
                        help="scaling over every window x hidden pair")
    parser.add_argument("--threads", type=int, default=THREADS,
                        help="torch threads (default 2, the issue's setting; 1 "
                        "is steadier on a machine busy with other work)")
    parser.add_argument("--fused-reference", action="store_true",
                        help="(a) and (b) use Adam(fused=True) as (c) does, so "
                        "that the ratios measure the wrapper alone")
    parser.add_argument("--memory-child", nargs=4, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child)
        return

    torch.set_num_threads(args.threads)
    if args.fused_reference:
        REFERENCE_ADAM["fused"] = True
    quick = args.quick
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"Warning: load average {load:.1f} on {os.cpu_count()} cores; other "
              "processes compete for the CPU and the figures will be noisy "
              "(ratios less so: the implementations run interleaved).\n")
    n_points = 3_000 if quick else 20_000
    epochs = 2 if quick else 5
    repeats = args.repeats or (1 if quick else 3)
    print(f"Machine: {describe_machine()}")
    print(f"Workload: {n_points:,} points, window {WINDOW}, hidden {HIDDEN}, batch "
          f"{BATCH}, {epochs} epochs, Adam lr {LR}, float32, {repeats} "
          f"repeat(s), medians. Adam in (a) and (b): "
          f"{'fused' if REFERENCE_ADAM else 'torch defaults'}; in (c): fused\n")
    start = time.perf_counter()
    kernels = _cells.compiled_kernels()
    print(f"GRU loops: {'compiled C++' if kernels else 'torch operations'} "
          f"(loaded or built in {time.perf_counter() - start:.1f} s)\n")
    if not args.skip_comparison:
        summary = compare(args.cells, n_points, epochs, repeats,
                          latency_calls=50 if quick else 300)
        print_comparison(summary)
    if not args.skip_memory:
        memory_benchmark(2_000_000, 256, 20 if quick else 200)
    if not args.skip_panel:
        panel_benchmark(quick)
    if not args.skip_scaling:
        values = (16, 64, 256)
        if args.full_grid:
            grid = [(w, h) for w in values for h in values]
        else:
            grid = [(w, HIDDEN) for w in values] + [(WINDOW, h) for h in values]
        for cell in ("lstm", "gru"):
            scaling(cell, 1_000 if quick else 4_000, 1 if quick else 3, grid)
    print(f"\nTotal {time.perf_counter() - start:.0f} s; load average after "
          f"{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
