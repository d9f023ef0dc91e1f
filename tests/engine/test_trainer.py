"""Trainer: one Adam step against a NumPy reference and finite differences, bit-identical
results for any thread count."""
import numpy as np
import pytest

import _reference_network as reference
from engine_problems import as64, assert_one_adam_step, label_csr, new_trainer, random_problem
from sparsenet.engine._network import Network


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
    assert_one_adam_step(network, weights, biases, weight_grads, bias_grads, Xd)
    present = (Xd != 0).any(axis=0)[:, None]
    assert not np.array_equal(network.weights[0][present[:, 0]], weights[0][present[:, 0]])
    np.testing.assert_array_equal(network.weights[0][~present[:, 0]], weights[0][~present[:, 0]])


def train_a_few_batches(n_threads, seed=3, n_outputs=5, batch=16, threads_per_step=None):
    X, weights, biases, labels = random_problem(seed, n=4 * batch, n_features=40, hidden=(16,), n_outputs=n_outputs)
    network = Network(weights, biases)
    trainer = new_trainer(network, batch, n_threads)
    trainer.bind(X, *label_csr(labels))
    losses = []
    for step, start in enumerate(range(0, 4 * batch, batch)):
        if threads_per_step is not None:
            trainer.use_threads(threads_per_step[step])
        losses.append(trainer.train_batch(np.arange(start, start + batch)))
    return network, losses


def test_switching_thread_counts_between_steps_changes_nothing():
    # the training loop runs each step on the count that is fastest at the time
    steady, steady_losses = train_a_few_batches(1, n_outputs=300, batch=64)
    switched, switched_losses = train_a_few_batches(2, n_outputs=300, batch=64, threads_per_step=[2, 1, 1, 2])
    assert steady_losses == switched_losses
    for a, b in zip(steady.weights + steady.biases, switched.weights + switched.biases):
        np.testing.assert_array_equal(a, b)


def test_a_step_cannot_use_more_threads_than_configured():
    X, weights, biases, labels = random_problem(1)
    trainer = new_trainer(Network(weights, biases), 4, 2)
    with pytest.raises(ValueError, match=r"n_threads must lie in \[1, 2\]"):
        trainer.use_threads(3)
    with pytest.raises(ValueError, match="n_threads"):
        trainer.use_threads(0)


# the second case: batches of 4 blocks (one thread takes them two at a time, two threads one
# at a time) and an output layer of more than one chunk of neurons
@pytest.mark.parametrize("n_outputs, batch", [(5, 16), (300, 64)])
def test_training_is_bit_identical_across_thread_counts(n_outputs, batch):
    one, losses_one = train_a_few_batches(1, n_outputs=n_outputs, batch=batch)
    two, losses_two = train_a_few_batches(2, n_outputs=n_outputs, batch=batch)
    assert losses_one == losses_two
    for a, b in zip(one.weights + one.biases, two.weights + two.biases):
        np.testing.assert_array_equal(a, b)


def test_weights_swapped_between_steps_are_trained_not_misread():
    # a callback, a loader or model averaging may put new arrays into the network between
    # configure() and a step: the step must train those, never read the old ones
    X, weights, biases, labels = random_problem(7, n=16, hidden=(8,), n_outputs=5)
    swapped = Network([w.copy() for w in weights], [b.copy() for b in biases])
    trainer = new_trainer(swapped, 16, 2)
    trainer.bind(X, *label_csr(labels))
    trainer.train_batch(np.arange(16))
    fresh = [w * 0.5 for w in weights]
    for layer, new_weights in enumerate(fresh):
        swapped.set_weights(layer, new_weights.copy())
    trainer.train_batch(np.arange(16))
    # the same two steps, the second from the swapped-in weights from the start
    reference_network = Network([w.copy() for w in weights], [b.copy() for b in biases])
    reference_trainer = new_trainer(reference_network, 16, 2)
    reference_trainer.bind(X, *label_csr(labels))
    reference_trainer.train_batch(np.arange(16))
    for layer, new_weights in enumerate(fresh):
        reference_network.weights[layer][...] = new_weights
    reference_trainer.train_batch(np.arange(16))
    for a, b in zip(swapped.weights + swapped.biases, reference_network.weights + reference_network.biases):
        np.testing.assert_array_equal(a, b)
