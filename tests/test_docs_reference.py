"""The API reference (docs/api.md) lists every public name, and only names that exist.

The rules for "public" live in docs/_ext/api_coverage.py, which the Sphinx build uses too;
this test needs no Sphinx."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _api_coverage():
    spec = importlib.util.spec_from_file_location("api_coverage", ROOT / "docs" / "_ext" / "api_coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_public_name_is_in_the_api_reference():
    coverage = _api_coverage()
    documented = coverage.documented_in_source((ROOT / "docs" / "api.md").read_text(encoding="utf-8"))
    missing = coverage.missing_names(documented)
    assert not missing, f"add these to docs/api.md: {missing}"


def test_the_api_reference_names_only_what_exists():
    coverage = _api_coverage()
    documented = coverage.documented_in_source((ROOT / "docs" / "api.md").read_text(encoding="utf-8"))
    assert {"sparsenet.SparseMLPClassifier", "sparsenet.metrics.precision_at_k"} <= documented
    assert [name for name in sorted(documented) if coverage._resolve(name) is None] == []


def test_public_modules_follow_the_private_api_mark():
    coverage = _api_coverage()
    modules = coverage.public_modules()
    assert {"sparsenet", "sparsenet.callbacks", "sparsenet.datasets", "sparsenet.metrics",
            "sparsenet.model_file"} <= set(modules)
    assert not {"sparsenet.engine", "sparsenet.sampling", "sparsenet.native"} & set(modules)


def test_a_missing_name_is_reported():
    coverage = _api_coverage()
    documented = coverage.documented_in_source((ROOT / "docs" / "api.md").read_text(encoding="utf-8"))
    assert "sparsenet.metrics.ndcg_at_k" in coverage.missing_names(documented - {"sparsenet.metrics.ndcg_at_k"})
    # a re-export counts as documented through the object it names
    assert "sparsenet.mlp.SparseMLPClassifier" not in coverage.missing_names(documented)
