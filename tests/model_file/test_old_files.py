"""Model files written by earlier versions of sparsenet (tests/model_file/fixtures, made by
make_fixtures.py) must still load and answer as they did when they were written: a change
that breaks old files fails here."""
import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sparsenet
from model_configurations import answers

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def table_of(inputs):
    """The UDT fixture's input table, rebuilt from its stored columns."""
    return pd.DataFrame({
        "text": inputs["column_text"].tolist(),
        "colour": inputs["column_colour"].tolist(),
        "price": inputs["column_price"],
        "day": [datetime.date.fromisoformat(day) for day in inputs["column_day"].tolist()],
    })


def storable(answer):
    """An answer as np.savez keeps it without pickle (labels as strings)."""
    return answer.astype(str) if answer.dtype == object else answer


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.spn")), ids=lambda p: p.name)
def test_a_file_of_an_earlier_version_loads_and_answers_as_it_did(path):
    stored = np.load(path.with_suffix(".npz"), allow_pickle=False)
    X = stored["X"] if "X" in stored else table_of(stored)
    expected = [stored[f"answer_{i}"] for i in range(sum(name.startswith("answer_") for name in stored.files))]
    for mmap_mode in (None, "r"):
        got = answers(sparsenet.load(path, mmap_mode=mmap_mode), X)
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            if a.dtype.kind == "f":
                # probabilities: NumPy's exp and sums differ in the last bit between CPU
                # families (its SIMD paths), so a file written on one machine is compared to
                # within a few units in the last place, not bit for bit
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-300)
            else:
                assert np.array_equal(storable(a), b)


def test_the_fixtures_are_there():
    # a glob that finds nothing would pass the test above silently
    assert {p.stem for p in FIXTURES.glob("*.spn")} >= {"sampled_mlp_format1", "udt_table_format1"}
