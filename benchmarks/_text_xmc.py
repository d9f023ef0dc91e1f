"""A large real label space from real text: predict a held-out word from the words around it.

The training texts are the IMDB training reviews and the 20 Newsgroups "bydate" training
posts, the test texts those data sets' test reviews and posts, so training and test
examples come from disjoint documents. Each text is lowercased and split into word tokens
(letters, with an inner apostrophe: ``don't``); HTML line breaks of the reviews and the
header block of the posts (everything before the first blank line: From, Subject,
Organization, ...) are dropped.

- Labels: the ``vocabulary_size`` most frequent words of the training texts, label id =
  frequency rank (0 is the most frequent). The ``skip_top`` most frequent of them (stop
  words: the, and, a, of, ...) are never targets, so a model cannot score well by
  predicting 'the'; ids ``skip_top`` to ``vocabulary_size - 1`` are the candidate labels.
- Examples: a seeded uniform draw of token positions (without replacement) whose word is a
  candidate label; the label is that word and the features are the other tokens of the
  window of ``window`` tokens either side, within the same document (the target position
  itself is left out; another occurrence of the same word in the window stays, as it would
  in any real context).
- Features: a hashed bag of words, ``2**18`` buckets (murmurhash3, as sklearn's
  HashingVectorizer), sublinear tf (1 + log tf) and L2-normalised rows. Hashing rather than
  a vocabulary CountVectorizer because it keeps every context word, also the ones outside
  the label vocabulary (names, titles, rare words carry much of the signal in a +-10
  window), needs no fitted feature vocabulary to keep in step with the labels, and gives a
  fixed width like the Extreme Classification Repository's bag-of-words sets (Amazon-670K
  has 135,909 features); collisions are rare at 2**18 buckets for the ~150,000 distinct
  tokens here.

Everything is rebuilt on each call (nothing is cached); the default sizes take about
20 seconds on one core, most of it tokenising.
"""
import re

import numpy as np
from scipy import sparse
from sklearn.utils import murmurhash3_32

from _data import load_imdb, load_20newsgroups

TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
HTML_TAG = re.compile(r"<[^>]+>")


def tokenise(text):
    """Lowercase word tokens of a text."""
    return TOKEN.findall(HTML_TAG.sub(" ", text.lower()))


def _strip_header(post):
    """A newsgroup post without its header block (everything before the first blank line)."""
    _, blank, body = post.partition("\n\n")
    return body if blank else post


def load_texts():
    """(training texts, test texts): IMDB reviews then 20 Newsgroups posts, as given."""
    imdb_train, _, imdb_test, _ = load_imdb()
    news_train, _, news_test, _ = load_20newsgroups()
    return (list(imdb_train) + [_strip_header(p) for p in news_train],
            list(imdb_test) + [_strip_header(p) for p in news_test])


class _Corpus:
    """The tokens of a list of texts, concatenated: integer ids into a token table and the
    start offset of every document."""

    def __init__(self, texts, token_ids):
        ids, starts = [], [0]
        for text in texts:
            tokens = tokenise(text)
            ids.extend(token_ids.setdefault(t, len(token_ids)) for t in tokens)
            starts.append(len(ids))
        self.ids = np.asarray(ids, dtype=np.int64)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.doc = np.repeat(np.arange(len(texts)), np.diff(self.starts))


def _windows(corpus, positions, buckets, window, n_features):
    """Hashed, sublinear-tf, L2-normalised bags of the tokens around each position."""
    doc = corpus.doc[positions]
    low, high = corpus.starts[doc], corpus.starts[doc + 1]
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])
    around = positions[:, None] + offsets[None, :]
    inside = (around >= low[:, None]) & (around < high[:, None])
    rows = np.broadcast_to(np.arange(len(positions))[:, None], around.shape)[inside]
    columns = buckets[corpus.ids[around[inside]]]
    X = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, columns)),
                          shape=(len(positions), n_features))
    X.sum_duplicates()
    X.data = 1 + np.log(X.data)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    X = sparse.diags((1 / norms).astype(np.float32)) @ X
    return X.tocsr().astype(np.float32)


def held_out_word_data(n_train=150_000, n_test=10_000, vocabulary_size=25_000, skip_top=100,
                       window=10, n_features=2 ** 18, random_state=0):
    """The held-out-word problem: (X_train, y_train, X_test, y_test, info).

    y are label ids (frequency ranks in the training texts, ``skip_top`` to
    ``vocabulary_size - 1``); info holds the vocabulary (a list of words by rank) and a few
    counts for the report.
    """
    train_texts, test_texts = load_texts()
    token_ids = {}
    train, test = _Corpus(train_texts, token_ids), _Corpus(test_texts, token_ids)
    tokens = np.empty(len(token_ids), dtype=object)
    for token, i in token_ids.items():
        tokens[i] = token
    counts = np.bincount(train.ids, minlength=len(tokens))
    # frequency rank of every token id (ties by first appearance, so the order is stable)
    by_rank = np.argsort(-counts, kind="stable")[:vocabulary_size]
    rank = np.full(len(tokens), -1, dtype=np.int64)
    rank[by_rank] = np.arange(len(by_rank))
    buckets = np.fromiter((murmurhash3_32(t, seed=0, positive=True) % n_features for t in tokens),
                          dtype=np.int64, count=len(tokens))
    rng = np.random.RandomState(random_state)
    parts = []
    for corpus, n in ((train, n_train), (test, n_test)):
        label = rank[corpus.ids]
        eligible = np.flatnonzero(label >= skip_top)
        positions = np.sort(rng.choice(eligible, size=n, replace=False))
        parts += [_windows(corpus, positions, buckets, window, n_features), label[positions]]
    X_train, y_train, X_test, y_test = parts
    info = {
        "vocabulary": [str(t) for t in tokens[by_rank]],
        "train_documents": len(train_texts), "test_documents": len(test_texts),
        "train_tokens": len(train.ids), "test_tokens": len(test.ids), "distinct_tokens": len(tokens),
        "train_labels_seen": len(np.unique(y_train)),
        "test_rows_label_unseen": int(np.sum(~np.isin(y_test, y_train))),
        "skip_top": skip_top, "vocabulary_size": vocabulary_size, "window": window,
        "n_features": n_features,
    }
    return X_train, y_train, X_test, y_test, info


if __name__ == "__main__":
    import time

    started = time.perf_counter()
    X_train, y_train, X_test, y_test, info = held_out_word_data()
    print(f"{time.perf_counter() - started:.1f} s", X_train.shape, X_test.shape,
          {k: v for k, v in info.items() if k != "vocabulary"})
    print("skipped:", " ".join(info["vocabulary"][:info["skip_top"]]))
    print("nnz per row", X_train.nnz / X_train.shape[0], "first targets",
          [info["vocabulary"][i] for i in y_train[:20]])
