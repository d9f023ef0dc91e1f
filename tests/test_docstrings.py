"""The examples in the public docstrings run and print what they claim."""
import doctest
import importlib

import pytest

MODULES = ["sparsenet.mlp._classifier", "sparsenet.callbacks", "sparsenet.udt._featurizer", "sparsenet.udt._classifier", "sparsenet.udt._feature_columns", "sparsenet.datasets._sms_spam", "sparsenet.datasets._extreme", "sparsenet.metrics"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
