"""Wall time of one hyperparameter search: serial, joblib processes, Dask.

Run from the repository root (needs the ``dask`` extra; 30 minutes on a
shared 2-core machine at a load average of 10, most of it in the two modes
that run two torch threads per fit)::

    python benchmarks/bench_search.py            # median of 3 per mode
    python benchmarks/bench_search.py --quick    # a smoke run

The search: ``GridSearchCV(RNNRegressor(...), grid, cv=3, refit=False)``
over 12 candidates (``cell`` x ``hidden_size`` x ``lr``), 36 fits of 4
epochs each on 200 sequences of 30 steps and 3 features. It runs

``serial``
    ``n_jobs=None``: one fit at a time in this process, torch on all cores.
``loky n_jobs=2``
    joblib's default backend, two worker processes; joblib starts them with
    ``OMP_NUM_THREADS = cpu_count // 2``, so torch shares the cores.
``dask 2 workers``
    ``with joblib.parallel_backend("dask")`` against a ``LocalCluster`` of
    two single-threaded worker processes (loopback only); Dask's nanny
    starts them with ``OMP_NUM_THREADS=1``.
``loky n_jobs=2, oversubscribed``
    As ``loky n_jobs=2``, but with joblib's ``inner_max_num_threads`` set to
    every core, so each worker's torch takes all of them, as if nothing kept
    torch's threads in check: what ``sklearn_rnn/_parallel.py`` avoids.
``serial, 1 torch thread``
    As ``serial`` with ``torch.set_num_threads(1)``: how much one fit gains
    from more than one thread at this size.

The modes alternate within each repeat (the order rotates) and every figure
is the median over the repeats. Workers are started, and have imported
sklearn-rnn and run one fit, before any timing: the times are of the
search, not of starting a cluster (printed separately). The machine's load
average is printed too: on a shared machine other processes take cores, and
the ratios are only as good as the machine was quiet.

Not collected by pytest: tests check behaviour, this script measures speed.
"""

import argparse
import os
import platform
import statistics
import time

import numpy as np
import torch
from joblib import Parallel, cpu_count, delayed, parallel_backend, parallel_config
from sklearn.model_selection import GridSearchCV, KFold, ParameterGrid

import sklearn_rnn
from sklearn_rnn import RNNRegressor
from sklearn_rnn._parallel import torch_thread_budget

GRID = {"cell": ["rnn", "lstm", "gru"], "hidden_size": [16, 32],
        "lr": [1e-2, 3e-3]}


def make_data(n_samples, n_steps, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_steps, 3))
    y = np.tanh(X[:, -5:, 0]).sum(axis=1) + 0.5 * X[:, :, 1].mean(axis=1)
    return X, y


def warm_up(seed):
    """Import and fit once in a worker; report its torch thread budget."""
    X, y = make_data(16, 5, seed)
    RNNRegressor(hidden_size=4, max_epochs=1, random_state=seed).fit(X, y)
    return os.getpid(), torch_thread_budget()


def search(max_epochs):
    return GridSearchCV(
        RNNRegressor(max_epochs=max_epochs, batch_size=32, random_state=0),
        GRID, cv=KFold(3), refit=False,
    )


def run_loky(X, y, max_epochs, inner_threads=None):
    """The search on two loky workers; ``inner_threads`` overrides joblib's
    thread limit for them (loky restarts its workers when it changes, in the
    warm-up, before the clock starts)."""
    with parallel_config(backend="loky", inner_max_num_threads=inner_threads):
        info = Parallel(n_jobs=2)(delayed(warm_up)(s) for s in range(2))
        start = time.perf_counter()
        result = search(max_epochs).set_params(n_jobs=2).fit(X, y)
        return time.perf_counter() - start, result.cv_results_, info


def run_serial(X, y, max_epochs, threads=None):
    """The search in this process, with ``threads`` torch threads if set."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads or previous)
    try:
        start = time.perf_counter()
        result = search(max_epochs).fit(X, y)
        elapsed = time.perf_counter() - start
    finally:
        torch.set_num_threads(previous)
    return elapsed, result.cv_results_, [(None, threads or previous)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 repeat, 2 epochs, less data: a smoke run")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    max_epochs = 2 if args.quick else 4
    X, y = make_data(100 if args.quick else 200, 30)

    import distributed

    print(f"sklearn-rnn {sklearn_rnn.__version__}, torch {torch.__version__}, "
          f"dask {distributed.__version__}, Python {platform.python_version()}")
    print(f"cpu_count {cpu_count()}, torch threads in this process "
          f"{torch.get_num_threads()}, load average at start "
          f"{os.getloadavg()[0]:.1f}")
    print(f"search: {len(ParameterGrid(GRID))} candidates x 3 folds, "
          f"{max_epochs} epochs, X {X.shape}")

    start = time.perf_counter()
    cluster = distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=1, host="127.0.0.1",
        dashboard_address=None)
    client = distributed.Client(cluster)
    with parallel_backend("dask"):
        dask_info = Parallel(n_jobs=-1)(delayed(warm_up)(s) for s in range(2))
    print(f"Dask LocalCluster start + worker warm-up: "
          f"{time.perf_counter() - start:.1f} s")

    def run_dask():
        with parallel_backend("dask"):
            start = time.perf_counter()
            result = search(max_epochs).set_params(n_jobs=-1).fit(X, y)
            return time.perf_counter() - start, result.cv_results_, dask_info

    modes = {
        "serial": lambda: run_serial(X, y, max_epochs),
        "loky n_jobs=2": lambda: run_loky(X, y, max_epochs),
        "dask 2 workers": run_dask,
        "loky n_jobs=2, oversubscribed": lambda: run_loky(
            X, y, max_epochs, inner_threads=cpu_count()),
        "serial, 1 torch thread": lambda: run_serial(X, y, max_epochs, 1),
    }
    times = {name: [] for name in modes}
    scores = {}
    budgets = {}
    names = list(modes)
    for r in range(repeats):
        for name in names[r % len(names):] + names[: r % len(names)]:
            elapsed, results, info = modes[name]()
            times[name].append(elapsed)
            scores[name] = results["mean_test_score"]
            budgets[name] = sorted({budget for _, budget in info})
            print(f"  repeat {r + 1} {name:<30} {elapsed:7.1f} s", flush=True)
    client.close()
    cluster.close()

    serial = statistics.median(times["serial"])
    print(f"\nmedian of {repeats}; load average at end {os.getloadavg()[0]:.1f}")
    print(f"{'mode':<32}{'seconds':>9}{'serial / mode':>15}  torch threads per fit")
    for name in modes:
        median = statistics.median(times[name])
        print(f"{name:<32}{median:9.1f}{serial / median:15.2f}  {budgets[name]}")
    for name in modes:
        gap = np.max(np.abs(scores[name] - scores["serial"]))
        print(f"max |mean_test_score - serial| for {name}: {gap:.2e}")


if __name__ == "__main__":
    main()
