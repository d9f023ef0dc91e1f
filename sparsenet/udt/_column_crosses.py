"""Which pairs of table columns to cross: the pairs whose joint value says more about the
label than the two columns do apart.

A cross hashes two columns' values together into one token (a category and a numeric
bin, say), so that the network can give each combination a weight of its own. Most pairs
add nothing a model of the columns' separate effects lacks, and every cross adds a token
to each row, so "auto" crosses only pairs that earn it on the training data itself:

1. each candidate column (categorical, or numeric by its bin) becomes small integer codes;
2. the rows are split in two halves; on each, an additive logistic model of all candidate
   columns (one weight per value and class) is fitted by a few Newton sweeps;
3. for each pair, one shrunk Newton step fits a weight per joint value on top of the
   additive model on one half, and the other half's log-loss says what that bought beyond
   the same step for either column alone (the additive fit stops short of its optimum,
   which a pair would otherwise get the credit for); both halves take each role, and the
   two gains are averaged.

A pair is crossed when its held-out gain is at least ``MIN_GAIN`` nats a row, at most
``MAX_AUTO_CROSSES`` pairs, the largest gains first. The cost is bounded: at most
``MAX_SCORED_ROWS`` rows and ``MAX_CANDIDATE_COLUMNS`` columns (those whose values alone
say the most) are scored, and problems of more than ``MAX_CROSS_CLASSES`` classes are
not crossed.
"""
import numpy as np

MIN_GAIN = 0.003
MAX_AUTO_CROSSES = 4
MAX_SCORED_ROWS = 10_000
MAX_CANDIDATE_COLUMNS = 12
MAX_CROSS_CLASSES = 32
MIN_SCORED_ROWS = 400
ADDITIVE_SWEEPS = 2
SHRINKAGE = 4.0  # added to each weight's curvature: a value seen in few rows moves little


def chosen_crosses(codes, y, seed=0, anchors=None):
    """The pairs (j, k), j < k, of positions in ``codes`` to cross, best first.

    Parameters
    ----------
    codes : list of ndarray of int64
        Each candidate column's value code per row, in [0, n_values).
    y : ndarray of int
        Class per row, in [0, n_classes).
    seed : int
        Seeds the split of the rows into halves.
    anchors : list of bool or None
        Per column, whether it may anchor a cross: every pair holds an anchor (None: all may).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a, b, c = rng.integers(0, 2, (3, 4000))
    >>> y = a ^ b  # neither column alone says anything; together they say everything
    >>> chosen_crosses([a, b, c], y)
    [(0, 1)]
    """
    pairs, gains = pair_gains(codes, y, seed, anchors)
    order = np.argsort(-gains, kind="stable")
    return [pairs[p] for p in order[:MAX_AUTO_CROSSES] if gains[p] >= MIN_GAIN]


def pair_gains(codes, y, seed=0, anchors=None):
    """(pairs, gains): the candidate pairs (j, k) of positions in ``codes`` and, for each, the
    held-out log-loss (nats a row) that a weight per joint value saves over the additive
    model; no pairs for problems that are not crossed (see the module's docstring)."""
    n_classes = int(y.max()) + 1 if len(y) else 0
    if len(codes) < 2 or len(y) < MIN_SCORED_ROWS or not 2 <= n_classes <= MAX_CROSS_CLASSES:
        return [], np.zeros(0)
    rng = np.random.default_rng(seed)
    rows = rng.permutation(len(y))[:MAX_SCORED_ROWS]
    halves = np.array_split(np.arange(len(rows)), 2)
    # codes of the scored rows alone: a column of a million distinct values costs no more
    # than one of ten thousand
    codes = [np.unique(np.asarray(c)[rows], return_inverse=True)[1].astype(np.int64).ravel() for c in codes]
    y = np.asarray(y)[rows]
    sizes = [int(c.max()) + 1 for c in codes]
    candidates = _candidate_columns(codes, sizes, y, n_classes, halves)
    pairs = [(j, k) for i, j in enumerate(candidates) for k in candidates[i + 1:]
             if anchors is None or anchors[j] or anchors[k]]
    if not pairs:
        return [], np.zeros(0)
    gains = np.zeros(len(pairs))
    for fit_rows, held_rows in (halves, halves[::-1]):
        model = _additive_model(codes, sizes, candidates, y, n_classes, fit_rows)
        fit_scores = _additive_scores(model, codes, candidates, fit_rows)
        held_scores = _additive_scores(model, codes, candidates, held_rows)
        slopes = _Slopes(fit_scores, y[fit_rows], n_classes)
        base = _log_loss(held_scores, y[held_rows])
        # what one more step of a column alone buys (the additive fit stops short of its
        # optimum): a pair must beat both of its columns, not the unfinished fit
        alone = {j: base - _log_loss(held_scores + slopes.newton_step(codes[j][fit_rows], sizes[j])[codes[j][held_rows]],
                                     y[held_rows]) for j in candidates}
        for p, (j, k) in enumerate(pairs):
            fit_cells, held_cells, n_cells = _joint_cells(codes[j], codes[k], sizes[j], sizes[k], fit_rows, held_rows)
            step = slopes.newton_step(fit_cells, n_cells)
            gain = base - _log_loss(held_scores + step[held_cells], y[held_rows])
            gains[p] += (gain - max(alone[j], alone[k], 0.0)) / 2
    return pairs, gains


def _joint_cells(a, b, size_a, size_b, fit_rows, held_rows):
    """Codes of the joint values (a, b) of the two halves' rows, in [0, n_cells); a's codes
    lie in [0, size_a) and b's in [0, size_b)."""
    joint = a * size_b + b
    n_cells = size_a * size_b
    if n_cells <= len(fit_rows) + len(held_rows):  # few enough to count them all, unseen ones too
        return joint[fit_rows], joint[held_rows], n_cells
    cells, inverse = np.unique(np.concatenate([joint[fit_rows], joint[held_rows]]), return_inverse=True)
    return inverse[:len(fit_rows)], inverse[len(fit_rows):], len(cells)


class _Slopes:
    """The log-loss gradient and curvature of each (row, class) at fixed scores: what a
    Newton step of any grouping of the rows sums."""

    def __init__(self, scores, y, n_classes):
        probabilities = _softmax(scores)
        self.curvature = (probabilities * (1.0 - probabilities)).ravel()
        probabilities[np.arange(len(y)), y] -= 1.0
        self.gradient = probabilities.ravel()
        self.n_classes = n_classes
        self.classes = np.arange(n_classes)

    def newton_step(self, groups, n_groups):
        """One shrunk Newton step of a weight per (group, class)."""
        keys = (groups[:, None] * self.n_classes + self.classes).ravel()
        gradient = np.bincount(keys, weights=self.gradient, minlength=n_groups * self.n_classes)
        hessian = np.bincount(keys, weights=self.curvature, minlength=n_groups * self.n_classes)
        # (K - 1) / K: each class's step alone would be right, but all K classes move at once
        # (with two classes, the logit difference would move twice its Newton step)
        damping = (self.n_classes - 1) / self.n_classes
        return (-damping * gradient / (hessian + SHRINKAGE)).reshape(n_groups, self.n_classes)


def _candidate_columns(codes, sizes, y, n_classes, halves):
    """Positions of the columns to pair: all, or the MAX_CANDIDATE_COLUMNS whose values alone
    lower the held-out log-loss the most."""
    if len(codes) <= MAX_CANDIDATE_COLUMNS:
        return list(range(len(codes)))
    fit_rows, held_rows = halves
    prior = _prior_scores(y[fit_rows], n_classes)
    base = _log_loss(np.tile(prior, (len(held_rows), 1)), y[held_rows])
    gains = []
    for c, size in zip(codes, sizes):
        step = _Slopes(np.tile(prior, (len(fit_rows), 1)), y[fit_rows], n_classes).newton_step(c[fit_rows], size)
        gains.append(base - _log_loss(prior + step[c[held_rows]], y[held_rows]))
    return sorted(np.argsort(-np.asarray(gains), kind="stable")[:MAX_CANDIDATE_COLUMNS].tolist())


def _prior_scores(y, n_classes):
    counts = np.bincount(y, minlength=n_classes) + 1.0
    return np.log(counts / counts.sum())


def _additive_model(codes, sizes, columns, y, n_classes, rows):
    """(prior, weights) of the additive model of ``columns`` fitted on ``rows``: class
    log-priors, and per column a weight per (value, class)."""
    prior = _prior_scores(y[rows], n_classes)
    scores = np.tile(prior, (len(rows), 1))
    weights = [np.zeros((sizes[j], n_classes)) for j in columns]
    for _ in range(ADDITIVE_SWEEPS):
        for w, j in zip(weights, columns):
            step = _Slopes(scores, y[rows], n_classes).newton_step(codes[j][rows], sizes[j])
            w += step
            scores += step[codes[j][rows]]
    return prior, weights


def _additive_scores(model, codes, columns, rows):
    """Class scores of ``rows`` under an _additive_model."""
    prior, weights = model
    scores = np.tile(prior, (len(rows), 1))
    for w, j in zip(weights, columns):
        scores += w[codes[j][rows]]
    return scores


def _softmax(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _log_loss(scores, y):
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_norm - shifted[np.arange(len(y)), y]))
