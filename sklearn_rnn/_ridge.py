"""Ridge regression from sums of products, the penalty chosen by GCV.

The linear paths (:class:`~sklearn_rnn._modules._Highway`) start from the
ridge regression of the training targets on what they read; their inputs
are gathered block by block, so only the sums of products are kept.
"""

import numpy as np


def ridge_gcv(gram, cross, sq, alphas=np.logspace(-3, 4, 15)):
    """Ridge regression with an intercept, the penalty by generalised cross-validation.

    Takes the sums of products of the inputs ``A`` with a last column of
    ones appended: ``gram = A.T @ A``, ``cross = A.T @ Y``, ``sq = (Y**2).sum(0)``.
    The penalty minimises GCV (Golub, Heath and Wahba, 1979) summed over the
    outputs, the intercept unpenalised. Returns the coefficients
    ``(n_features, n_outputs)`` and the intercepts.
    """
    n = gram[-1, -1]
    mean_a, mean_y = gram[-1, :-1] / n, cross[-1] / n
    # The centred problem: Gram matrix, cross-products and sums of squares.
    G = gram[:-1, :-1] - n * np.outer(mean_a, mean_a)
    C = cross[:-1] - n * np.outer(mean_a, mean_y)
    total = sq - n * mean_y**2
    eig, V = np.linalg.eigh(G)
    eig = np.clip(eig, 0, None)
    VtC = V.T @ C
    best = None
    for alpha in alphas:
        coef = V @ (VtC / (eig + alpha)[:, None])
        rss = (total - 2 * (coef * C).sum(0) + (coef * (G @ coef)).sum(0)).sum()
        dof = (eig / (eig + alpha)).sum() + 1
        gcv = max(rss, 0.0) / max(n - dof, 1e-12) ** 2
        if best is None or gcv < best[0]:
            best = (gcv, coef)
    coef = best[1]
    return coef, mean_y - mean_a @ coef


#: Series whose matrices are decomposed at once: the eigenvectors of a
#: chunk are the only per-series matrices :func:`shrunk_ridge` adds to its
#: inputs, so its memory does not grow with the panel.
EIGH_CHUNK = 1024


def shrunk_ridge(gram, cross, sq, alphas=np.logspace(-3, 4, 15)):
    """Ridge regressions of each series, one penalty chosen by GCV over all.

    ``gram``, ``cross``, ``sq``: per series (first axis), as
    :func:`ridge_gcv` takes them; every coefficient is penalised, the
    intercept too, so a large penalty leaves every series at zero. Returns
    ``(n_series, n_features + 1, n_outputs)``.

    In each series' eigenbasis (``gram = V diag(e) V^T``, ``z = V^T cross``)
    the residual sum of squares at penalty ``a`` is ``sq - sum(z**2 (2 / (e
    + a) - e / (e + a)**2))``: the penalty is chosen from ``e`` and ``z``
    alone, and the eigenvectors are kept for one chunk of series at a time.
    """
    n_series = len(gram)
    eig = np.empty(gram.shape[:2])
    z2 = np.empty(cross.shape)
    for start in range(0, n_series, EIGH_CHUNK):
        part = slice(start, start + EIGH_CHUNK)
        eig[part], V = np.linalg.eigh(gram[part])
        z2[part] = (V.transpose(0, 2, 1) @ cross[part]) ** 2
    eig = np.clip(eig, 0, None)
    n = gram[:, -1, -1].sum()
    best = None
    for alpha in alphas:
        shrink = 1.0 / (eig + alpha)
        explained = (z2 * (2 * shrink - eig * shrink**2)[..., None]).sum()
        rss = sq.sum() - explained
        dof = (eig * shrink).sum()
        gcv = max(rss, 0.0) / max(n - dof, 1e-12) ** 2
        if best is None or gcv < best[0]:
            best = (gcv, alpha)
    coef = np.empty(cross.shape)
    for start in range(0, n_series, EIGH_CHUNK):
        part = slice(start, start + EIGH_CHUNK)
        e, V = np.linalg.eigh(gram[part])
        z = V.transpose(0, 2, 1) @ cross[part]
        coef[part] = V @ (z / (np.clip(e, 0, None) + best[1])[..., None])
    return coef
