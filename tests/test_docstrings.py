"""The examples in the docstrings run and print what they claim, and every public name has some.

Public, by the rules of the API reference (``docs/api.md``): the module ``sparsenet`` and its
direct submodules whose names do not start with an underscore and whose docstrings do not say
"Private API"; a module's names are its ``__all__``, else the classes and functions it defines
whose names do not start with one. A public class's methods are public too, where sparsenet
defines them (what a class inherits from scikit-learn is documented there) and except
properties (the class's Attributes section describes them); a method that overrides one of
ours without a docstring of its own shows the docstring it inherits, as ``help()`` and the
documentation do.

Nothing here lists modules by hand: the doctests run in every pure-Python module of the
package, so that the examples of a new module run as soon as it exists, and a test checks that
the examples of every public name were among those run.
"""
import doctest
import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import pytest

import sparsenet

OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
REPOSITORY = Path(__file__).resolve().parents[1]
PRIVATE_MARK = "Private API"
EXAMPLES_SECTION = re.compile(r"^Examples\n-{8}$", re.M)


def public_modules():
    """``sparsenet`` and its public direct submodules."""
    modules = [sparsenet]
    for info in sorted(pkgutil.iter_modules(sparsenet.__path__), key=lambda info: info.name):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"sparsenet.{info.name}")
            if PRIVATE_MARK not in (module.__doc__ or ""):
                modules.append(module)
    return modules


def names_of(module):
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return sorted(name for name, value in vars(module).items()
                  if not name.startswith("_") and (inspect.isclass(value) or inspect.isroutine(value))
                  and getattr(value, "__module__", None) == module.__name__)


def ours(value):
    return (getattr(value, "__module__", None) or "").partition(".")[0] == "sparsenet"


def public_methods(cls):
    """The public methods of ``cls`` that sparsenet defines, by name."""
    for name in sorted(dir(cls)):
        if name.startswith("_") or isinstance(inspect.getattr_static(cls, name), property):
            continue
        value = getattr(cls, name)
        # scikit-learn's metadata-routing methods (set_fit_request, ...) are set on our classes
        # but are functions of scikit-learn's
        if inspect.isroutine(value) and ours(inspect.unwrap(value)):
            yield name, value


def public_objects():
    """``{full name: object}`` of every public class, function and method (each object once,
    under the first name that reaches it: ``sparsenet.SparseMLPClassifier``, not
    ``sparsenet.mlp.SparseMLPClassifier``). Values that are not classes or routines (a version
    string, a format number) have no docstrings of their own and are left out."""
    found, seen = {}, set()
    for module in public_modules():
        for name in names_of(module):
            value = getattr(module, name)
            if not (inspect.isclass(value) or inspect.isroutine(value)) or id(value) in seen:
                continue
            seen.add(id(value))
            found[f"{module.__name__}.{name}"] = value
            if inspect.isclass(value):
                for method_name, method in public_methods(value):
                    found[f"{module.__name__}.{name}.{method_name}"] = method
    return found


def compiled(value):
    """A function of a compiled (Cython) module."""
    return inspect.isroutine(value) and not inspect.isfunction(inspect.unwrap(value)) and ours(value)


def source_docstring(function):
    """A compiled function's docstring as the checkout's ``.pyx`` source holds it: the built
    module's copy is only as new as the last build, and these tests check the source (an
    installed package carries no ``.pyx``, so the source is looked for beside the tests)."""
    module = sys.modules[function.__module__]
    source = REPOSITORY.joinpath(*module.__name__.split(".")).with_suffix(".pyx")
    if not source.exists():  # tests run away from a checkout: the built copy is all there is
        return inspect.getdoc(function) or ""
    text = source.read_text(encoding="utf-8")
    match = re.search(rf'^def {function.__name__}\(.*?\):\n\s+"""(.*?)"""', text, re.M | re.S)
    assert match, f"no docstring for {function.__name__} in {source}"
    return inspect.cleandoc(match.group(1))


def docstring(value):
    return source_docstring(value) if compiled(value) else inspect.getdoc(value) or ""


PUBLIC = public_objects()


def package_modules():
    """Every pure-Python module of the package (``__main__`` would run the command line)."""
    names = ["sparsenet"]
    for info in pkgutil.walk_packages(sparsenet.__path__, "sparsenet."):
        if info.name.rpartition(".")[2] == "__main__":
            continue
        if Path(importlib.import_module(info.name).__file__).suffix == ".py":
            names.append(info.name)
    return sorted(names)


MODULES = package_modules()


def doctests_of(module_name):
    return doctest.DocTestFinder().find(importlib.import_module(module_name))


def test_the_public_names_are_found():
    # the rule above must keep finding what the reference documents, and only that
    for name in ("sparsenet.SparseMLPClassifier.fit", "sparsenet.UDTClassifier.predict_topk",
                 "sparsenet.UDTFeaturizer.transform", "sparsenet.SparseMLPClassifier.save", "sparsenet.load",
                 "sparsenet.openmp_enabled", "sparsenet.datasets.fetch_ag_news", "sparsenet.metrics.psp_at_k",
                 "sparsenet.callbacks.Callback.on_epoch_end", "sparsenet.model_file.read_header",
                 "sparsenet.cli.main"):
        assert name in PUBLIC
    for name in ("sparsenet.SparseMLPClassifier.score", "sparsenet.SparseMLPClassifier.get_params",
                 "sparsenet.SparseMLPClassifier.set_fit_request", "sparsenet.SparseMLPClassifier.coefs_",
                 "sparsenet.mlp.SparseMLPClassifier", "sparsenet.engine"):
        assert name not in PUBLIC
    assert "sparsenet.mlp._classifier" in MODULES and "sparsenet.__main__" not in MODULES


def test_every_public_name_has_examples():
    missing = [name for name, value in PUBLIC.items()
               if not EXAMPLES_SECTION.search(docstring(value))]
    assert not missing, f"public names without an Examples section: {missing}"


def test_the_examples_of_every_public_name_run():
    tested = {inspect.cleandoc(test.docstring) for module in MODULES for test in doctests_of(module)
              if test.examples}
    not_run = [name for name, value in PUBLIC.items()
               if not compiled(value) and EXAMPLES_SECTION.search(docstring(value)) and docstring(value) not in tested]
    assert not not_run, f"the examples of {not_run} are in no module the doctests run"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS)
    for test in doctests_of(name):
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} of {runner.tries} examples of {name} failed (output above)"
    defines_public = any(getattr(value, "__module__", None) == name for value in PUBLIC.values())
    assert runner.tries > 0 or not defines_public, f"{name} defines public names but runs no example"


@pytest.mark.parametrize("name", [name for name, value in PUBLIC.items() if compiled(value)])
def test_compiled_docstring_examples(name):
    function = PUBLIC[name]
    module = sys.modules[function.__module__]
    test = doctest.DocTestParser().get_doctest(source_docstring(function), dict(vars(module)), name, None, 0)
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS)
    runner.run(test)
    assert runner.tries > 0 and runner.failures == 0
