"""Input checks whose errors say which argument is wrong and what to do.

scikit-learn's ``check_array`` rejects the same inputs, but some of its
messages come straight from NumPy ("could not convert string to float: 'a'")
or print the whole array. These checks run first and explain: they name the
argument (and the pandas columns or the sample and step at fault) and say
what was expected. :func:`check_sequences` turns sequence-estimator input
into left-aligned arrays with their lengths. Only NumPy, pandas and
scikit-learn are needed (no torch), so the windowing module can use them too.
"""

import warnings
from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_array, validate_data

__all__ = [
    "check_labels",
    "check_no_bool_numbers",
    "check_no_nan",
    "check_not_1d",
    "check_numeric",
    "check_positive_int",
    "check_ragged_list",
    "check_seed",
    "check_sequences",
    "check_y_length",
    "target_position",
    "roll_steps",
]


def check_numeric(X, name="X", strings_hint=(
        "encode text as numbers first (TextToSequences turns strings into "
        "token-id sequences).")):
    """Raise if ``X`` holds strings, complex numbers or non-numeric objects.

    Numeric arrays, DataFrames with numeric columns and sparse matrices
    pass untouched (sparse input is left to the checks that follow); lists
    are looked at as NumPy arrays. Object arrays pass when every element
    converts to float.

    Raises
    ------
    ValueError
        For strings, complex numbers and non-numeric DataFrame columns.
    TypeError
        For objects that ``float()`` cannot take (the message keeps NumPy's
        "argument must be a string or a real number").
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(X, "columns"):
        import pandas as pd

        bad = {
            str(column): str(dtype)
            for column, dtype in dtypes.items()
            if not pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_complex_dtype(dtype)
        }
        if bad:
            raise ValueError(
                f"{name} must hold numbers. Got a DataFrame with non-numeric "
                f"column(s) {bad} (column: dtype) instead; encode them as "
                "numbers or drop them first."
            )
        return
    if isinstance(X, (list, tuple)):
        try:
            X = np.asarray(X)
        except ValueError:  # ragged: the caller explains
            return
    dtype = getattr(X, "dtype", None)
    if not isinstance(dtype, np.dtype):
        return
    if dtype.kind in "USa":
        raise ValueError(
            f"{name} must hold numbers: could not convert strings to float. "
            f"Got an array of strings (dtype {dtype}) instead; {strings_hint}"
        )
    if dtype.kind == "c":
        # "Complex data not supported" is the phrase scikit-learn's own
        # checks look for.
        raise ValueError(
            f"Complex data not supported: {name} must hold real numbers. Got "
            f"dtype {dtype} instead; pass the real part, the magnitude, or "
            "both as separate features."
        )
    if dtype.kind == "O":
        try:
            np.asarray(X, dtype=np.float64)
        except TypeError as exc:
            raise TypeError(f"{name} must hold numbers: {exc}.") from exc
        except ValueError as exc:
            raise ValueError(
                f"{name} must hold numbers: {exc}. Got an object array with "
                "values that are not numbers instead."
            ) from exc


def check_not_1d(X, expected, hint, name="X"):
    """Raise a ValueError naming ``expected`` when ``X`` is 1-D or a scalar.

    Lists are looked at through ``np.ndim``; ragged lists are left to the
    caller.
    """
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        # Other array-likes may refuse NumPy functions; validate_data
        # converts them.
        if not (X is None or np.isscalar(X) or isinstance(X, (list, tuple))):
            return
        try:
            ndim = np.ndim(X)
        except ValueError:
            return
    if ndim == 0:
        raise ValueError(f"{name} must be {expected}. Got {X!r} instead.")
    if ndim == 1:
        shape = np.shape(X)
        raise ValueError(
            f"{name} must be {expected}. Got a 1-D array of shape {shape} "
            f"instead. Reshape your data: {hint}"
        )


def check_y_length(y, n_samples, unit="sequence"):
    """Raise unless ``y`` has one entry per sample of ``X``."""
    from sklearn.utils.validation import _num_samples

    n_y = _num_samples(y)
    if n_y != n_samples:
        raise ValueError(
            f"X has {n_samples} {unit}s but y has {n_y} targets; expected one "
            f"target per {unit} (inconsistent numbers of samples: "
            f"[{n_samples}, {n_y}])."
        )


def check_labels(y, estimator_name):
    """Raise if class labels ``y`` have a time axis or hold NaN."""
    y = np.asarray(y)
    if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
        raise ValueError(
            f"{estimator_name} predicts one class label per sequence, so y must "
            f"be 1-D (n_samples,). Got an array of shape {y.shape} instead; a "
            "time axis or several outputs per sequence is not supported."
        )
    if y.dtype.kind == "f" and np.isnan(y).any():
        i = int(np.flatnonzero(np.isnan(y.ravel()))[0])
        raise ValueError(
            f"Input y contains NaN, first at sample {i}; every sequence needs "
            "a class label. Drop unlabelled sequences first."
        )


def check_no_nan(X, what, hint, name="X"):
    """Raise a ValueError saying where the first NaN of 2-D ``X`` is."""
    nan = np.isnan(X)
    if nan.any():
        i, j = np.argwhere(nan)[0]
        raise ValueError(
            f"Input {name} contains NaN, first at row {i}, {what} {j}. {hint}"
        )


def check_ragged_list(X, name="X"):
    """Explain a list of sequences that NumPy cannot stack.

    Sequences of different lengths must each be 2-D ``(n_timesteps,
    n_features)``; a list of 1-D arrays of different lengths is ambiguous.
    """
    shapes = [np.shape(seq) for seq in X[:5]]
    raise ValueError(
        f"{name} is a list whose elements have different shapes "
        f"({', '.join(map(str, shapes))}{', ...' if len(X) > 5 else ''}). "
        "Sequences of different lengths must each be a 2-D array "
        "(n_timesteps, n_features); reshape univariate ones with "
        "seq.reshape(-1, 1). Equal-length sequences can be one 2-D or 3-D "
        "array."
    )


def check_positive_int(value, name):
    """``value`` as an int, after checking it is an integer >= 1 (not a bool)."""
    # bool is an Integral, but window=True is always a mistake.
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise TypeError(
            f"{name} must be an integer >= 1. Got {value!r} of type "
            f"{type(value).__name__} instead."
        )
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1. Got {name}={value} instead.")
    return int(value)


def check_no_bool_numbers(estimator):
    """Reject a bool given for a numeric parameter (``hidden_size=True``).

    ``bool`` is an ``Integral`` to Python and to scikit-learn's ``Interval``
    constraint, so ``_validate_params`` lets ``True`` through as 1. Call this
    after it, from an estimator's ``_validate_params``.
    """
    from sklearn.utils._param_validation import Interval, InvalidParameterError

    for name, constraints in estimator._parameter_constraints.items():
        value = getattr(estimator, name, None)
        if (isinstance(value, bool) and "boolean" not in constraints
                and any(isinstance(c, Interval) for c in constraints)):
            raise InvalidParameterError(
                f"The {name!r} parameter of {type(estimator).__name__} must be "
                f"a number, not a bool. Got {value!r} instead."
            )


def target_position(target, columns, n_columns, name="X"):
    """Position of the target column: a column label, else a position.

    The one rule of every ``target`` parameter: with ``columns`` (the column
    labels), a label is looked up first; an int not among them is a position
    in ``[-n_columns, n_columns)`` (negative counts from the end).

    Parameters
    ----------
    target : int or label
        The ``target`` parameter.
    columns : sequence or None
        The column labels, None when the data has none (NumPy input).
    n_columns : int
        The number of columns.
    name : str, default="X"
        The data's argument name, for the messages.

    Returns
    -------
    position : int
        In ``[0, n_columns)``.
    """
    if columns is not None:
        matches = [i for i, label in enumerate(columns)
                   if bool(np.all(label == target))]
        if matches:
            return matches[0]
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        if -n_columns <= target < n_columns:
            return int(target) % n_columns
        raise ValueError(
            f"target must name a column of {name}: a column label or a position "
            f"in [0, {n_columns - 1}] for {name} with {n_columns} column(s). "
            f"Got target={target!r} instead."
        )
    if columns is None:
        raise ValueError(
            f"target={target!r} is a column label, which needs {name} to be a "
            "pandas DataFrame (or a named Series) with column names. Got "
            f"{name} without column names instead; pass target as a column "
            "position."
        )
    raise ValueError(
        f"target={target!r} is not a column of {name}, whose columns are "
        f"{list(columns)}. Got target={target!r} instead."
    )
# -- sequence-estimator input ------------------------------------------------


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
    X = roll_steps(X, first)
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


def roll_steps(X, shift):
    """Rotate each sequence of ``X`` left along time by its own ``shift``.

    The NumPy twin of :func:`~sklearn_rnn._modules.roll_rows`: a shift of
    each sequence's leading padding left-aligns it, and the negated shift
    puts it back.
    """
    n_steps = X.shape[1]
    index = (np.arange(n_steps)[None, :] + shift[:, None]) % n_steps
    return np.take_along_axis(X, index[:, :, None], axis=1)


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


def check_seed(random_state):
    """A 31-bit seed for torch from a scikit-learn ``random_state``."""
    from sklearn.utils import check_random_state

    if isinstance(random_state, Integral):
        return int(random_state) % (2**31)
    return int(check_random_state(random_state).randint(2**31 - 1))
