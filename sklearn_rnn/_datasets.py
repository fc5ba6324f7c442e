"""Datasets and batching: what the training loop and prediction iterate.

Estimators turn validated input into a dataset object with ``__len__``,
``batch(index)``, and ``subset(index)`` or ``tail_split(fraction, gap)`` for
:class:`TailSplit`. ``batch`` returns what the module's ``forward`` takes (a
dict) and the target batch, so skorch runs its loop over pre-built tensors
without a ``DataLoader``.

:class:`SequenceDataset` holds whole sequences (sequence estimators);
:class:`WindowDataset` holds the windows of one series (forecasters), cut
batch by batch from a :class:`PaddedSeries`, the one place that knows where
a row's window lies, with their targets gathered from a :class:`FutureTargets`.
:class:`BatchIterator` is skorch's ``iterator_*``;
:class:`TailSplit` and :class:`RandomSplit` are its ``train_split``.
"""

import math

import numpy as np
import torch

from ._modules import roll_rows

__all__ = [
    "BatchIterator",
    "FutureTargets",
    "PaddedSeries",
    "RandomSplit",
    "SequenceDataset",
    "TailSplit",
    "WindowDataset",
    "prepare_windows",
]


class PaddedSeries:
    """A series, or several, each stored after ``window - 1`` leading padding rows.

    Row ``t`` is forecast from the window of rows ``t - window + 1 ... t``;
    the first ``window - 1`` rows have fewer real rows before them. With the
    padding in front, the window of row ``t`` is ``padded[t : t + window]``
    (a view, through ``unfold``), so the series is stored once however many
    windows there are, and only the rows of a batch are ever gathered.

    Several series (a panel) are stored one after the other, each after its
    own padding, so no window reaches into another series. A row is then
    addressed by the start of its window in the padded store,
    ``starts[k] + t`` for row ``t`` of series ``k`` (:meth:`rows`); with one
    series that is ``t`` itself::

        padded    _ _ a0 a1 a2 a3 _ _ b0 b1 b2        (window=3)
        starts    0                6
        row b1    window padded[7:10] = _ b0 b1, length 2

    Parameters
    ----------
    values : ndarray of shape (n, ...), or iterable of ndarray
        The rows of the series (cast to float32): one array, holding every
        series one after the other when ``sizes`` is given, or one array per
        series (any iterable, e.g. a generator that scales each series as it
        is stored, so no scaled copy of the whole panel is ever made).
    window : int
    sizes : sequence of int, default=None
        The number of rows of each series; None is one series (``values``
        an array).
    """

    def __init__(self, values, window, sizes=None):
        if sizes is None:
            sizes = [len(values)]
        if isinstance(values, np.ndarray):
            values = np.split(values, np.cumsum(sizes)[:-1])
        sizes = np.asarray(sizes, dtype=np.int64)
        pad = window - 1
        ends = np.cumsum(sizes)
        self.starts = torch.as_tensor(ends - sizes + pad * np.arange(len(sizes)))
        padded = None
        for k, part in enumerate(values):
            if padded is None:
                padded = np.zeros((int(ends[-1]) + pad * len(sizes), *part.shape[1:]),
                                  np.float32)
            first = int(self.starts[k]) + pad
            padded[first: first + sizes[k]] = part
        self.padded = torch.from_numpy(padded)
        self.window = window

    @property
    def first_full_row(self):
        """The first row whose window is all real rows (of the first series)."""
        return self.window - 1

    def rows(self, series, steps):
        """The address of row ``steps`` of series ``series`` (arrays alike)."""
        return self.starts[series] + steps

    def lengths(self, rows):
        """Real rows in the window of each of ``rows``."""
        if len(self.starts) > 1:
            series = torch.searchsorted(self.starts, rows, right=True) - 1
            rows = rows - self.starts[series]
        return torch.clamp(rows + 1, max=self.window)

    def windows(self, rows):
        """Right-aligned windows ending at ``rows``, and their real lengths."""
        windows = self.padded.unfold(0, self.window, 1)[rows].transpose(1, 2)
        return windows, self.lengths(rows)

    def at(self, rows):
        """The values of ``rows`` themselves."""
        return self.padded[rows + self.first_full_row]


class FutureTargets:
    """The next ``steps`` targets of every row, gathered from one column.

    Training targets are not stored row by row (``steps`` values a row):
    the scaled target series is stored once, padded like the windows'
    :class:`PaddedSeries` (so a row has the same address in both), and the
    future of row ``t``, its values at ``t + 1 ... t + steps``, is cut from
    it batch by batch through ``unfold``. Where the target is a column of
    the inputs, ``column`` is a view of it: the target is not stored at all.

    Differenced (``cumulative``), the column holds the scaled one-step
    changes ``(y[s] - y[s-1] - mean) / scale``, and the target ``h`` steps
    ahead is the sum of the first ``h`` of them, ``(y[t+h] - y[t] - h *
    mean) / scale``.

    Parameters
    ----------
    column : tensor of shape (n_padded,)
        The scaled target at the addresses of the :class:`PaddedSeries`
        (any stride: a column of its ``padded``).
    window : int
        The windows' length (the padding before each series is ``window - 1``).
    steps : int
        Target steps of each row.
    cumulative : bool, default=False
        Whether the targets are running sums of the column.
    """

    def __init__(self, column, window, steps, cumulative=False):
        self.column = column
        self.window = window
        self.steps = steps
        self.cumulative = cumulative

    def at(self, rows):
        """The future of ``rows``, of shape ``(len(rows), steps)``."""
        # A row's own value is at its address + window - 1 (PaddedSeries.at);
        # its future starts one later.
        futures = self.column.unfold(0, self.steps, 1)[rows + self.window]
        return torch.cumsum(futures, -1) if self.cumulative else futures

    def windows(self, rows):
        """The futures of every row of the windows ending at ``rows``.

        Of shape ``(batch, window, steps)``, right-aligned like
        :meth:`PaddedSeries.windows`; a window's rows before its series'
        start (beyond its length) get values that mean nothing.
        """
        # The window's futures span the window - 1 + steps values after its
        # first row: gathered once, then cut into each row's, a view whose
        # rows overlap, copied so that each value is its own.
        span = self.column.unfold(0, self.window - 1 + self.steps, 1)[rows + 1]
        futures = span.unfold(1, self.steps, 1)
        return torch.cumsum(futures, -1) if self.cumulative else futures.clone()


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
    bucket : bool, default=True
        Draw training batches of sequences of similar length
        (:meth:`shuffled_batches`), or at random.
    """

    def __init__(self, X, lengths=None, y=None, stats=None, bucket=True):
        self.X = X
        self.lengths = lengths
        self.y = y
        self.stats = stats
        self.bucket = bucket

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
            self.bucket,
        )

    def shuffled_batches(self, batch_size, generator, chunk=50):
        """One epoch's batches of indices, drawn so little goes to padding.

        Shuffle, sort each run of ``chunk`` batches' worth of samples by
        length, cut it into batches, then shuffle the batch order: each
        batch holds sequences of similar length (a batch costs as much as
        its longest sequence) while epochs still differ at random. Ties keep
        their shuffled order. Without ``bucket``, or lengths, the batches
        are a random partition.
        """
        order = torch.randperm(len(self), generator=generator)
        if self.lengths is None or not self.bucket:
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
        if not self.shuffle:  # the dataset's order, a batch's range at a time
            for start in range(0, n, self.batch_size):
                yield self.dataset.batch(
                    torch.arange(start, min(start + self.batch_size, n)))
            return
        # Half the memory of the epoch's order where positions fit 32 bits
        # (the same permutation as in 64 bits); batches index in 64 bits.
        dtype = torch.int32 if n < 2**31 else torch.int64
        order = torch.randperm(n, generator=self.generator, dtype=dtype)
        for start in range(0, n, self.batch_size):
            yield self.dataset.batch(order[start: start + self.batch_size].long())


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
        if hasattr(dataset, "tail_split"):
            return dataset.tail_split(self.fraction, self.gap)
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


class RandomSplit:
    """skorch ``train_split`` holding out a random subset, stratified by class.

    For samples that are independent sequences, whose order may mean
    nothing or something else than time (data sets sorted by class): a
    tail would then hold a few classes, and early stopping would judge the
    network on them alone. ``ceil(fraction * n)`` samples validate, drawn
    with ``seed``, so the split is the same at every call. With
    ``stratify`` (class indices in ``dataset.y``) each class gives its
    share: every sample is ranked at random within its class, and the
    samples whose rank is highest relative to their class's size validate,
    so a class of ``m`` samples gives about ``fraction * m`` of them (a
    class of one sample trains).
    """

    def __init__(self, fraction, seed, stratify=False):
        self.fraction = fraction
        self.seed = seed
        self.stratify = stratify

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = math.ceil(self.fraction * n)
        if n_valid < 1 or n - n_valid < 1:
            raise ValueError(
                f"validation_fraction={self.fraction} leaves {n - n_valid} "
                f"training and {n_valid} validation samples out of "
                f"n_samples={n}. Both need at least one; use more data, "
                "another validation_fraction, or early_stopping=False."
            )
        rng = np.random.default_rng(self.seed)
        order = rng.permutation(n)
        if self.stratify:
            labels = np.asarray(dataset.y)[order]
            _, codes, counts = np.unique(labels, return_inverse=True,
                                         return_counts=True)
            # Rank of each sample among its class, in the random order.
            rank = np.empty(n)
            for k in range(len(counts)):
                rank[codes == k] = np.arange(counts[k])
            key = (rank + 0.5) / counts[codes]
            order = order[np.argsort(key, kind="stable")]
        return (dataset.subset(torch.from_numpy(np.sort(order[: n - n_valid]))),
                dataset.subset(torch.from_numpy(np.sort(order[n - n_valid:]))))


class WindowDataset(torch.utils.data.Dataset):
    """Windows of a series, or of several, gathered batch by batch.

    The rows served are a run of consecutive rows of each series: rows
    ``first[k] ... first[k] + counts[k] - 1`` of series ``k``, in series
    order. Only these two numbers per series are stored; a batch's rows are
    found from its positions, so no index of every row is ever held.

    Parameters
    ----------
    series : PaddedSeries
        The (globally standardised) series; its ``window`` is the windows'.
    counts : tensor of int64 of shape (n_series,)
        The number of rows served of each series.
    targets : FutureTargets or None
        Future targets, addressed like ``series``: ``targets.at(t)`` is the
        future of row ``t``. None at prediction time.
    normalize : {None, "last", "standard"}
    target_index : int or None
        Column of ``series`` holding the target's past; None when the target
        is not a column (then targets are not normalised per window).
    every_step : int or None
        With the every-step head, the number of last steps of each window
        whose outputs enter the loss (``loss_steps``).
    series_ids : bool
        Whether each batch also gives the module every window's series
        (its position in ``series``), as ``series``.
    first : tensor of int64 of shape (n_series,), default=None
        The first row served of each series; None is row 0 of every series.
    """

    def __init__(self, series, counts, targets=None, normalize=None,
                 target_index=None, every_step=None, series_ids=False,
                 first=None):
        self.series = series
        self.counts = torch.as_tensor(counts, dtype=torch.int64)
        self.first = (torch.zeros_like(self.counts) if first is None
                      else torch.as_tensor(first, dtype=torch.int64))
        self.targets = targets
        self.normalize = normalize
        self.target_index = target_index
        self.every_step = every_step
        self.series_ids = series_ids
        self._ends = torch.cumsum(self.counts, 0)

    def __len__(self):
        return int(self._ends[-1])

    def __getitem__(self, i):
        return self.batch(torch.as_tensor([i]))

    def locate(self, index):
        """The series of the rows at positions ``index``, and their addresses
        in ``series`` (see :meth:`PaddedSeries.rows`)."""
        which = torch.searchsorted(self._ends, index, right=True)
        steps = self.first[which] + index - (self._ends - self.counts)[which]
        return which, self.series.rows(which, steps)

    @property
    def rows(self):
        """The address of every row served, in order."""
        return self.locate(torch.arange(len(self)))[1]

    def _with_runs(self, first, counts):
        return WindowDataset(self.series, counts, self.targets, self.normalize,
                             self.target_index, self.every_step,
                             self.series_ids, first)

    def halves(self):
        """The earlier and the later half of each series' rows (a middle row
        in the later)."""
        early = self.counts // 2
        return (self._with_runs(self.first, early),
                self._with_runs(self.first + early, self.counts - early))

    def tail_split(self, fraction, gap):
        """:class:`TailSplit` of each series: its last rows validate.

        Every series keeps its first rows for training and validates on its
        last ``ceil(fraction * n_rows)``, ``gap`` rows between them dropped,
        so the validation rows are the most recent of every series.
        """
        counts = self.counts
        n_valid = torch.ceil(fraction * counts.double()).long()
        n_train = torch.clamp(counts - n_valid - gap, min=0)
        if not bool(n_train.any()) or not bool(n_valid.any()):
            raise ValueError(
                f"validation_fraction={fraction} leaves {int(n_train.sum())} "
                f"training and {int(n_valid.sum())} validation samples out of "
                f"{len(self)}" + (f" (with a gap of {gap})" if gap else "")
                + ". Both need at least one; use more data, another "
                "validation_fraction, or early_stopping=False."
            )
        return (self._with_runs(self.first, n_train),
                self._with_runs(self.first + counts - n_valid, n_valid))

    def batch(self, index):
        which, rows = self.locate(index)
        X, lengths = self.series.windows(rows)
        Xb, loc, scale = prepare_windows(X, lengths, self.normalize,
                                         self.target_index)
        if self.series_ids:
            Xb["series"] = which
        if self.targets is None:
            return Xb, None
        if self.every_step is None:
            y = self.targets.at(rows)
        else:
            # Targets of every step of the window, right-aligned like X: only
            # the last every_step real rows of each window have any.
            window = self.series.window
            y = self.targets.windows(rows)
            unused = window - torch.clamp(lengths, max=self.every_step)
            y.masked_fill_((torch.arange(window) < unused[:, None])[..., None],
                           float("nan"))
            if loc is not None:
                loc, scale = loc.unsqueeze(1), scale.unsqueeze(1)
        if loc is not None:
            y = (y - loc) / scale
        if self.every_step is not None and "lengths" in Xb:
            y = roll_rows(y, self.series.window - lengths)
        return Xb, y


def prepare_windows(X, lengths, normalize, target_index):
    """Normalise right-aligned windows and hand them to the module left-aligned.

    Returns the module's keyword arguments and the ``(loc, scale)`` of the
    target, each of shape ``(batch, 1)``, that turn the network's output back
    into globally standardised units: ``output * scale + loc``; both are None
    when the target is not normalised per window (nothing to undo).
    """
    window = X.shape[1]
    loc = scale = None
    if normalize is not None:
        steps = torch.arange(window)
        real = (steps[None, :] >= (window - lengths)[:, None]).unsqueeze(-1)
        count = lengths.to(X.dtype)[:, None]
        if normalize == "last":
            center = X[:, -1]
            spread = torch.ones_like(center)
        else:
            center = (X * real).sum(1) / count
            var = (((X - center[:, None]) * real) ** 2).sum(1) / count
            # A flat window has no spread of its own; unit scale keeps it
            # finite (its values are already globally standardised).
            spread = torch.where(var > 1e-6, var.sqrt(), torch.ones_like(var))
        X = (X - center[:, None]) / spread[:, None] * real
        if target_index is not None:
            loc = center[:, target_index: target_index + 1]
            scale = spread[:, target_index: target_index + 1]
    if int(lengths.min()) == window:
        return {"X": X}, loc, scale
    return {"X": roll_rows(X, window - lengths), "lengths": lengths}, loc, scale
