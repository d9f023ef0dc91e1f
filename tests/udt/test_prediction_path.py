"""UDTClassifier's predictions read the features its column map built as they are (no
second validation, the single-row path of a service): they must answer exactly what the
classifier answers for the same features given as user input."""
import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from sparsenet import UDTClassifier
from sparsenet.mlp._inputs import EngineRows, _assemble_checked, _unchecked_assembly_works, assembled_csr


@pytest.fixture(scope="module")
def fitted_table():
    rng = np.random.default_rng(0)
    n = 600
    colour = rng.choice(["red", "green", "blue"], size=n)
    size = rng.normal(size=n)
    text = [f"{c} item {'large' if s > 0 else 'small'} number {i % 9}" for i, (c, s) in enumerate(zip(colour, size))]
    X = pd.DataFrame({"text": text, "colour": colour, "size": size})
    y = np.where(size > 0, "big", "little")
    y[colour == "blue"] = "blue"
    model = UDTClassifier(random_state=0, n_jobs=1).fit(X, y)
    return model, X


def checked_features(model, X):
    """The same features as a plain CSR matrix, which the classifier validates as user input."""
    features = model._columns.apply(model.featurizer_.transform(X))
    return sparse.csr_matrix((features.data.copy(), features.indices.copy(), features.indptr.copy()),
                             shape=features.shape)


@pytest.mark.parametrize("rows", [slice(0, 1), slice(0, 5), slice(0, 600)], ids=["one row", "few rows", "all rows"])
def test_engine_rows_answer_what_checked_input_answers(fitted_table, rows):
    model, X = fitted_table
    part = X.iloc[rows]
    plain = checked_features(model, part)
    assert isinstance(model._engine_rows(part), EngineRows)
    np.testing.assert_array_equal(model.predict(part), model.classifier_.predict(plain))
    np.testing.assert_array_equal(model.predict_proba(part), model.classifier_.predict_proba(plain))
    np.testing.assert_array_equal(model.decision_function(part), model.classifier_.decision_function(plain))
    labels, scores = model.predict_topk(part, k=2, return_scores=True)
    expected_labels, expected_scores = model.classifier_.predict_topk(plain, k=2, return_scores=True)
    np.testing.assert_array_equal(labels, expected_labels)
    np.testing.assert_array_equal(scores, expected_scores)


def test_engine_rows_are_in_the_engine_layout(fitted_table):
    model, X = fitted_table
    matrix = model._engine_rows(X.iloc[:3]).matrix
    assert (matrix.data.dtype, matrix.indices.dtype, matrix.indptr.dtype) == (np.float32, np.int32, np.int64)
    assert matrix.shape == (3, model._columns.n_columns)
    matrix.check_format(full_check=True)


def test_an_unfitted_model_still_says_so():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        UDTClassifier().predict(["a text"])


def test_direct_assembly_builds_what_scipy_builds():
    # the fast path is the one this scipy takes (else the benchmarks measure the other)
    assert _unchecked_assembly_works()
    rng = np.random.default_rng(1)
    dense = (rng.random((7, 11)) < 0.3) * rng.normal(size=(7, 11)).astype(np.float32)
    reference = sparse.csr_matrix(dense.astype(np.float32))
    indptr = reference.indptr.astype(np.int64)
    for build in (assembled_csr, _assemble_checked):
        built = build((7, 11), reference.data, reference.indices, indptr)
        assert type(built) is sparse.csr_matrix and built.shape == (7, 11) and built.nnz == reference.nnz
        np.testing.assert_array_equal(built.toarray(), dense)
        np.testing.assert_array_equal((built @ np.ones(11, np.float32)), dense.sum(axis=1))
        assert built.indptr is indptr  # no copy
        np.testing.assert_array_equal(built[2:5].toarray(), dense[2:5])
