"""A model never answers NaN: the check every prediction kernel ends with."""
import numpy as np


def refuse_non_finite_rows(X, rows_finite):
    """Raise a ValueError naming the first row of X whose output scores are not all finite:
    a model must never answer with NaN. Finite inputs far outside the training data's
    scale can overflow float32 inside the network."""
    bad = np.flatnonzero(~np.asarray(rows_finite, dtype=bool))
    if bad.size == 0:
        return
    row = int(bad[0])
    values = X.data[X.indptr[row]:X.indptr[row + 1]] if hasattr(X, "indptr") else np.asarray(X)[row]
    largest = float(np.max(np.abs(values))) if len(values) else 0.0
    more = f" (and {bad.size - 1} more rows)" if bad.size > 1 else ""
    raise ValueError(
        f"X row {row}{more}: the network's output scores are not finite, so the "
        f"model cannot answer (the row's largest |value| is {largest:.3g}); scale X as the training "
        "data was scaled"
    )
