"""Torch threads for fits that run beside other fits.

A hyperparameter search runs many fits at once. Each torch fit would
otherwise start one intra-op thread per core, so ``n_jobs`` concurrent fits
on ``n`` cores would run ``n_jobs * n`` busy threads and spend their time
switching between them. The rule, applied around every fit and prediction:

* In the main thread of a process nothing changes: a serial fit uses every
  core torch sees, and a fit in a joblib process worker (the default "loky"
  backend) uses what joblib allots it: joblib starts its workers with
  ``OMP_NUM_THREADS`` and ``MKL_NUM_THREADS`` at ``cpu_count // n_jobs``,
  and torch reads them.
* In a Dask worker thread a fit uses at most ``cpu_count // nthreads`` of
  its worker. Dask's nanny also starts worker processes with those
  variables at 1, so by default each task runs on one thread, the way Dask
  expects its tasks to.
* In a thread of joblib's threading backend a fit uses one thread: joblib
  does not tell its threads how many run beside them.
* Anywhere else (a thread of your own) nothing changes.

The rule only ever lowers torch's thread count, for the calling thread and
for the duration of the call, so ``torch.set_num_threads`` or
``OMP_NUM_THREADS`` remain the way to ask for fewer threads.
"""

import sys
import threading
from contextlib import contextmanager

import torch
from joblib import cpu_count


def _dask_worker_threads():
    """Threads of the Dask worker running this task, or None outside Dask."""
    # Only a process that imported distributed can be running a Dask task;
    # importing it here would slow the start of every other process.
    if "distributed" not in sys.modules:
        return None
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:
        return None
    return getattr(getattr(worker, "state", worker), "nthreads", None)


def _in_joblib_thread():
    """Whether this thread is a worker of joblib's threading backend."""
    try:
        from joblib.parallel import ThreadingBackend, get_active_backend
    except ImportError:  # joblib moved them; fall back to "don't know"
        return False
    backend, _ = get_active_backend()
    # joblib runs each batch of tasks under a nested backend whose
    # nesting_level counts the Parallel calls around it.
    return (isinstance(backend, ThreadingBackend)
            and getattr(backend, "nesting_level", 0) >= 1)


def torch_thread_budget():
    """Number of torch threads a fit in the calling thread should use.

    Returns
    -------
    n_threads : int
        At most ``torch.get_num_threads()``; lower in Dask worker threads and
        in threads of joblib's threading backend (see the module docstring).
    """
    current = torch.get_num_threads()
    if threading.current_thread() is threading.main_thread():
        return current
    nthreads = _dask_worker_threads()
    if nthreads:
        return max(1, min(current, cpu_count() // nthreads))
    if _in_joblib_thread():
        return 1
    return current


@contextmanager
def thread_budget():
    """Run the block with :func:`torch_thread_budget` torch threads.

    torch keeps its (OpenMP) thread count per thread, so lowering it here
    does not slow threads already running; it is restored on exit. (A
    thread that first uses torch meanwhile starts from the lowered count.)
    """
    n_threads = torch_thread_budget()
    previous = torch.get_num_threads()
    if n_threads >= previous:
        yield
        return
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
