"""Real text sets as binary bags of words, for benchmarks that compare network settings on
sparse rows of varying length: scikit-learn's CountVectorizer(binary=True, min_df=2) fitted on
the training texts."""
import numpy as np

from _data import load_20newsgroups, load_cooking, load_sms_spam

# family name: (title, measure)
BINARY_WORD_SETS = {
    "cooking": ("cooking tags (binary words)", "P@1"),
    "20newsgroups": ("20 Newsgroups (binary words)", "accuracy"),
    "sms_spam": ("SMS spam (binary words)", "accuracy"),
}


def binary_words(train_texts, test_texts):
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(binary=True, min_df=2, dtype=np.float32).fit(train_texts)
    return vectorizer.transform(train_texts), vectorizer.transform(test_texts)


def binary_word_set(family):
    """(title, measure, X_train, y_train, X_test, y_test) of one of BINARY_WORD_SETS."""
    if family == "cooking":
        (train_texts, y_train), (test_texts, y_test) = load_cooking()
    elif family == "20newsgroups":
        train_texts, y_train, test_texts, y_test = load_20newsgroups()
    else:
        train_texts, y_train, test_texts, y_test = load_sms_spam()
    X_train, X_test = binary_words(train_texts, test_texts)
    return (*BINARY_WORD_SETS[family], X_train, y_train, X_test, y_test)
