"""What a new user meets first: importing an unbuilt source tree says what to do, and the
README's two commands are the ones CI runs."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_importing_an_unbuilt_source_tree_says_what_to_do(tmp_path):
    # a checkout's layout without compiled modules: Python run from its root finds it first
    (tmp_path / "sparsenet").mkdir()
    for name in ("__init__.py", "_build_check.py"):
        shutil.copy(ROOT / "sparsenet" / name, tmp_path / "sparsenet" / name)
    (tmp_path / "setup.py").write_text("")
    result = subprocess.run([sys.executable, "-c", "import sparsenet"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    message = result.stderr.strip().splitlines()[-2]
    assert message.startswith("ImportError: sparsenet is being imported from its source tree")
    assert "Run Python from another directory" in message and "pip install -e ." in message


def test_ci_runs_the_two_readme_commands():
    listed = subprocess.run([sys.executable, str(ROOT / ".ci" / "readme_commands.py"), str(ROOT / "README.md")],
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(listed) == 2
    assert listed[0].endswith("pip install . && sparsenet demo")
    assert listed[1].endswith('pip install ".[test]" && pytest')
    assert "readme_commands.py README.md" in (ROOT / ".ci" / "run").read_text()
