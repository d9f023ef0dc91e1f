"""A clear ImportError when sparsenet's compiled engine is missing.

The usual cause is running Python from the root of a source checkout: the current directory
comes first on ``sys.path``, so ``import sparsenet`` finds the unbuilt source tree instead of
the installed package.
"""
from pathlib import Path


def check_build():
    """Import one compiled module; on failure, raise an ImportError that says what to do."""
    try:
        from sparsenet.native import _openmp  # noqa: F401
    except ImportError as error:
        package = Path(__file__).resolve().parent
        if (package.parent / "setup.py").exists():
            advice = (
                f"sparsenet is being imported from its source tree ({package}), where the "
                "Cython engine has not been built: Python looks in the current directory "
                "first. Run Python from another directory to use the installed package "
                "(`pip install .` installs it; the demo is the `sparsenet-demo` command), or "
                "build the engine in place for development with `pip install -e .`."
            )
        else:
            advice = (
                f"this installation of sparsenet ({package}) lacks its compiled engine; "
                "reinstall it with `pip install --force-reinstall --no-cache-dir sparsenet` "
                "(a C compiler is needed to build from source)."
            )
        raise ImportError(f"{advice}\n(the import failed with: {error})") from error
