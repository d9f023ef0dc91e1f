"""The Cython engine against a NumPy reference of the same network, and its safety checks."""
import numpy as np
import pytest
from scipy import sparse

import _reference_network as reference
from sparsenet.engine._adam import AdamState
from sparsenet.engine._network import Network
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


@pytest.mark.parametrize("dense_input", [False, True])
def test_logits_match_reference(dense_input):
    X, weights, biases, _ = random_problem(0)
    network = Network(weights, biases)
    _, expected = reference.forward(as64(weights), as64(biases), X.toarray().astype(np.float64))
    X_engine = X.toarray() if dense_input else X
    np.testing.assert_allclose(network.logits(X_engine), expected, rtol=1e-5, atol=1e-5)


def reference_targets(labels, n_outputs, binary):
    return (reference.indicator_matrix if binary else reference.targets_matrix)(labels, n_outputs)


@pytest.mark.parametrize("binary", [False, True])
def test_reference_gradients_match_finite_differences(binary):
    X, weights, biases, labels = random_problem(1, multilabel=True)
    Xd = X.toarray().astype(np.float64)
    W, B = as64(weights), as64(biases)
    T = reference_targets(labels, B[-1].shape[0], binary)
    weight_grads, bias_grads = reference.gradients(W, B, Xd, T, binary)
    step = 1e-6
    rng = np.random.default_rng(0)
    for layer in range(len(W)):
        for params, grads in ((W, weight_grads), (B, bias_grads)):
            for _ in range(5):
                index = tuple(rng.integers(s) for s in params[layer].shape)
                original = params[layer][index]
                params[layer][index] = original + step
                up = reference.loss(W, B, Xd, T, binary)
                params[layer][index] = original - step
                down = reference.loss(W, B, Xd, T, binary)
                params[layer][index] = original
                assert (up - down) / (2 * step) == pytest.approx(grads[layer][index], rel=1e-4, abs=1e-6)


@pytest.mark.parametrize("dense_input", [False, True])
@pytest.mark.parametrize("multilabel", [False, True])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("binary", [False, True])
# narrow layers; layers wide enough for the vector paths of the block kernels (16 and more
# inputs, neurons in groups of four and a remainder); three blocks of samples (one short)
# against more than one chunk of output neurons
@pytest.mark.parametrize("shape", [((6, 5), 4, 9), ((20, 17), 9, 9), ((20,), 300, 40)])
def test_one_adam_step_matches_reference(dense_input, multilabel, n_threads, binary, shape):
    hidden, n_outputs, n_rows = shape
    X, weights, biases, labels = random_problem(2, n=n_rows, multilabel=multilabel, hidden=hidden,
                                                n_outputs=n_outputs)
    n = X.shape[0]
    network = Network([w.copy() for w in weights], [b.copy() for b in biases])
    trainer = new_trainer(network, n, n_threads, "binary" if binary else "softmax")
    trainer.bind(X.toarray() if dense_input else X, *label_csr(labels))
    loss = trainer.train_batch(np.arange(n))

    Xd = X.toarray().astype(np.float64)
    T = reference_targets(labels, biases[-1].shape[0], binary)
    assert loss == pytest.approx(reference.loss(as64(weights), as64(biases), Xd, T, binary), rel=1e-5)
    weight_grads, bias_grads = reference.gradients(as64(weights), as64(biases), Xd, T, binary)
    settings = dict(lr=HYPER["learning_rate"], beta_1=HYPER["beta_1"], beta_2=HYPER["beta_2"],
                    epsilon=HYPER["epsilon"])
    # the input layer updates only the features present in the batch
    present = (Xd != 0).any(axis=0)[:, None]
    for layer in range(len(weights)):
        touched = present if layer == 0 else True
        expected_w = reference.adam_step(weights[layer], weight_grads[layer], touched, n, HYPER["l2"], **settings)
        expected_b = reference.adam_step(biases[layer], bias_grads[layer], True, n, 0.0, **settings)
        np.testing.assert_allclose(network.weights[layer], expected_w, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(network.biases[layer], expected_b, rtol=1e-5, atol=1e-7)
    assert not np.array_equal(network.weights[0][present[:, 0]], weights[0][present[:, 0]])
    np.testing.assert_array_equal(network.weights[0][~present[:, 0]], weights[0][~present[:, 0]])


def train_a_few_batches(n_threads, seed=3, n_outputs=5, batch=16):
    X, weights, biases, labels = random_problem(seed, n=4 * batch, n_features=40, hidden=(16,), n_outputs=n_outputs)
    network = Network(weights, biases)
    trainer = new_trainer(network, batch, n_threads)
    trainer.bind(X, *label_csr(labels))
    losses = [trainer.train_batch(np.arange(start, start + batch)) for start in range(0, 4 * batch, batch)]
    return network, losses


# the second case: batches of 4 blocks (one thread takes them two at a time, two threads one
# at a time) and an output layer of more than one chunk of neurons
@pytest.mark.parametrize("n_outputs, batch", [(5, 16), (300, 64)])
def test_training_is_bit_identical_across_thread_counts(n_outputs, batch):
    one, losses_one = train_a_few_batches(1, n_outputs=n_outputs, batch=batch)
    two, losses_two = train_a_few_batches(2, n_outputs=n_outputs, batch=batch)
    assert losses_one == losses_two
    for a, b in zip(one.weights + one.biases, two.weights + two.biases):
        np.testing.assert_array_equal(a, b)


def test_top_k_matches_a_full_sort():
    X, weights, biases, _ = random_problem(4, n=20, n_outputs=30)
    network = Network(weights, biases)
    logits = network.logits(X)
    labels, scores, log_normaliser = network.top_k(X, 7, 2, with_log_normaliser=True)
    expected = np.argsort(-logits, axis=1, kind="stable")[:, :7]
    np.testing.assert_array_equal(labels, expected)
    np.testing.assert_array_equal(scores, np.take_along_axis(logits, expected, axis=1))
    lse = np.log(np.exp(logits.astype(np.float64)).sum(axis=1))
    np.testing.assert_allclose(log_normaliser, lse, rtol=1e-6)


def test_network_pickles_with_its_weights():
    import pickle

    X, weights, biases, _ = random_problem(5)
    network = Network(weights, biases)
    restored = pickle.loads(pickle.dumps(network))
    np.testing.assert_array_equal(restored.logits(X), network.logits(X))


def test_engine_rejects_out_of_range_input():
    X, weights, biases, labels = random_problem(6)
    network = Network(weights, biases)
    bad = engine_csr(X)
    bad.indices = bad.indices.copy()
    bad.indices[0] = X.shape[1] + 100
    with pytest.raises(ValueError, match="column indices outside"):
        network.logits(bad)
    bad = engine_csr(X)
    bad.indptr = bad.indptr.copy()
    bad.indptr[-1] = X.nnz + 10
    with pytest.raises(ValueError, match="indptr"):
        network.logits(bad)
    with pytest.raises(TypeError, match="float32"):
        network.logits(X.toarray().astype(np.float64))
    with pytest.raises(ValueError, match="features"):
        network.logits(np.zeros((2, X.shape[1] + 1), dtype=np.float32))
    trainer = new_trainer(network, 4, 1)
    indptr, indices = label_csr(labels)
    with pytest.raises(ValueError, match="label ids"):
        trainer.bind(X, indptr, indices + 100)
    trainer.bind(X, indptr, indices)
    with pytest.raises(ValueError, match="row ids"):
        trainer.train_batch(np.array([0, X.shape[0]]))
    with pytest.raises(ValueError, match="exceeds"):
        trainer.train_batch(np.arange(5))


@pytest.mark.parametrize("count", [1, 7, 16])
@pytest.mark.parametrize("with_ids", [False, True])
def test_block_kernels_match_numpy_and_each_other(count, with_ids):
    from sparsenet.native._kernel_probes import block_products

    rng = np.random.default_rng(count)
    # widths that are not multiples of the vector or unroll sizes
    n_in, n_neurons = 37, 23
    hidden = rng.normal(size=(count, n_in)).astype(np.float32)
    weights = rng.normal(size=(n_neurons, n_in)).astype(np.float32)
    biases = rng.normal(size=n_neurons).astype(np.float32)
    ids = rng.choice(n_neurons, size=10, replace=False).astype(np.int32) if with_ids else None
    chosen = ids if with_ids else np.arange(n_neurons)
    errors = rng.normal(size=(count, len(chosen))).astype(np.float32)
    scores, back = block_products(hidden, weights, biases, ids, errors)
    h64, w64 = hidden.astype(np.float64), weights[chosen].astype(np.float64)
    np.testing.assert_allclose(scores, biases[chosen] + h64 @ w64.T, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(back, errors.astype(np.float64) @ w64, rtol=1e-4, atol=1e-4)
    # the portable kernels round exactly as the vector ones (same order, fused multiply-adds)
    generic_scores, generic_back = block_products(hidden, weights, biases, ids, errors, generic=True)
    np.testing.assert_array_equal(generic_scores, scores)
    np.testing.assert_array_equal(generic_back, back)


def test_block_kernels_refuse_out_of_range_ids():
    from sparsenet.native._kernel_probes import block_products

    hidden, weights, biases = np.ones((2, 3)), np.ones((4, 3)), np.ones(4)
    with pytest.raises(ValueError, match="ids out of range"):
        block_products(hidden, weights, biases, np.array([0, 4]), np.ones((2, 2)))
    with pytest.raises(ValueError, match="rows of hidden"):
        block_products(np.ones((17, 3)), weights, biases, None, np.ones((17, 4)))


@pytest.mark.parametrize("n_out_rows", [1, 3, 4])
def test_gradient_kernel_matches_numpy_and_its_portable_twin(n_out_rows):
    from sparsenet.native._kernel_probes import gradient_products

    rng = np.random.default_rng(n_out_rows)
    coefficients = rng.normal(size=(29, n_out_rows)).astype(np.float32)
    rows = rng.normal(size=(29, 41)).astype(np.float32)  # 41: two vector chunks and a tail
    out = gradient_products(coefficients, rows)
    np.testing.assert_allclose(out, coefficients.astype(np.float64).T @ rows, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(gradient_products(coefficients, rows, generic=True), out)
    with pytest.raises(ValueError, match="1 to 4"):
        gradient_products(np.ones((3, 5)), np.ones((3, 2)))
