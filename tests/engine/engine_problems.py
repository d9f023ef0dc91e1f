"""Small random networks and batches for the engine's tests, a configured Trainer, and the
check that one step updated the network as the NumPy reference does."""
import numpy as np
from scipy import sparse

import _reference_network as reference

from sparsenet.engine._adam import AdamState
from sparsenet.engine._settings import AdamSettings
from sparsenet.engine._trainer import Trainer

HYPER = dict(learning_rate=0.01, beta_1=0.9, beta_2=0.999, epsilon=1.0, l2=0.1)


def new_trainer(network, batch_size, n_threads, loss="softmax"):
    trainer = Trainer(network, AdamState.zeros_for(network))
    trainer.configure(AdamSettings(**HYPER), loss, batch_size, n_threads)
    return trainer


def engine_csr(X):
    X = sparse.csr_matrix(X, dtype=np.float32)
    X.indices = X.indices.astype(np.int32)
    X.indptr = X.indptr.astype(np.int64)
    return X


def random_problem(seed, n=9, n_features=13, hidden=(6, 5), n_outputs=4, multilabel=False):
    rng = np.random.default_rng(seed)
    X = sparse.random(n, n_features, density=0.3, random_state=seed, format="csr", dtype=np.float32)
    X.data = rng.normal(size=X.nnz).astype(np.float32)
    sizes = [n_features, *hidden, n_outputs]
    weights = [rng.normal(size=(sizes[0], sizes[1])).astype(np.float32)]
    weights += [rng.normal(size=(b, a)).astype(np.float32) for a, b in zip(sizes[1:-1], sizes[2:])]
    biases = [(0.1 * rng.normal(size=s)).astype(np.float32) for s in sizes[1:]]
    if multilabel:
        labels = [list(rng.choice(n_outputs, size=rng.integers(0, 3), replace=False)) for _ in range(n)]
    else:
        labels = [[int(rng.integers(n_outputs))] for _ in range(n)]
    return engine_csr(X), weights, biases, labels


def label_csr(labels):
    indptr = np.cumsum([0] + [len(row) for row in labels])
    indices = np.array([label for row in labels for label in row], dtype=np.int32)
    return indptr, indices


def as64(arrays):
    return [a.astype(np.float64) for a in arrays]


def assert_one_adam_step(network, weights, biases, weight_grads, bias_grads, X_dense):
    """The network's arrays after one step from ``weights`` and ``biases`` on the rows of
    ``X_dense`` equal the reference Adam step on the summed gradients; the input layer
    updates only the features present in the batch."""
    n = X_dense.shape[0]
    settings = dict(lr=HYPER["learning_rate"], beta_1=HYPER["beta_1"], beta_2=HYPER["beta_2"],
                    epsilon=HYPER["epsilon"])
    present = (X_dense != 0).any(axis=0)[:, None]
    for layer in range(len(weights)):
        touched = present if layer == 0 else True
        expected_w = reference.adam_step(weights[layer], weight_grads[layer], touched, n, HYPER["l2"], **settings)
        expected_b = reference.adam_step(biases[layer], bias_grads[layer], True, n, 0.0, **settings)
        np.testing.assert_allclose(network.weights[layer], expected_w, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(network.biases[layer], expected_b, rtol=1e-5, atol=1e-7)
