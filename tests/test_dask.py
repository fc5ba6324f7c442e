"""Hyperparameter search on a Dask cluster through joblib's dask backend."""

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV, KFold, TimeSeriesSplit

from sklearn_rnn import GRUForecaster, RNNRegressor
from sklearn_rnn._parallel import torch_thread_budget

distributed = pytest.importorskip("distributed")

SMALL = {"hidden_size": 8, "max_epochs": 3, "random_state": 0}


@pytest.fixture(scope="module")
def client():
    # Loopback only, no dashboard: nothing listens beyond this machine.
    with distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=1, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def _search_both_ways(search, X, y):
    """cv_results_ of ``search`` run serially and on the Dask cluster."""
    serial = search.set_params(n_jobs=None).fit(X, y).cv_results_
    with distributed.get_task_stream() as tasks, parallel_backend("dask"):
        dask = search.set_params(n_jobs=-1).fit(X, y).cv_results_
    # The fits really ran on the cluster's workers.
    assert {task["worker"] for task in tasks.data}
    return serial, dask


def _assert_same_results(serial, dask):
    assert [str(p) for p in dask["params"]] == [str(p) for p in serial["params"]]
    for key in serial:
        if key.startswith(("split", "mean_test", "std_test", "rank")):
            # Torch runs one thread per Dask worker and all cores serially,
            # which may sum in another order: equal to float32 rounding.
            np.testing.assert_allclose(dask[key], serial[key], rtol=1e-5,
                                       err_msg=key)


def test_sequence_search_on_dask_equals_serial(client):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 6, 2))
    y = X.sum(axis=(1, 2))
    search = GridSearchCV(
        RNNRegressor(**SMALL), {"cell": ["rnn", "lstm", "gru"]},
        cv=KFold(2), refit=False,
    )
    serial, dask = _search_both_ways(search, X, y)
    _assert_same_results(serial, dask)


def test_forecaster_search_on_dask_equals_serial(client):
    series = np.sin(np.arange(160) / 6.0) + 0.1 * np.arange(160) / 160
    search = GridSearchCV(
        GRUForecaster(window=8, horizon=2, **SMALL),
        {"cell": ["rnn", "lstm", "gru"]}, cv=TimeSeriesSplit(2), refit=False,
    )
    serial, dask = _search_both_ways(search, series.reshape(-1, 1), None)
    _assert_same_results(serial, dask)


def test_dask_worker_trains_on_its_share_of_threads(client):
    # Dask's nanny starts workers with OMP_NUM_THREADS=1, and each worker
    # here runs one task at a time: one torch thread per fit.
    budgets = client.gather(
        [client.submit(torch_thread_budget, pure=False) for _ in range(2)])
    assert budgets == [1, 1]
