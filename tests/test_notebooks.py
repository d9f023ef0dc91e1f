"""The quickstart notebook's code cells run from top to bottom (outputs are not stored)."""
import json
from pathlib import Path

QUICKSTART = Path(__file__).resolve().parents[1] / "notebooks" / "quickstart.ipynb"


def test_quickstart_notebook_runs():
    cells = json.loads(QUICKSTART.read_text())["cells"]
    source = "\n\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    namespace = {}
    exec(compile(source, str(QUICKSTART), "exec"), namespace)
    assert namespace["clf"].score(namespace["X_test"], namespace["y_test"]) > 0.9
    assert namespace["xmc"].sampling_stats_["table_builds"] > 0
    assert namespace["udt"].score(namespace["test_texts"], namespace["y_test"]) > 0.95
