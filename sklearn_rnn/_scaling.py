"""Standardisation with training statistics: the one rule for constant data."""

import numpy as np

__all__ = ["nonzero_scale"]


def nonzero_scale(scale):
    """Standard deviations with those of constant data set to 1.

    Dividing by a zero (or rounding-error) spread would blow values up;
    like :class:`~sklearn.preprocessing.StandardScaler`, a spread below ten
    times the machine epsilon of its dtype leaves the data unscaled.
    """
    scale = np.asarray(scale)
    return np.where(scale < 10 * np.finfo(scale.dtype).eps, 1.0, scale)
