"""Private data plumbing: sequence validation, tensor datasets, batches, splits.

Estimators turn validated input into a dataset object with three methods,
``__len__``, ``batch(index)`` and ``subset(index)``. ``batch`` returns what
the module's ``forward`` takes (a dict) and the target batch, so skorch runs
its loop over pre-built tensors without a ``DataLoader``.
"""

import math
import warnings
from numbers import Integral

import numpy as np
import torch
from sklearn.utils.validation import check_array, validate_data

from ._validation import check_no_nan, check_not_1d, check_numeric, check_ragged_list

__all__ = [
    "BatchIterator",
    "SequenceDataset",
    "TailSplit",
    "check_sequences",
]


def _is_sequence_list(X):
    """True when ``X`` is a list/tuple/object array of 2-D sequences."""
    if isinstance(X, np.ndarray):
        return X.dtype == object and X.ndim == 1 and len(X) > 0 and np.ndim(X[0]) == 2
    return isinstance(X, (list, tuple)) and len(X) > 0 and np.ndim(X[0]) == 2


def _check_channels(estimator, n_channels, reset):
    if reset:
        estimator._n_channels = n_channels
    elif n_channels != estimator._n_channels:
        raise ValueError(
            f"X has {n_channels} features per time step, but "
            f"{type(estimator).__name__} was fitted with "
            f"{estimator._n_channels}. Pass sequences with the same features "
            "as in fit."
        )


def _padded_from_list(X, dtype):
    """Stack sequences of different lengths, NaN-padding the end."""
    if len(X) == 0:
        raise ValueError("X is an empty list; expected at least one sequence.")
    seqs = []
    for i, seq in enumerate(X):
        try:
            seq = check_array(seq, dtype=dtype, ensure_all_finite="allow-nan",
                              ensure_min_samples=0, input_name=f"X[{i}]")
        except ValueError as exc:
            raise ValueError(f"Sequence X[{i}] is invalid: {exc}") from exc
        if seq.shape[0] == 0:
            raise ValueError(
                f"Sequence X[{i}] has no time steps. Every sequence needs at "
                "least one step; drop empty sequences before fitting."
            )
        seqs.append(seq)
    n_features = {s.shape[1] for s in seqs}
    if len(n_features) > 1:
        first = seqs[0].shape[1]
        bad = next(i for i, s in enumerate(seqs) if s.shape[1] != first)
        raise ValueError(
            "All sequences in X must have the same number of features; X[0] "
            f"has {first} and X[{bad}] has {seqs[bad].shape[1]}."
        )
    n_steps = max(s.shape[0] for s in seqs)
    out_dtype = np.result_type(*[s.dtype for s in seqs], np.float32)
    out = np.full((len(seqs), n_steps, seqs[0].shape[1]), np.nan, dtype=out_dtype)
    for i, seq in enumerate(seqs):
        out[i, : len(seq)] = seq
    return out


def _strip_padding(X, padding="NaN"):
    """Left-align NaN-padded sequences and return ``(X, lengths, offsets)``.

    All-NaN steps at the start or end of a sequence are padding; any other
    NaN is an error naming the sample and step. ``lengths`` is None when no
    sequence is padded (the fast path). ``padding`` names what the NaN stood
    for in the user's input, for the error messages.
    """
    nan = np.isnan(X)
    empty = nan.all(axis=2)
    partial = nan.any(axis=2) & ~empty
    if partial.any():
        i, t = np.argwhere(partial)[0]
        raise ValueError(
            f"X contains NaN in some but not all features of sample {i} at "
            f"step {t}. Only whole time steps of NaN at the start or end of a "
            "sequence are read as padding; impute missing values first."
        )
    if not empty.any():
        return X, None, None
    real = ~empty
    n_steps = X.shape[1]
    has_real = real.any(axis=1)
    if not has_real.all():
        i = int(np.flatnonzero(~has_real)[0])
        raise ValueError(
            f"Sample {i} of X has no time steps: every step is {padding} padding. "
            "Every sequence needs at least one real step."
        )
    first = real.argmax(axis=1)
    last = n_steps - 1 - real[:, ::-1].argmax(axis=1)
    lengths = last - first + 1
    gaps = lengths != real.sum(axis=1)
    if gaps.any():
        i = int(np.flatnonzero(gaps)[0])
        t = int(first[i] + np.flatnonzero(empty[i, first[i]: last[i] + 1])[0])
        raise ValueError(
            f"X contains {padding} inside sample {i} at step {t}. Only whole "
            f"time steps of {padding} at the start or end of a sequence are "
            "read as padding; impute missing values inside sequences first."
        )
    index = (np.arange(n_steps)[None, :] + first[:, None]) % n_steps
    X = np.take_along_axis(X, index[:, :, None], axis=1)
    X[np.arange(n_steps)[None, :] >= lengths[:, None]] = 0
    return X, lengths.astype(np.int64), first.astype(np.int64)


def _input_kind(X):
    if _is_sequence_list(X):
        return "list"
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        try:
            ndim = np.asarray(X).ndim
        except ValueError:  # ragged nested lists
            return "ragged"
    return "2d" if ndim <= 2 else "nd"


def check_sequences(estimator, X, *, reset, dtype=(np.float64, np.float32),
                    padding_id=None):
    """Validate sequence-estimator input (design.md, "Sequence estimators").

    Returns ``(X, lengths, offsets)``: ``X`` a left-aligned 3-D array whose
    padding is zero, and ``lengths`` (real steps) and ``offsets`` (leading
    padding steps) per sample, both None unless some sequence is padded.
    2-D input goes through :func:`~sklearn.utils.validation.validate_data`,
    so ``n_features_in_`` is its number of time steps; for 3-D and list
    input ``n_features_in_`` is the number of features per step.

    With ``padding_id`` (token ids, which cannot hold NaN), steps equal to
    it at the start or end of a sequence are padding too, in 2-D input as
    well.
    """
    if isinstance(X, (list, tuple)) and len(X) == 0:
        raise ValueError(
            "X is an empty list; expected at least one sequence. Got X=[] "
            "instead."
        )
    kind = _input_kind(X)
    if kind == "ragged":
        check_ragged_list(X)
    if kind != "list":
        check_numeric(X)
    if kind == "2d":
        check_not_1d(
            X, "2-D (n_samples, n_timesteps), 3-D (n_samples, n_timesteps, "
            "n_features) or a list of 2-D sequences",
            "one univariate sequence is X.reshape(1, -1).",
        )
        # Checked before validate_data, whose message would compare time
        # steps with features.
        if not reset and estimator._n_channels != 1:
            raise ValueError(
                f"{type(estimator).__name__} was fitted on sequences with "
                f"{estimator._n_channels} features per step, but 2-D X means "
                "univariate sequences. Pass a 3-D array (n_samples, "
                "n_timesteps, n_features) or a list of 2-D sequences instead."
            )
        X = validate_data(estimator, X, reset=reset, dtype=dtype,
                          ensure_all_finite="allow-nan")
        check_no_nan(
            X, "step",
            "2-D X holds equal-length sequences, which have no padding: "
            "impute missing values, or pass a 3-D array or a list of "
            "sequences to mark padding with all-NaN steps.",
        )
        _check_channels(estimator, 1, reset)
        if padding_id is None:
            return X[:, :, None], None, None
        return _strip_id_padding(X[:, :, None], padding_id)

    if kind == "list":
        X = _padded_from_list(X, dtype)
    else:
        X = check_array(X, dtype=dtype, allow_nd=True,
                        ensure_all_finite="allow-nan", input_name="X")
        if X.ndim != 3:
            raise ValueError(
                "X must be 2-D (n_samples, n_timesteps), 3-D (n_samples, "
                "n_timesteps, n_features) or a list of 2-D sequences; got an "
                f"array with {X.ndim} dimensions and shape {X.shape} instead."
            )
        if X.shape[1] * 4 <= X.shape[2]:
            warnings.warn(
                f"X has shape {X.shape}: {X.shape[1]} time steps of "
                f"{X.shape[2]} features each. Time must come before features "
                "(n_samples, n_timesteps, n_features); data from sktime or "
                "aeon is (n_samples, n_channels, n_timesteps), so you may "
                "need X.transpose(0, 2, 1).",
                UserWarning,
                stacklevel=3,
            )
    if reset:
        estimator.n_features_in_ = X.shape[2]
    _check_channels(estimator, X.shape[2], reset)
    if padding_id is None:
        return _strip_padding(X)
    return _strip_id_padding(X, padding_id)


def _strip_id_padding(X, padding_id):
    """:func:`_strip_padding` for sequences padded with an id (or NaN)."""
    X = np.where((X == padding_id).all(axis=2, keepdims=True), np.nan, X)
    return _strip_padding(X, padding=f"the padding id {padding_id} (or NaN)")


class SequenceDataset(torch.utils.data.Dataset):
    """Left-aligned sequences as tensors, batched by index.

    Parameters
    ----------
    X : tensor of shape (n, T, F)
    lengths : tensor of shape (n,) or None
        Real steps per sequence; None when every sequence fills ``T``.
    y : tensor or None
    stats : tensor of shape (n, k) or None
        A vector per sequence that the module takes as ``stats`` (the
        location and scale that per-sequence standardisation took out).
    """

    def __init__(self, X, lengths=None, y=None, stats=None):
        self.X = X
        self.lengths = lengths
        self.y = y
        self.stats = stats

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        Xi, yi = self.batch(torch.as_tensor([i]))
        return Xi, yi

    def subset(self, index):
        return type(self)(
            self.X[index],
            None if self.lengths is None else self.lengths[index],
            None if self.y is None else self.y[index],
            None if self.stats is None else self.stats[index],
        )

    def shuffled_batches(self, batch_size, generator, chunk=50):
        """One epoch's batches of indices, drawn so little goes to padding.

        Shuffle, sort each run of ``chunk`` batches' worth of samples by
        length, cut it into batches, then shuffle the batch order: each
        batch holds sequences of similar length (a batch costs as much as
        its longest sequence) while epochs still differ at random. Ties keep
        their shuffled order.
        """
        order = torch.randperm(len(self), generator=generator)
        if self.lengths is None:
            return list(order.split(batch_size))
        order = torch.cat([
            part[torch.sort(self.lengths[part], stable=True).indices]
            for part in order.split(chunk * batch_size)
        ])
        batches = order.split(batch_size)
        return [batches[i] for i in torch.randperm(len(batches), generator=generator)]

    def batch(self, index):
        X, y = self.X[index], None if self.y is None else self.y[index]
        extra = {} if self.stats is None else {"stats": self.stats[index]}
        if self.lengths is None:
            return {"X": X, **extra}, y
        lengths = self.lengths[index]
        n_steps = int(lengths.max())
        # Trim the batch to its own longest sequence: padding costs nothing
        # past it, and a batch of equal lengths takes the unpacked fast path.
        X = X[:, :n_steps]
        if y is not None and y.ndim >= 3:
            y = y[:, :n_steps]
        if bool((lengths == n_steps).all()):
            return {"X": X, **extra}, y
        return {"X": X, "lengths": lengths, **extra}, y


class BatchIterator:
    """Mini-batches of a dataset, optionally shuffled by index permutation.

    skorch builds it once per ``fit`` (as ``iterator_train``/``iterator_valid``)
    and iterates it every epoch; each pass draws a new permutation from one
    seeded generator, so shuffling is reproducible without touching torch's
    global random state. A dataset with a ``shuffled_batches`` method draws
    its own shuffled batches (sequences bucketed by length); without
    shuffling the order is always the dataset's, as prediction needs.
    """

    def __init__(self, dataset, batch_size, shuffle=False, seed=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = torch.Generator()
        if seed is not None:
            self.generator.manual_seed(seed)

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle and hasattr(self.dataset, "shuffled_batches"):
            for index in self.dataset.shuffled_batches(self.batch_size,
                                                       self.generator):
                yield self.dataset.batch(index)
            return
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator)
        else:
            order = torch.arange(n)
        for start in range(0, n, self.batch_size):
            yield self.dataset.batch(order[start: start + self.batch_size])


class TailSplit:
    """skorch ``train_split`` holding out the time-ordered tail.

    skorch's default split is random (stratified for classifiers), which
    leaks the future on time-ordered data. The last ``fraction`` of the
    samples validates; ``gap`` samples before it are dropped so overlapping
    windows cannot share a target step with the validation set.
    """

    def __init__(self, fraction, gap=0):
        self.fraction = fraction
        self.gap = gap

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = math.ceil(self.fraction * n)
        n_train = n - n_valid - self.gap
        if n_valid < 1 or n_train < 1:
            raise ValueError(
                f"validation_fraction={self.fraction} leaves {max(n_train, 0)} "
                f"training and {n_valid} validation samples out of {n}"
                + (f" (with a gap of {self.gap})" if self.gap else "")
                + ". Both need at least one; use more data, another "
                "validation_fraction, or early_stopping=False."
            )
        return (dataset.subset(torch.arange(n_train)),
                dataset.subset(torch.arange(n - n_valid, n)))


def check_seed(random_state):
    """A 31-bit seed for torch from a scikit-learn ``random_state``."""
    from sklearn.utils import check_random_state

    if isinstance(random_state, Integral):
        return int(random_state) % (2**31)
    return int(check_random_state(random_state).randint(2**31 - 1))
