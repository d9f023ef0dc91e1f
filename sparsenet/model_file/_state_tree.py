"""A model's state as a JSON tree plus a list of arrays, and back.

Pickle stores a model as instructions to run; a model file stores it as data: every value a
JSON node, every numeric array an entry of a separate list (written raw, so that it can be
memory-mapped), and every object a class name and its state. Only classes of sparsenet
itself are rebuilt, so reading a file never runs code the file names from elsewhere.

A node is a JSON null, boolean, integer, string or list, or an object with one key saying
what it holds: ``float`` (non-finite floats, as text), ``tuple``, ``dict`` (a list of
key-value pairs: keys need not be strings), ``array`` (an index into the array list),
``values`` (an array of strings or objects, as nodes), ``scalar`` (a numpy scalar),
``dtype``, ``sparse`` (a scipy.sparse matrix by its arrays), ``random_state`` (a
``numpy.random.RandomState`` by its state), ``named_tuple``, ``object`` (a Python object by
its attributes) or ``extension`` (a compiled sparsenet type by its constructor's arguments).
"""
import copyreg
import importlib
import math

import numpy as np
import scipy.sparse as sp

PACKAGE = "sparsenet"
SPARSE_FORMATS = {"csr": ("data", "indices", "indptr"), "csc": ("data", "indices", "indptr"),
                  "coo": ("data", "row", "col")}


class StateEncoder:
    """Turns a value into a JSON tree; numeric arrays go to ``self.arrays`` (with ``self.names``,
    the path of each, for error messages)."""

    def __init__(self, omit=()):
        self.arrays, self.names = [], []
        self.omit = omit  # attributes stored as None on every object

    def encode(self, value, path="model"):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and type(value) is int:
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"float": repr(value)}
        if type(value) is list:
            return [self.encode(item, f"{path}[{i}]") for i, item in enumerate(value)]
        if type(value) is tuple:
            return {"tuple": [self.encode(item, f"{path}[{i}]") for i, item in enumerate(value)]}
        if type(value) is dict:
            return {"dict": [[self.encode(k, f"{path} key"), self.encode(v, f"{path}[{k!r}]")]
                             for k, v in value.items()]}
        if isinstance(value, np.ndarray):
            return self._array(value, path)
        if isinstance(value, np.generic):
            return {"scalar": value.dtype.str, "value": self.encode(value.item(), path)}
        if isinstance(value, np.dtype):
            return {"dtype": value.str if value.fields is None else str(value)}
        if sp.issparse(value):
            return self._sparse(value, path)
        if isinstance(value, np.random.RandomState):
            return {"random_state": self.encode(value.get_state(legacy=True), path)}
        if isinstance(value, tuple) and hasattr(type(value), "_fields"):
            return {"named_tuple": class_name(type(value), path),
                    "values": [self.encode(item, f"{path}.{name}") for name, item in zip(value._fields, value)]}
        return self._object(value, path)

    def _array(self, array, path):
        if array.dtype.kind in "biufc" and array.dtype.fields is None:
            self.arrays.append(array)
            self.names.append(path)
            return {"array": len(self.arrays) - 1}
        if array.dtype.kind in "OUSMm":
            values = [self.encode(item, f"{path}[{i}]") for i, item in enumerate(array.ravel().tolist())]
            return {"values": values, "dtype": array.dtype.str, "shape": list(array.shape)}
        raise TypeError(f"cannot store {path}: arrays of dtype {array.dtype} are not supported")

    def _sparse(self, matrix, path):
        form = matrix.format if matrix.format in SPARSE_FORMATS else "csr"
        matrix = matrix.asformat(form)
        node = {"sparse": form, "shape": list(matrix.shape), "is_array": not sp.isspmatrix(matrix)}
        for part in SPARSE_FORMATS[form]:
            node[part] = self._array(np.asarray(getattr(matrix, part)), f"{path}.{part}")
        return node

    def _object(self, value, path):
        cls = type(value)
        name = class_name(cls, path)
        if hasattr(cls, "__reduce_cython__") or not hasattr(value, "__dict__"):
            # a compiled type: rebuilt by calling it with the arguments its __reduce__ gives
            reduced = value.__reduce__()
            if len(reduced) != 2 or reduced[0] is not cls:
                raise TypeError(f"cannot store {path}: {name} does not reduce to its own constructor")
            return {"extension": name, "args": self.encode(list(reduced[1]), f"{path}(args)")}
        reduced = value.__reduce_ex__(2)
        if reduced[0] is not copyreg.__newobj__ or tuple(reduced[1]) != (cls,) or any(reduced[3:]):
            raise TypeError(f"cannot store {path}: {name} does not pickle by its attributes")
        state = reduced[2] if len(reduced) > 2 else None
        if isinstance(state, dict) and any(key in state for key in self.omit):
            state = {key: None if key in self.omit else item for key, item in state.items()}
        return {"object": name, "state": self.encode(state, path)}


def class_name(cls, path):
    """``module:qualname`` of a sparsenet class (anything else is refused)."""
    module = cls.__module__
    if module != PACKAGE and not module.startswith(PACKAGE + "."):
        raise TypeError(f"cannot store {path}: {module}.{cls.__qualname__} is not a sparsenet class "
                        "(a model file holds only sparsenet objects, numbers, strings and arrays)")
    return f"{module}:{cls.__qualname__}"


class StateDecoder:
    """Rebuilds values from a JSON tree and the arrays it indexes."""

    def __init__(self, arrays):
        self.arrays = arrays

    def decode(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(item) for item in node]
        if not isinstance(node, dict) or len(node) == 0:
            raise ValueError(f"malformed state node {str(node)[:80]!r}")
        if "float" in node:
            return float(node["float"])
        if "tuple" in node:
            return tuple(self.decode(item) for item in node["tuple"])
        if "dict" in node:
            return {self.decode(k): self.decode(v) for k, v in node["dict"]}
        if "array" in node:
            index = node["array"]
            if not isinstance(index, int) or not 0 <= index < len(self.arrays):
                raise ValueError(f"state names array {index!r}, but the file holds {len(self.arrays)}")
            return self.arrays[index]
        if "values" in node:
            values = np.empty(len(node["values"]), dtype=object)
            values[:] = [self.decode(item) for item in node["values"]]
            return values.astype(np.dtype(node["dtype"])).reshape(node["shape"])
        if "scalar" in node:
            return np.dtype(node["scalar"]).type(self.decode(node["value"]))
        if "dtype" in node:
            return np.dtype(node["dtype"])
        if "sparse" in node:
            return self._sparse(node)
        if "random_state" in node:
            rng = np.random.RandomState()
            rng.set_state(self.decode(node["random_state"]))
            return rng
        if "named_tuple" in node:
            return resolve(node["named_tuple"])(*[self.decode(item) for item in node["values"]])
        if "extension" in node:
            return resolve(node["extension"])(*self.decode(node["args"]))
        if "object" in node:
            return self._object(node)
        raise ValueError(f"unknown state node with keys {sorted(node)}")

    def _sparse(self, node):
        form = node["sparse"]
        if form not in SPARSE_FORMATS:
            raise ValueError(f"unknown sparse format {form!r}")
        parts = [self.decode(node[part]) for part in SPARSE_FORMATS[form]]
        make = getattr(sp, f"{form}_array" if node.get("is_array") else f"{form}_matrix")
        shape = tuple(node["shape"])
        if form == "coo":
            return make((parts[0], (parts[1], parts[2])), shape=shape)
        return make(tuple(parts), shape=shape)

    def _object(self, node):
        cls = resolve(node["object"])
        value = cls.__new__(cls)
        state = self.decode(node["state"])
        if getattr(type(value), "__setstate__", None) is not None:
            value.__setstate__(state)
        elif state is not None:
            attributes, slots = state if isinstance(state, tuple) else (state, None)
            for attributes_of in (attributes, slots):
                for key, item in (attributes_of or {}).items():
                    object.__setattr__(value, key, item)
        return value


def resolve(name):
    """The sparsenet class ``module:qualname`` names."""
    if not isinstance(name, str) or ":" not in name:
        raise ValueError(f"malformed class name {name!r}")
    module, qualname = name.split(":", 1)
    if module != PACKAGE and not module.startswith(PACKAGE + "."):
        raise ValueError(f"the file names the class {module}.{qualname}, which is not part of sparsenet")
    try:
        found = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        raise ValueError(f"the file needs the class {module}.{qualname}, which this sparsenet does not have") from None
    if not isinstance(found, type):
        raise ValueError(f"{module}.{qualname} is not a class")
    return found
