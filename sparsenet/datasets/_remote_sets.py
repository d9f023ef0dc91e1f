"""Fetchers of public data sets: downloaded once into the data cache (``get_data_home()``),
checked, unpacked, and read from there after."""
import csv
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np
from scipy import sparse

from sparsenet.datasets._download import download, record_checksum
from sparsenet.datasets._home import get_data_home
from sparsenet.datasets._text_files import numbered_lines


@dataclass(frozen=True)
class RemoteArchive:
    """A data set published as one archive at ``url``; ``folder`` is its path inside the
    archive. ``sha256`` None: recorded on first download (these archives publish none)."""

    name: str
    url: str
    folder: str
    sha256: str | None = field(default=None, kw_only=True)

    @property
    def archive(self):
        return self.url.rsplit("/", 1)[1]


@dataclass(frozen=True)
class RemoteTextSet(RemoteArchive):
    """A text set of CSV files: each row a 1-based class index then ``n_text_fields`` text
    fields (joined by a space); ``classes.txt`` names the classes."""

    n_text_fields: int


@dataclass(frozen=True)
class RemoteXmcSet(RemoteArchive):
    """An extreme classification set as PECOS's ``xmc-base`` archives hold it: under
    ``folder``, ``Y.trn.npz`` / ``Y.tst.npz`` label matrices and TF-IDF features
    ``X.trn.npz`` / ``X.tst.npz`` (in ``tfidf-attnxml/``), all scipy.sparse files."""


# The character-level CNN benchmark sets of Zhang, Zhao and LeCun (NeurIPS 2015), as fast.ai
# serves them (the copies fastText's and most papers' scripts download).
REMOTE_SETS = {
    "ag_news": RemoteTextSet("ag_news", "https://s3.amazonaws.com/fast-ai-nlp/ag_news_csv.tgz", "ag_news_csv", 2),
    "dbpedia": RemoteTextSet("dbpedia", "https://s3.amazonaws.com/fast-ai-nlp/dbpedia_csv.tgz", "dbpedia_csv", 2),
    "yelp_polarity": RemoteTextSet("yelp_polarity", "https://s3.amazonaws.com/fast-ai-nlp/yelp_review_polarity_csv.tgz",
                                   "yelp_review_polarity_csv", 1),
}
# The extreme classification sets of the Extreme Classification Repository as the PECOS
# project (Amazon) publishes them on archive.org, with TF-IDF features of the raw texts.
PECOS = "https://archive.org/download/pecos-dataset/xmc-base"
REMOTE_XMC_SETS = {
    name: RemoteXmcSet(name, f"{PECOS}/{archive}.tar.gz", f"xmc-base/{archive}")
    for name, archive in (("eurlex4k", "eurlex-4k"), ("wiki10_31k", "wiki10-31k"), ("amazoncat13k", "amazoncat-13k"),
                          ("amazon670k", "amazon-670k"))
}
SUBSETS = ("train", "test")


def fetch_text_set(name, subset="train", *, data_home=None, download_if_missing=True, progress=True):
    """Texts and labels of ``subset`` of the remote set ``name`` (see ``REMOTE_SETS``)."""
    if name not in REMOTE_SETS:
        raise ValueError(f"unknown data set {name!r}; known: {sorted(REMOTE_SETS)}")
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
    remote = REMOTE_SETS[name]
    return _read(_fetched(remote, data_home, download_if_missing, progress), subset, remote.n_text_fields)


def fetch_xmc_set(name, subset="train", *, data_home=None, download_if_missing=True, progress=True):
    """Features and labels of ``subset`` of the remote extreme classification set ``name``
    (see ``REMOTE_XMC_SETS``)."""
    if name not in REMOTE_XMC_SETS:
        raise ValueError(f"unknown data set {name!r}; known: {sorted(REMOTE_XMC_SETS)}")
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
    folder = _fetched(REMOTE_XMC_SETS[name], data_home, download_if_missing, progress)
    short = "trn" if subset == "train" else "tst"
    features = sorted(folder.glob(f"tfidf*/X.{short}.npz")) or sorted(folder.glob(f"*/X.{short}.npz"))
    if not features or not (folder / f"Y.{short}.npz").exists():
        raise ValueError(f"{folder} lacks X.{short}.npz or Y.{short}.npz; delete it to fetch the set again")
    X = sparse.load_npz(features[0]).tocsr().astype(np.float32)
    Y = sparse.load_npz(folder / f"Y.{short}.npz").tocsr()
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"{features[0]} has {X.shape[0]} rows but its labels {Y.shape[0]}")
    Y.data[:] = 1
    return X, Y.astype(np.int8)


def _fetched(remote, data_home, download_if_missing, progress):
    """The unpacked folder of ``remote`` in the cache, downloaded and unpacked if need be."""
    home = get_data_home(data_home) / remote.name
    unpacked = home / PurePosixPath(remote.folder).name
    if not unpacked.is_dir():
        archive = home / remote.archive
        if not archive.exists() and not download_if_missing:
            raise FileNotFoundError(f"{remote.name} is not in {home} and download_if_missing=False")
        download(remote.url, archive, sha256=remote.sha256, progress=progress)
        _unpack(archive, remote.folder, home)
    return unpacked


def _unpack(archive, folder, home):
    """Extract ``folder`` of the archive (a path inside it) into ``home`` under its last
    name, whole or not at all."""
    scratch = tempfile.mkdtemp(prefix=".unpacking-", dir=home)
    try:
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(scratch, filter="data")  # no links or paths out of the folder
        except (tarfile.TarError, EOFError, OSError) as error:
            # a damaged archive cannot be resumed: fetch it again next time, with no checksum
            # recorded from it
            os.unlink(archive)
            record_checksum(home, archive.name, None)
            raise ValueError(f"{archive} is not a readable archive ({error}); it was deleted, run again") from None
        if not os.path.isdir(os.path.join(scratch, folder)):
            raise ValueError(f"{archive} has no folder {folder!r}")
        os.replace(os.path.join(scratch, folder), home / PurePosixPath(folder).name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _read(folder, subset, n_text_fields):
    classes = [line.strip() for _, line in numbered_lines(folder / "classes.txt") if line.strip()]
    path = folder / f"{subset}.csv"
    texts, labels = [], []
    reader = csv.reader(line for _, line in numbered_lines(path))
    for row in reader:
        if len(row) != n_text_fields + 1 or not row[0].isdigit() or not 1 <= int(row[0]) <= len(classes):
            raise ValueError(f"{path}, line {reader.line_num}: expected a class in 1..{len(classes)} and "
                             f"{n_text_fields} text fields, got {row[:2]!r}...")
        labels.append(classes[int(row[0]) - 1])
        texts.append(" ".join(field.replace("\\n", " ").strip() for field in row[1:] if field.strip()))
    return texts, np.array(labels, dtype=object)


def _fetcher(name, description, xmc=False):
    fetch_set, sets = (fetch_xmc_set, REMOTE_XMC_SETS) if xmc else (fetch_text_set, REMOTE_SETS)

    def fetch(subset="train", *, data_home=None, download_if_missing=True, progress=True):
        return fetch_set(name, subset, data_home=data_home, download_if_missing=download_if_missing,
                         progress=progress)

    if xmc:
        returns = """X : scipy.sparse.csr_matrix of shape (n_rows, n_features), float32
        TF-IDF features.
    Y : scipy.sparse.csr_matrix of shape (n_rows, n_labels), int8
        Label indicator."""
        usage = f""">>> from sparsenet import SparseMLPClassifier
    >>> from sparsenet.datasets import fetch_{name}
    >>> from sparsenet.metrics import precision_at_k
    >>> X, Y = fetch_{name}()  # doctest: +SKIP
    >>> X_test, Y_test = fetch_{name}("test")  # doctest: +SKIP
    >>> clf = SparseMLPClassifier().fit(X, Y)  # doctest: +SKIP
    >>> precision_at_k(Y_test, clf.predict_topk(X_test, k=1), k=1)  # doctest: +SKIP"""
    else:
        returns = """texts : list of str
        The texts (a title and its description joined by a space, where there are two).
    labels : ndarray of str
        The class name of each text."""
        usage = f""">>> from sparsenet import UDTClassifier
    >>> from sparsenet.datasets import fetch_{name}
    >>> texts, labels = fetch_{name}()  # doctest: +SKIP
    >>> test_texts, test_labels = fetch_{name}("test")  # doctest: +SKIP
    >>> UDTClassifier().fit(texts, labels).score(test_texts, test_labels)  # doctest: +SKIP"""
    fetch.__name__ = fetch.__qualname__ = f"fetch_{name}"
    fetch.__doc__ = f"""{description}

    Downloaded on first use from {sets[name].url} into
    ``get_data_home(data_home)/{name}`` (with a progress bar; resumed if cut off; its
    SHA-256 recorded and checked on every later download), then read from there.

    Parameters
    ----------
    subset : {{"train", "test"}}, default="train"
        The part of the set to read.
    data_home : str or path-like, default=None
        The cache folder; see :func:`get_data_home`.
    download_if_missing : bool, default=True
        False raises FileNotFoundError instead of downloading.
    progress : bool, default=True
        Show a progress bar while downloading.

    Returns
    -------
    {returns}

    Raises
    ------
    DownloadError
        When the download fails (run again to resume it) or its checksum is wrong.

    Examples
    --------
    The first call downloads the set (the lines marked ``+SKIP`` need the network):

    {usage}

    ``download_if_missing=False`` reads only what the cache holds, and says where it looked:

    >>> import tempfile
    >>> fetch_{name}(data_home=tempfile.mkdtemp(), download_if_missing=False)
    Traceback (most recent call last):
        ...
    FileNotFoundError: {name} is not in .../{name} and download_if_missing=False
    """
    return fetch


fetch_ag_news = _fetcher("ag_news", "AG's news topics: 120,000 training and 7,600 test titles and descriptions, 4 classes.")
fetch_dbpedia = _fetcher("dbpedia", "DBpedia ontology: 560,000 training and 70,000 test abstracts, 14 classes.")
fetch_yelp_polarity = _fetcher("yelp_polarity", "Yelp review polarity: 560,000 training and 38,000 test reviews, "
                               "2 classes.")
fetch_eurlex4k = _fetcher("eurlex4k", "EURLex-4K: EU legal documents, 3,956 labels (PECOS's TF-IDF features).", xmc=True)
fetch_wiki10_31k = _fetcher("wiki10_31k", "Wiki10-31K: Wikipedia articles and their tags, 30,938 labels.", xmc=True)
fetch_amazoncat13k = _fetcher("amazoncat13k", "AmazonCat-13K: product descriptions and categories, 13,330 labels.",
                              xmc=True)
fetch_amazon670k = _fetcher("amazon670k", "Amazon-670K: products and the products bought with them, 670,091 labels "
                            "(a download of several GB).", xmc=True)
