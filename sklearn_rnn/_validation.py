"""Input checks whose errors say which argument is wrong and what to do.

scikit-learn's ``check_array`` rejects the same inputs, but some of its
messages come straight from NumPy ("could not convert string to float: 'a'")
or print the whole array. These checks run first and explain: they name the
argument (and the pandas columns or the sample and step at fault) and say
what was expected. Only NumPy and pandas are needed (no torch), so the
windowing module can use them too.
"""

import numpy as np

__all__ = [
    "check_labels",
    "check_no_bool_numbers",
    "check_no_nan",
    "check_not_1d",
    "check_numeric",
    "check_ragged_list",
    "check_y_length",
    "target_position",
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
