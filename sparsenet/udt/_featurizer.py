"""UDTFeaturizer: raw columns (text, categories, numbers, dates) to one hashed sparse matrix."""
from numbers import Integral
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sparsenet.mlp._parameters import N_JOBS_CONSTRAINTS, NumberInterval
from sparsenet.model_file import SavableModel
from sparsenet.native._openmp import resolve_n_threads
from sparsenet.udt._column_types import (
    categories_as_utf8,
    column_label,
    dates_as_datetime64,
    numbers_as_float,
    resolve_column_types,
    split_columns,
    text_as_utf8,
)
from sparsenet.udt._common_values import common_value_codes, common_values
from sparsenet.udt._cross_tokens import cross_blocks, fitted_crosses
from sparsenet.udt._date_parts import date_parts
from sparsenet.udt._magnitudes import magnitude_codes
from sparsenet.udt._multi_values import multi_value_delimiter, split_cells
from sparsenet.udt._featurizer_blocks import as_csr, count_tokens, select_and_weigh, sum_blocks
from sparsenet.udt._numeric_bins import quantile_edges
from sparsenet.udt._numeric_values import value_scale, with_values
from sparsenet.udt._one_row_table import SHORT_KINDS, one_row_block
from sparsenet.udt._text_hashing import (
    FIRST_CALLER_KIND,
    MAX_ALL_PAIRS_TOKENS,
    TextHashing,
    hash_codes,
    hash_text_rows,
    hash_whole_values,
)

# Token kinds of the non-text columns: each hashes with its own salt, so that, say, year 3
# and month 3 of a date column are different features.
(KIND_CATEGORY, KIND_MISSING, KIND_BIN, KIND_MAGNITUDE, KIND_YEAR, KIND_MONTH, KIND_WEEKDAY, KIND_DAY, KIND_WEEK,
 KIND_HOUR, KIND_MULTI_VALUE, KIND_VALUE, KIND_COMMON_VALUE, KIND_CROSS) = range(FIRST_CALLER_KIND, FIRST_CALLER_KIND + 14)

MAX_CHAR_NGRAM = 32
MAX_IDF_RANGE = 2**26  # use_idf keeps a float32 weight per feature: at most 256 MB


class UDTFeaturizer(SavableModel, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Hashed sparse features of raw columns: text, categories, numbers and dates.

    Every column becomes tokens; each token is hashed, with a salt for its column and its
    kind, to one of ``feature_hash_range`` features. The result is a CSR matrix ready for
    :class:`~sparsenet.SparseMLPClassifier` or any linear model. No vocabulary is built,
    so the featurizer is fast, has a fixed width and handles any value; ``fit`` fixes the
    column types and the numeric bins and, by default, notes which text features the
    training texts produced (``unseen_tokens``) and, optionally, how rare each is
    (``use_idf``).

    A cell holds a text, a category, a number (bools, integers, floats, decimals), a date
    (``datetime.date``, ``datetime.datetime``, pandas ``Timestamp``, ``numpy.datetime64``)
    or a missing value (None, NaN, NaT, ``pandas.NA``); any other value (a dict, a list,
    bytes, a duration, an arbitrary object) is refused with its column and row, rather
    than read through its ``str()``.

    Tokens by column type:

    - **text**: lowercased words and ``!``/``?`` marks, plus bigrams of consecutive tokens
      (or every pair, for short rows) and optional character n-grams. A word is a run of
      ASCII letters, digits and non-ASCII characters, with apostrophes between them
      (``"don't"`` is one word); other punctuation and whitespace separate words. Missing
      values are empty texts.
    - **categorical**: the value's ``str()``, case kept; None/NaN is a "missing" token.
    - **numeric**: the value's quantile bin (``n_bins`` bins learned in ``fit``, ignoring
      NaN and inf; values outside the fitted range fall into the first/last bin; where one
      value holds more than a bin's share of the rows, it gets a bin of its own and the
      other values ``n_bins`` more bins of their own), its sign and power of ten (so that
      1e300 and 1e6 differ) and, for a value that at least 5 training rows hold (of the
      256 most common at most), the value as a category, other values sharing one
      "uncommon" token; NaN is a "missing" token. The value itself is one more input,
      centred on the column's median, scaled by its 5-95 % spread and clipped.
    - **date**: year, month, day of week, day of month, week of year (day of year // 7)
      and, when the time of day is not midnight, the hour; NaT/None is a "missing" token.
    - **multi_categorical**: cells listing values ("drama, comedy"): each value, split at
      the column's delimiter (``delimiters_``: "|", ";" or ",", found in ``fit``) and
      stripped, is a token of its own; None/NaN is a "missing" token.

    Parameters
    ----------
    column_types : dict, list or None, default=None
        Type of each column, among "text", "categorical", "numeric", "date" and
        "multi_categorical": a list (one
        per column) or a dict ``{column: type}`` whose keys are DataFrame column names or
        column positions; columns not given are inferred. Inference: bool -> categorical;
        numeric dtype -> numeric; datetime64 -> date; object and string columns go by their
        present (not missing) values: all numbers -> numeric; all dates (ISO strings
        ``YYYY-MM-DD``, optionally with a time, in digits of any script, and date objects)
        -> date; all strings -> multi_categorical if most cells list short, repeated values
        separated by "|", ";" or ",", else text if they average more than 2 words or are mostly
        distinct strings of 30+ characters (judged on up to 1,000 rows), else
        categorical; anything else (bools, a mix) -> categorical. Every value of an inferred
        column converts to its type. A 1-D input of strings (a list of texts) is a text
        column; a pandas ``category`` column is categorical.
    feature_hash_range : int, default=2**18
        Number of output features, in [2, 2**31 - 1]; need not be a power of two.
    word_ngrams : {1, 2}, default=2
        1: words only; 2: words and bigrams.
    all_pairs_max_tokens : int, default=0
        Text rows with at most this many tokens get every unordered pair of tokens instead
        of consecutive bigrams (word order matters little in short texts such as titles).
        0 turns it off; at most 1024. Ignored when ``word_ngrams=1``.
    char_ngrams : tuple (min_n, max_n) or None, default=None
        Also hash the byte n-grams of every word, padded with a space on both ends, for
        ``min_n <= n <= max_n`` (e.g. ``(3, 5)``): robust to typos and word forms, at several
        times the cost.
    n_bins : int, default=32
        Quantile bins per numeric column (up to twice as many where one value dominates
        the column, see above).
    crosses : list of pairs, "auto" or None, default=None
        Pairs of categorical or numeric columns (names or positions: ``[("store", "price")]``)
        whose values (a category, a numeric bin) are also hashed together, a token a row, so
        that a model can weigh each combination. "auto": the (at most 4) pairs whose joint
        values predict ``y`` in ``fit`` better than the columns' separate effects, on held-out
        halves of the rows (none without class labels); None: no crosses.
    sublinear_tf : bool, default=True
        A text token occurring c times in a row weighs 1 + log(c) rather than c, so that a
        word repeated through a long text does not drown the rest.
    use_idf : bool, default=False
        Also weigh text tokens by their inverse document frequency over the training texts
        (needs ``feature_hash_range`` of at most 2**26: it keeps a weight per feature),
        log((1 + n) / (1 + df)) + 1 as in scikit-learn's ``TfidfTransformer``: on long
        documents the rare words carry the topic (measured: +0.4 points on 20 Newsgroups),
        while on short texts, where common words such as "not" carry the sentiment, it cost
        a point on SST-2.
    norm : {"l2"} or None, default="l2"
        "l2" scales each column's features in a row to unit length separately, so that a
        long text does not drown a categorical column; None keeps the raw counts.
    unseen_tokens : {"drop", "keep"}, default="drop"
        What ``transform`` does with text tokens whose feature no training text produced:
        "drop" leaves them out (before normalising), as a vocabulary would, because a
        model has learned nothing for them and, hashed onto a feature it has learned, they
        would add noise; "keep" hashes every token, without fitting on the text.
    random_state : int, default=0
        Seeds the hash functions: the same seed gives the same features.
    n_jobs : int or None, default=None
        Threads for hashing text. None uses every core OpenMP may use (honouring
        ``OMP_NUM_THREADS``); a positive number (at most 32768) exactly that many; -1 all
        CPUs and -k all but k - 1. The output does not depend on it.

    Attributes
    ----------
    n_features_in_ : int
        Number of raw columns seen during fit.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame X, when they were all strings.
    column_types_ : list of str
        Type of each column, given or inferred.
    bin_edges_ : list
        For each numeric column, the inner edges of its quantile bins (ndarray); None for
        the other columns.
    common_values_ : list
        For each numeric column, the values that are tokens of their own (sorted ndarray); else None.
    crosses_ : list of (int, int)
        The positions of the crossed column pairs, given or chosen.
    seen_features_ : ndarray of bool of shape (feature_hash_range,) or None
        With ``unseen_tokens="drop"`` and a text column, the features some training text
        produced; else None.
    idf_ : ndarray of float32 of shape (feature_hash_range,) or None
        With ``use_idf`` and a text column, each feature's inverse document frequency over
        the training texts (all text columns counted together); else None.

    See Also
    --------
    sklearn.feature_extraction.text.HashingVectorizer : Hashed text features, one column.

    Notes
    -----
    Text is encoded as UTF-8 with "surrogatepass", so lone surrogates are hashed as their
    own bytes rather than replaced. Two tokens may share a feature (a hash collision); with
    2**18 features this is rare enough not to matter for learning. The output is a CSR
    matrix of float32 with sorted, distinct column indices in every row; its index arrays
    are int32 unless the matrix holds 2**31 or more values.

    Examples
    --------
    >>> from sparsenet import UDTFeaturizer
    >>> reviews = ["A great movie!", "Dull and far too long.", "great, GREAT acting"]
    >>> X = UDTFeaturizer(feature_hash_range=2**10).fit_transform(reviews)
    >>> X.shape, X.dtype.name
    ((3, 1024), 'float32')
    >>> X[2].nnz  # great (twice), acting, "great great", "great acting"
    4

    A table of mixed columns, types inferred:

    >>> import numpy as np
    >>> rows = np.array([["loved it, would watch again", "drama", 7.5, "2021-03-01"],
    ...                  ["not my thing at all", "comedy", None, "2022-11-15"]], dtype=object)
    >>> featurizer = UDTFeaturizer().fit(rows)
    >>> featurizer.column_types_
    ['text', 'categorical', 'numeric', 'date']
    >>> featurizer.transform(rows).shape
    (2, 262144)
    """

    crosses = None  # what a model saved before crosses were a parameter reads (get_params, repr)
    _parameter_constraints: ClassVar[dict] = {
        "column_types": [None, dict, list, tuple],
        "feature_hash_range": [NumberInterval(Integral, 2, 2**31 - 1, closed="both")],
        "word_ngrams": [NumberInterval(Integral, 1, 2, closed="both")],
        "all_pairs_max_tokens": [NumberInterval(Integral, 0, MAX_ALL_PAIRS_TOKENS, closed="both")],
        "char_ngrams": [None, tuple],
        "n_bins": [NumberInterval(Integral, 1, 1 << 16, closed="both")],
        "crosses": [None, StrOptions({"auto"}), list, tuple],
        "sublinear_tf": ["boolean"],
        "use_idf": ["boolean"],
        "norm": [StrOptions({"l2"}), None],
        "unseen_tokens": [StrOptions({"drop", "keep"})],
        "random_state": [NumberInterval(Integral, 0, None, closed="left")],
        "n_jobs": N_JOBS_CONSTRAINTS,
    }

    def __init__(
        self,
        column_types=None,
        *,
        feature_hash_range=2**18,
        word_ngrams=2,
        all_pairs_max_tokens=0,
        char_ngrams=None,
        n_bins=32,
        crosses=None,
        sublinear_tf=True,
        use_idf=False,
        norm="l2",
        unseen_tokens="drop",
        random_state=0,
        n_jobs=None,
    ):
        self.column_types = column_types
        self.feature_hash_range = feature_hash_range
        self.word_ngrams = word_ngrams
        self.all_pairs_max_tokens = all_pairs_max_tokens
        self.char_ngrams = char_ngrams
        self.n_bins = n_bins
        self.crosses = crosses
        self.sublinear_tf = sublinear_tf
        self.use_idf = use_idf
        self.norm = norm
        self.unseen_tokens = unseen_tokens
        self.random_state = random_state
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fix each column's type and learn the numeric columns' bins.

        Parameters
        ----------
        X : list of str, array-like of shape (n_samples,) or (n_samples, n_columns), or DataFrame
            A list (or 1-D array) of texts is one text column; a 2-D array, a list of rows
            or a pandas DataFrame is a table.
        y : array-like of shape (n_samples,) or None, default=None
            Class labels: only ``crosses="auto"`` reads them.

        Returns
        -------
        self : UDTFeaturizer
            The fitted featurizer.

        Examples
        --------
        >>> import pandas as pd
        >>> from sparsenet import UDTFeaturizer
        >>> reviews = pd.DataFrame({"review": ["loved it", "too long, fell asleep", "loved the cast"],
        ...                         "stars": [5, 2, 4], "genre": ["drama", "drama", "comedy"]})
        >>> featurizer = UDTFeaturizer().fit(reviews)
        >>> featurizer.column_types_, featurizer.bin_edges_[1].tolist()
        (['text', 'numeric', 'categorical'], [2.0, 4.0])
        """
        self._fit(X, split_columns(X), keep_text_blocks=False, y=y)
        return self

    def _fit(self, X, table, keep_text_blocks, column_types=None, count_text=True, y=None):
        """fit on X split into ``table``; ``column_types``: the types resolve_column_types
        gives for it, when the caller has them already; ``count_text=False`` leaves the
        texts' counts to the caller (``_adopt_text_counts``)."""
        self._text_hashing()  # settings validated here, before any work
        resolve_n_threads(self.n_jobs)
        if table.names is not None:
            validate_data(self, X, reset=True, skip_check_array=True, ensure_2d=False)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        types = column_types if column_types is not None else resolve_column_types(table, self.column_types)
        self.n_features_in_ = len(table.columns)
        self.column_types_ = types
        numbers = [numbers_as_float(values, column_label(table.names, j)) if kind == "numeric" else None
                   for j, (values, kind) in enumerate(zip(table.columns, types))]
        self.bin_edges_ = [None if x is None else quantile_edges(x, self.n_bins) for x in numbers]
        self.value_scales_ = [None if x is None else value_scale(x) for x in numbers]
        self.common_values_ = [None if x is None else common_values(x, e) for x, e in zip(numbers, self.bin_edges_)]
        self.crosses_ = fitted_crosses(self, table, y)
        self.delimiters_ = [multi_value_delimiter([v for v in values if isinstance(v, str)], strict=False)
                            if kind == "multi_categorical" else None for values, kind in zip(table.columns, types)]
        self.seen_features_ = self.idf_ = None
        self._fitted_text_blocks = {}
        if self.use_idf and self.feature_hash_range > MAX_IDF_RANGE:
            raise ValueError(
                f"use_idf keeps a weight per feature: feature_hash_range must be at most "
                f"2**{MAX_IDF_RANGE.bit_length() - 1} with it, got {self.feature_hash_range}"
            )
        if count_text and self._learns_from_texts():
            self._adopt_text_counts(*self._text_counts(table, keep_text_blocks), table.n_rows)

    def _learns_from_texts(self):
        """Whether fitting counts the texts' features: to drop unseen ones or weigh by idf."""
        return (self.unseen_tokens == "drop" or self.use_idf) and "text" in self.column_types_

    def _text_counts(self, table, keep_text_blocks=False):
        """The features the text columns of ``table`` use (a bool per feature) and their
        document frequencies (None without use_idf): what ``_fit`` learns of the texts, and
        what a distributed fit adds up over the partitions."""
        # zeros are allocated lazily: a wide range costs only the pages the features touch
        seen = np.zeros(self.feature_hash_range, dtype=bool)
        frequency = np.zeros(self.feature_hash_range, dtype=np.int32) if self.use_idf else None
        n_threads = resolve_n_threads(self.n_jobs)
        for j, (values, kind) in enumerate(zip(table.columns, self.column_types_)):
            if kind == "text":
                block = self._hashed_text(j, values, column_label(table.names, j), n_threads)
                seen[block[1]] = True
                if frequency is not None:
                    # document frequencies: each row's indices are distinct
                    frequency += np.bincount(block[1], minlength=self.feature_hash_range).astype(np.int32)
                if keep_text_blocks:
                    # for fit_transform, which would otherwise hash the same texts again
                    self._fitted_text_blocks[j] = block
        return seen, frequency

    def _adopt_text_counts(self, seen, frequency, n_rows):
        """Keep what ``_text_counts`` found in ``n_rows`` rows: the seen features (when
        unseen tokens are dropped) and the idf weights (with use_idf)."""
        self.seen_features_ = seen if self.unseen_tokens == "drop" else None
        if frequency is not None:
            self.idf_ = (np.log((1.0 + n_rows) / (1.0 + frequency)) + 1.0).astype(np.float32)

    def fit_transform(self, X, y=None):
        """``fit(X)`` then ``transform(X)``, hashing the texts once.

        Parameters
        ----------
        X : list of str, array-like or DataFrame
            Texts or a table, as for ``fit``.
        y : array-like of shape (n_samples,) or None, default=None
            Class labels, as for ``fit``.

        Returns
        -------
        features : scipy.sparse.csr_matrix of shape (n_samples, feature_hash_range)
            The same as ``fit(X).transform(X)``.

        Examples
        --------
        In a pipeline, in front of any estimator:

        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn.pipeline import make_pipeline
        >>> from sparsenet import UDTFeaturizer
        >>> texts, labels = ["great film", "awful plot", "great acting", "awful film"] * 5, ["pos", "neg"] * 10
        >>> model = make_pipeline(UDTFeaturizer(), LogisticRegression()).fit(texts, labels)
        >>> model.predict(["great plot"])
        array(['pos'], dtype='<U3')
        """
        self._validate_params()
        return self._fit_transform(X, split_columns(X), y=y)

    def _fit_transform(self, X, table, column_types=None, y=None):
        """fit_transform of X split into ``table`` (see _fit); the parameters must be valid."""
        self._fit(X, table, keep_text_blocks=True, column_types=column_types, y=y)
        try:
            return self._transform(X, table)
        finally:
            self._fitted_text_blocks = {}

    def _text_hashing(self):
        """The text kernel's settings (TextHashing) of these parameters."""
        sizes = self.char_ngrams
        if sizes is not None and (len(sizes) != 2 or not all(isinstance(n, Integral) and not isinstance(n, bool)
                                                             for n in sizes)
                                  or not 1 <= sizes[0] <= sizes[1] <= MAX_CHAR_NGRAM):
            raise ValueError(
                f"char_ngrams must be None or a tuple (min_n, max_n) of ints with "
                f"1 <= min_n <= max_n <= {MAX_CHAR_NGRAM}, got {sizes!r}"
            )
        return TextHashing(
            random_state=self._seed(), hash_range=self.feature_hash_range, word_ngrams=self.word_ngrams,
            all_pairs_max_tokens=self.all_pairs_max_tokens, sublinear=bool(self.sublinear_tf),
            char_ngrams=None if sizes is None else (int(sizes[0]), int(sizes[1])))

    # ------------------------------------------------------------------ transforming

    def transform(self, X):
        """Hashed features of X.

        Parameters
        ----------
        X : list of str, array-like or DataFrame
            The same columns (count, order and names) as in ``fit``.

        Returns
        -------
        features : scipy.sparse.csr_matrix of shape (n_samples, feature_hash_range)
            Float32, sorted distinct indices in every row.

        Examples
        --------
        Text tokens that no training text produced are left out (``unseen_tokens="drop"``):

        >>> from sparsenet import UDTFeaturizer
        >>> featurizer = UDTFeaturizer(feature_hash_range=2**10).fit(["loved it", "fell asleep"])
        >>> featurizer.transform(["loved it, never again"]).nnz  # loved, it, "loved it"
        3
        >>> UDTFeaturizer(feature_hash_range=2**10, unseen_tokens="keep").fit(["loved it"]).transform(
        ...     ["loved it, never again"]).nnz
        7
        """
        if not self.__sklearn_is_fitted__():  # check_is_fitted alone costs more than a short text
            check_is_fitted(self)
        return self._transform(X, split_columns(X))

    def _transform(self, X, table):
        """transform of X split into ``table``."""
        fitted_names = getattr(self, "feature_names_in_", None)
        # the names fit saw, in order: what validate_data would accept silently, at a fraction of its cost
        same_names = fitted_names is not None and table.names is not None and fitted_names.tolist() == table.names
        if (table.names is not None or fitted_names is not None) and not same_names:
            validate_data(self, X, reset=False, skip_check_array=True, ensure_2d=False)
        if len(table.columns) != self.n_features_in_:
            hint = (" A 1-D X is one column: Reshape your data with X.reshape(1, -1) if it is one row."
                    if table.one_column_input else "")
            raise ValueError(
                f"X has {len(table.columns)} features, but UDTFeaturizer is expecting "
                f"{self.n_features_in_} features as input (columns of types {self.column_types_}).{hint}"
            )
        n_threads = resolve_n_threads(self.n_jobs)
        if table.n_rows == 1 and any(kind in SHORT_KINDS for kind in self.column_types_):  # a service's one row
            return as_csr(one_row_block(self, table, n_threads), 1, self.feature_hash_range)
        blocks = [self._column_block(j, values, column_label(table.names, j), n_threads)
                  for j, values in enumerate(table.columns)] + cross_blocks(self, table)
        block = blocks[0] if len(blocks) == 1 else sum_blocks(blocks, table.n_rows, self.feature_hash_range)
        return as_csr(block, table.n_rows, self.feature_hash_range)

    def _column_block(self, j, values, label, n_threads):
        """Column j's features as a CSR triple (indptr, indices, data), normalised."""
        kind = self.column_types_[j]
        if kind == "text":
            if self.seen_features_ is None and self.idf_ is None:
                return self._hashed_text(j, values, label, n_threads, l2=self.norm == "l2")
            block = getattr(self, "_fitted_text_blocks", {}).get(j)
            if block is None:
                block = self._hashed_text(j, values, label, n_threads)
            return select_and_weigh(block, self.seen_features_, self.idf_, l2=self.norm == "l2")
        if kind == "categorical":
            tokens = self._categorical_tokens(j, values)
        elif kind == "multi_categorical":
            tokens = self._multi_value_tokens(j, values)
        elif kind == "numeric":
            x = numbers_as_float(values, label)
            tokens = self._numeric_tokens(j, x)
        else:
            tokens = self._date_tokens(j, dates_as_datetime64(values, label))
        rows = np.concatenate([rows for rows, _ in tokens])
        indices = np.concatenate([indices for _, indices in tokens])
        block = count_tokens(rows, indices, len(values), self.feature_hash_range, self.norm == "l2")
        scales = getattr(self, "value_scales_", None)  # None in models saved before values were inputs
        if kind == "numeric" and scales is not None:
            block = with_values(block, x, *scales[j], self._value_index(j), self.feature_hash_range)
        return block

    def _hashed_text(self, j, values, label, n_threads, l2=False):
        """Text column j as a CSR triple of token counts (unit rows when l2)."""
        buffer, offsets = text_as_utf8(values, label)
        return hash_text_rows(buffer, offsets, self._text_hashing(), j, l2=l2, n_threads=n_threads)

    def _seed(self):
        return int(self.random_state) % 2**64

    def _hash(self, j, kind, codes):
        return hash_codes(np.ascontiguousarray(codes, dtype=np.int64), self._seed(), j, kind,
                          self.feature_hash_range)

    def _value_index(self, j):
        return int(self._hash(j, KIND_VALUE, np.zeros(1))[0])  # numeric column j's value feature

    def _missing_index(self, j):
        return int(self._hash(j, KIND_MISSING, np.zeros(1))[0])  # column j's "missing" feature

    def _missing_token(self, j, missing):
        rows = np.flatnonzero(missing)
        return rows, self._hash(j, KIND_MISSING, np.zeros(len(rows)))

    def _category_hashes(self, j, buffer, offsets):
        return hash_whole_values(buffer, offsets, self._seed(), j, KIND_CATEGORY, self.feature_hash_range)

    def _categorical_tokens(self, j, values):
        buffer, offsets, missing = categories_as_utf8(values)
        indices = self._category_hashes(j, buffer, offsets)
        return [(np.flatnonzero(~missing), indices[~missing]), self._missing_token(j, missing)]

    def _multi_value_tokens(self, j, values):
        rows, buffer, offsets, missing = split_cells(values, self.delimiters_[j])
        indices = hash_whole_values(buffer, offsets, self._seed(), j, KIND_MULTI_VALUE, self.feature_hash_range)
        return [(rows, indices), self._missing_token(j, missing)]

    def _numeric_tokens(self, j, x):
        present = ~np.isnan(x)
        rows = np.flatnonzero(present)
        return [(rows, bins) for bins in self._number_hashes(j, x[present])] + [self._missing_token(j, ~present)]

    def _number_hashes(self, j, x):
        """Bin, magnitude and common-value features of column j's values x (none NaN)."""
        bins = np.searchsorted(self.bin_edges_[j], x, side="right")
        hashes = [self._hash(j, KIND_BIN, bins), self._hash(j, KIND_MAGNITUDE, magnitude_codes(x))]
        if (common := getattr(self, "common_values_", None)) is not None:  # None in models saved before
            hashes.append(self._hash(j, KIND_COMMON_VALUE, common_value_codes(x, common[j])))
        return hashes

    def _date_tokens(self, j, moments):
        rows, parts, timed, hours = date_parts(moments)
        kinds = (KIND_YEAR, KIND_MONTH, KIND_WEEKDAY, KIND_DAY, KIND_WEEK)
        tokens = [(rows, self._hash(j, kind, codes)) for kind, codes in zip(kinds, parts)]
        return [*tokens, (rows[timed], self._hash(j, KIND_HOUR, hours)), self._missing_token(j, np.isnat(moments))]

    def _cross_hashes(self, salt, joint_codes):
        return self._hash(salt, KIND_CROSS, joint_codes)  # a cross's tokens (_cross_tokens.cross_blocks)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "column_types_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # a table of strings, categories and NaN (a 1-D X is one column, not sklearn's
        # "one_d_array" convention of a 1-D-only input)
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True
        # the hashed counts are float32 whatever the input (that is the dtype it keeps)
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
