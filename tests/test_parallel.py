"""Torch threads of fits running beside other fits (no oversubscription)."""

import threading

import numpy as np
import pytest
import torch
from joblib import Parallel, cpu_count, delayed
from skorch.callbacks import Callback

from sklearn_rnn import RNNRegressor
from sklearn_rnn._parallel import thread_budget, torch_thread_budget


class RecordThreads(Callback):
    """Records torch's thread count of the training thread at every epoch."""

    def on_epoch_begin(self, net, **kwargs):
        net.history.record("torch_threads", torch.get_num_threads())


def fit_and_report(seed):
    """Fit a small model; torch threads before, during and after the fit."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 6, 2))
    before = torch.get_num_threads()
    reg = RNNRegressor(hidden_size=8, max_epochs=2, random_state=seed,
                       callbacks=[RecordThreads()])
    reg.fit(X, X.sum(axis=(1, 2)))
    return before, reg.history_[:, "torch_threads"], torch.get_num_threads()


def test_main_thread_keeps_torch_setting():
    assert torch_thread_budget() == torch.get_num_threads()
    before, during, after = fit_and_report(0)
    assert during == [before, before]
    assert after == before


def test_own_thread_keeps_torch_setting(two_torch_threads):
    # A thread that is not a joblib or Dask worker (a web app's, say) may be
    # the only one training: it keeps torch's setting.
    result = []
    thread = threading.Thread(target=lambda: result.append(fit_and_report(0)))
    thread.start()
    thread.join()
    before, during, after = result[0]
    assert before == 2
    assert during == [before, before]
    assert after == before


@pytest.fixture
def two_torch_threads():
    """torch at two threads in this thread and the threads it starts."""
    # The suite's conftest sets one thread; new threads inherit the count
    # of the thread that starts them.
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(previous)


def test_joblib_threads_train_on_one_torch_thread_each(two_torch_threads):
    results = Parallel(n_jobs=2, backend="threading")(
        delayed(fit_and_report)(seed) for seed in range(2))
    # A thread that first touches torch while another fit has lowered the
    # count starts from the lowered count; the first one starts from 2.
    assert max(before for before, _, _ in results) == 2
    for before, during, after in results:
        assert during == [1, 1]
        # Restored on the way out, for whatever the thread runs next.
        assert after == before


def test_joblib_processes_share_the_cores():
    # joblib starts loky workers with OMP_NUM_THREADS = cpu_count // n_jobs
    # (unless the user set it), which torch reads: two fits on two workers
    # never ask for more threads than there are cores.
    results = Parallel(n_jobs=2, backend="loky")(
        delayed(fit_and_report)(seed) for seed in range(2))
    for before, during, after in results:
        assert max(during) <= max(1, cpu_count() // 2)
        assert after == before


def test_thread_budget_restores_only_what_it_lowered():
    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        with thread_budget():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(previous)
