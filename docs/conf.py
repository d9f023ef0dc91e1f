"""Sphinx configuration of sparsenet's documentation.

Build it with ``bash .ci/docs`` (a fresh environment, the notebooks executed once, warnings
as errors), or, in an environment where sparsenet is installed, with
``sphinx-build -b html docs docs/_build/html`` (notebooks then render without outputs unless
``docs/_notebooks`` holds executed copies).

autodoc documents the sparsenet that Python imports here: the installed package. This file
never puts the repository's root on ``sys.path`` (there ``import sparsenet`` would find the
unbuilt sources); only ``docs/_ext`` is added, for the local extension.
"""
import os
import sys
import warnings
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import sparsenet

# notebooks written without cell ids (nbformat < 4.5 style) are read fine; the warning that
# nbformat prints for each of them says nothing a reader of the build log can act on
warnings.filterwarnings("ignore", message="Cell is missing an id field")

project = "sparsenet"
author = "The sparsenet developers"
copyright = "the sparsenet developers, BSD-3-Clause"
release = sparsenet.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
    "sparsenet_docs",  # docs/_ext: generated pages, notebook copies, the API coverage check
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates", "_generated", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
root_doc = "index"

# Every cross-reference must resolve: with -W an unresolved one fails the build. There is no
# intersphinx (the build reads nothing from the network), so references to third-party
# classes in docstrings (scikit-learn's MLPClassifier, NumPy, SciPy) cannot resolve and are
# ignored by name pattern, for those libraries only.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(sklearn|numpy|np|scipy|pandas|joblib|tqdm)(\..*)?"),
]

# -- autodoc, autosummary, numpydoc -------------------------------------------------------
autosummary_generate = True
autosummary_generate_overwrite = True
autosummary_imported_members = False
autodoc_typehints = "none"  # the numpydoc sections give the types
autodoc_member_order = "bysource"
autodoc_default_options = {}
numpydoc_show_class_members = False  # the class template lists the members itself
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

# -- MyST and myst-nb ----------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# Notebooks are executed once, before the build, by `pytest --nbmake --overwrite` on the
# copies in docs/_notebooks (.ci/docs); the build renders what they hold. Pages that draw
# their figures from a fit at build time say so in their own front matter
# (mystnb: execution_mode: force).
nb_execution_mode = "off"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 600
nb_merge_streams = True

# -- HTML ------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sparsenet {release}"
html_static_path = []
html_show_sourcelink = False
html_theme_options = {
    "navigation_depth": 2,
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}

# -- link check: internal links only (external URLs need the network) ------------------------
linkcheck_ignore = [r"https?://.*"]

# .ci/docs sets this: fail unless autodoc documents an installed sparsenet, not the checkout
if os.environ.get("SPARSENET_DOCS_REQUIRE_INSTALLED"):
    package = Path(sparsenet.__file__).resolve().parent
    if package == DOCS.parent / "sparsenet":
        raise RuntimeError(f"conf.py imported sparsenet from the source tree ({package}); "
                           "build the docs with the installed package (bash .ci/docs)")
print(f"sparsenet docs: documenting sparsenet {release} from {Path(sparsenet.__file__).parent}")
