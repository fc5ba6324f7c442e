"""scikit-learn's estimator checks on the windowing and text transformers."""

import pytest
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_output_transform,
    check_set_params,
    check_valid_tag_types,
    parametrize_with_checks,
)

from sklearn_rnn import RepeatVector, SlidingWindows, TextToSequences, ToSequences

WINDOW_TRANSFORMERS = [
    SlidingWindows(window=3),
    RepeatVector(n_steps=3),
    ToSequences(),
    ToSequences(n_timesteps=1),
]

_ROWS_ARE_TIME_STEPS = (
    "Rows are consecutive time steps: row t's window holds the rows before it, "
    "so transforming a subset or a shuffle of the rows changes the windows, by "
    "design."
)


def _expected_failed_checks(estimator):
    if isinstance(estimator, SlidingWindows):
        return {
            "check_methods_subset_invariance": _ROWS_ARE_TIME_STEPS,
            "check_methods_sample_order_invariance": _ROWS_ARE_TIME_STEPS,
        }
    return {}


@parametrize_with_checks(
    WINDOW_TRANSFORMERS, expected_failed_checks=_expected_failed_checks
)
def test_sklearn_compatible_transformer(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", WINDOW_TRANSFORMERS, ids=repr)
def test_set_output_default_changes_nothing(estimator):
    # Not part of parametrize_with_checks; scikit-learn runs it on its own
    # transformers, and "default" is the one output these accept.
    check_set_output_transform(type(estimator).__name__, estimator)


# TextToSequences takes strings, not a 2-D array (its two_d_array tag is
# False), so parametrize_with_checks would yield no check at all for it. The
# API checks below need no data and apply to it as to any estimator.
@pytest.mark.parametrize(
    "check",
    [
        check_estimator_cloneable,
        check_estimator_repr,
        check_estimator_tags_renamed,
        check_valid_tag_types,
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
        check_get_params_invariance,
        check_set_params,
        check_do_not_raise_errors_in_init_or_set_params,
        check_mixin_order,
    ],
    ids=lambda check: check.__name__,
)
def test_text_to_sequences_api_checks(check):
    check("TextToSequences", TextToSequences())
