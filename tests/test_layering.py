"""The package's layout as a rule: every import (cimports included) points down the layers,
files stay readable in size, and no compiled module indexes from the end (its kernels are
compiled with wraparound=False, where a negative index reads outside the object)."""
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sparsenet"

# lowest first: a module may import its own folder and any folder of a lower layer
LAYERS = [
    {"native", "datasets", "metrics.py", "_version.py"},
    {"model_file"},
    {"sampling"},
    {"engine"},
    {"callbacks.py"},
    {"mlp"},
    {"udt"},
    {"distributed"},
    {"_build_check.py"},
    {"cli"},
    {"__init__.py", "demo.py", "__main__.py"},
]
# a file may exceed this many lines only if it holds one family of kernels
MOST_LINES = 550
KERNEL_FAMILIES = {"native/_vector_ops.h"}

IMPORT = re.compile(r"^\s*(?:from\s+sparsenet\.([\w.]+)\s+c?import|c?import\s+sparsenet\.([\w.]+))", re.M)
SOURCE_SUFFIXES = {".py", ".pyx", ".pxd", ".h"}


def layer_of(part):
    for rank, names in enumerate(LAYERS):
        if part in names:
            return rank
    raise AssertionError(f"sparsenet/{part} is in no layer of test_layering.LAYERS: add it")


def home(path):
    """The top-level folder or file of the package a path belongs to."""
    return path.relative_to(PACKAGE).parts[0]


def sources():
    return sorted(p for p in PACKAGE.rglob("*") if p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts)


def imported_homes(text):
    for match in IMPORT.finditer(text):
        module = match.group(1) or match.group(2)
        first = module.split(".")[0]
        yield first if (PACKAGE / first).is_dir() else first + ".py"


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_point_down(path):
    own = home(path)
    for target in imported_homes(path.read_text(encoding="utf-8")):
        if target != own:
            assert layer_of(target) < layer_of(own), (
                f"sparsenet/{path.relative_to(PACKAGE)} imports sparsenet/{target}, a layer at or above its own"
            )


def test_the_rule_catches_an_upward_import():
    assert list(imported_homes("from sparsenet.mlp._classifier import SparseMLPClassifier\n")) == ["mlp"]
    assert list(imported_homes("from sparsenet.engine._network cimport Network\n")) == ["engine"]
    assert layer_of("mlp") > layer_of("engine") > layer_of("sampling") > layer_of("native")


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_files_stay_readable_in_size(path):
    relative = path.relative_to(PACKAGE).as_posix()
    n_lines = len(path.read_text(encoding="utf-8").splitlines())
    assert n_lines <= MOST_LINES or relative in KERNEL_FAMILIES, f"{relative} has {n_lines} lines"


@pytest.mark.parametrize("path", [p for p in sources() if p.suffix in (".pyx", ".pxd")],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_compiled_modules_never_index_from_the_end(path):
    code = [line.split("#")[0] for line in path.read_text(encoding="utf-8").splitlines()]
    negative = [f"line {n}: {line.strip()}" for n, line in enumerate(code, 1) if re.search(r"[\w)\]]\[\s*:?\s*-\s*\d", line)]
    assert not negative, f"negative index under wraparound=False in {path.name}: {negative}"
