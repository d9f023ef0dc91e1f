"""Network: its forward pass against a NumPy reference, top-k, pickling and input checks."""
import pickle

import numpy as np
import pytest

import _reference_network as reference
from engine_problems import as64, engine_csr, label_csr, new_trainer, random_problem
from sparsenet.engine._network import Network


@pytest.mark.parametrize("dense_input", [False, True])
def test_logits_match_reference(dense_input):
    X, weights, biases, _ = random_problem(0)
    network = Network(weights, biases)
    _, expected = reference.forward(as64(weights), as64(biases), X.toarray().astype(np.float64))
    X_engine = X.toarray() if dense_input else X
    np.testing.assert_allclose(network.logits(X_engine), expected, rtol=1e-5, atol=1e-5)


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


@pytest.mark.parametrize("dense_input", [False, True])
def test_one_row_scores_as_it_does_among_many(dense_input):
    # a single row takes its own path (no typed-memoryview set-up): the same numbers
    X, weights, biases, _ = random_problem(7, n=12, n_outputs=30)
    network = Network(weights, biases)
    X = engine_csr(X) if not dense_input else X.toarray()
    logits = network.logits(X, 2)
    labels, scores = network.top_k(X, 5, 2)
    for i in range(X.shape[0]):
        row = X[i:i + 1] if not dense_input else X[i:i + 1].copy()
        if not dense_input:
            row = engine_csr(row)
        np.testing.assert_array_equal(network.logits(row), logits[i:i + 1])
        row_labels, row_scores = network.top_k(row, 5)
        np.testing.assert_array_equal(row_labels, labels[i:i + 1])
        np.testing.assert_array_equal(row_scores, scores[i:i + 1])
        assert row_labels.dtype == np.int64 and row_scores.dtype == np.float32


def test_one_row_whose_scores_overflow_is_refused():
    # values far beyond the training scale overflow float32 in some rows (not in rows whose
    # hidden units all stay at zero): alone, each row is refused exactly when it is among many
    X, weights, biases, _ = random_problem(8, n=6)
    network = Network(weights, biases)
    huge = engine_csr(X)
    huge.data = np.full_like(huge.data, 3e38)
    with pytest.raises(ValueError, match="not finite"):
        network.logits(huge)
    overflowing = 0
    for i in range(huge.shape[0]):
        row = engine_csr(huge[i:i + 1])
        try:
            network.logits(engine_csr(huge[[i, i]]))  # two rows: the batch path
        except ValueError:
            overflowing += 1
            for call in (lambda: network.logits(row), lambda: network.top_k(row, 1)):
                with pytest.raises(ValueError, match="X row 0: the network's output scores are not finite"):
                    call()
        else:
            assert np.isfinite(network.logits(row)).all() and network.top_k(row, 1)[0].shape == (1, 1)
    assert overflowing > 0


def test_network_pickles_with_its_weights():
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


def test_predictions_while_weights_are_swapped_stay_safe():
    # each call binds the arrays of its moment and keeps them alive: swapping layers from
    # another thread can change which weights a call sees, never make it read freed memory
    import threading

    X, weights, biases, _ = random_problem(8, n=200, n_features=40, hidden=(64,), n_outputs=30)
    network = Network([w.copy() for w in weights], [b.copy() for b in biases])
    expected = {0: network.logits(X, 2)}
    halved = [w * 0.5 for w in weights]
    expected[1] = Network(halved, biases).logits(X, 2)
    stop = threading.Event()

    def swap():
        turn = 0
        while not stop.is_set():
            turn ^= 1
            for layer in range(len(weights)):
                network.set_weights(layer, (halved if turn else weights)[layer].copy())

    swapper = threading.Thread(target=swap)
    swapper.start()
    try:
        for _ in range(200):
            logits = network.logits(X, 2)
            assert np.isfinite(logits).all()
            network.top_k(X, 3, 2)
    finally:
        stop.set()
        swapper.join()
    assert any(np.array_equal(network.logits(X, 2), e) for e in expected.values())
