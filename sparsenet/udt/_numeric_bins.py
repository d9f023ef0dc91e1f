"""Where a numeric column's bins start: quantile edges that stay informative on a column
dominated by one value.

Plain quantile bins fail a common kind of column: where one value holds many bins' worth
of rows (the zeros of a capital-gain column, a standard 40-hour week), the quantiles fall
on that value again and again, and every other value is left in one or two bins. Such a
value gets a bin of its own, and the other values quantile bins of their own beside the
column's. Measured on Adult, Letter and a generated table:
``benchmarks/results/numeric_bins.md``.
"""
import numpy as np


def quantile_edges(x, n_bins):
    """Inner edges of about ``n_bins`` bins of the finite values of x, sorted and distinct.

    A value falls in bin ``searchsorted(edges, value, side="right")``. The edges are the
    quantiles of all values, plus, where the most common value holds more than one bin's
    share of the rows, edges that put it alone in its bin and the quantiles of the other
    values (at most ``2 * n_bins`` edges in all).

    Examples
    --------
    >>> import numpy as np
    >>> quantile_edges(np.arange(8.0), n_bins=4).tolist()
    [1.0, 3.0, 5.0]
    >>> gains = np.concatenate([np.zeros(90), np.arange(1.0, 11.0) * 1000])
    >>> quantile_edges(gains, n_bins=4).tolist()  # plain quantiles would give only [0.0]
    [0.0, 1000.0, 3000.0, 5000.0, 7000.0]
    """
    finite = x[np.isfinite(x)]
    if finite.size == 0 or n_bins == 1:
        return np.empty(0)
    edges = plain_quantile_edges(finite, n_bins)
    values, counts = np.unique(finite, return_counts=True)
    top = counts.argmax()
    if counts[top] > finite.size / n_bins:
        # edges at the dominant value and at the next one up: a bin for it alone
        others = finite[finite != values[top]]
        edges = np.union1d(edges, values[top:top + 2])
        if others.size:
            edges = np.union1d(edges, plain_quantile_edges(others, n_bins))
    return edges


def plain_quantile_edges(finite, n_bins):
    """Inner edges of n_bins quantile bins of finite values (repeats merged)."""
    # "lower" picks data values: no interpolation, so no overflow between +-1e308
    return np.unique(np.quantile(finite, np.linspace(0, 1, n_bins + 1)[1:-1], method="lower"))
