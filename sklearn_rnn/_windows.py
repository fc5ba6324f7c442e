"""Windowing: turn a series into windows, or rows into sequences.

Two tools live here. :func:`make_windows` cuts a series into ``(X, Y)`` samples
(windows of history, and the future that follows each window), for those who
want windows as samples. The transformers :class:`SlidingWindows`,
:class:`RepeatVector` and :class:`ToSequences` turn 2-D rows into 3-D sequences
while keeping the number of rows, so they can be steps of a
:class:`~sklearn.pipeline.Pipeline` and never touch ``y``.

Every output here is a read-only NumPy view of (at most) one copy of the input:
windows overlap, and materialising them would multiply the memory of a series by
the window length.

This module needs NumPy (and pandas only when given pandas objects), not torch.
"""

from numbers import Integral

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_is_fitted,
    validate_data,
)

from ._validation import (
    check_no_bool_numbers,
    check_no_nan,
    check_not_1d,
    check_numeric,
    check_positive_int,
    is_real_dtype,
    target_position,
)

__all__ = ["make_windows", "SlidingWindows", "RepeatVector", "ToSequences"]


def _check_one_series(series, name):
    """Refuse a panel: windows of its rows would run from one series into the next."""
    index = getattr(series, "index", None)
    if isinstance(index, pd.MultiIndex):
        raise ValueError(
            f"{name} has a MultiIndex, a panel of many series: windows of its "
            "rows in order would run from one series into the next. Window "
            f"each series, e.g. [... for _, part in {name}.groupby(level=0)], "
            "or fit a forecaster, which takes panels. Got a MultiIndex "
            f"{list(index.names)} instead."
        )


def _as_numeric_array(series):
    """Return ``series`` as a numeric ndarray, without a copy where possible."""
    if hasattr(series, "dtypes") and hasattr(series, "to_numpy"):
        # pandas: a Series has one dtype, a DataFrame one per column.
        dtypes = list(series.dtypes) if series.ndim == 2 else [series.dtype]
        bad = [dtype for dtype in dtypes if not is_real_dtype(dtype)]
        if bad:
            raise TypeError(
                "series must hold numeric values. Got a pandas object with "
                f"dtype(s) {sorted({str(dtype) for dtype in bad})} instead."
            )
        if all(isinstance(dtype, np.dtype) for dtype in dtypes):
            # A single-dtype frame is one block: to_numpy() is a view of it.
            return series.to_numpy()
        # Nullable extension dtypes (Int64, Float64) hold pd.NA, which has no
        # NumPy form; NaN is the package's missing value.
        return series.to_numpy(dtype=np.float64, na_value=np.nan)

    array = np.asarray(series)
    if array.dtype.kind == "O":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                "series must hold numeric values. Got an object array that "
                f"cannot be converted to float ({exc}) instead."
            ) from exc
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"series must hold numeric values. Got dtype {array.dtype} instead."
        )
    return array


def make_windows(series, window, horizon=1, *, target=0):
    """Cut a series into windows of history and the values that follow them.

    Window ``i`` holds rows ``i .. i+window-1`` of the series (every column), and
    ``Y[i]`` holds the next ``horizon`` values of the target column, rows
    ``i+window .. i+window+horizon-1``. Only windows whose whole horizon lies in
    the series are returned, so no window's target reaches past the data::

        series  : s0  s1  s2  s3  s4  s5  s6        (window=3, horizon=2)
        X[0], Y[0]: [s0  s1  s2] (s3  s4)
        X[1], Y[1]:     [s1  s2  s3] (s4  s5)
        X[2], Y[2]:         [s2  s3  s4] (s5  s6)

    The windows then are ordinary samples for any sequence estimator.

    Parameters
    ----------
    series : array-like of shape (n_timesteps,) or (n_timesteps, n_features)
        Numeric values, rows equally spaced and in time order. A pandas
        ``Series`` or ``DataFrame`` is accepted (its index is ignored), but
        not a panel of many series (a ``MultiIndex``).

    window : int
        Number of time steps in each window (the history a sample sees).

    horizon : int, default=1
        Number of future values to predict after each window.

    target : int or column label, default=0
        The column whose future values fill ``Y``. For a ``DataFrame`` a column
        label is looked up first, then an integer is taken as a position;
        otherwise it is a position (negative counts from the end). A 1-D series
        is its own target.

    Returns
    -------
    X : ndarray of shape (n_windows, window, n_features)
        The windows, ``n_windows = n_timesteps - window - horizon + 1``. A
        read-only view of the series (no copy is made when ``series`` is a NumPy
        array or a single-dtype pandas object): call ``X.copy()`` to write to it.
        It keeps the dtype of the series.

    Y : ndarray of shape (n_windows, horizon)
        The target values following each window, also a read-only view.

    Raises
    ------
    ValueError
        If ``window`` or ``horizon`` is smaller than 1, if ``window + horizon``
        is longer than the series, or if ``series`` is not 1-D or 2-D.
    TypeError
        If ``series`` is not numeric.

    See Also
    --------
    SlidingWindows : One window per row, ending at that row, for Pipelines.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import make_windows
    >>> series = np.arange(6.0)
    >>> X, Y = make_windows(series, window=3, horizon=2)
    >>> X.shape, Y.shape
    ((2, 3, 1), (2, 2))
    >>> X[:, :, 0]
    array([[0., 1., 2.],
           [1., 2., 3.]])
    >>> Y
    array([[3., 4.],
           [4., 5.]])
    >>> np.shares_memory(X, series)
    True
    """
    window = check_positive_int(window, "window")
    horizon = check_positive_int(horizon, "horizon")
    _check_one_series(series, "series")
    array = _as_numeric_array(series)
    if array.ndim == 1:
        array = array[:, np.newaxis]
    if array.ndim != 2:
        raise ValueError(
            "series must be 1-D (n_timesteps,) or 2-D (n_timesteps, n_features). "
            f"Got an array of shape {array.shape} instead."
        )
    n_timesteps, n_features = array.shape
    if window + horizon > n_timesteps:
        raise ValueError(
            f"window + horizon = {window + horizon} is longer than the series "
            f"(n={n_timesteps}): each sample needs window steps of history and "
            "horizon steps of future. Use a shorter window or horizon. Got "
            f"window={window}, horizon={horizon} instead."
        )
    target = target_position(target, getattr(series, "columns", None), n_features,
                             name="series")
    n_windows = n_timesteps - window - horizon + 1
    # Windowing both axes at once puts the (window, n_features) block last.
    X = sliding_window_view(array, (window, n_features))[:n_windows, 0]
    Y = sliding_window_view(array[window:, target], horizon)
    return X, Y


class _SequenceOutputMixin:
    """``set_output`` for transformers whose output has no DataFrame form.

    The output of these transformers is 3-D (or a list of sequences), which
    neither pandas nor polars can hold, so scikit-learn's automatic wrapping is
    turned off in every subclass and this ``set_output`` accepts
    only the default container. Offering the method at all lets
    ``Pipeline.set_output(transform="default")`` pass through these steps.
    """

    def __init_subclass__(cls, **kwargs):
        # Forced for every subclass, not only the first: _SetOutputMixin turns
        # wrapping back on for any class that does not pass None itself.
        kwargs["auto_wrap_output_keys"] = None
        super().__init_subclass__(**kwargs)

    def set_output(self, *, transform=None):
        """Set the output container; only NumPy output is possible.

        Parameters
        ----------
        transform : {"default"} or None, default=None
            ``"default"`` and ``None`` keep the NumPy output. ``"pandas"`` and
            ``"polars"`` raise a ``ValueError``: a DataFrame cannot hold 3-D
            sequences.

        Returns
        -------
        self : estimator instance
            The estimator, unchanged.
        """
        if transform not in (None, "default"):
            raise ValueError(
                f"{type(self).__name__} outputs sequences (3-D arrays or a list "
                "of them), which a DataFrame cannot hold, so its output cannot be "
                "configured: set_output only accepts transform='default' or "
                "None. Set the output of the steps before it individually. Got "
                f"transform={transform!r} instead."
            )
        return self


class _RowsToSequences(_SequenceOutputMixin, TransformerMixin, BaseEstimator):
    """Shared fit/transform of the row-preserving 2-D -> 3-D transformers."""

    # NaN marks padding in this package, so transformers that pass NaN through
    # must say so; the others reject it like any scikit-learn estimator.
    _allow_nan = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self._allow_nan
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _validate_params(self):
        super()._validate_params()
        check_no_bool_numbers(self)

    def _validate(self, X, reset):
        check_numeric(X, strings_hint="encode them as numbers first.")
        check_not_1d(
            X, "2-D (n_samples, n_features), one row per sample",
            "X.reshape(-1, 1) for a single feature, X.reshape(1, -1) for a "
            "single sample.",
        )
        X = validate_data(
            self,
            X,
            reset=reset,
            dtype=(np.float64, np.float32),
            ensure_all_finite="allow-nan",
        )
        if not self._allow_nan:
            check_no_nan(X, "column", f"{type(self).__name__} does not accept "
                         "missing values; impute them first.")
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check ``X`` and record its number of features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The rows to turn into sequences.

        y : None
            Ignored; present for Pipeline compatibility.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        self._validate(X, reset=True)
        self._fit_n_features()
        return self

    def _fit_n_features(self):
        """Derive fitted attributes from ``n_features_in_`` (a hook)."""

    def transform(self, X):
        """Turn each row of ``X`` into a sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The rows to turn into sequences.

        Returns
        -------
        X_seq : ndarray of shape (n_samples, n_timesteps, n_channels)
            A read-only view: call ``X_seq.copy()`` to write to it.
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        return self._transform(X)

    def get_feature_names_out(self, input_features=None):
        """Names of the channels: the features along the output's last axis.

        The output is 3-D and has no columns; these name the features seen at
        every time step, in order.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; must match ``feature_names_in_`` if that is
            defined. If None, ``feature_names_in_`` or ``x0, x1, ...`` is used.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per channel.
        """
        check_is_fitted(self, "n_features_in_")
        return _check_feature_names_in(self, input_features)


class SlidingWindows(_RowsToSequences):
    """Give each time step the window of history that ends at it.

    Rows of ``X`` are consecutive time steps. Row ``t`` of the output is the
    sequence of rows ``t-window+1 .. t``, so a sequence estimator after this step
    sees, at every row, the recent history up to and including that row (for
    example, to classify each step of a stream). The number of rows is kept and
    ``y`` is untouched, so the step fits in a :class:`~sklearn.pipeline.Pipeline`::

        X rows :  x0  x1  x2  x3                       (window=3)
        out[0] : [nan nan x0]
        out[1] :     [nan x0  x1]
        out[2] :         [x0  x1  x2]
        out[3] :             [x1  x2  x3]

    The first ``window - 1`` rows have a shorter history; they are left-padded
    with all-NaN rows, which the package's sequence estimators treat as padding
    (they never see them), so those rows are simply shorter sequences.

    Parameters
    ----------
    window : int, default=10
        Number of time steps in each output sequence (the current step and the
        ``window - 1`` before it).

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    make_windows : Windows and their future values as ``(X, Y)`` samples.
    RepeatVector : The same row at every step.
    ToSequences : Flat rows reshaped into sequences.

    Notes
    -----
    The output is a read-only :func:`~numpy.lib.stride_tricks.sliding_window_view`
    of one padded copy of ``X``: its memory is that of ``X`` plus ``window - 1``
    rows, however large ``window`` is. Call ``.copy()`` on it to write to it.

    Rows are time steps, so the transformation of a row depends on the rows
    before it: transforming a subset or a shuffle of the rows changes the
    windows. Transform a whole, ordered series.

    The output is 3-D, so ``set_output(transform="pandas")`` cannot apply and
    raises a ``ValueError``; :meth:`get_feature_names_out` names the channels
    (the last axis).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import SlidingWindows
    >>> X = np.arange(8.0).reshape(4, 2)
    >>> windows = SlidingWindows(window=3).fit_transform(X)
    >>> windows.shape
    (4, 3, 2)
    >>> windows[0]
    array([[nan, nan],
           [nan, nan],
           [ 0.,  1.]])
    >>> windows[3]
    array([[2., 3.],
           [4., 5.],
           [6., 7.]])
    """

    _parameter_constraints: dict = {
        "window": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, window=10):
        self.window = window

    def _validate(self, X, reset):
        _check_one_series(X, "X")
        return super()._validate(X, reset)

    def _transform(self, X):
        n_samples, n_features = X.shape
        padded = np.empty((n_samples + self.window - 1, n_features), dtype=X.dtype)
        padded[: self.window - 1] = np.nan
        padded[self.window - 1 :] = X
        return sliding_window_view(padded, (self.window, n_features))[:, 0]


class RepeatVector(_RowsToSequences):
    """Repeat each row at every time step: vector to sequence.

    Row ``i`` of the output is the sequence ``[x_i, x_i, ..., x_i]`` of
    ``n_steps`` steps, for sequence models that take one vector and emit a
    sequence (vector-to-sequence). The number of rows is kept and ``y`` is
    untouched, so the step fits in a :class:`~sklearn.pipeline.Pipeline`.

    Parameters
    ----------
    n_steps : int, default=10
        Number of time steps of each output sequence.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    SlidingWindows : The history ending at each row.
    ToSequences : Flat rows reshaped into sequences.

    Notes
    -----
    The output is a read-only :func:`~numpy.broadcast_to` view: every step
    shares the memory of the row, so it costs nothing whatever ``n_steps`` is.
    Call ``.copy()`` on it to write to it.

    The output is 3-D, so ``set_output(transform="pandas")`` cannot apply and
    raises a ``ValueError``; :meth:`get_feature_names_out` names the channels
    (the last axis).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RepeatVector
    >>> X = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> sequences = RepeatVector(n_steps=3).fit_transform(X)
    >>> sequences.shape
    (2, 3, 2)
    >>> sequences[1]
    array([[3., 4.],
           [3., 4.],
           [3., 4.]])
    """

    _parameter_constraints: dict = {
        "n_steps": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, n_steps=10):
        self.n_steps = n_steps

    def _transform(self, X):
        n_samples, n_features = X.shape
        return np.broadcast_to(
            X[:, np.newaxis, :], (n_samples, self.n_steps, n_features)
        )


class ToSequences(_RowsToSequences):
    """Reshape flat rows into sequences of equal-size steps.

    A row of ``n_timesteps * n_channels`` values is read as ``n_timesteps``
    consecutive steps of ``n_channels`` values each: the first ``n_channels``
    columns are step 0, the next ones step 1, and so on. For example an 8x8
    digit image flattened row by row becomes 8 steps of 8 pixels. The number of
    rows is kept and ``y`` is untouched, so the step fits in a
    :class:`~sklearn.pipeline.Pipeline`.

    NaN passes through: all-NaN steps at the start or end of a sequence are
    padding for the package's sequence estimators, so flat rows of different
    lengths can be NaN-padded to a common width.

    Parameters
    ----------
    n_timesteps : int or None, default=None
        Number of time steps per row; must divide the number of columns. None
        reads every column as one step of a univariate sequence
        (``n_timesteps = n_features_in_``, one channel).

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    n_timesteps_ : int
        Number of time steps of each output sequence.

    n_channels_ : int
        Number of features at each step, ``n_features_in_ // n_timesteps_``.

    See Also
    --------
    SlidingWindows : The history ending at each row.
    RepeatVector : The same row at every step.

    Notes
    -----
    The output is a read-only view of the validated input (a reshape, no
    copy). Call ``.copy()`` on it to write to it.

    The output is 3-D, so ``set_output(transform="pandas")`` cannot apply and
    raises a ``ValueError``. :meth:`get_feature_names_out` names the
    ``n_channels_`` channels (the last axis) ``tosequences0, tosequences1, ...``:
    each channel gathers one input column per step, so no single input name
    fits it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import ToSequences
    >>> X = np.arange(12.0).reshape(2, 6)
    >>> sequences = ToSequences(n_timesteps=3).fit_transform(X)
    >>> sequences.shape
    (2, 3, 2)
    >>> sequences[0]
    array([[0., 1.],
           [2., 3.],
           [4., 5.]])
    >>> ToSequences().fit_transform(X).shape
    (2, 6, 1)
    """

    _parameter_constraints: dict = {
        "n_timesteps": [Interval(Integral, 1, None, closed="left"), None],
    }
    _allow_nan = True

    def __init__(self, *, n_timesteps=None):
        self.n_timesteps = n_timesteps

    def _fit_n_features(self):
        n_timesteps = (
            self.n_features_in_ if self.n_timesteps is None else self.n_timesteps
        )
        if self.n_features_in_ % n_timesteps:
            raise ValueError(
                f"n_timesteps must divide the number of columns of X "
                f"({self.n_features_in_}) so that every step has the same number "
                "of features. Got n_timesteps="
                f"{self.n_timesteps} instead."
            )
        self.n_timesteps_ = n_timesteps
        self.n_channels_ = self.n_features_in_ // n_timesteps

    def _transform(self, X):
        sequences = X.reshape(X.shape[0], self.n_timesteps_, self.n_channels_)
        # Read-only like the other transformers' outputs; this flags only the
        # new view, so the caller's array stays writeable.
        sequences.flags.writeable = False
        return sequences

    def get_feature_names_out(self, input_features=None):
        """Names of the channels: the features along the output's last axis.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against ``feature_names_in_``; the channel names do not
            depend on it.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``tosequences0 .. tosequences{n_channels_ - 1}``.
        """
        check_is_fitted(self, "n_channels_")
        _check_feature_names_in(self, input_features)
        prefix = type(self).__name__.lower()
        return np.asarray(
            [f"{prefix}{j}" for j in range(self.n_channels_)], dtype=object
        )
