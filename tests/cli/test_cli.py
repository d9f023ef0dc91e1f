"""The command line as a user runs it: train -> predict -> evaluate round trips on a CSV
table, a fastText file and an XMC file, info, --help everywhere, and user errors that end
in one line and a non-zero status, never a traceback."""
import csv
import json
import subprocess
import sys

import pytest

from conftest import shared_data
from sparsenet.cli import build_parser, main
from sparsenet.datasets import load_sms_spam

SUBCOMMANDS = ["demo", "train", "predict", "evaluate", "info"]


def run(capsys, *argv):
    """Exit status, stdout and stderr of ``sparsenet ARGV``."""
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("command", [[]] + [[c] for c in SUBCOMMANDS])
def test_every_subcommand_has_help(capsys, command):
    with pytest.raises(SystemExit) as done:
        main(command + ["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: sparsenet") and (not command or command[0] in out)


@pytest.fixture(scope="module")
def sms_csv(tmp_path_factory):
    texts, labels = load_sms_spam()
    path = tmp_path_factory.mktemp("sms") / "sms.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["label", "message"])
        writer.writerows(zip(labels, texts))
    return path, len(texts)


def test_a_csv_table_trains_predicts_and_evaluates(capsys, tmp_path, sms_csv):
    data, n_rows = sms_csv
    model = tmp_path / "sms.spn"
    status, out, err = run(capsys, "train", data, "--target", "label", "-o", model, "--param", "max_iter=3")
    assert status == 0, err
    assert "UDTClassifier" in out and model.exists()
    status, out, err = run(capsys, "predict", model, data, "-k", "2", "-o", tmp_path / "out.csv")
    assert status == 0, err
    rows = read_csv(tmp_path / "out.csv")
    assert rows[0] == ["label_1", "score_1", "label_2", "score_2"] and len(rows) == n_rows + 1
    assert {row[0] for row in rows[1:]} <= {"ham", "spam"} and all(float(r[1]) >= float(r[3]) for r in rows[1:])
    status, out, err = run(capsys, "evaluate", model, data, "--json")
    assert status == 0, err
    results = json.loads(out)
    assert results["rows"] == n_rows and results["accuracy"] > 0.95 and 0 < results["macro_F1"] <= 1
    status, out, _ = run(capsys, "info", model)
    assert status == 0 and "UDTClassifier" in out and "max_iter = 3" in out and "labels: 2" in out
    compact = tmp_path / "compact.spn"
    assert run(capsys, "train", data, "--target", "label", "-o", compact, "--param", "max_iter=3", "--compact")[0] == 0
    status, out, _ = run(capsys, "info", compact, "--json")
    assert json.loads(out)["summary"]["optimizer_state"] is False and compact.stat().st_size < model.stat().st_size


def test_a_fasttext_file_trains_a_multilabel_model(capsys, tmp_path):
    train = shared_data("cooking", "cooking.train")
    valid = shared_data("cooking", "cooking.valid")
    model = tmp_path / "cooking.spn"
    status, out, err = run(capsys, "train", train, "-o", model, "--param", "max_iter=3")
    assert status == 0, err
    status, out, err = run(capsys, "evaluate", model, valid, "--json")
    assert status == 0, err
    results = json.loads(out)
    assert results["P@1"] > 0.3 and results["P@5"] <= results["P@3"] <= results["P@1"] and "nDCG@5" in results
    status, out, err = run(capsys, "predict", model, valid, "-k", "3")
    assert status == 0, err
    rows = list(csv.reader(out.splitlines()))
    n_lines = sum(1 for _ in open(valid, encoding="utf-8"))
    assert len(rows) == n_lines + 1 and len(rows[0]) == 6
    assert not rows[1][0].isdigit() and rows[1][0] != rows[1][2]  # label names, not ids


def test_an_xmc_file_trains_a_sparse_mlp(capsys, tmp_path):
    train = shared_data("delicious", "train.txt")
    test = shared_data("delicious", "test.txt")
    model = tmp_path / "delicious.spn"
    status, out, err = run(capsys, "train", train, "--format", "xmc", "-o", model, "--param", "max_iter=2")
    assert status == 0, err
    assert "SparseMLPClassifier" in out
    status, out, err = run(capsys, "evaluate", model, test, "--json")
    assert status == 0, err
    assert json.loads(out)["P@1"] > 0.4
    status, out, err = run(capsys, "predict", model, test, "-k", "5", "-o", tmp_path / "top5.csv")
    assert status == 0, err
    rows = read_csv(tmp_path / "top5.csv")
    assert len(rows[0]) == 10 and all(0 <= int(r[0]) < 983 for r in rows[1:])
    status, out, _ = run(capsys, "info", model)
    assert status == 0 and "500 -> " in out and "983" in out


def _one_line_error(capsys, *argv):
    status, out, err = run(capsys, *argv)
    assert status == 1
    assert err.count("\n") == 1 and err.startswith(f"sparsenet {argv[0]}: error: ") and "Traceback" not in err
    return err


def test_user_errors_are_one_line_and_a_non_zero_status(capsys, tmp_path, sms_csv):
    data, _ = sms_csv
    assert "no such file" in _one_line_error(capsys, "train", tmp_path / "missing.csv", "--target", "x", "-o", "m")
    assert "--target" in _one_line_error(capsys, "train", data, "-o", tmp_path / "m.spn")
    assert "no column 'kind'" in _one_line_error(capsys, "train", data, "--target", "kind", "-o", tmp_path / "m.spn")
    assert "no parameter 'epochs'" in _one_line_error(capsys, "train", data, "--target", "label", "-o",
                                                     tmp_path / "m.spn", "--param", "epochs=3")
    assert "max_iter" in _one_line_error(capsys, "train", data, "--target", "label", "-o", tmp_path / "m.spn",
                                         "--param", "max_iter=-3")
    bad = tmp_path / "bad.xmc"
    bad.write_text("2 10 3\n0 1:1\n1 4:oops\n")
    message = _one_line_error(capsys, "train", bad, "-o", tmp_path / "m.spn")
    assert f"{bad}, line 3" in message and "'oops'" in message
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("label,message\nham,hi\nspam,a,b,c\n")
    assert str(ragged) in _one_line_error(capsys, "train", ragged, "--target", "label", "-o", tmp_path / "m.spn")
    not_a_model = tmp_path / "model.spn"
    not_a_model.write_bytes(b"nonsense")
    assert "not a sparsenet model file" in _one_line_error(capsys, "predict", not_a_model, data)
    assert "not a sparsenet model file" in _one_line_error(capsys, "info", not_a_model)
    unknown = tmp_path / "data.bin"
    unknown.write_text("hello\n")
    model = tmp_path / "m.spn"
    assert "--format" in _one_line_error(capsys, "train", unknown, "-o", model)
    assert not model.exists()


def test_a_model_refuses_data_of_the_other_kind(capsys, tmp_path, sms_csv):
    data, _ = sms_csv
    xmc = tmp_path / "tiny.xmc"
    xmc.write_text("4 10 2\n0 1:1\n1 2:1\n0 1:1 3:1\n1 2:1 4:1\n")
    model = tmp_path / "tiny.spn"
    assert run(capsys, "train", xmc, "-o", model, "--param", "max_iter=2")[0] == 0
    assert "trained on sparse features" in _one_line_error(capsys, "predict", model, data)


def test_misused_options_exit_with_status_2(capsys):
    with pytest.raises(SystemExit) as done:
        main(["train"])
    assert done.value.code == 2 and "required" in capsys.readouterr().err


def test_python_dash_m_sparsenet_runs_the_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sparsenet", "info", str(tmp_path / "missing.spn")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 1 and "missing.spn" in done.stderr and "Traceback" not in done.stderr
    assert build_parser().prog == "sparsenet"


def test_the_demo_runs_both_parts_and_measures_the_speed_up(capsys):
    status, out, err = run(capsys, "demo", "--quick")
    assert status == 0, err
    assert "UDTClassifier: fit" in out and "100,000 labels" in out
    speed_up = float(out.split("sampling trains ")[1].split("x faster")[0])
    assert speed_up > 1  # sampled training must beat dense training of the same network


def test_column_type_options_override_inference(capsys, tmp_path):
    rows = [("yes" if i % 3 else "no", f"{10000 + i % 7}", "red" if i % 2 else "blue", f"words {i % 5} here")
            for i in range(120)]
    data = tmp_path / "table.tsv"
    data.write_text("answer\tzip\tcolour\tnote\n" + "".join("\t".join(row) + "\n" for row in rows))
    model = tmp_path / "table.spn"
    status, _, err = run(capsys, "train", data, "--target", "answer", "-o", model, "--categorical-columns", "zip",
                         "--text-columns", "colour", "--param", "max_iter=2")
    assert status == 0, err
    import sparsenet
    assert sparsenet.load(model).column_types_ == ["categorical", "text", "text"]
    assert "no column 'postcode'" in _one_line_error(capsys, "train", data, "--target", "answer", "-o", model,
                                                     "--numeric-columns", "postcode")
