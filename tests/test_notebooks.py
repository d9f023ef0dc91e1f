"""The notebooks' code cells run from top to bottom in this process (outputs are not stored),
and what their text says of the results holds."""
import json
from pathlib import Path

import numpy as np
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def run_notebook(name):
    """The namespace a notebook's code cells leave, run in order; its stored cells must have no
    outputs (the notebooks are committed stripped)."""
    path = NOTEBOOKS / name
    cells = [cell for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"]
    stored = [i for i, cell in enumerate(cells) if cell.get("outputs") or cell.get("execution_count") is not None]
    assert not stored, f"{name}: code cells {stored} hold outputs; strip them before committing"
    source = "\n\n".join("".join(cell["source"]) for cell in cells)
    namespace = {}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace


def test_quickstart_notebook_runs():
    ns = run_notebook("quickstart.ipynb")
    spam_filter, restored, test_texts, y_test = ns["spam_filter"], ns["restored"], ns["test_texts"], ns["y_test"]
    assert spam_filter.score(test_texts, y_test) > 0.97
    # the loaded model answers as the saved one did
    assert ns["same"]
    assert np.array_equal(restored.predict(test_texts), spam_filter.predict(test_texts))
    assert restored.predict(ns["message"]).tolist() == ["spam"]
    assert ns["clf"].score(ns["X_test"], ns["y_test"]) > 0.95
    assert ns["xmc"].sampling_stats_["table_builds"] > 0


def test_tables_notebook_runs():
    pytest.importorskip("pandas")
    ns = run_notebook("tables.ipynb")
    # one column of each type is inferred, branch (integer codes) as a number
    assert ns["inferred"].column_types_ == ["text", "categorical", "categorical", "numeric", "numeric", "date",
                                            "numeric", "multi_categorical"]
    assert ns["typed"].column_types_[6] == "categorical"
    # the override the notebook argues for pays, and both models learn the rule
    assert ns["typed_accuracy"] > ns["inferred_accuracy"]
    assert ns["typed_accuracy"] > 0.85
    assert ns["boosting_accuracy"] > 0.8
    if ns["have_adult"]:
        assert ns["adult_comparison"]["test accuracy"].min() > 0.84


def test_pipelines_and_search_notebook_runs():
    pytest.importorskip("pandas")
    ns = run_notebook("pipelines_and_search.ipynb")
    search = ns["search"]
    assert len(search.cv_results_["params"]) == 4
    assert search.best_score_ > 0.4
    for model in (ns["linear"], ns["network"]):
        assert model.score(ns["sms_test"], ns["y_test"]) > 0.97
    # streaming: the score after the last chunk beats the one after the first
    scores = ns["stream_scores"]
    assert len(scores) > 2 and scores[-1] > scores[0]
