"""UDTClassifier: raw columns in, the sparse engine trained on their hashed features."""
import warnings
from typing import ClassVar, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import _num_samples, check_is_fitted

from sparsenet.mlp import SparseMLPClassifier
from sparsenet.mlp._inputs import EngineRows
from sparsenet.mlp._parameters import NETWORK_PARAMETER_CONSTRAINTS
from sparsenet.mlp._training_guard import one_call_at_a_time
from sparsenet.udt._column_types import resolve_column_types, split_columns
from sparsenet.udt._data_shape import DataShape, count_labels
from sparsenet.udt._feature_columns import FeatureColumns
from sparsenet.udt._featurizer import MAX_IDF_RANGE, UDTFeaturizer
from sparsenet.udt._one_text_path import one_text_rows
from sparsenet.udt._outer_callbacks import seen_from_outside
from sparsenet.udt._rejection import predicted_or_rejected
from sparsenet.model_file import SavableModel

# "auto" settings, chosen from the training data (see UDTClassifier._resolved)
# hidden width: every label's score is a linear function of the hidden layer, so a layer
# narrower than the label count limits what the scores can express. "auto" is half the label
# count rounded up to a power of two, within these bounds: few-class sets scored the same at
# 64, 128 and 512 (at 2x and 8x the time); many-label sets gained up to 256
MIN_AUTO_HIDDEN, MAX_AUTO_HIDDEN = 64, 256
# ...except for tables without text, where the widest layer won on every family tried
# (benchmarks/results/tables_hidden.md); tables of numbers alone get a second one, which gained
# on four of six such families and lost little on the others, while a table with categories
# (Adult) was level with it at twice the time (benchmarks/results/table_settings.md)
# Adam's step falls linearly to zero over the planned epochs (fastText's schedule): +0.7
# points on SST-2 and +0.3 on IMDB at 2e-3; the decay then allows a larger start
AUTO_LEARNING_RATE = 4e-3
# character n-grams for short texts (where words are few and often unseen), not long ones
SHORT_TEXT_CHARS = 200
AUTO_CHAR_NGRAMS = (3, 4)
# hash range: a power of two near the expected number of tokens, within these bounds (the
# network only holds rows for the features training used, so a wide range costs little)
MIN_HASH_RANGE, MAX_HASH_RANGE = 2**16, 2**22
# a partial_fit stream's network has a row for every hashed feature: a narrower range
MAX_STREAM_HASH_RANGE = 2**20
CHARS_PER_TOKEN = 4                # words and bigrams: about one token per 4 characters
CHAR_NGRAM_TOKEN_FACTOR = 4        # character n-grams multiply the tokens about so much
# epochs: about EPOCH_ROWS rows seen in all, between MIN_EPOCHS and MAX_EPOCHS
EPOCH_ROWS = 100_000
MIN_EPOCHS, MAX_EPOCHS = 2, 10
# partial_fit cannot know the size of the stream: its "auto" sizes assume this many rows
STREAM_ROWS = 100_000


def auto_hidden_width(n_labels):
    """Half of ``n_labels`` rounded up to a power of two, within MIN/MAX_AUTO_HIDDEN."""
    return int(np.clip(2 ** int(np.ceil(np.log2(max(n_labels, 2)))) // 2, MIN_AUTO_HIDDEN, MAX_AUTO_HIDDEN))


class Settings(NamedTuple):
    """UDTClassifier's settings for a training set, "auto" ones resolved."""

    char_ngrams: tuple | None
    use_idf: bool
    feature_hash_range: int
    hidden_layer_sizes: tuple
    learning_rate: float
    max_iter: int


class UDTClassifier(SavableModel, ClassifierMixin, BaseEstimator):
    """Classifier for raw columns (text, categories, numbers, dates), no feature engineering.

    Each row is featurized by :class:`~sparsenet.UDTFeaturizer` (hashed word and bigram
    tokens for text, hashed values for categories, quantile bins for numbers, calendar
    parts for dates) and a :class:`~sparsenet.SparseMLPClassifier` is trained on the hashed
    features. Settings left at "auto" are chosen from the data when ``fit`` is called.

    Parameters
    ----------
    column_types : dict, list or None, default=None
        Type of each column ("text", "categorical", "numeric", "date", "multi_categorical"), as for
        :class:`~sparsenet.UDTFeaturizer`; None infers them from dtypes and values.
    feature_hash_range : int or "auto", default="auto"
        Number of hashed features: "auto" is the power of two nearest the expected number
        of tokens in the training data, between 2**16 and 2**22. The network has an input
        row only for the features ``fit`` saw, so a wide range costs little memory (grown by
        ``partial_fit`` alone, it has a row for every feature: there "auto" stops at 2**20).
    word_ngrams : {1, 2}, default=2
        Words only, or words and bigrams.
    all_pairs_max_tokens : int, default=0
        Texts of at most this many tokens get every pair of tokens instead of bigrams.
    char_ngrams : tuple (min_n, max_n), None or "auto", default="auto"
        Character n-grams inside words, besides words: "auto" is (3, 4) when the texts
        average under 200 characters (short texts have few, often unseen words), else None.
    use_idf : bool or "auto", default="auto"
        Weigh text tokens by inverse document frequency (see :class:`~sparsenet.UDTFeaturizer`):
        "auto" does for texts averaging 200 characters or more (where rare words carry the
        topic) when ``feature_hash_range`` is at most 2**26, and never for ``partial_fit``
        (its first batch cannot tell how rare a word is).
    n_bins : int, default=32
        Quantile bins of numeric columns.
    crosses : list of pairs, "auto" or None, default="auto"
        Pairs of columns whose values are also hashed together (see
        :class:`~sparsenet.UDTFeaturizer`). "auto" crosses at most 4 pairs, each holding a
        categorical column (with a categorical or numeric one), whose joint values predict
        the class labels of ``fit`` better than the two columns' separate effects, on held-out
        halves of up to 10,000 rows; on most tables it crosses none (``docs/hyperparameters.md``).
    hidden_layer_sizes : tuple of int or "auto", default="auto"
        Hidden layers of the network: "auto" is one layer of half the label count rounded
        up to a power of two, from 64 to 256 neurons ((64,) up to 128 labels, (128,) up to
        256, (256,) beyond: a layer narrower than the label count limits the scores it can
        express); (256,) for tables without a text column, and (256, 256) for tables of
        numeric columns alone (``docs/hyperparameters.md``).
    learning_rate : float or "auto", default="auto"
        Adam step size at the start of ``fit``; "auto" is 4e-3. It falls linearly to nearly
        zero over the ``max_iter`` epochs (see ``learning_rate_schedule`` of
        :class:`~sparsenet.SparseMLPClassifier`); ``partial_fit`` keeps it constant.
    max_iter : int or "auto", default="auto"
        Epochs: "auto" sees about 100,000 rows in all, between 2 and 10 epochs (training
        also stops when the loss stops improving for ``n_iter_no_change`` epochs).
    batch_size : int or "auto", default="auto"
        Rows per step; see :class:`~sparsenet.SparseMLPClassifier`.
    alpha : float, default=1e-4
        L2 penalty on the weight rows a batch touches.
    early_stopping : bool or "auto", default=False
        Stop when a held-out tenth stops improving for ``n_iter_no_change`` epochs (the
        best weights are kept); "auto" turns it on from 2,500 rows. Off by default: the
        epochs are already few, and held-out rows are not learned from (SST-2: a point).
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping or calibration.
    n_iter_no_change : int, default=2
        Epochs without improvement before early stopping.
    output_sparsity : float or "auto", default="auto"
        Share of output neurons computed per sample; "auto" is dense under 4,000 classes.
    dropout : float, default=0.2
        Share of the last hidden layer's activations dropped in each training step; see
        :class:`~sparsenet.SparseMLPClassifier`. On seven text and table sets (two seeds),
        0.2 moved accuracy or P@1 by -0.3 to +0.8 points against none (cooking tags most;
        benchmarks/results/dropout_udt.md).
    calibration : {None, "temperature"}, default=None
        "temperature" holds out ``validation_fraction`` of the rows and fits the temperature
        that makes ``predict_proba`` match how often the model is right on them, so that a
        probability (and ``reject_below``) means what it says; predictions are unchanged.
        Off by default, as the held-out rows cost accuracy: on five text and table sets it
        lowered the expected calibration error on four (by 20 to 75 %) and lost 0.1 to 0.6
        points of accuracy (benchmarks/results/calibration.md). Class labels only, with a
        dense output layer.
    random_state : int, RandomState instance or None, default=None
        Seeds the network; the feature hashing is seeded by ``hash_seed``.
    hash_seed : int, default=0
        Seed of the feature hashing.
    n_jobs : int or None, default=None
        Threads for featurizing, training and prediction: None all OpenMP threads, a
        positive number (at most 32768) exactly that many, -1 all CPUs, -k all but k - 1.
    verbose : bool or int, default=False
        1 (or True): a live progress bar per epoch; 2: also a line per epoch.
    callbacks : list of Callback or None, default=None
        Called after every epoch of the network's training, with this UDTClassifier as the
        estimator; see :mod:`sparsenet.callbacks`.

    Attributes
    ----------
    featurizer_ : UDTFeaturizer
        The fitted featurizer.
    classifier_ : SparseMLPClassifier
        The fitted network.
    classes_ : ndarray
        Class labels (column indices for a multi-label indicator y).
    column_types_ : list of str
        The type of each column.
    n_features_in_ : int
        Number of raw columns.
    n_iter_ : int
        Epochs run by the network (``partial_fit`` calls count one each).
    temperature_ : float
        The temperature dividing the network's logits (1.0 unless calibrated).
    feature_names_in_ : ndarray of str
        Column names, when X was a DataFrame with string column names.

    Notes
    -----
    Predictions may run from any number of threads at once; training calls on one model run
    one at a time, as for :class:`~sparsenet.SparseMLPClassifier` (``docs/threads_and_safety.md``).

    Examples
    --------
    >>> from sparsenet import UDTClassifier
    >>> texts = ["great film, loved it", "awful plot, boring", "loved the acting", "boring and awful"] * 25
    >>> labels = ["pos", "neg", "pos", "neg"] * 25
    >>> clf = UDTClassifier(random_state=0, n_jobs=1).fit(texts, labels)
    >>> clf.predict(["what a great film"])
    array(['pos'], dtype='<U3')
    """

    crosses = None  # what a model saved before crosses were a parameter reads (get_params, repr)
    dropout = 0.0  # likewise for dropout: such a model trained without it
    # the featurizer's and the network's declarations, "auto" added where UDT chooses
    _parameter_constraints: ClassVar[dict] = {
        **{name: UDTFeaturizer._parameter_constraints[name]
           for name in ("column_types", "word_ngrams", "all_pairs_max_tokens", "n_bins", "crosses")},
        **{name: [*UDTFeaturizer._parameter_constraints[name], StrOptions({"auto"})]
           for name in ("feature_hash_range", "char_ngrams", "use_idf")},
        **{name: [*NETWORK_PARAMETER_CONSTRAINTS[name], StrOptions({"auto"})]
           for name in ("hidden_layer_sizes", "learning_rate", "max_iter")},
        **{name: NETWORK_PARAMETER_CONSTRAINTS[name]
           for name in ("batch_size", "alpha", "early_stopping", "validation_fraction", "n_iter_no_change",
                        "output_sparsity", "dropout", "calibration", "random_state", "n_jobs", "verbose",
                        "callbacks")},
        "hash_seed": UDTFeaturizer._parameter_constraints["random_state"],
    }

    def __init__(
        self,
        column_types=None,
        *,
        feature_hash_range="auto",
        word_ngrams=2,
        all_pairs_max_tokens=0,
        char_ngrams="auto",
        use_idf="auto",
        n_bins=32,
        crosses="auto",
        hidden_layer_sizes="auto",
        learning_rate="auto",
        max_iter="auto",
        batch_size="auto",
        alpha=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=2,
        output_sparsity="auto",
        dropout=0.2,
        calibration=None,
        random_state=None,
        hash_seed=0,
        n_jobs=None,
        verbose=False,
        callbacks=None,
    ):
        self.column_types = column_types
        self.feature_hash_range = feature_hash_range
        self.word_ngrams = word_ngrams
        self.all_pairs_max_tokens = all_pairs_max_tokens
        self.char_ngrams = char_ngrams
        self.use_idf = use_idf
        self.n_bins = n_bins
        self.crosses = crosses
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.alpha = alpha
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.output_sparsity = output_sparsity
        self.dropout = dropout
        self.calibration = calibration
        self.random_state = random_state
        self.hash_seed = hash_seed
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.callbacks = callbacks

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    @one_call_at_a_time
    def fit(self, X, y):
        """Featurize X and train the network on it.

        Parameters
        ----------
        X : list of str, array-like of shape (n_samples,) or (n_samples, n_columns), or DataFrame
            A list (or 1-D array) of texts, or a table of columns.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multi-label indicator matrix (dense or sparse).

        Returns
        -------
        self : UDTClassifier
            Ctrl-C stops training early and still returns the fitted model.

        Examples
        --------
        >>> import pandas as pd
        >>> tickets = pd.DataFrame({"subject": ["refund not received yet", "cannot log in to my account"] * 100,
        ...                         "channel": ["email", "chat"] * 100})
        >>> clf = UDTClassifier(random_state=0).fit(tickets, ["billing", "account"] * 100)
        >>> clf.column_types_, clf.predict(pd.DataFrame({"subject": ["where is my refund"], "channel": ["chat"]}))
        (['text', 'categorical'], array(['billing'], dtype='<U7'))
        """
        self._n_rows(X)
        table = split_columns(X)  # once: the shape, the column types and the features all read it
        column_types = resolve_column_types(table, self.column_types)
        shape = DataShape.of(table, column_types, count_labels(y))
        featurizer = self._new_featurizer(shape)
        features = featurizer._fit_transform(X, table, column_types, y=y)
        columns = FeatureColumns(features)
        classifier = self._new_classifier(shape, featurizer, columns)
        with warnings.catch_warnings():
            if self.max_iter == "auto":
                # the epoch count was chosen for the data: reaching it is the plan, not a
                # failure to converge
                warnings.simplefilter("ignore", ConvergenceWarning)
            classifier.fit(columns.apply(features), y)
        # set only once both are fitted: a failed fit leaves the model as it was
        self.featurizer_, self.classifier_, self._columns = featurizer, classifier, columns
        self._copy_fitted_attributes()
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    @one_call_at_a_time
    def partial_fit(self, X, y, classes=None):
        """One epoch over X, y; the first call fixes the columns and the network.

        After ``fit``, the network keeps the inputs ``fit`` gave it: tokens new to the
        later rows are left out. A model grown by ``partial_fit`` alone hashes every token
        over the whole ``feature_hash_range`` instead (it cannot know the stream's words).

        Parameters
        ----------
        X : list of str, array-like or DataFrame
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        classes : array-like, default=None
            Every class that will ever appear; required on the first call for class labels.

        Returns
        -------
        self : UDTClassifier

        Examples
        --------
        >>> clf = UDTClassifier(feature_hash_range=2**16, random_state=0)  # a row per feature: keep it small
        >>> for batch in range(3):
        ...     clf = clf.partial_fit(["win a free prize now", "see you at lunch"] * 10, ["spam", "ham"] * 10,
        ...                           classes=["ham", "spam"])
        >>> clf.n_iter_, clf.predict(["a free prize"])
        (3, array(['spam'], dtype='<U4'))
        """
        if not hasattr(self, "featurizer_"):
            # the first batch fixes the column types and numeric bins; "auto" sizes assume
            # a stream of STREAM_ROWS rows like it, since the total is unknown
            n_rows = max(self._n_rows(X), 1)
            table = split_columns(X)
            column_types = resolve_column_types(table, self.column_types)
            first = DataShape.of(table, column_types)
            scale = STREAM_ROWS / n_rows
            shape = DataShape(STREAM_ROWS, first.n_columns, round(first.n_text_values * scale),
                              round(first.text_chars * scale), count_labels(y, classes), first.numbers_only)
            featurizer = self._new_featurizer(shape, stream=True)
            classifier = self._new_classifier(shape, featurizer, None)
            classifier.partial_fit(featurizer._fit_transform(X, table, column_types, y=y), y, classes=classes)
            # set only once the first call succeeded (e.g. classes= was given)
            self.featurizer_, self.classifier_, self._columns = featurizer, classifier, None
        else:
            # the callbacks and verbosity of this call, which set_params may have changed
            self.classifier_.set_params(verbose=self.verbose, callbacks=seen_from_outside(
                self.callbacks, self, self.featurizer_, self._columns))
            self.classifier_.partial_fit(self._features(X), y, classes=classes)
        self._copy_fitted_attributes()
        return self

    def _n_rows(self, X):
        # shape or len, or via __array__ (array-likes without len); a sparse matrix or a
        # single string gets its row count here and the featurizer's error message
        try:
            return _num_samples(X)
        except TypeError:
            raise TypeError(f"X must be a list of texts, an array or a DataFrame, got {type(X).__name__}") from None

    def _resolved(self, shape, stream=False):
        """The Settings for training data of the given DataShape (for ``fit``, or for a
        ``partial_fit`` stream)."""
        mean_chars = shape.text_chars / max(shape.n_text_values, 1)
        short_texts = shape.n_text_values > 0 and mean_chars < SHORT_TEXT_CHARS
        if self.char_ngrams == "auto":
            char_ngrams = AUTO_CHAR_NGRAMS if short_texts else None
        else:
            char_ngrams = self.char_ngrams
        if self.feature_hash_range == "auto":
            tokens = shape.text_chars / CHARS_PER_TOKEN * (CHAR_NGRAM_TOKEN_FACTOR if char_ngrams else 1)
            tokens += 4 * shape.n_rows * shape.n_columns
            widest = MAX_STREAM_HASH_RANGE if stream else MAX_HASH_RANGE
            hash_range = int(np.clip(2 ** round(np.log2(max(tokens, 2))), MIN_HASH_RANGE, widest))
        else:
            hash_range = self.feature_hash_range
        if self.use_idf == "auto":
            use_idf = not short_texts and hash_range <= MAX_IDF_RANGE
        else:
            use_idf = self.use_idf
        if shape.n_text_values:
            auto_hidden = (auto_hidden_width(shape.n_labels),)
        else:
            auto_hidden = (MAX_AUTO_HIDDEN,) * (2 if shape.numbers_only else 1)
        hidden = auto_hidden if isinstance(self.hidden_layer_sizes, str) else self.hidden_layer_sizes
        learning_rate = AUTO_LEARNING_RATE if self.learning_rate == "auto" else self.learning_rate
        if self.max_iter == "auto":
            epochs = int(np.clip(round(EPOCH_ROWS / max(shape.n_rows, 1)), MIN_EPOCHS, MAX_EPOCHS))
        else:
            epochs = self.max_iter
        return Settings(char_ngrams, use_idf, hash_range, hidden, learning_rate, epochs)

    def _new_featurizer(self, shape, stream=False):
        """The featurizer for ``fit``, or for a ``partial_fit`` stream: that one keeps
        tokens its first batch lacked and weighs none by a frequency the batch cannot know."""
        settings = self._resolved(shape, stream)
        featurizer = UDTFeaturizer(
            self.column_types, feature_hash_range=settings.feature_hash_range, word_ngrams=self.word_ngrams,
            all_pairs_max_tokens=self.all_pairs_max_tokens, char_ngrams=settings.char_ngrams,
            n_bins=self.n_bins, crosses=self.crosses, use_idf=settings.use_idf and not (stream and self.use_idf == "auto"),
            unseen_tokens="keep" if stream else "drop", random_state=self.hash_seed, n_jobs=self.n_jobs,
        )
        featurizer._validate_params()
        return featurizer

    def _new_classifier(self, shape, featurizer, columns):
        settings = self._resolved(shape)
        return SparseMLPClassifier(
            settings.hidden_layer_sizes, alpha=self.alpha, batch_size=self.batch_size,
            learning_rate=settings.learning_rate, learning_rate_schedule="linear", max_iter=settings.max_iter,
            random_state=self.random_state, verbose=self.verbose,
            callbacks=seen_from_outside(self.callbacks, self, featurizer, columns),
            early_stopping=self.early_stopping, validation_fraction=self.validation_fraction,
            n_iter_no_change=self.n_iter_no_change, n_jobs=self.n_jobs, output_sparsity=self.output_sparsity,
            dropout=self.dropout, calibration=self.calibration,
        )

    def _copy_fitted_attributes(self):
        self.classes_ = self.classifier_.classes_
        self.column_types_ = self.featurizer_.column_types_
        self.n_features_in_ = self.featurizer_.n_features_in_
        self.n_iter_ = self.classifier_.n_iter_
        self.temperature_ = getattr(self.classifier_, "temperature_", 1.0)
        if hasattr(self.featurizer_, "feature_names_in_"):
            self.feature_names_in_ = self.featurizer_.feature_names_in_
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_

    # ------------------------------------------------------------------ predicting

    def _features(self, X):
        if not hasattr(self, "classifier_"):
            check_is_fitted(self)
        features = self.featurizer_.transform(X)
        return features if self._columns is None else self._columns.apply(features)

    def _engine_rows(self, X):
        """The features of X for a prediction: in the engine's layout, taken as they are,
        when this model's column map built them (finite by construction, checked all the
        same: a model never answers NaN); else as input the classifier checks."""
        if (rows := one_text_rows(self, X)) is not None:  # a service's one request: its short way
            return rows
        features = self._features(X)
        if self._columns is None or not np.isfinite(features.data).all():
            return features
        return EngineRows(features)

    def predict(self, X, *, reject_below=None, rejected_label=None):
        """Predicted class of each row (for multi-label models, an indicator matrix).

        ``reject_below=p`` answers ``rejected_label`` (an object array then) for the rows
        whose most probable class has a probability below p: a way to refuse inputs the
        model knows nothing about, such as out-of-scope requests to an intent classifier
        (choose p on held-out data with such inputs; ``benchmarks/bench_out_of_scope.py``).

        Examples
        --------
        >>> clf = UDTClassifier(random_state=0).fit(["great film", "awful plot"] * 100, ["pos", "neg"] * 100)
        >>> clf.predict(["a great film", "Paris in May", "an awful plot"], reject_below=0.9, rejected_label="unsure")
        array(['pos', 'unsure', 'neg'], dtype=object)
        """
        features = self._engine_rows(X)  # first: it raises NotFittedError on an unfitted model
        return predicted_or_rejected(self.classifier_, features, reject_below, rejected_label)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns in the order of ``classes_``.

        Examples
        --------
        >>> clf = UDTClassifier(random_state=0).fit(["great film", "awful plot"] * 100, ["pos", "neg"] * 100)
        >>> clf.classes_, clf.predict_proba(["a great film"]).round(2)
        (array(['neg', 'pos'], dtype='<U3'), array([[0.03, 0.97]]))
        """
        features = self._engine_rows(X)
        return self.classifier_.predict_proba(features)

    def predict_log_proba(self, X):
        """Log of predict_proba, computed stably.

        Examples
        --------
        >>> clf = UDTClassifier(random_state=0).fit(["great film", "awful plot"] * 100, ["pos", "neg"] * 100)
        >>> clf.predict_log_proba(["a great film"]).round(2)
        array([[-3.66, -0.03]])
        """
        features = self._engine_rows(X)
        return self.classifier_.predict_log_proba(features)

    def decision_function(self, X):
        """Output scores (logits) of each row: for two classes, the second's minus the first's.

        Examples
        --------
        >>> clf = UDTClassifier(random_state=0).fit(["great film", "awful plot"] * 100, ["pos", "neg"] * 100)
        >>> clf.decision_function(["a great film", "an awful plot"]).round(1)
        array([ 3.6, -3.9])
        """
        features = self._engine_rows(X)
        return self.classifier_.decision_function(features)

    def predict_topk(self, X, k=5, return_scores=False, exact=False):
        """The k most probable classes of each row; see :meth:`SparseMLPClassifier.predict_topk`.

        Examples
        --------
        >>> questions = ["how long to knead dough", "how to poach an egg", "best pan for steak"] * 20
        >>> clf = UDTClassifier(random_state=0).fit(questions, ["baking", "eggs", "meat"] * 20)
        >>> clf.predict_topk(["knead the dough for an egg bread"], k=2, return_scores=True)
        (array([['baking', 'eggs']], dtype='<U6'), array([[0.48..., 0.27...]]))
        """
        features = self._engine_rows(X)
        return self.classifier_.predict_topk(features, k, return_scores=return_scores, exact=exact)

    @property
    def interrupted_(self):
        """True when the last fit was stopped by Ctrl-C."""
        return self.classifier_.interrupted_

    def __sklearn_is_fitted__(self):
        return hasattr(self, "classifier_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True
        tags.classifier_tags.multi_label = True
        return tags
