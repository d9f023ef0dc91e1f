"""Local Sphinx extension: the pages and checks that keep the documentation in step with the
repository.

At the start of every build (``builder-inited``) it

- copies the README's "## Two commands" section to ``docs/_generated/two_commands.md``
  (the getting-started page includes it, so the commands there are the ones CI runs);
- writes ``docs/benchmarks.md`` from ``benchmarks/README.md`` and every
  ``benchmarks/results/*.md``, one section per result file;
- mirrors ``notebooks/*.ipynb`` into ``docs/_notebooks/``: a copy is replaced only when the
  notebook is newer, so the executed copies that ``.ci/docs`` makes there are kept, and a
  notebook that was never executed is rendered without outputs; the notebooks page lists
  them with the quickstart first.

It deletes the stub pages of names that ``docs/api.md`` no longer lists. When the
documents have been read it warns about every public name (``api_coverage``) that
the API reference does not document, and after an HTML build it warns about every relative
link or anchor in the output that leads nowhere. With ``-W`` each warning fails the build.
"""
import html.parser
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sphinx.util import logging

import api_coverage

logger = logging.getLogger(__name__)

GENERATED_NOTE = "<!-- Written by docs/_ext/sparsenet_docs.py at every build: edit the sources, not this file. -->"


def _write_if_changed(path, text):
    """Write only a changed page, so that Sphinx does not read an unchanged one again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


# -- README ----------------------------------------------------------------------------------

def readme_section(readme_text, heading):
    """The body of a "## heading" section of the README (up to the next "## " heading)."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", readme_text, re.S | re.M)
    if match is None:
        raise ValueError(f"README.md has no '## {heading}' section")
    return match.group(1).strip() + "\n"


def write_two_commands(root, docs):
    body = readme_section((root / "README.md").read_text(encoding="utf-8"), "Two commands")
    _write_if_changed(docs / "_generated" / "two_commands.md", f"{GENERATED_NOTE}\n\n{body}")


# -- benchmarks ------------------------------------------------------------------------------

def _title_and_body(text, fallback):
    """A result file's first heading (its title) and what follows it."""
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("#"):
        return lines[0].lstrip("#").strip(), "\n".join(lines[1:]).strip()
    return fallback, "\n".join(lines)


def benchmarks_page(root):
    """The benchmarks page: the scripts' table from benchmarks/README.md, then each result
    file under its own title, in file-name order."""
    readme = (root / "benchmarks" / "README.md").read_text(encoding="utf-8")
    _, intro = _title_and_body(readme, "Benchmarks")
    intro = intro.replace("`results/<name>.md`", "`benchmarks/results/<name>.md`")
    parts = [GENERATED_NOTE, "", "# Benchmarks", "",
             ("Every table below is a file of `benchmarks/results/`, included as it was last written by "
              "its script; the README discusses the main ones. Timings come from a shared 2-core "
              "machine (see each table's header line)."), "",
             "## The scripts", "", intro, ""]
    for path in sorted((root / "benchmarks" / "results").glob("*.md")):
        title, body = _title_and_body(path.read_text(encoding="utf-8"), path.stem)
        # a result file's own later sections become subsections of its section: its
        # shallowest heading level becomes ###, the others keep their depth below it
        levels = [len(match.group(1)) for match in re.finditer(r"^(#+) ", body, flags=re.M)]
        shift = 3 - min(levels) if levels else 0
        body = re.sub(r"^(#+) ", lambda match: "#" * (len(match.group(1)) + shift) + " ", body, flags=re.M)
        parts += [f"## {title}", "", f"`benchmarks/results/{path.name}`", "", body, ""]
    return "\n".join(parts)


def write_benchmarks(root, docs):
    _write_if_changed(docs / "benchmarks.md", benchmarks_page(root))


# -- notebooks -------------------------------------------------------------------------------

def mirror_notebooks(root, docs):
    source, target = root / "notebooks", docs / "_notebooks"
    target.mkdir(exist_ok=True)
    notebooks = {path.name: path for path in source.glob("*.ipynb")}
    for copy in target.glob("*.ipynb"):
        if copy.name not in notebooks:
            copy.unlink()
    for name, path in notebooks.items():
        copy = target / name
        if not copy.exists() or copy.stat().st_mtime < path.stat().st_mtime:
            shutil.copy2(path, copy)
            logger.info(f"sparsenet docs: {name} copied unexecuted (run .ci/docs to render its outputs)")


NOTEBOOKS_FIRST = ["quickstart"]


NOTEBOOKS_PAGE = "notebooks"


def order_notebooks(app, docname, source):
    """The notebooks page's toctree (a glob, which sorts by name) with the quickstart first."""
    if docname != NOTEBOOKS_PAGE:
        return
    names = sorted(path.stem for path in (Path(app.srcdir) / "_notebooks").glob("*.ipynb"))
    names = [name for name in NOTEBOOKS_FIRST if name in names] + [name for name in names
                                                                    if name not in NOTEBOOKS_FIRST]
    source[0] = source[0].replace("\n_notebooks/*\n", "".join(f"\n_notebooks/{name}" for name in names) + "\n")


def remove_stale_stubs(app):
    """Delete the stub pages of names the API reference no longer lists, before autosummary
    writes the current ones: a stale stub would still document a name that was dropped."""
    listed = api_coverage.documented_in_source((Path(app.srcdir) / "api.md").read_text(encoding="utf-8"))
    for stub in (Path(app.srcdir) / "generated").glob("*.rst"):
        if stub.stem not in listed:
            stub.unlink()


def reread_notebooks_page(app, env, added, changed, removed):
    """The notebooks page is read again at every build: its list may have changed."""
    return [NOTEBOOKS_PAGE]


def generate(app):
    docs = Path(app.srcdir)
    root = docs.parent
    write_two_commands(root, docs)
    write_benchmarks(root, docs)
    mirror_notebooks(root, docs)


# -- checks ----------------------------------------------------------------------------------

def check_api_coverage(app, env):
    documented = set(env.get_domain("py").objects)
    for name in api_coverage.missing_names(documented):
        logger.warning(f"public name {name} is not in the API reference (docs/api.md)", type="sparsenet",
                       subtype="api")


def skip_foreign_members(app, what, name, obj, skip, options):
    """Class pages list sparsenet's own members only: scikit-learn's get_params, score and
    the like are documented (and cross-referenced) by scikit-learn."""
    if what != "class":
        return None
    target = obj.fget if isinstance(obj, property) else getattr(obj, "__func__", obj)
    module = getattr(target, "__module__", None)
    if module is not None and not module.startswith("sparsenet"):
        return True
    return None


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) and tag in ("a", "img", "link", "script", "source", "iframe"):
                self.links.append(attrs[key])


def broken_links(outdir):
    """(page, link) for every relative link of the HTML output whose file or anchor is
    missing. External (scheme or network-path) links are not followed."""
    outdir = Path(outdir)
    pages = {}
    for page in outdir.rglob("*.html"):
        if page.relative_to(outdir).parts[0] == "_static":
            continue  # the theme's templates, not pages
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        pages[page.resolve()] = parser
    broken = []
    for page, parser in sorted(pages.items()):
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link == "#":
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append((page.relative_to(outdir.resolve()), link))
            elif parts.fragment and target.suffix == ".html" and (
                    target not in pages or unquote(parts.fragment) not in pages[target].ids):
                broken.append((page.relative_to(outdir.resolve()), link))
    return broken


def check_links(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page, link in broken_links(app.outdir):
        logger.warning(f"{page}: link {link} leads nowhere", type="sparsenet", subtype="link")


def setup(app):
    app.connect("builder-inited", remove_stale_stubs, priority=400)  # before autosummary's (500)
    app.connect("builder-inited", generate)
    app.connect("source-read", order_notebooks)
    app.connect("env-get-outdated", reread_notebooks_page)
    app.connect("env-check-consistency", check_api_coverage)
    app.connect("autodoc-skip-member", skip_foreign_members)
    app.connect("build-finished", check_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
