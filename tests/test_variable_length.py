"""Sequences of different lengths: lists, NaN padding, invariance, batching."""

import itertools
import pickle

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import sklearn_rnn._base
from sklearn_rnn import LSTMClassifier, RNNRegressor, SlidingWindows
from sklearn_rnn._datasets import BatchIterator, SequenceDataset
from sklearn_rnn._modules import ConvFrontEnd

TINY = {"hidden_size": 8, "max_epochs": 1, "random_state": 0}
N_FEATURES = 2
ATOL = 1e-5


def _sequences(n, rng, low=2, high=9):
    return [rng.normal(size=(rng.integers(low, high), N_FEATURES)) for _ in range(n)]


def _pad(seq, before, after):
    nan = np.full((1, N_FEATURES), np.nan)
    return np.concatenate([np.repeat(nan, before, 0), seq, np.repeat(nan, after, 0)])


def _step_targets(X):
    return [np.cumsum(seq, axis=0)[:, :1] for seq in X]


def _fitted(head, params):
    rng = np.random.default_rng(0)
    X = _sequences(16, rng)
    if head == "classifier":
        y = np.array([seq[-1, 0] > 0 for seq in X])
        return LSTMClassifier(**params).fit(X, y)
    if head == "regressor":
        return RNNRegressor(**params).fit(X, [seq.sum() for seq in X])
    return RNNRegressor(**params).fit(X, _step_targets(X))


def _output(estimator, X):
    if isinstance(estimator, LSTMClassifier):
        return estimator.predict_proba(X)
    return estimator.predict(X)


@pytest.mark.parametrize("head", ["classifier", "regressor", "every"])
@pytest.mark.parametrize(
    "cell, bidirectional, layer_norm",
    list(itertools.product(["rnn", "lstm", "gru"], [False, True], [False, True])),
)
def test_prediction_does_not_depend_on_padding(cell, bidirectional, layer_norm,
                                               head):
    params = {**TINY, "cell": cell, "bidirectional": bidirectional,
              "layer_norm": layer_norm}
    estimator = _fitted(head, params)
    rng = np.random.default_rng(1)
    seq = rng.normal(size=(4, N_FEATURES))
    longer = rng.normal(size=(9, N_FEATURES))

    alone = _output(estimator, [seq])[0]
    in_list = _output(estimator, [longer, seq, longer[:6]])[1]
    padded = {
        "end": _output(estimator, np.stack([_pad(seq, 0, 5), longer]))[0],
        "start": _output(estimator, np.stack([_pad(seq, 5, 0), longer]))[0],
        "both": _output(estimator, np.stack([_pad(seq, 2, 3), longer]))[0],
    }
    if head != "every":
        for out in [in_list, *padded.values()]:
            assert_allclose(out, alone, atol=ATOL)
        return
    # Every-step outputs: one row per real step, NaN where X was padding.
    assert alone.shape == in_list.shape == (4, 1)
    assert_allclose(in_list, alone, atol=ATOL)
    for where, before in [("end", 0), ("start", 5), ("both", 2)]:
        out = padded[where]
        assert out.shape == (9, 1)
        assert_allclose(out[before: before + 4], alone, atol=ATOL)
        real = np.zeros(9, dtype=bool)
        real[before: before + 4] = True
        assert np.isnan(out[~real]).all()


FRONT_ENDS = {
    "pooled": {"pool_size": 2, "kernel_size": 3},
    "strided": {"stride": 2, "kernel_size": 4, "pool_size": 3},
    "no front end": {"conv_channels": None},
}


@pytest.mark.parametrize("pooling", ["last", "mean", "max", "meanmax", "attention"])
@pytest.mark.parametrize("front_end", list(FRONT_ENDS))
@pytest.mark.parametrize("normalize", ["standard", None])
def test_front_end_and_readout_do_not_depend_on_padding(pooling, front_end,
                                                        normalize):
    # Lengths from 1 to 30 steps under a front end that pools and strides:
    # lengths shrink, sequences shorter than a pooling window keep a step,
    # and batch statistics (in training) exclude padding. Two epochs, so
    # the batch norm's running statistics have moved off their start.
    params = {**TINY, "max_epochs": 2, "pooling": pooling, "normalize": normalize,
              "batch_size": 4, **FRONT_ENDS[front_end]}
    rng = np.random.default_rng(0)
    X = _sequences(16, rng, low=1, high=30)
    y = np.array([seq[:, 0].mean() > 0 for seq in X])
    estimator = LSTMClassifier(**params).fit(X, y)
    test = _sequences(5, np.random.default_rng(1), low=1, high=30)
    alone = np.concatenate([estimator.predict_proba([seq]) for seq in test])
    assert_allclose(estimator.predict_proba(test), alone, atol=ATOL)
    padded = np.stack([_pad(seq, i, 35 - i - len(seq)) for i, seq in enumerate(test)])
    assert_allclose(estimator.predict_proba(padded), alone, atol=ATOL)


@pytest.mark.parametrize("causal", [False, True])
def test_front_end_in_training_ignores_extra_padding(causal):
    # Batch-norm statistics in training come from real steps only: more
    # padding in the batch changes no real step's output.
    torch.manual_seed(0)
    front_end = ConvFrontEnd(2, 4, kernel_size=3, stride=2, num_layers=2,
                             norm=True, pool_size=2, causal=causal).train()
    X = torch.randn(3, 40, 2)
    lengths = torch.tensor([40, 25, 1])
    X[torch.arange(40)[None, :] >= lengths[:, None]] = 0
    out, out_lengths = front_end(X, lengths)
    more = torch.cat([X, torch.zeros(3, 13, 2)], dim=1)
    out_more, more_lengths = front_end(more, lengths)
    assert out_lengths.tolist() == more_lengths.tolist() == [3, 2, 1]
    for i, n in enumerate(out_lengths.tolist()):
        assert_allclose(out_more[i, :n].detach(), out[i, :n].detach(), atol=ATOL)
        assert (out_more[i, n:] == 0).all()


def test_pool_size_auto_brings_long_sequences_to_at_most_64_steps():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 1)) for n in (10, 300, 1000)]
    clf = LSTMClassifier(**TINY).fit(X, [0, 1, 0])
    front_end = clf.net_.module_.conv
    steps = front_end.output_lengths(torch.tensor([1000, 300, 64, 10, 1]))
    assert steps[0] <= 64 < 1000 // 8 and steps[-1] == 1
    # Short training data is not pooled at all.
    short = LSTMClassifier(**TINY).fit(X[:1] * 2, [0, 1])
    assert short.net_.module_.conv.pool_sizes == (1, 1, 1)


@pytest.mark.parametrize("layer_norm", [False, True])
def test_every_step_list_targets_match_padded_array_targets(layer_norm):
    rng = np.random.default_rng(0)
    X = _sequences(12, rng)
    y = _step_targets(X)
    n_steps = max(len(seq) for seq in X)
    X3 = np.stack([_pad(seq, n_steps - len(seq), 0) for seq in X])
    y3 = np.stack([np.concatenate([np.full((n_steps - len(t), 1), np.nan), t])
                   for t in y])
    params = {**TINY, "max_epochs": 2, "layer_norm": layer_norm}
    from_list = RNNRegressor(**params).fit(X, y)
    from_array = RNNRegressor(**params).fit(X3, y3)

    listed = from_list.predict(X)
    assert isinstance(listed, list)
    assert [out.shape for out in listed] == [(len(seq), 1) for seq in X]
    stacked = from_array.predict(X3)
    for i, seq in enumerate(X):
        assert_allclose(stacked[i, n_steps - len(seq):], listed[i], atol=ATOL)


def test_every_step_list_targets_must_match_sequence_lengths():
    X = _sequences(6, np.random.default_rng(0), low=3)
    y = _step_targets(X)
    y[2] = y[2][:-1]
    with pytest.raises(ValueError, match=r"y\[2\] has \d+ steps but X\[2\] has"):
        RNNRegressor(**TINY).fit(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        RNNRegressor(**TINY).fit(X, _step_targets(X)[:-1])


def test_nan_inside_a_sequence_names_sample_and_step():
    X = _sequences(5, np.random.default_rng(0), low=5)
    X[3] = X[3].copy()
    X[3][2] = np.nan
    with pytest.raises(ValueError, match="inside sample 3 at step 2"):
        RNNRegressor(**TINY).fit(X, np.arange(5.0))
    padded = np.stack([_pad(seq[:4], 1, 1) for seq in X])
    with pytest.raises(ValueError, match="inside sample 3 at step 3"):
        LSTMClassifier(**TINY).fit(padded, [0, 1, 0, 1, 0])
    X[3][2, 1] = 0.0  # NaN in one feature only
    with pytest.raises(ValueError, match="some but not all features of sample 3"):
        RNNRegressor(**TINY).fit(X, np.arange(5.0))


def test_empty_sequences_are_rejected():
    X = _sequences(4, np.random.default_rng(0))
    fitted = RNNRegressor(**TINY).fit(X, np.arange(4.0))
    empty = np.empty((0, N_FEATURES))
    with pytest.raises(ValueError, match=r"X\[1\] has no time steps"):
        RNNRegressor(**TINY).fit([X[0], empty, X[2], X[3]], np.arange(4.0))
    with pytest.raises(ValueError, match=r"X\[0\] has no time steps"):
        fitted.predict([empty])
    all_nan = np.stack([_pad(X[0][:2], 0, 1), np.full((3, N_FEATURES), np.nan)])
    with pytest.raises(ValueError, match="Sample 1 of X has no time steps"):
        fitted.predict(all_nan)


def test_predictions_keep_order_across_prediction_batches(monkeypatch):
    rng = np.random.default_rng(0)
    X = _sequences(9, rng)
    y = _step_targets(X)
    reg = RNNRegressor(**TINY).fit(X, y)
    one_batch = reg.predict(X)
    monkeypatch.setattr(sklearn_rnn._base, "PREDICT_BATCH_SIZE", 2)
    for expected, out in zip(one_batch, reg.predict(X)):
        assert_allclose(out, expected, atol=ATOL)


class _Positions:
    """A dataset whose batches are the positions asked for."""

    def __len__(self):
        return 23

    def batch(self, index):
        return index, None


def test_batch_iterator_orders():
    # Unshuffled: the dataset's order; shuffled: one seeded permutation an
    # epoch, cut into batches; batches index in 64 bits either way.
    plain = [index for index, _ in BatchIterator(_Positions(), 10)]
    assert [b.tolist() for b in plain] == [list(range(0, 10)),
                                           list(range(10, 20)), [20, 21, 22]]
    shuffled = BatchIterator(_Positions(), 10, shuffle=True, seed=3)
    generator = torch.Generator().manual_seed(3)
    for _ in range(2):
        order = torch.randperm(23, generator=generator, dtype=torch.int32)
        batches = [index for index, _ in shuffled]
        assert all(b.dtype == torch.int64 for b in plain + batches)
        assert [b.tolist() for b in batches] == [
            b.tolist() for b in order.split(10)]


def test_batches_are_bucketed_by_length_and_cover_every_sample():
    lengths = torch.from_numpy(np.random.default_rng(0).integers(1, 40, size=1000))
    dataset = SequenceDataset(torch.zeros(1000, 40, 1), lengths)
    generator = torch.Generator().manual_seed(0)
    batches = dataset.shuffled_batches(10, generator, chunk=50)
    seen = torch.cat(batches)
    assert_array_equal(np.sort(seen.numpy()), np.arange(1000))
    # Within a chunk of 50 batches, lengths are sorted: a batch's spread is
    # small next to that of a random batch of 10 lengths between 1 and 39.
    spread = np.mean([float(lengths[b].max() - lengths[b].min()) for b in batches])
    assert spread < 3
    # Batch order is shuffled: the batches' shortest lengths are not sorted.
    shortest = [int(lengths[b].min()) for b in batches]
    assert shortest != sorted(shortest)
    assert [b.tolist() for b in dataset.shuffled_batches(10, generator)] != [
        b.tolist() for b in batches
    ]


@pytest.mark.parametrize("conv_channels", [None, 4])
def test_batches_are_bucketed_only_without_batch_norm(conv_channels):
    # The front end's batch norm needs batches representative of every
    # length; without it, bucketing saves the padding.
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 1)) for n in rng.integers(1, 40, size=1000)]
    reg = RNNRegressor(conv_channels=conv_channels)
    dataset, lengths, _ = reg._sequences(X, reset=True)
    batches = dataset.shuffled_batches(10, torch.Generator().manual_seed(0))
    assert_array_equal(np.sort(torch.cat(batches).numpy()), np.arange(1000))
    spread = np.mean([np.ptp(lengths[b.numpy()]) for b in batches])
    # a random batch of 10 lengths between 1 and 39 spans about 30 steps
    assert (spread < 3) if conv_channels is None else (spread > 20)


def test_fit_on_variable_lengths_is_reproducible():
    X = _sequences(40, np.random.default_rng(0))
    y = [seq.sum() for seq in X]
    params = {**TINY, "max_epochs": 2, "batch_size": 4}
    first = RNNRegressor(**params).fit(X, y).predict(X)
    assert_array_equal(RNNRegressor(**params).fit(X, y).predict(X), first)


# -- scikit-learn tooling with list input -----------------------------------


def _length_task(n, seed):
    """Label is whether a sequence is longer than 5 steps: padding must not leak."""
    rng = np.random.default_rng(seed)
    X = _sequences(n, rng, low=2, high=10)
    return X, np.array(["long" if len(seq) > 5 else "short" for seq in X])


def test_grid_search_and_cross_val_score_index_lists():
    X, y = _length_task(60, 0)
    search = GridSearchCV(
        LSTMClassifier(hidden_size=8, max_epochs=3, random_state=0),
        {"cell": ["gru", "lstm"]}, cv=KFold(3),
    ).fit(X, y)
    assert search.best_params_["cell"] in {"gru", "lstm"}
    assert search.predict(X[:5]).shape == (5,)
    scores = cross_val_score(
        RNNRegressor(**TINY), X, [len(seq) for seq in X], cv=KFold(3))
    assert scores.shape == (3,) and np.isfinite(scores).all()


def test_clone_pickle_and_pipeline_with_list_input():
    X, y = _length_task(30, 0)
    clf = LSTMClassifier(**TINY)
    assert clone(clf).get_params() == clf.get_params()
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    assert_allclose(restored.predict_proba(X), clf.predict_proba(X))
    # A list-to-list step before the estimator: Pipeline passes lists through.
    double = FunctionTransformer(lambda seqs: [2 * seq for seq in seqs])
    pipe = make_pipeline(double, LSTMClassifier(**TINY)).fit(X, y)
    doubled = [2 * seq for seq in X]
    direct = LSTMClassifier(**TINY).fit(doubled, y)
    assert_allclose(pipe.predict_proba(X), direct.predict_proba(doubled))


def test_label_of_the_last_real_step_is_learned():
    # Sequences padded at the end: a network that read the padding would
    # see zeros last, not the step that decides the label.
    def task(n, seed):
        X = _sequences(n, np.random.default_rng(seed))
        return X, np.where([seq[-1, 0] > 0 for seq in X], "up", "down")

    X, y = task(300, 0)
    X_test, y_test = task(200, 1)
    # The final state alone reads the last step: no pooling over steps, no
    # front end, and the raw sign of the step (not its sign relative to the
    # sequence's mean) decides.
    clf = LSTMClassifier(hidden_size=16, max_epochs=10, lr=0.01, random_state=0,
                         pooling="last", conv_channels=None, normalize=None,
                         lr_schedule=None)
    assert clf.fit(X, y).score(X_test, y_test) > 0.93


def test_sliding_windows_warm_up_rows_get_real_predictions():
    rng = np.random.default_rng(0)
    stream = np.cumsum(rng.normal(size=(120, 1)), axis=0)
    target = np.r_[stream[1:, 0], stream[-1, 0]]
    pipe = make_pipeline(
        SlidingWindows(window=5), RNNRegressor(hidden_size=8, max_epochs=3,
                                               random_state=0),
    ).fit(stream, target)
    pred = pipe.predict(stream)
    assert np.isfinite(pred).all()
    # The first rows are shorter sequences, not NaN-contaminated windows.
    reg = pipe[-1]
    for t in range(4):
        assert_allclose(pred[t], reg.predict([stream[: t + 1]])[0], atol=ATOL)


def test_score_of_per_step_targets_pools_real_steps():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(k, 1)) for k in rng.integers(3, 9, 40)]
    y = [np.cumsum(seq, axis=0) for seq in X]
    model = RNNRegressor(hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    pooled_true = np.concatenate(y)
    pooled_pred = np.concatenate(model.predict(X))
    assert model.score(X, y) == pytest.approx(r2_score(pooled_true, pooled_pred))
    padded = np.full((len(X), 8, 1), np.nan)
    padded_y = np.full((len(X), 8, 1), np.nan)
    for i, (seq, target) in enumerate(zip(X, y)):
        padded[i, 8 - len(seq):], padded_y[i, 8 - len(seq):] = seq, target
    assert model.score(padded, padded_y) == pytest.approx(model.score(X, y))


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_body_without_every_output_gives_the_same_final_states(cell):
    # A readout of the final states alone skips the outputs' padding mask;
    # the final states and the real steps' outputs are the same.
    from sklearn_rnn._modules import _FusedRecurrent

    torch.manual_seed(0)
    body = _FusedRecurrent(cell, N_FEATURES, 8, 1, 0.0, False, "tanh")
    x = torch.randn(5, 6, N_FEATURES)
    lengths = torch.tensor([6, 3, 1, 6, 4])
    out, last = body(x, lengths)
    out_raw, last_raw = body(x, lengths, every_output=False)
    assert_array_equal(last_raw.detach().numpy(), last.detach().numpy())
    real = (torch.arange(6)[None, :] < lengths[:, None]).numpy()
    assert_array_equal(out_raw.detach().numpy()[real], out.detach().numpy()[real])
    assert not out.detach().numpy()[~real].any()
