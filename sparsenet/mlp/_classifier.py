"""SparseMLPClassifier: a scikit-learn classifier on the sparse Cython engine."""
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context

from sparsenet.mlp._calibration import check_calibration, fit_temperature
from sparsenet.mlp._holdout import split_validation
from sparsenet.mlp._inputs import check_features
from sparsenet.mlp._row_norms import fitted_row_norm, rescaled_rows
from sparsenet.mlp._label_frequencies import count_labels, start_from_label_frequencies
from sparsenet.mlp._initial_state import start_training_state
from sparsenet.mlp._parameters import NETWORK_PARAMETER_CONSTRAINTS, early_stopping_on, sampling_plan
from sparsenet.mlp._prediction import FittedModelPredictions
from sparsenet.mlp._targets import TargetEncoder
from sparsenet.mlp._training_guard import one_call_at_a_time
from sparsenet.mlp._training_loop import run_epochs
from sparsenet.mlp._warm_start import apply_parameter_changes, restore_optimizer
from sparsenet.model_file import SavableModel
from sparsenet.native._openmp import resolve_n_threads


class SparseMLPClassifier(FittedModelPredictions, SavableModel, ClassifierMixin, BaseEstimator):
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
        of ``fit`` to nearly zero after ``max_iter`` epochs, as fastText does (few, planned
        epochs: the last ones refine). ``partial_fit`` always uses the constant step.
    max_iter : int, default=200
        Maximum number of epochs (passes over the data).
    loss : {"auto", "softmax", "binary"}, default="auto"
        "softmax": the outputs share one softmax, trained by cross-entropy against the
        row's class (a multi-label row spreads the target evenly over its labels).
        "binary": every output is its own sigmoid, trained by binary cross-entropy against
        whether its label is present (one-vs-rest, as MLPClassifier trains multi-label
        targets); the output biases start at each label's log-odds in the first training
        data, so training starts from the label frequencies. "auto" is "binary" for a
        multi-label indicator y and a dense output layer, else "softmax" (on a sampled layer
        a sigmoid is trained only when its neuron is sampled; ``docs/hyperparameters.md``
        has the measurements). With "binary", probabilities are those of each label on its own (multi-label rows
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
    verbose : bool or int, default=False
        1 (or True): a live progress bar per epoch (:class:`~sparsenet.callbacks.ProgressBar`);
        2: also a line per epoch (:class:`~sparsenet.callbacks.ProgressPrinter`).
    callbacks : list of Callback or None, default=None
        Called after every epoch of ``fit`` and ``partial_fit`` with the epoch's loss,
        validation score and sampling diagnostics; one returning True stops training (see
        :mod:`sparsenet.callbacks`).
    warm_start : bool, default=False
        Continue from the previous solution on the next ``fit``. Parameters changed since
        then apply to the continued training: a new ``loss`` trains the output layer from
        then on; new sampling parameters (``output_sparsity``, ``hash_family``, ``n_tables``,
        ``hashes_per_table``, ``bucket_capacity``) replace the hash tables, built from the
        current weights (``output_sparsity=1.0`` makes the layer dense). A new
        ``hidden_layer_sizes`` is refused (it needs new weights). ``partial_fit`` does the
        same with parameters changed between its calls.
    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the rows and stop when their score (accuracy, or
        precision@1 for multi-label y) has not improved for ``n_iter_no_change`` epochs,
        keeping the best weights; "auto" turns it on from 2,500 rows.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping.
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's moment decay rates and numerical floor.
    n_jobs : int or None, default=None
        Threads for training and prediction. None uses every core OpenMP may use (honouring
        ``OMP_NUM_THREADS``); a positive number (at most 32768) exactly that many, lowered
        with a warning to four per usable CPU; -1 all CPUs and -k all but k - 1.
    output_sparsity : float in (0, 1] or "auto", default="auto"
        Share of the output neurons computed per training sample; 1.0 trains the output
        layer densely. Below 1, each sample's active set holds its true labels, the other
        labels of its batch and the neurons the hash tables rank highest for it
        (``docs/lsh_sampling.md``). "auto" is dense under 4,000 classes, then follows BOLT:
        0.02, 0.01 from 10,000 and 0.005 from 20,000 classes, but at least 1,000 neurons.
    hash_family : {"dwta", "simhash", "mips"}, default="dwta"
        Locality-sensitive hash family of the tables: densified winner-take-all, signed
        random projections, or those after the maximum inner-product search transform
        (which finds the highest-scoring neurons, not only the best-aligned ones).
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
    sampling_correction : bool, default=True
        Softmax loss on a sampled layer: add minus the log of each shared negative's chance
        to be drawn to its score, so that the sampled softmax estimates the full one. Without
        it exact inference ranks rare labels too high, the more so the longer training runs;
        with it the first epochs learn as slowly as dense training does.
    hidden_sparsity : float in (0, 1] or "auto", default="auto"
        With two hidden layers or more, the share of the last one's neurons a training
        sample computes: those "mips" tables rank highest for the previous layer (prediction
        keeps the ``hidden_sparsity * width`` highest activations). "auto" keeps it dense:
        sampled, it lost accuracy wherever measured (benchmarks/results/hidden_sampling.md).
    calibration : {None, "temperature"}, default=None
        "temperature" holds out ``validation_fraction`` of the rows (the same rows early
        stopping scores on, when it is on) and fits the temperature that makes
        ``predict_proba`` match how often the model is right on them (class labels and a
        dense output layer only); predictions are unchanged. ``partial_fit`` keeps the
        temperature of the last ``fit`` (benchmarks/results/calibration.md).
    input_norm : {None, "l2"}, default=None
        "l2" rescales every input row to one l2 norm, the root mean square of the training
        rows' norms (``input_norm_``), in training and in prediction: the data's overall
        scale is kept, and a row with many nonzeros no longer reaches the hidden layer
        louder than a short one. Rows whose norms are already equal are used as they are.
        The fit that starts a model fixes its norm (warm_start and partial_fit keep it).
        Off by default: on five real bags of words or tags (six splits) it moved accuracy by
        -0.5 to +0.5 points, zero on average (benchmarks/results/input_norm.md).
    dropout : float, default=0.2
        Share of the last hidden layer's activations zeroed at random in each training
        step, from 0 (off) to below 1; the others are scaled up to keep their expected sum,
        and prediction uses them all. It curbs overfitting, so a fit takes a few more
        epochs to reach a better model. At 0.2, fitted to their early stop: six real
        families with a dense output layer moved by -0.1 to +1.1 points (+0.4 on average;
        Bibtex, cooking tags and Delicious most), the held-out word task by +0.2 P@1, and
        both 50,000-label generators gained 3 to 5 points of P@1. A fit of a few planned
        epochs loses instead (the generators at 10 epochs: 1.1 and 2.5 points): set 0 there
        (benchmarks/results/dropout.md). The masks depend on ``random_state``, not on the
        thread count.

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
    temperature_ : float
        The logits are divided by it before the softmax or sigmoids (1.0 uncalibrated).
    input_norm_ : float or None
        The l2 norm every input row is rescaled to (see ``input_norm``), or None when rows
        are used as given.
    n_iter_ : int
        Epochs run.
    t_ : int
        Training rows processed.
    coefs_ : list of ndarray
        Weight matrices, ``coefs_[i]`` of shape (n_in, n_out) as in MLPClassifier.
    intercepts_ : list of ndarray
        Bias vectors.
    interrupted_ : bool
        True when the last ``fit`` was stopped by Ctrl-C; the model then holds the weights
        of the last completed batch.
    sampling_stats_ : dict or None
        For a sampled output layer, diagnostics of the last ``fit``/``partial_fit``
        (``lsh_recall``, ``mean_active``, ``table_builds``, seconds per phase, the last
        epoch's retrieval; ``docs/lsh_sampling.md``). None if dense.
    retrieval_curve_ : list of dict
        Sampled output layer, after each epoch: the share of probed training rows' 10 and
        100 best-scoring outputs that the tables find in training (``training_recall_at_10``,
        ...) and in sparse inference (``inference_recall_at_10``, ...).
    label_counts_ : ndarray of shape (n_classes,)
        How often each class occurred in the training data seen so far; sparse
        ``predict_topk`` also scores the most frequent classes for every row.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The dense reference with the same parameters.

    Notes
    -----
    Predictions may run on one model from any number of threads, also while it trains;
    training calls on one model run one at a time. A step whose loss is not finite stops the
    fit with a ValueError, and an input row whose outputs overflow is refused: the model
    never answers NaN (``docs/threads_and_safety.md``).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sparsenet import SparseMLPClassifier
    >>> X, y = make_classification(n_samples=500, random_state=0)
    >>> clf = SparseMLPClassifier(hidden_layer_sizes=(32,), max_iter=50, random_state=0)
    >>> clf.fit(X[:400], y[:400]).score(X[400:], y[400:]) > 0.7
    True
    """

    # models pickled before the binary loss existed trained a softmax; a fitted model keeps
    # the loss it was initialised with (warm_start and partial_fit do not switch it)
    _binary_outputs = False
    # what a model saved before input_norm was a parameter reads (get_params, repr): it
    # used its rows as given
    input_norm = None
    dropout = 0.0  # likewise: a model saved before dropout was a parameter trained without it

    _parameter_constraints = dict(NETWORK_PARAMETER_CONSTRAINTS)

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
        callbacks=None,
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
        sampling_correction=True,
        hidden_sparsity="auto",
        calibration=None,
        input_norm=None,
        dropout=0.2,
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
        self.callbacks = callbacks
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
        self.sampling_correction = sampling_correction
        self.hidden_sparsity = hidden_sparsity
        self.calibration = calibration
        self.input_norm = input_norm
        self.dropout = dropout

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    @one_call_at_a_time
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

        Examples
        --------
        >>> from sklearn.datasets import make_classification
        >>> from sparsenet import SparseMLPClassifier
        >>> X, y = make_classification(n_samples=300, random_state=0)
        >>> clf = SparseMLPClassifier((32,), max_iter=20, random_state=0).fit(X[:200], y[:200])
        >>> clf.score(X[200:], y[200:]) > 0.8
        True
        """
        continuing = self.warm_start and hasattr(self, "network_")
        X = check_features(self, X, reset=not continuing)
        norm = getattr(self, "input_norm_", None) if continuing else fitted_row_norm(self.input_norm, X)
        X = rescaled_rows(X, norm)
        target_encoder = self._targets if continuing else TargetEncoder.from_targets(y)
        targets = target_encoder.encode(y, X.shape[0])
        # checked before anything changes: a refused fit leaves the model as it was
        calibrating = check_calibration(self.calibration, target_encoder.multilabel,
                                        sampling_plan(self, target_encoder.n_classes) is not None)
        if continuing:
            apply_parameter_changes(self)
        else:
            start_training_state(self, X.shape[1], target_encoder)
            start_from_label_frequencies(self, targets)
            self.input_norm_ = norm
        use_early_stopping = early_stopping_on(self.early_stopping, X.shape[0])
        rows, held_out = split_validation(self, X, targets) if calibrating else (None, None)
        self._train(X, targets, epochs=self.max_iter, use_early_stopping=use_early_stopping,
                    schedule=self.learning_rate_schedule, rows=rows, held_out=held_out)
        if held_out is not None:
            self.temperature_ = fit_temperature(self.network_, held_out, self._binary_outputs,
                                                resolve_n_threads(self.n_jobs))
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    @one_call_at_a_time
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

        Examples
        --------
        Train on a stream, one batch of rows at a time:

        >>> from sklearn.datasets import make_classification
        >>> from sparsenet import SparseMLPClassifier
        >>> X, y = make_classification(n_samples=300, random_state=0)
        >>> clf = SparseMLPClassifier((32,), random_state=0)
        >>> for start in range(0, 300, 100):
        ...     clf = clf.partial_fit(X[start:start + 100], y[start:start + 100], classes=[0, 1])
        >>> clf.n_iter_, clf.predict(X[:3]).shape
        (3, (3,))
        """
        first_call = not hasattr(self, "network_")
        if first_call:
            target_encoder = TargetEncoder.from_declared_classes(y, classes)
        else:
            target_encoder = self._targets
            if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(
                    f"classes={np.unique(classes).tolist()} differs from the classes of the first "
                    f"partial_fit call {self.classes_.tolist()}"
                )
        X = check_features(self, X, reset=first_call)
        # the first call's rows fix the norm; later calls are rescaled to it
        norm = fitted_row_norm(self.input_norm, X) if first_call else getattr(self, "input_norm_", None)
        X = rescaled_rows(X, norm)
        targets = target_encoder.encode(y, X.shape[0])
        if first_call:
            start_training_state(self, X.shape[1], target_encoder)
            start_from_label_frequencies(self, targets)
            self.input_norm_ = norm
        else:
            apply_parameter_changes(self)
        self._train(X, targets, epochs=1, use_early_stopping=False)
        return self

    def _train(self, X, targets, *, epochs, use_early_stopping, schedule="constant", rows=None, held_out=None):
        count_labels(self, targets if rows is None else targets.take(rows))
        run_epochs(self, X, targets, epochs=epochs, use_early_stopping=use_early_stopping, schedule=schedule,
                   rows=rows, held_out=held_out)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "network_")

    def __setstate__(self, state):
        super().__setstate__(state)
        restore_optimizer(self)  # a file saved without the optimiser's moments

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags
