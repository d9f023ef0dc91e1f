"""Readers and writers of the XMC, fastText and CSV/TSV formats: round trips, gzip, and
errors that name the file and the line."""
import gzip

import numpy as np
import pytest
from scipy import sparse

from conftest import shared_data
from sparsenet.datasets import dump_xmc, load_fasttext, load_text_table, load_xmc


@pytest.mark.parametrize("name", ["data.txt", "data.txt.gz"])
def test_xmc_files_round_trip_with_rows_without_labels(tmp_path, name):
    rng = np.random.default_rng(0)
    X = sparse.random(30, 50, density=0.1, format="csr", random_state=0, dtype=np.float32)
    X.data = rng.normal(size=X.nnz).astype(np.float32)
    Y = sparse.random(30, 20, density=0.1, format="csr", random_state=1)
    Y.data[:] = 1
    Y = Y.tolil()
    Y[3, :] = 0  # a row without labels
    Y = Y.tocsr()
    Y.eliminate_zeros()
    dump_xmc(X, Y, tmp_path / name)
    X2, Y2 = load_xmc(tmp_path / name)
    assert (X2 != X).nnz == 0 and X2.dtype == np.float32  # floats written with every digit
    assert (Y2 != Y).nnz == 0 and Y2.shape == Y.shape
    dump_xmc(X, None, tmp_path / name)
    assert load_xmc(tmp_path / name)[1].shape == (30, 0)


@pytest.mark.parametrize("content, message", [
    ("", "is empty"),
    ("2 5\n", "line 1: must be 'n_rows n_features n_labels'"),
    ("1 5 4\n0 1:x\n", "line 2: feature 1 has the value 'x', not a number"),
    ("1 5 4\n0 1:nan\n", "line 2: feature 1 has the value 'nan', not a finite number"),
    ("2 5 4\n0 1:1\n1 7:1\n", "line 3: feature 7 is outside"),
    ("1 5 4\n0 -1:1\n", "line 2: feature id '-1' is not a non-negative integer"),
    ("1 5 4\na,b 1:1\n", "line 2: label id 'a' is not"),
    ("1 5 4\n0 1\n", "line 2: expected feature:value"),
])
def test_a_malformed_xmc_file_names_its_line(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")) as caught:
        load_xmc(path)
    assert str(path) in str(caught.value)


def test_undecodable_and_damaged_files_are_named(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"1 5 4\n0 1:1 \xff\xfe\n")
    with pytest.raises(ValueError, match="line 2: not UTF-8"):
        load_xmc(path)
    whole = gzip.compress(b"1 5 4\n" + b"0 1:1\n" * 2000)
    (tmp_path / "cut.txt.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ValueError, match="damaged compressed file"):
        load_xmc(tmp_path / "cut.txt.gz")


def test_fasttext_lines_give_texts_and_label_lists(tmp_path):
    path = tmp_path / "train.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write("__label__a __label__b first text\nsecond __label__c text\n\nno labels\n")
    texts, labels = load_fasttext(path)
    assert texts == ["first text", "second text", "", "no labels"]
    assert labels == [["a", "b"], ["c"], [], []]
    assert load_fasttext(path, label_prefix="__label__a")[1][0] == [""]


def test_the_cooking_questions_load():
    texts, labels = load_fasttext(shared_data("cooking", "cooking.train"))
    assert len(texts) == len(labels) > 10000
    assert all(isinstance(t, str) for t in texts) and sum(map(len, labels)) > len(labels)
    assert not any(word.startswith("__label__") for text in texts[:500] for word in text.split())


def test_text_tables_read_quoted_cells_tabs_and_gzip(tmp_path):
    (tmp_path / "a.csv").write_text('label,text\nham,"hello, you"\nspam,"line\nbreak"\n')
    assert load_text_table(tmp_path / "a.csv", "text", "label") == (["hello, you", "line\nbreak"], ["ham", "spam"])
    with gzip.open(tmp_path / "b.tsv.gz", "wt") as out:
        out.write("text\tlabel\nsome, commas\tx\n")
    assert load_text_table(tmp_path / "b.tsv.gz", "text", "label") == (["some, commas"], ["x"])


def test_text_table_errors_name_the_column_or_the_line(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("label,text\nham,hi\nspam,a,b\n")
    with pytest.raises(ValueError, match="line 3: 3 fields, but the header has 2"):
        load_text_table(path, "text", "label")
    path.write_text("label,text\nham,hi\n")
    with pytest.raises(ValueError, match=r"no column 'body'; its columns are \['label', 'text'\]"):
        load_text_table(path, "body", "label")
    path.write_text("")
    with pytest.raises(ValueError, match="is empty"):
        load_text_table(path, "text", "label")
