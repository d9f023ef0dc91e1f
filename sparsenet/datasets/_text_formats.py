"""Labelled texts in the two formats text classifiers share: fastText's ``__label__`` lines
and delimited tables (CSV, TSV)."""
import csv
import os

from sparsenet.datasets._text_files import numbered_lines

# a cell may hold a whole document
csv.field_size_limit(1 << 30)


def load_fasttext(path, *, label_prefix="__label__"):
    """Read texts and their labels from a file in fastText's format.

    Each line is one text; its words that start with ``label_prefix`` are its labels
    (usually first, but anywhere on the line), the other words its text. A line without a
    label is a text without labels. A name ending in ``.gz`` is read as gzip.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    label_prefix : str, default="__label__"
        The marker of a label word.

    Returns
    -------
    texts : list of str
        The words of each line that are not labels, joined by single spaces.
    labels : list of list of str
        The labels of each text, prefix removed, in the order they appear.

    See Also
    --------
    sparsenet.UDTClassifier : Trains on these texts; ``MultiLabelBinarizer`` turns the label
        lists into the indicator matrix it takes for multi-label targets.

    Examples
    --------
    >>> import os, tempfile
    >>> from sparsenet.datasets import load_fasttext
    >>> path = os.path.join(tempfile.mkdtemp(), "train.txt")
    >>> _ = open(path, "w").write("__label__baking __label__bread why does dough rise ?\\nno label here\\n")
    >>> load_fasttext(path)
    (['why does dough rise ?', 'no label here'], [['baking', 'bread'], []])

    Multi-label lines become an indicator matrix:

    >>> from sklearn.preprocessing import MultiLabelBinarizer
    >>> texts, labels = load_fasttext(path)
    >>> binarizer = MultiLabelBinarizer()
    >>> binarizer.fit_transform(labels), binarizer.classes_.tolist()
    (array([[1, 1],
           [0, 0]]), ['baking', 'bread'])
    """
    if not label_prefix:
        raise ValueError("label_prefix must not be empty")
    texts, labels = [], []
    for _, line in numbered_lines(path):
        words = line.split()
        labels.append([w[len(label_prefix):] for w in words if w.startswith(label_prefix)])
        texts.append(" ".join(w for w in words if not w.startswith(label_prefix)))
    return texts, labels


def read_delimited(path, delimiter=None):
    """The column names and rows (lists of strings) of a CSV or TSV file (``delimiter``
    None: a tab for names ending in ``.tsv`` or ``.tsv.gz``, else a comma); a row whose
    length differs from the header's raises a ValueError naming the line."""
    name = os.fspath(path)
    if delimiter is None:
        delimiter = "\t" if name.removesuffix(".gz").endswith(".tsv") else ","
    reader = csv.reader((line for _, line in numbered_lines(path)), delimiter=delimiter)
    try:
        names = next(reader)
    except StopIteration:
        raise ValueError(f"{path} is empty: a table starts with a header line of column names") from None
    except csv.Error as error:
        raise ValueError(f"{path}, line 1: {error}") from None
    rows = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ValueError(f"{path}, line {reader.line_num}: {error}") from None
        if not row:
            continue  # a blank line
        if len(row) != len(names):
            raise ValueError(f"{path}, line {reader.line_num}: {len(row)} fields, but the header has "
                             f"{len(names)} ({', '.join(names)[:120]})")
        rows.append(row)
    return names, rows


def load_text_table(path, text_column, label_column, *, delimiter=None):
    """Read texts and labels from two columns of a CSV or TSV file with a header line.

    Fields follow the ``csv`` module's rules (quotes around fields that hold the separator);
    a row whose number of fields differs from the header's raises a ValueError naming its
    line.

    Parameters
    ----------
    path : str or path-like
        A name ending in ``.gz`` is read as gzip; ``.tsv`` (or ``.tsv.gz``) is tab-separated.
    text_column, label_column : str
        The names of the two columns in the header line.
    delimiter : str, default=None
        The field separator, when the file name does not say.

    Returns
    -------
    texts : list of str
        The cells of ``text_column``, in file order.
    labels : list of str
        The cells of ``label_column``.

    Examples
    --------
    >>> import os, tempfile
    >>> from sparsenet.datasets import load_text_table
    >>> path = os.path.join(tempfile.mkdtemp(), "sms.csv")
    >>> _ = open(path, "w").write('label,text\\nham,"see you, then"\\nspam,WIN NOW\\n')
    >>> load_text_table(path, "text", "label")
    (['see you, then', 'WIN NOW'], ['ham', 'spam'])
    """
    names, rows = read_delimited(path, delimiter)
    for column in (text_column, label_column):
        if column not in names:
            raise ValueError(f"{path} has no column {column!r}; its columns are {names}")
    text_at, label_at = names.index(text_column), names.index(label_column)
    return [row[text_at] for row in rows], [row[label_at] for row in rows]
