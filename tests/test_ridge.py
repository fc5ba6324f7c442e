import numpy as np
import pytest

from sklearn_rnn._ridge import ALPHAS, ridge_one_se


def _problem(seed=0, n=90, n_features=6, n_outputs=3):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n_features))
    Y = 0.3 * A[:, :1] + rng.normal(size=(n, n_outputs)).cumsum(axis=0) * 0.2
    A1 = np.hstack([A, np.ones((n, 1))])
    return A1, Y, (A1.T @ A1, A1.T @ Y, (Y**2).sum(axis=0))


def _ridge(A1, Y, alpha):
    """Ridge with an unpenalised intercept, by the normal equations."""
    penalty = alpha * np.eye(A1.shape[1])
    penalty[-1, -1] = 0.0
    return np.linalg.solve(A1.T @ A1 + penalty, A1.T @ Y)


@pytest.mark.parametrize("block", [1, 4])
def test_one_se_is_the_rule_on_refit_leave_one_out_errors(block):
    # Leave-one-out by refitting without each row, no leverage formula:
    # block means, then the largest penalty within one standard error.
    A1, Y, sums = _problem()
    n = len(A1)
    losses = np.empty((len(ALPHAS), n))
    for i, alpha in enumerate(ALPHAS):
        for r in range(n):
            keep = np.arange(n) != r
            coef = _ridge(A1[keep], Y[keep], alpha)
            losses[i, r] = ((A1[r] @ coef - Y[r]) ** 2).mean()
    starts = np.arange(0, n, block)
    blocks = np.add.reduceat(losses, starts, axis=1) / np.diff(np.r_[starts, n])
    best = blocks.mean(axis=1).argmin()
    chosen = best
    for i in range(len(ALPHAS) - 1, best, -1):
        gain = blocks[i] - blocks[best]
        if gain.mean() <= gain.std(ddof=1) / np.sqrt(len(gain)):
            chosen = i
            break
    assert chosen > best  # the rule moved off the least error
    coef, intercept = ridge_one_se(*sums, lambda: iter([(A1, Y)]), block)
    expected = _ridge(A1, Y, ALPHAS[chosen])
    np.testing.assert_allclose(coef, expected[:-1], atol=1e-10)
    np.testing.assert_allclose(intercept, expected[-1], atol=1e-10)


def test_one_se_rows_may_come_in_any_batches():
    A1, Y, sums = _problem(seed=1)
    whole = ridge_one_se(*sums, lambda: iter([(A1, Y)]), 5)
    for size in (1, 7, 40):
        parts = ridge_one_se(*sums, lambda: ((A1[i:i + size], Y[i:i + size])
                                             for i in range(0, len(A1), size)), 5)
        for got, want in zip(parts, whole):
            np.testing.assert_allclose(got, want, atol=1e-12)
