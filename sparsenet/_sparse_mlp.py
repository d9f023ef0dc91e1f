"""SparseMLPClassifier: a scikit-learn classifier on the sparse Cython engine."""
import time
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from scipy.special import expit, log_expit, log_softmax, logsumexp, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from sparsenet.sampling._plan import plan_sampling
from sparsenet._validation import (
    check_features,
    check_few_csr_rows,
    encode_multiclass,
    encode_multilabel,
    is_indicator_matrix,
    multiclass_labels,
    resolve_n_threads,
    sorted_classes,
    take_rows,
)
from sparsenet.engine._initialisation import glorot_network
from sparsenet.engine._settings import AdamSettings
from sparsenet.engine._trainer import Trainer

# Multi-label prediction keeps every label whose probability reaches this fraction of the
# row's highest probability. With targets spread evenly over a row's labels, a well-fitted
# model gives its m labels about 1/m each, so half the maximum separates them from the rest.
MULTILABEL_RELATIVE_THRESHOLD = 0.5
# the linear schedule's last batches keep this share of the step size (not zero: a zero step
# would waste them)
MIN_DECAY = 1e-3

# Sparse inference scores the SPARSE_INFERENCE_CANDIDATES neurons most hash tables return for
# a row: the cost of a sparse prediction, whatever the number of classes.
SPARSE_INFERENCE_CANDIDATES = 1000

# Sparse inference also scores this many of the most frequent training labels for every row:
# hashing compares directions only, and misses the large weights such labels grow (on
# generated 20K-label problems, adding 32 to 128 of them raised P@1 by 12 points; 512 helped less)
FREQUENT_LABELS_ALWAYS_SCORED = 64

# Rows scored at once when a method must materialise all outputs of a chunk (bounded memory).
SCORING_CHUNK_ELEMENTS = 1 << 24


class SparseMLPClassifier(ClassifierMixin, BaseEstimator):
    """Multi-layer perceptron classifier trained by sparse Adam on the CPU.

    A ReLU network with a softmax output (one sigmoid per label for multi-label targets),
    trained with Adam on mini-batches. Sparse input is read sparsely: a row touches only the
    first-layer weights of its nonzero features, and Adam updates only the weight rows a
    batch touched, so wide hashed text features (hundreds of thousands of columns) cost
    little more than narrow dense ones. Training and prediction run in parallel over the
    samples of a batch (OpenMP, no GIL).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(128,)
        Width of each hidden layer; at least one.
    alpha : float, default=1e-4
        L2 penalty, applied as in :class:`~sklearn.neural_network.MLPClassifier` (gradient
        ``alpha * w / batch_size``), to the weight rows a batch touches.
    batch_size : int or "auto", default="auto"
        Rows per Adam step (clipped to the number of rows). "auto" takes one hundredth of
        the rows, between 32 and 256: small data sets get enough steps per epoch, large ones
        the batch size that keeps every core busy.
    learning_rate : float, default=1e-3
        Adam step size (``learning_rate_init`` in MLPClassifier).
    learning_rate_schedule : {"constant", "linear"}, default="constant"
        "linear" lowers the step size after every batch, from ``learning_rate`` at the start
        of ``fit`` to nearly zero after ``max_iter`` epochs, as fastText does: when the
        epochs are few and planned, the last ones refine instead of jumping about.
        ``partial_fit`` always uses the constant step (a stream has no planned end).
    max_iter : int, default=200
        Maximum number of epochs (passes over the data).
    loss : {"auto", "softmax", "binary"}, default="auto"
        "softmax": the outputs share one softmax, trained by cross-entropy against the
        row's class (a multi-label row spreads the target evenly over its labels).
        "binary": every output is its own sigmoid, trained by binary cross-entropy against
        whether its label is present (one-vs-rest, as MLPClassifier trains multi-label
        targets); the output biases start at each label's log-odds in the first training
        data, so training starts from the label frequencies. "auto" is "binary" for a
        multi-label indicator y and a dense output layer, else "softmax". Measured on
        generated multi-label problems: with 2,000 dense labels binary reached P@1 88.2
        against softmax's 77.3 after 3 epochs (Delicious, 983 labels: 69.3 against 66.0),
        while on a sampled layer of 50,000 labels it fell to 15.9 against 39.0 (each
        sigmoid is trained only when its neuron is sampled; a shared softmax still ranks).
        With "binary", probabilities are those of each label on its own (multi-label rows
        need not sum to one) and multi-label ``predict`` keeps the labels of probability
        0.5 or more.
    shuffle : bool, default=True
        Shuffle rows before each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split. With the same seed
        and the same data, results are bit-identical for any number of threads on one
        machine (every sum in the engine runs in a fixed order).
    tol : float, default=1e-4
        Minimum improvement of the training loss (or of the validation score, with early
        stopping) that resets the ``n_iter_no_change`` count.
    verbose : bool, default=False
        Print the loss (and validation score) after every epoch.
    warm_start : bool, default=False
        Continue from the previous solution on the next ``fit``.
    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the rows and stop when the validation score has
        not improved for ``n_iter_no_change`` epochs; the best weights are kept. "auto"
        turns it on for more than 10,000 rows. The score is accuracy (multi-class) or
        precision@1 (multi-label).
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping.
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's moment decay rates and numerical floor.
    n_jobs : int or None, default=None
        Threads for training and prediction. None uses every core OpenMP may use (honouring
        ``OMP_NUM_THREADS``); -1 all CPUs; a positive number exactly that many.
    output_sparsity : float in (0, 1] or "auto", default="auto"
        Share of the output neurons computed per training sample. Below 1, each sample's
        active set of ``output_sparsity * n_classes`` neurons is filled with: up to a
        tenth from hash tables over the output neurons (those whose weights best match
        its last hidden layer, ranked by how many tables return them), its true labels
        (always), the other labels of its batch (shared negatives, as frequent as the
        labels themselves), and pseudo-random neurons if those run short. "auto" is dense under
        4,000 classes, then follows BOLT: 0.02, 0.01 from 10,000 and 0.005 from 20,000
        classes. 1.0 trains the output layer densely.
    hash_family : {"dwta", "simhash"}, default="dwta"
        Locality-sensitive hash family of the tables: densified winner-take-all, or signed
        random projections.
    n_tables : int or "auto", default="auto"
        Hash tables (L); "auto" is 50.
    hashes_per_table : int or "auto", default="auto"
        Hashes concatenated per table (K); "auto" sizes the tables so that each returns
        about its share of the active set.
    bucket_capacity : int or "auto", default="auto"
        Most neurons a bucket keeps; "auto" is four times the expected load.
    rebuild_interval : int, default=50
        Batches between the first table rebuilds; the interval then grows by
        ``rebuild_growth`` after each rebuild, as training settles.
    rebuild_growth : float, default=1.1
        Factor by which the rebuild interval grows.
    redraw_hashes_every : int, default=20
        Rebuilds between fresh draws of the hash functions (0: never).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels; for a multi-label indicator y, the column indices.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame X, when it had string column names.
    loss_curve_ : list of float
        Mean training loss per row of each epoch: the softmax cross-entropy, or with the
        binary loss the binary cross-entropies of the row's computed outputs, summed.
    best_loss_ : float or None
        Lowest training loss seen (None with early stopping).
    validation_scores_ : list of float or None
        Validation score after each epoch, with early stopping.
    best_validation_score_ : float or None
        Best validation score, with early stopping.
    n_iter_ : int
        Epochs run.
    t_ : int
        Training rows processed.
    coefs_ : list of ndarray
        Weight matrices, ``coefs_[i]`` of shape (n_in, n_out) as in MLPClassifier.
    intercepts_ : list of ndarray
        Bias vectors.
    interrupted_ : bool
        True when the last ``fit`` was stopped by Ctrl-C (KeyboardInterrupt); the model
        then holds the weights of the last completed batch.
    sampling_stats_ : dict or None
        For a sampled output layer, diagnostics of the last ``fit``/``partial_fit``:
        ``lsh_recall`` (share of true labels the tables returned before they were forced
        in), ``mean_active`` (output neurons computed per sample), ``table_builds``, and
        seconds spent querying the tables (summed over threads), rebuilding them, and in
        each phase of the training steps. None for a dense output layer.
    label_counts_ : ndarray of shape (n_classes,)
        How often each class occurred in the training data seen so far. Sparse
        ``predict_topk`` scores the most frequent classes for every row besides those the
        hash tables return.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : the dense reference with the same parameters.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sparsenet import SparseMLPClassifier
    >>> X, y = make_classification(n_samples=500, random_state=0)
    >>> clf = SparseMLPClassifier(hidden_layer_sizes=(32,), max_iter=50, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    >>> clf.predict_topk(X[:2], k=2).shape
    (2, 2)

    A multi-label indicator y trains one sigmoid per label; ``predict`` keeps the labels of
    probability 0.5 or more:

    >>> from sklearn.datasets import make_multilabel_classification
    >>> X, Y = make_multilabel_classification(n_samples=500, n_classes=5, random_state=0)
    >>> tagger = SparseMLPClassifier(max_iter=100, random_state=0).fit(X, Y)
    >>> tagger.predict(X[:1]).shape, bool((tagger.predict(X) == Y).mean() > 0.8)
    ((1, 5), True)
    """

    # models pickled before the binary loss existed trained a softmax; a fitted model keeps
    # the loss it was initialised with (warm_start and partial_fit do not switch it)
    _binary_outputs = False

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "learning_rate_schedule": [StrOptions({"constant", "linear"})],
        "loss": [StrOptions({"auto", "softmax", "binary"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [None, Integral],
        "output_sparsity": [Interval(Real, 0, 1, closed="right"), StrOptions({"auto"})],
        "hash_family": [StrOptions({"dwta", "simhash"})],
        "n_tables": [Interval(Integral, 1, 1000, closed="both"), StrOptions({"auto"})],
        "hashes_per_table": [Interval(Integral, 1, 20, closed="both"), StrOptions({"auto"})],
        "bucket_capacity": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "rebuild_interval": [Interval(Integral, 1, None, closed="left")],
        "rebuild_growth": [Interval(Real, 1, None, closed="left")],
        "redraw_hashes_every": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(128,),
        *,
        alpha=1e-4,
        batch_size="auto",
        learning_rate=1e-3,
        learning_rate_schedule="constant",
        max_iter=200,
        loss="auto",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=10,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_jobs=None,
        output_sparsity="auto",
        hash_family="dwta",
        n_tables="auto",
        hashes_per_table="auto",
        bucket_capacity="auto",
        rebuild_interval=50,
        rebuild_growth=1.1,
        redraw_hashes_every=20,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.max_iter = max_iter
        self.loss = loss
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_jobs = n_jobs
        self.output_sparsity = output_sparsity
        self.hash_family = hash_family
        self.n_tables = n_tables
        self.hashes_per_table = hashes_per_table
        self.bucket_capacity = bucket_capacity
        self.rebuild_interval = rebuild_interval
        self.rebuild_growth = rebuild_growth
        self.redraw_hashes_every = redraw_hashes_every

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train on X, y for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows; every scipy.sparse format is accepted and read sparsely.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels of any orderable type, or a multi-label indicator matrix (dense or
            sparse; a sparse one stays sparse).

        Returns
        -------
        self : SparseMLPClassifier
            The fitted classifier. Ctrl-C stops training early and still returns it, with
            the weights of the last completed batch (see ``interrupted_``).
        """
        continuing = self.warm_start and hasattr(self, "network_")
        X = check_features(self, X, reset=not continuing)
        targets = self._encode_targets(y, X.shape[0], first_call=not continuing)
        if not continuing:
            self._initialize(X.shape[1])
            self._start_from_label_frequencies(targets)
        self._run_epochs(X, targets)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """One epoch over X, y; the first call sets up the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear in y; required on the first call for class
            labels, optional for a multi-label indicator y (its columns are the labels).

        Returns
        -------
        self : SparseMLPClassifier
        """
        first_call = not hasattr(self, "network_")
        if first_call:
            self._set_classes_for_partial_fit(y, classes)
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={list(np.unique(classes))} differs from the classes of the first "
                f"partial_fit call {list(self.classes_)}"
            )
        X = check_features(self, X, reset=first_call)
        targets = self._encode_targets(y, X.shape[0], first_call=False)
        if first_call:
            self._initialize(X.shape[1])
            self._start_from_label_frequencies(targets)
        self._train(X, targets, epochs=1, use_early_stopping=False)
        return self

    def _set_classes_for_partial_fit(self, y, classes):
        if is_indicator_matrix(y):
            n_labels = np.shape(y)[1] if not sparse.issparse(y) else y.shape[1]
            if classes is not None and len(classes) != n_labels:
                raise ValueError(f"classes has {len(classes)} entries but y has {n_labels} label columns")
            self.classes_ = np.arange(n_labels)
            self._multilabel = True
            self._sparse_targets = sparse.issparse(y)
            return
        if classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: every label that "
                "will ever appear in y (e.g. classes=np.unique(y_all))"
            )
        self.classes_ = sorted_classes(multiclass_labels(classes))
        self._multilabel = False
        self._sparse_targets = False

    def _encode_targets(self, y, n_samples, *, first_call):
        """Labels -> EncodedTargets; on the first call also sets classes_."""
        if is_indicator_matrix(y):
            y = y if sparse.issparse(y) else np.asarray(y)
            if y.shape[0] != n_samples:
                raise ValueError(f"X has {n_samples} rows but y has {y.shape[0]}")
            if first_call:
                self.classes_ = np.arange(y.shape[1])
                self._multilabel = True
                self._sparse_targets = sparse.issparse(y)
            elif not self._multilabel:
                raise ValueError("y is a multi-label indicator, but the model was fitted on class labels")
            return encode_multilabel(y, None if first_call else len(self.classes_))
        y = multiclass_labels(y)
        if y.shape[0] != n_samples:
            raise ValueError(f"X has {n_samples} rows but y has {y.shape[0]}")
        if first_call:
            self.classes_ = sorted_classes(y)
            self._multilabel = False
            self._sparse_targets = False
        elif self._multilabel:
            raise ValueError("y holds class labels, but the model was fitted on a multi-label indicator")
        return encode_multiclass(y, self.classes_)

    def _initialize(self, n_features):
        """Glorot-uniform weights, zero Adam state, empty history."""
        hidden = self._hidden_sizes()
        rng = check_random_state(self.random_state)
        # one draw from the user's seed so later epochs do not depend on how many numbers
        # initialisation consumed
        self._rng = np.random.RandomState(rng.randint(np.iinfo(np.int32).max))
        sizes = [n_features, *hidden, len(self.classes_)]
        self.network_, self._adam = glorot_network(
            sizes, self._rng.randint(np.iinfo(np.int32).max), resolve_n_threads(self.n_jobs)
        )
        plan = self._sampling_plan()
        if plan is not None:
            self.network_.set_sampler(plan.new_sampler(len(self.classes_), hidden[-1], self._rng.randint(np.iinfo(np.int32).max)))
        self.sampling_stats_ = None
        self._binary_outputs = self.loss == "binary" or (
            self.loss == "auto" and self._multilabel and self._sampling_plan() is None
        )
        self.label_counts_ = np.zeros(len(self.classes_), dtype=np.int64)
        self._frequent_labels = np.zeros(0, dtype=np.int32)
        self.loss_curve_ = []
        self.best_loss_ = np.inf
        self.validation_scores_ = None
        self.best_validation_score_ = None
        self.n_iter_ = 0
        self.t_ = 0
        self.interrupted_ = False
        self._no_improvement_count = 0

    def _start_from_label_frequencies(self, targets):
        """Binary outputs: each output bias starts at its label's log-odds in targets
        (add-one smoothed), so the first steps need not push thousands of outputs down to
        the labels' rates before they can learn anything else."""
        if not self._binary_outputs:
            return
        n_rows, n_labels = len(targets.indptr) - 1, len(self.classes_)
        counts = np.bincount(targets.indices[: targets.indptr[-1]], minlength=n_labels)[:n_labels]
        rate = (counts + 1.0) / (n_rows + 2.0)
        self.network_.biases[-1][...] = np.log(rate) - np.log1p(-rate)

    def _count_labels(self, targets):
        """Add a training call's label occurrences to label_counts_ and refresh the labels
        that sparse inference scores for every row (the most frequent ones)."""
        used = targets.indices[: targets.indptr[-1]]
        # a new array: a model loaded from a read-only memory map may hold a read-only one
        self.label_counts_ = self.label_counts_ + np.bincount(used, minlength=len(self.classes_))[: len(self.classes_)]
        n_frequent = min(FREQUENT_LABELS_ALWAYS_SCORED, len(self.classes_))
        counts = self.label_counts_
        head = np.argpartition(-counts, n_frequent - 1)[:n_frequent] if n_frequent < len(counts) else np.arange(len(counts))
        self._frequent_labels = np.sort(head[counts[head] > 0]).astype(np.int32)

    def _sampling_plan(self):
        return plan_sampling(len(self.classes_), output_sparsity=self.output_sparsity, hash_family=self.hash_family,
                             n_tables=self.n_tables, hashes_per_table=self.hashes_per_table,
                             bucket_capacity=self.bucket_capacity, rebuild_interval=self.rebuild_interval,
                             rebuild_growth=self.rebuild_growth, redraw_hashes_every=self.redraw_hashes_every)

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if np.isscalar(sizes) else list(sizes)
        if len(sizes) == 0 or any(not isinstance(s, Integral) or s < 1 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be one or more positive integers, got {self.hidden_layer_sizes!r}"
            )
        return [int(s) for s in sizes]

    def _run_epochs(self, X, targets):
        """fit's loop: up to max_iter epochs, with early stopping or loss convergence."""
        use_early_stopping = self.early_stopping is True or (
            self.early_stopping == "auto" and X.shape[0] > 10_000
        )
        if self._hidden_sizes() != list(self.network_.hidden_sizes):
            raise ValueError("hidden_layer_sizes changed since the model was fitted; use warm_start=False")
        self._train(X, targets, epochs=self.max_iter, use_early_stopping=use_early_stopping,
                    schedule=self.learning_rate_schedule)

    def _train(self, X, targets, *, epochs, use_early_stopping, schedule="constant"):
        self._count_labels(targets)
        validation = None
        if use_early_stopping:
            X, targets, validation = self._split_validation(X, targets)
            if self.validation_scores_ is None:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
            self._best_network = self.network_.copy()
            self.best_loss_ = None
        n_rows = X.shape[0]
        if self.batch_size == "auto":
            batch_size = int(np.clip(n_rows // 100, 32, 256))
        else:
            batch_size = self.batch_size
        batch_size = min(batch_size, n_rows)
        n_threads = resolve_n_threads(self.n_jobs)
        optimizer = Trainer(self.network_, self._adam)
        sampler = self.network_.output_sampler
        if sampler is not None:
            sampler.restart_schedule(self.rebuild_interval, self.rebuild_growth, self.redraw_hashes_every)
        optimizer.configure(
            AdamSettings(self.learning_rate, self.beta_1, self.beta_2, self.epsilon, self.alpha),
            "binary" if self._binary_outputs else "softmax", batch_size, n_threads,
        )
        optimizer.bind(X, targets.indptr, targets.indices)
        self._optimizer = optimizer
        self.interrupted_ = False
        rows = np.arange(n_rows)
        first_epoch = self.n_iter_
        decaying = schedule == "linear"
        try:
            for _ in range(epochs):
                started = time.perf_counter()
                if self.shuffle:
                    self._rng.shuffle(rows)
                total_loss = 0.0
                for start in range(0, n_rows, batch_size):
                    batch = rows[start : start + batch_size]
                    if decaying:
                        done = (self.n_iter_ - first_epoch) * n_rows + start
                        optimizer.set_learning_rate(self.learning_rate * max(MIN_DECAY, 1 - done / (epochs * n_rows)))
                    total_loss += optimizer.train_batch(batch)
                    self.t_ += batch.shape[0]
                self.n_iter_ += 1
                self.loss_curve_.append(total_loss / n_rows)
                if self._converged(validation, n_threads, time.perf_counter() - started):
                    break
            else:
                if epochs > 1 and not self.interrupted_:
                    warnings.warn(
                        f"Stochastic optimizer: maximum iterations ({self.max_iter}) reached and "
                        "the optimization hasn't converged yet.", ConvergenceWarning,
                    )
        except KeyboardInterrupt:
            self.interrupted_ = True
            warnings.warn(
                f"fit interrupted (KeyboardInterrupt) during epoch {self.n_iter_ + 1}; the model "
                "keeps the weights of the last completed batch and can be used or trained further.",
                UserWarning,
            )
        finally:
            stats = optimizer.sampling_stats
            if stats is not None:
                stats.update({f"{phase}_seconds": seconds for phase, seconds in optimizer.phase_seconds.items()})
            self.sampling_stats_ = stats
            optimizer.release()
            del self._optimizer
        if use_early_stopping and not self.interrupted_:
            self._restore_best_network()
        return self

    def _split_validation(self, X, targets):
        rows = np.arange(X.shape[0])
        stratify = None
        if not self._multilabel:
            labels = targets.indices
            counts = np.bincount(labels, minlength=len(self.classes_))
            if counts[counts > 0].min() >= 2:
                stratify = labels
        train_rows, validation_rows = train_test_split(
            rows, test_size=self.validation_fraction, random_state=self._rng, stratify=stratify
        )
        train_rows.sort()
        validation_rows.sort()
        return (
            take_rows(X, train_rows),
            targets.take(train_rows),
            (take_rows(X, validation_rows), targets.take(validation_rows)),
        )

    def _converged(self, validation, n_threads, seconds):
        """Book-keeping after an epoch; True when training should stop."""
        loss = self.loss_curve_[-1]
        if validation is not None:
            X_val, targets_val = validation
            # the same inference predict_topk uses by default: sparse for a sampled layer
            predicted = self._top_k(X_val, 1, n_threads, exact=False)[0][:, 0]
            # precision@1: the top label is one of the row's labels (accuracy for multi-class)
            label_rows = np.repeat(np.arange(X_val.shape[0]), np.diff(targets_val.indptr))
            hit_rows = label_rows[predicted[label_rows] == targets_val.indices]
            score = np.unique(hit_rows).size / X_val.shape[0]
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {loss:.8f}, validation score = {score:.6f}, "
                      f"{seconds:.2f} s{self._sampling_progress()}")
            if score > self.best_validation_score_:
                self._best_network = self.network_.copy()
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_validation_score_ = max(self.best_validation_score_, score)
        else:
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {loss:.8f}, {seconds:.2f} s{self._sampling_progress()}")
            if loss > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_loss_ = min(self.best_loss_, loss)
        if self._no_improvement_count > self.n_iter_no_change:
            if self.verbose:
                what = "Validation score" if validation is not None else "Training loss"
                print(f"{what} did not improve more than tol={self.tol} for "
                      f"{self.n_iter_no_change} consecutive epochs. Stopping.")
            self._no_improvement_count = 0
            return True
        return False

    def _sampling_progress(self):
        stats = self._optimizer.sampling_stats
        if stats is None:
            return ""
        return (f", LSH recall {stats['lsh_recall']:.3f}, {stats['mean_active']:.0f} active outputs, "
                f"{stats['table_builds']} table builds ({stats['rebuild_seconds']:.1f} s)")

    def _restore_best_network(self):
        best = self._best_network
        del self._best_network
        for current, kept in zip(self.network_.weights + self.network_.biases, best.weights + best.biases):
            current[...] = kept

    # ------------------------------------------------------------------ prediction

    def _scores(self, X):
        check_is_fitted(self)
        few_rows = check_few_csr_rows(self, X)
        X = check_features(self, X, reset=False) if few_rows is None else few_rows
        return X, resolve_n_threads(self.n_jobs)

    def decision_function(self, X):
        """Output-layer scores (logits).

        Returns
        -------
        scores : ndarray of shape (n_samples,) for two classes (the second class's score minus
            the first's), else (n_samples, n_classes)
        """
        X, n_threads = self._scores(X)
        logits = self.network_.logits(X, n_threads).astype(np.float64)
        if logits.shape[1] == 2 and not self._multilabel:
            return logits[:, 1] - logits[:, 0]
        return logits

    def predict_proba(self, X):
        """Class probabilities.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            With the softmax loss, the softmax of the output layer: rows sum to one (a
            multi-label model shares the mass among the labels). With the binary loss, each
            label's own sigmoid for a multi-label model; for class labels the sigmoids
            divided by their row's sum, as one-vs-rest classifiers do.
        """
        X, n_threads = self._scores(X)
        logits = self.network_.logits(X, n_threads).astype(np.float64)
        if self._binary_outputs:
            proba = expit(logits)
            if not self._multilabel:
                proba /= np.maximum(proba.sum(axis=1, keepdims=True), np.finfo(np.float64).tiny)
            return proba
        if logits.shape[1] == 2 and not self._multilabel:
            # through the score difference, so probabilities rank exactly as decision_function
            positive = 1.0 / (1.0 + np.exp(logits[:, 0] - logits[:, 1]))
            return np.column_stack([1.0 - positive, positive])
        return softmax(logits, axis=1)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed stably."""
        if self._binary_outputs:
            X, n_threads = self._scores(X)
            log_proba = log_expit(self.network_.logits(X, n_threads).astype(np.float64))
            if not self._multilabel:
                log_proba -= logsumexp(log_proba, axis=1, keepdims=True)
            return log_proba
        X, n_threads = self._scores(X)
        return log_softmax(self.network_.logits(X, n_threads).astype(np.float64), axis=1)

    def predict(self, X):
        """Predicted labels.

        Returns
        -------
        y : ndarray of shape (n_samples,), or an indicator matrix of shape
            (n_samples, n_labels) for multi-label models (scipy.sparse CSR when fitted on a
            sparse y, so memory stays bounded for large label spaces). A multi-label row gets
            every label of probability 0.5 or more (binary loss), or every label whose
            probability reaches half of the row's highest (softmax loss).
        """
        X, n_threads = self._scores(X)
        if not self._multilabel:
            top1, _ = self.network_.top_k(X, 1, n_threads)
            return self.classes_[top1[:, 0]]
        n_labels = len(self.classes_)
        chunk = max(1, SCORING_CHUNK_ELEMENTS // n_labels)
        blocks = []
        for start in range(0, X.shape[0], chunk):
            logits = self.network_.logits(take_rows(X, slice(start, start + chunk)), n_threads)
            if self._binary_outputs:
                keep = logits >= 0.0
            else:
                keep = logits >= logits.max(axis=1, keepdims=True) + np.log(MULTILABEL_RELATIVE_THRESHOLD)
            blocks.append(sparse.csr_matrix(keep, dtype=np.int64))
        predicted = sparse.vstack(blocks, format="csr") if blocks else sparse.csr_matrix((0, n_labels), dtype=np.int64)
        return predicted if self._sparse_targets else predicted.toarray()

    def predict_topk(self, X, k=5, return_scores=False, exact=False):
        """The k most probable labels of each row, most probable first.

        Memory stays at ``n_samples * k`` whatever the number of classes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        k : int, default=5
            Labels per row, at most ``n_classes``.
        return_scores : bool, default=False
            Also return the probabilities of those labels (with the binary loss, each
            label's own sigmoid).
        exact : bool, default=False
            For a model with a sampled output layer, False scores only the labels its hash
            tables return for each row (cost independent of the number of classes;
            probabilities are then normalised over those labels) and True scans every
            label. Models with a dense output layer are always exact.

        Returns
        -------
        labels : ndarray of shape (n_samples, k)
        probabilities : ndarray of shape (n_samples, k), only if ``return_scores``
        """
        X, n_threads = self._scores(X)
        if not isinstance(k, Integral) or not 1 <= k <= len(self.classes_):
            raise ValueError(f"k must be an integer in [1, {len(self.classes_)}] (the number of classes), got {k!r}")
        ids, logits, log_normaliser = self._top_k(X, int(k), n_threads, exact)
        labels = self.classes_[ids]
        if not return_scores:
            return labels
        if self._binary_outputs:
            return labels, expit(logits.astype(np.float64))
        return labels, np.exp(logits.astype(np.float64) - log_normaliser[:, None])

    def _top_k(self, X, k, n_threads, exact):
        """Engine top-k: (label ids, scores, log-normalisers), exact or from the tables."""
        if exact or self.network_.output_sampler is None:
            return self.network_.top_k(X, k, n_threads, with_log_normaliser=True)
        return self.network_.top_k_sampled(X, k, n_threads, max_candidates=SPARSE_INFERENCE_CANDIDATES,
                                           always=self._frequent_labels)

    # ------------------------------------------------------------------ inspection

    @property
    def coefs_(self):
        """Weight matrices in MLPClassifier's layout, (n_in, n_out) each (views, no copy)."""
        check_is_fitted(self)
        weights = self.network_.weights
        return [weights[0]] + [w.T for w in weights[1:]]

    @property
    def intercepts_(self):
        """Bias vectors, one per layer."""
        check_is_fitted(self)
        return list(self.network_.biases)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "network_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags
