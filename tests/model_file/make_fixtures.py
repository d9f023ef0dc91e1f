"""Writes the model files that tests/model_file/test_old_files.py loads, with the inputs and
answers they were written with. Run it only when the format version changes (the old
fixtures stay, beside the new ones): ``python tests/model_file/make_fixtures.py``."""
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sparsenet import SparseMLPClassifier, UDTClassifier  # noqa: E402
from sparsenet.datasets import make_extreme_classification  # noqa: E402
from sparsenet.model_file import FORMAT_VERSION  # noqa: E402
from model_configurations import _table, answers  # noqa: E402
from test_old_files import storable  # noqa: E402


def sampled_mlp():
    X, Y = make_extreme_classification(n_samples=200, n_features=50, n_labels=1000, random_state=0)
    model = SparseMLPClassifier((8,), output_sparsity=0.1, n_tables=4, max_iter=2, random_state=0,
                                n_jobs=1).fit(X, Y)
    assert model.network_.samplers[1] is not None
    return model, {"X": X[:10].toarray() if hasattr(X, "toarray") else X[:10]}


def udt_table():
    table, labels = _table(n=80)
    model = UDTClassifier(hidden_layer_sizes=(8,), feature_hash_range=2**12, max_iter=3, random_state=0,
                          n_jobs=1).fit(table, labels)
    rows = table.iloc[:20]
    columns = {f"column_{name}": np.array(rows[name].astype(str).tolist(), dtype=str) for name in ("text", "colour", "day")}
    return model, {**columns, "column_price": rows["price"].to_numpy()}


def main():
    for build in (sampled_mlp, udt_table):
        model, inputs = build()
        stem = HERE / "fixtures" / f"{build.__name__}_format{FORMAT_VERSION}"
        model.save(stem.with_suffix(".spn"))
        X = inputs["X"] if "X" in inputs else None
        if X is None:
            from test_old_files import table_of
            X = table_of(inputs)  # the table as the test rebuilds it
        np.savez_compressed(stem.with_suffix(".npz"), **inputs, **{f"answer_{i}": storable(a) for i, a in enumerate(answers(model, X))})
        print(stem.with_suffix(".spn"), stem.with_suffix(".spn").stat().st_size, "bytes")


if __name__ == "__main__":
    main()
