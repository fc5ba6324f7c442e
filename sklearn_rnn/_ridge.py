"""Ridge regression from sums of products, the penalty chosen by GCV or by
the one-standard-error rule on leave-one-out errors.

The linear paths (:class:`~sklearn_rnn._modules._Highway`) start from the
ridge regression of the training targets on what they read; their inputs
are gathered block by block, so only the sums of products are kept (a
panel's per-series sums of the inputs a chunk of series at a time, summed
again when needed).
"""

import numpy as np


ALPHAS = np.logspace(-3, 4, 15)


def _centred(gram, cross):
    """The centred problem of the sums of products (ones last): the count,
    the means of the inputs and targets, the centred Gram matrix and
    cross-products, and the Gram matrix's eigenvalues (clipped at 0),
    eigenvectors and the cross-products in their basis."""
    n = gram[-1, -1]
    mean_a, mean_y = gram[-1, :-1] / n, cross[-1] / n
    G = gram[:-1, :-1] - n * np.outer(mean_a, mean_a)
    C = cross[:-1] - n * np.outer(mean_a, mean_y)
    eig, V = np.linalg.eigh(G)
    return n, mean_a, mean_y, G, C, np.clip(eig, 0, None), V, V.T @ C


def ridge_gcv(gram, cross, sq, alphas=ALPHAS):
    """Ridge regression with an intercept, the penalty by generalised cross-validation.

    Takes the sums of products of the inputs ``A`` with a last column of
    ones appended: ``gram = A.T @ A``, ``cross = A.T @ Y``, ``sq = (Y**2).sum(0)``.
    The penalty minimises GCV (Golub, Heath and Wahba, 1979) summed over the
    outputs, the intercept unpenalised. Returns the coefficients
    ``(n_features, n_outputs)`` and the intercepts.
    """
    n, mean_a, mean_y, G, C, eig, V, VtC = _centred(gram, cross)
    total = sq - n * mean_y**2
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


def ridge_one_se(gram, cross, sq, rows, block, alphas=ALPHAS):
    """Ridge regression with an intercept, the penalty by the one-standard-error rule.

    The largest penalty whose leave-one-out error is within one standard
    error of the least one's (Breiman et al., 1984; Hastie et al., 2009,
    section 7.10), the intercept unpenalised; the standard errors from the
    errors' means over blocks of ``block`` consecutive rows, which are
    roughly independent when neighbouring rows share ``block - 1`` target
    steps. ``gram``, ``cross`` and ``sq`` as :func:`ridge_gcv` takes them;
    ``rows()`` yields the same inputs (ones last) and targets again, in
    order, ``(A, Y)`` a batch at a time. The leave-one-out residuals are
    exact (the fitted residual over one less the leverage), the penalties'
    block errors kept as sums and cross-products only. Returns the
    coefficients ``(n_features, n_outputs)`` and the intercepts.
    """
    n, mean_a, mean_y, _, _, eig, V, VtC = _centred(gram, cross)
    shrink = 1.0 / (eig + alphas[:, None])  # (alphas, features)
    # Block means of the rows' leave-one-out errors, one column per penalty:
    # their sums and cross-products give every penalty pair's difference.
    total, products, n_blocks = 0.0, 0.0, 0
    pending = np.zeros((0, len(alphas)))
    for A, Y in rows():
        Z = (A[:, :-1] - mean_a) @ V
        # (alphas, rows, outputs): every penalty's fitted residuals at once.
        residual = (Y - mean_y)[None] - Z @ (shrink[:, :, None] * VtC)
        leverage = 1.0 / n + (Z**2) @ shrink.T  # (rows, alphas)
        errors = (residual / np.clip(1 - leverage.T, 1e-12, None)[..., None]) ** 2
        pending = np.vstack([pending, errors.mean(axis=2).T])
        whole = len(pending) - len(pending) % block
        means = pending[:whole].reshape(-1, block, len(alphas)).mean(axis=1)
        total, products = total + means.sum(0), products + means.T @ means
        n_blocks += len(means)
        pending = pending[whole:]
    if len(pending):  # the last, shorter block
        means = pending.mean(axis=0, keepdims=True)
        total, products = total + means.sum(0), products + means.T @ means
        n_blocks += 1
    mean = total / n_blocks
    best = int(np.argmin(mean))
    chosen = best
    if n_blocks >= 2:
        for i in range(len(alphas) - 1, best, -1):
            # Variance of the block differences (penalty i less the best).
            sum_sq = (products[i, i] - 2 * products[i, best]
                      + products[best, best])
            gain = mean[i] - mean[best]
            var = max(sum_sq - n_blocks * gain**2, 0.0) / (n_blocks - 1)
            if gain <= np.sqrt(var / n_blocks):
                chosen = i
                break
    coef = V @ (VtC * shrink[chosen][:, None])
    return coef, mean_y - mean_a @ coef


#: Series whose sums of products are held at once: a panel's per-series
#: matrices are summed, decomposed and used a chunk at a time, so the
#: memory of the per-series ridge does not grow with the number of series.
#: Each series' matrices are its own (stacked decompositions and products
#: go matrix by matrix), so the chunk sets the memory, not the results; a
#: chunk of a few hundred keeps its arrays small beside the network's
#: blocks, which otherwise split the heap around them.
EIGH_CHUNK = 256


def series_grams(blocks, n_series, width, cross=None, sq=None):
    """Sums of products of the inputs of each series, a chunk of series at a time.

    ``blocks(targets)`` yields ``(A, y, series)``: inputs ``A`` of shape
    ``(batch, width)`` (their last column ones), targets ``y`` ``(batch,
    n_outputs)`` (None unless ``targets``) and each row's series (None: all
    series 0), the rows of a series together and the series in increasing
    order. Yields ``(start, grams)``: ``grams[i] = A_k.T @ A_k`` of series
    ``k = start + i`` (zeros for a series without rows), ``EIGH_CHUNK``
    series at a time, so the matrices of every series are never held at
    once. ``grams`` is one array, zeroed and filled again for each chunk:
    use it before taking the next. With ``cross`` ``(n_series, width,
    n_outputs)`` and ``sq`` ``(n_series, n_outputs)``, the targets' sums
    ``A_k.T @ y_k`` and ``(y_k**2).sum(0)`` are added into them.
    """
    targets = cross is not None
    start, size = 0, min(EIGH_CHUNK, n_series)
    # One array for every chunk: a new one made while the last is still
    # read would double the chunk's memory, and chunk after chunk would
    # leave the heap split.
    memory = np.zeros((size, width, width))
    grams = memory
    for A, y, series in blocks(targets):
        group = (np.zeros(len(A), dtype=np.int64) if series is None
                 else np.asarray(series))
        for k in np.unique(group):
            if k < start:
                raise ValueError("blocks must give the rows of each series "
                                 "together, the series in increasing order.")
            while k >= start + size:
                yield start, grams
                start += size
                size = min(EIGH_CHUNK, n_series - start)
                grams = memory[:size]
                grams.fill(0.0)
            rows = group == k
            Ak = A[rows]
            grams[k - start] += Ak.T @ Ak
            if targets:
                yk = y[rows]
                cross[k] += Ak.T @ yk
                sq[k] += (yk * yk).sum(0)
    while True:
        yield start, grams
        start += size
        if start >= n_series:
            return
        size = min(EIGH_CHUNK, n_series - start)
        grams = memory[:size]
        grams.fill(0.0)


def shrunk_ridge(chunks, n_series, alphas=ALPHAS):
    """Ridge regressions of each series, one penalty chosen by GCV over all.

    ``chunks()`` yields, for consecutive runs of the ``n_series`` series
    (first axis), the sums of products ``(gram, cross, sq)`` as
    :func:`ridge_gcv` takes them, the same each time it is called (twice);
    every coefficient is penalised, the intercept too, so a large penalty
    leaves every series at zero. Returns ``(n_series, n_features + 1,
    n_outputs)``.

    In each series' eigenbasis (``gram = V diag(e) V^T``, ``z = V^T cross``)
    the residual sum of squares at penalty ``a`` is ``sq - sum(z**2 (2 / (e
    + a) - e / (e + a)**2))``: the penalty is chosen from ``e`` and ``z``
    alone, and the matrices are held for one chunk of series at a time.
    What is kept of each chunk is written into arrays of every series made
    at the first: arrays made chunk by chunk would land among the chunk's
    freed matrices, and the heap would grow to fit the next chunk's.
    """
    eig = z2 = sq = None
    n, start = 0.0, 0
    for gram, cross, sq_part in chunks():
        e, V = np.linalg.eigh(gram)
        if eig is None:
            eig = np.empty((n_series, e.shape[1]))
            z2 = np.empty((n_series, *cross.shape[1:]))
            sq = np.empty((n_series, *sq_part.shape[1:]))
        own = slice(start, start + len(gram))
        eig[own] = e
        z2[own] = (V.transpose(0, 2, 1) @ cross) ** 2
        sq[own] = sq_part
        # Row counts: whole numbers, summed exactly in any order.
        n += gram[:, -1, -1].sum()
        start += len(gram)
    alpha = _shared_penalty(np.clip(eig, 0, None), z2, sq, n, alphas)
    # The coefficients take the place of what chose the penalty.
    shape = z2.shape
    del eig, z2, sq
    coef, start = np.empty(shape), 0
    for gram, cross, _ in chunks():
        e, V = np.linalg.eigh(gram)
        z = V.transpose(0, 2, 1) @ cross
        coef[start: start + len(gram)] = V @ (
            z / (np.clip(e, 0, None) + alpha)[..., None])
        start += len(gram)
    return coef


def _shared_penalty(eig, z2, sq, n, alphas):
    """The penalty of :func:`shrunk_ridge` by GCV over every series, from
    the eigenvalues ``eig``, the squared projections ``z2``, the targets'
    sums of squares ``sq`` and the number of rows ``n``.

    Each penalty's terms are written into two arrays made once (the arrays
    of every series, made and freed penalty after penalty, would spread
    over the heap), each term over one that is dead by then: the same
    operations, so the same values.
    """
    shrink = np.empty_like(eig)
    # The weights, then the products with z2 (as large, or larger with
    # several outputs) in the same memory.
    memory = np.empty(max(eig.size, z2.size))
    weight = memory[:eig.size].reshape(eig.shape)
    product = memory[:z2.size].reshape(z2.shape)
    best = None
    for alpha in alphas:
        np.divide(1.0, np.add(eig, alpha, out=shrink), out=shrink)
        dof = np.multiply(eig, shrink, out=weight).sum()
        # 2 * shrink - eig * shrink**2, the doubled shrink in its own place.
        np.multiply(eig, np.square(shrink, out=weight), out=weight)
        np.subtract(np.multiply(2, shrink, out=shrink), weight, out=shrink)
        explained = np.multiply(z2, shrink[..., None], out=product).sum()
        rss = sq.sum() - explained
        gcv = max(rss, 0.0) / max(n - dof, 1e-12) ** 2
        if best is None or gcv < best[0]:
            best = (gcv, alpha)
    return best[1]
