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
    # both codings of branch learn the rule, within a point of each other (as the notebook says)
    assert min(ns["typed_accuracy"], ns["inferred_accuracy"]) > 0.85
    assert abs(ns["typed_accuracy"] - ns["inferred_accuracy"]) < 0.01
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


def plotting_notebook(name):
    """Run a notebook that draws figures, with a backend that draws off-screen."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        return run_notebook(name)
    finally:
        plt.close("all")


def test_extreme_classification_notebook_runs():
    from sparsenet.metrics import precision_at_k

    ns = plotting_notebook("extreme_classification.ipynb")
    sampled, sampled_history = ns["runs"]["sampled"]
    dense, _ = ns["runs"]["dense"]
    # the sampled layer computes a small share of the outputs and its tables were built
    assert sampled.sampling_stats_["mean_active"] < 0.2 * len(sampled.classes_)
    assert sampled.sampling_stats_["table_builds"] > 0 and dense.sampling_stats_ is None
    # one record per epoch, training seconds rising
    assert len(sampled_history.seconds) == sampled.n_iter_
    assert np.all(np.diff(sampled_history.seconds) > 0)
    # both models learn the generated labels far above chance (a label in 20,000)
    for model in (sampled, dense):
        assert precision_at_k(ns["Y_test"], model.predict_topk(ns["X_test"], k=1, exact=True), 1) > 0.2
    # the real-data (or generated stand-in) section fitted all three settings per data set
    assert len(ns["real_runs"]) == 3 * len(ns["datasets"])
    assert min(scores[0] for _, _, scores in ns["real_runs"].values()) > 0.3


def test_text_classification_notebook_runs():
    ns = plotting_notebook("text_classification.ipynb")
    accuracy = {(data, name): value for data, name, value, _, _ in ns["results"]}
    assert accuracy["SMS spam", "UDTClassifier"] > 0.97
    assert accuracy["SMS spam", "TF-IDF + LogisticRegression"] > 0.95
    if "SST-2" in ns["datasets"]:
        assert accuracy["SST-2", "UDTClassifier"] > 0.78
    for micro in ns["latencies"].values():
        assert len(micro) == 1000 and np.all(micro > 0)
