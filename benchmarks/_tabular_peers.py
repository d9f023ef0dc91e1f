"""The table benchmark's peers, each a pipeline that does its own preprocessing inside
``fit`` (so that its fit time counts it), built from which raw columns hold what.

- gradient boosting (scikit-learn's HistGradientBoostingClassifier, native categories):
  text as 64 components of its TF-IDF matrix (it needs dense input), multi-valued cells as
  indicator columns, dates as their parts;
- one-hot + LogisticRegression: TF-IDF text, one-hot categories and date parts, indicator
  columns, standardised numbers;
- LightGBM (where installed): the logistic regression's sparse matrix, which it reads as is;
- CatBoost (where installed): categories and texts natively (multi-valued cells as a text
  of their values), dates as parts.
"""
import importlib.util

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.decomposition import TruncatedSVD
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler

from _common import Timer


class Columns:
    """Which raw columns of a table hold texts, categories, numbers, dates and
    multi-valued cells (``delimiter``-separated)."""

    def __init__(self, text=(), categorical=(), numeric=(), date=(), multi_valued=(), delimiter="|"):
        self.text, self.categorical, self.numeric = list(text), list(categorical), list(numeric)
        self.date, self.multi_valued, self.delimiter = list(date), list(multi_valued), delimiter


def date_parts(frame):
    """Year, month, day of week and day of month of every date column, as numbers."""
    parts = {}
    for column in frame.columns:
        moments = pd.to_datetime(frame[column])
        parts.update({f"{column}_year": moments.dt.year, f"{column}_month": moments.dt.month,
                      f"{column}_weekday": moments.dt.weekday, f"{column}_day": moments.dt.day})
    return pd.DataFrame(parts).fillna(-1).to_numpy(dtype=float)


def filled_text(column):
    return FunctionTransformer(lambda frame: frame[column].fillna("").astype(str))


def _text_and_values(columns, text_block):
    """(transformer, columns) pairs for the texts and multi-valued cells, texts by ``text_block``."""
    pairs = [(make_pipeline(filled_text(c), text_block()), [c]) for c in columns.text]
    pattern = f"[^{columns.delimiter}]+"
    pairs += [(make_pipeline(filled_text(c), CountVectorizer(token_pattern=pattern, lowercase=False, binary=True)),
               [c]) for c in columns.multi_valued]
    return pairs


def hist_gradient_boosting(columns, seed, threads):
    pairs = _text_and_values(columns, lambda: make_pipeline(
        TfidfVectorizer(sublinear_tf=True, min_df=2), TruncatedSVD(64, random_state=seed)))
    # categories as ordinal codes its native support reads (at most 255 of them: rarer
    # ones share a code, unseen ones are missing)
    categories = (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan, max_categories=250),
                  columns.categorical)
    blocks = [categories, *pairs, ("passthrough", columns.numeric)]
    if columns.date:
        blocks.append((FunctionTransformer(date_parts), columns.date))
    encode = make_column_transformer(*blocks, sparse_threshold=0)
    is_category = list(range(len(columns.categorical)))  # the first outputs
    model = HistGradientBoostingClassifier(categorical_features=is_category or None, random_state=seed)
    return make_pipeline(encode, model)


def sparse_encoding(columns, scale_numbers=True):
    pairs = _text_and_values(columns, lambda: TfidfVectorizer(sublinear_tf=True, min_df=2))
    pairs.append((make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
                  columns.categorical))
    if columns.date:
        pairs.append((make_pipeline(FunctionTransformer(date_parts), OneHotEncoder(handle_unknown="ignore")),
                      columns.date))
    numbers = make_pipeline(SimpleImputer(), StandardScaler()) if scale_numbers else "passthrough"
    pairs.append((numbers, columns.numeric))
    return make_column_transformer(*pairs, sparse_threshold=1.0)


def one_hot_logistic_regression(columns, seed, threads):
    return make_pipeline(sparse_encoding(columns), LogisticRegression(max_iter=2000))


def lightgbm(columns, seed, threads):
    from lightgbm import LGBMClassifier

    model = LGBMClassifier(n_jobs=threads, random_state=seed, verbose=-1)
    return make_pipeline(sparse_encoding(columns, scale_numbers=False),
                         FunctionTransformer(lambda X: X.astype(np.float32)), model)


def catboost(columns, seed, threads):
    from catboost import CatBoostClassifier

    def prepare(frame):
        out = frame[columns.categorical + columns.numeric].copy()
        for c in columns.categorical:
            out[c] = out[c].fillna("missing").astype(str)
        for c in columns.text:
            out[c] = frame[c].fillna("").astype(str)
        for c in columns.multi_valued:
            out[c] = frame[c].fillna("").astype(str).str.replace(columns.delimiter, " ")
        if columns.date:
            parts = date_parts(frame[columns.date])
            for k in range(parts.shape[1]):
                out[f"date_{k}"] = parts[:, k]
        return out

    model = CatBoostClassifier(thread_count=threads, random_seed=seed, verbose=0, allow_writing_files=False,
                               cat_features=columns.categorical,
                               text_features=(columns.text + columns.multi_valued) or None)
    return make_pipeline(FunctionTransformer(prepare), model)


def installed(module):
    return importlib.util.find_spec(module) is not None


def boosting_reference(data, threads, columns=None):
    """(test accuracy %, fit seconds) of HistGradientBoosting on (X_train, y_train, X_test,
    y_test): as bench_tabular.py runs it on a DataFrame (``columns``: its Columns, by default
    the non-numeric ones categorical), with its defaults (random_state 0) on an array."""
    X_train, y_train, X_test, y_test = data
    if columns is not None:
        boosting = hist_gradient_boosting(columns, 0, threads)
    elif hasattr(X_train, "columns"):
        categorical = [c for c in X_train.columns if not pd.api.types.is_numeric_dtype(X_train[c])]
        columns = Columns(categorical=categorical, numeric=[c for c in X_train.columns if c not in categorical])
        boosting = hist_gradient_boosting(columns, 0, threads)
    else:
        boosting = HistGradientBoostingClassifier(random_state=0)
    with Timer() as timer:
        boosting.fit(X_train, y_train)
    return 100 * boosting.score(X_test, np.asarray(y_test)), timer.seconds


MIXED_COLUMNS = Columns(text=["review"], categorical=["store"], numeric=["price", "quantity"],
                        date=["ordered"], multi_valued=["tags"])  # as bench_tabular.py reads them
N_MIXED_TRAIN, N_MIXED_TEST = 20_000, 10_000


def nine_table_families():
    """{name: ((X_train, y_train, X_test, y_test), the peers' Columns or None)}: the seven of
    ``_data.seven_table_families`` and the two generated mixed tables of bench_tabular.py."""
    from _data import seven_table_families
    from _mixed_tables import mixed_table

    found = {name: (data, None) for name, data in seven_table_families().items()}
    for structure in ("additive", "interacting"):
        X, y = mixed_table(N_MIXED_TRAIN + N_MIXED_TEST, structure, seed=0)
        data = X[:N_MIXED_TRAIN], y[:N_MIXED_TRAIN], X[N_MIXED_TRAIN:].reset_index(drop=True), y[N_MIXED_TRAIN:]
        found[f"mixed table, {structure} (generated)"] = (data, MIXED_COLUMNS)
    return found
