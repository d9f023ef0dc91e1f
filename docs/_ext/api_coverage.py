"""Which names sparsenet makes public, and which of them the API reference documents.

Used by the Sphinx build (``sparsenet_docs``: a public name without an entry in the
reference is a warning, so ``sphinx-build -W`` fails) and by ``tests/test_docs_reference.py``
(the same check on ``docs/api.md``'s source, without Sphinx). Only the standard library and
sparsenet itself are imported here.

Public, by these rules:

- modules: ``sparsenet`` and each of its direct submodules and subpackages whose name does
  not start with an underscore and whose docstring does not say "Private API";
- names of a module: its ``__all__``; without one, the classes and functions it defines
  whose names do not start with an underscore.

A name re-exported by another public module (``sparsenet.mlp.SparseMLPClassifier`` is
``sparsenet.SparseMLPClassifier``) counts as documented when the object itself is
documented under either name.
"""
import importlib
import inspect
import pkgutil
import re

PRIVATE_MARK = "Private API"


def public_modules():
    """Names of the public modules, ``sparsenet`` first."""
    import sparsenet

    names = ["sparsenet"]
    for info in sorted(pkgutil.iter_modules(sparsenet.__path__), key=lambda info: info.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"sparsenet.{info.name}")
        if PRIVATE_MARK not in (module.__doc__ or ""):
            names.append(module.__name__)
    return names


def public_names(module_name):
    """The public names of one module, in a stable order."""
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return sorted(name for name, value in vars(module).items()
                  if not name.startswith("_") and (inspect.isclass(value) or inspect.isfunction(value))
                  and value.__module__ == module_name)


def public_api():
    """``{module: [names]}`` for every public module."""
    return {module: public_names(module) for module in public_modules()}


def _resolve(full_name):
    """The object a dotted name points to, or None."""
    parts = full_name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for part in parts[split:]:
                value = getattr(value, part)
        except AttributeError:
            return None
        return value
    return None


def missing_names(documented):
    """Public names (``module.name``) that the set of documented full names lacks."""
    documented = set(documented)
    documented_objects = set()
    for full_name in documented:
        value = _resolve(full_name)
        if inspect.isclass(value) or inspect.isroutine(value):
            documented_objects.add(id(value))
    missing = []
    for module, names in public_api().items():
        for name in names:
            full_name = f"{module}.{name}"
            if full_name in documented:
                continue
            value = _resolve(full_name)
            if (inspect.isclass(value) or inspect.isroutine(value)) and id(value) in documented_objects:
                continue
            missing.append(full_name)
    return missing


_MODULE_DIRECTIVE = re.compile(r"^\s*\.\. (?:py:)?(?:currentmodule|module|automodule)::\s*(\S+)")
_DATA_DIRECTIVE = re.compile(r"^\s*\.\. (?:py:data|autodata|autofunction|autoclass|py:function|py:class)::\s*(\S+)")


def documented_in_source(text):
    """Full names that the autosummary tables (and auto/py directives) of a reference page's
    source list, each under the module that ``currentmodule``/``module`` set before it."""
    documented = set()
    module = None
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        match = _MODULE_DIRECTIVE.match(line)
        if match:
            module = match.group(1)
        match = _DATA_DIRECTIVE.match(line)
        if match:
            name = match.group(1).split("(")[0]
            documented.add(name if module is None or name.startswith("sparsenet") else f"{module}.{name}")
        if line.strip() == ".. autosummary::":
            indent = len(line) - len(line.lstrip())
            index += 1
            while index < len(lines):
                entry = lines[index]
                if entry.strip() and len(entry) - len(entry.lstrip()) <= indent:
                    break
                entry = entry.strip()
                if entry and not entry.startswith(":"):
                    name = entry.split()[0].lstrip("~")
                    documented.add(name if name.startswith("sparsenet") else f"{module}.{name}")
                index += 1
            continue
        index += 1
    return documented
