"""Trainer.set_dropout: the last hidden layer's activations dropped in a step, checked
against a NumPy reference that draws the same masks from the documented rule (16 random bits
per activation, four from each 64-bit draw of the dropout stream by step and row), and bit-identical
for any thread count."""
import numpy as np
import pytest

import _reference_network as reference
from engine_problems import as64, assert_one_adam_step, label_csr, new_trainer, random_problem
from sparsenet.engine._network import Network

MASK64 = (1 << 64) - 1


def mix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def draw(seed, index):
    return mix64(seed ^ mix64(index))


def dropout_stream(seed):
    """The seed of the dropout stream (purpose 5) of ``seed``, as native/_random.pxd derives it."""
    return draw(mix64(seed) ^ 0xA0761D6478BD642F, 5)


def kept_mask(seed, step, row, width, rate):
    """Which of a row's last-hidden activations step ``step`` keeps (True) at ``rate``."""
    threshold = round(rate * 65536)
    step_seed = draw(dropout_stream(seed), step)
    n_draws = (width + 3) // 4
    bits = [(draw(step_seed, row * n_draws + j // 4) >> (16 * (j % 4))) & 0xFFFF for j in range(width)]
    return np.array(bits) >= threshold


def gradients_with_dropout(weights, biases, X, labels, masks, scale, binary):
    """The loss and its gradients (softmax cross-entropy, or binary with ``binary``) when
    the last hidden layer is multiplied by ``masks * scale`` (rows: the batch's samples)."""
    activations = [np.maximum(X @ weights[0] + biases[0], 0.0)]
    for w, b in zip(weights[1:-1], biases[1:-1]):
        activations.append(np.maximum(activations[-1] @ w.T + b, 0.0))
    activations[-1] = activations[-1] * masks * scale
    logits = activations[-1] @ weights[-1].T + biases[-1]
    if binary:
        T = reference.indicator_matrix(labels, biases[-1].shape[0])
        loss = (np.logaddexp(0.0, logits) - T * logits).sum()
        error = 1.0 / (1.0 + np.exp(-logits)) - T
    else:
        T = reference.targets_matrix(labels, biases[-1].shape[0])
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        loss = -(T * np.log(probabilities)).sum()
        error = probabilities - T
    weight_grads, bias_grads = [None] * len(weights), [None] * len(weights)
    for layer in range(len(weights) - 1, 0, -1):
        weight_grads[layer] = error.T @ activations[layer - 1]
        bias_grads[layer] = error.sum(axis=0)
        error = (error @ weights[layer]) * (activations[layer - 1] > 0)
        if layer == len(weights) - 1:
            error = error * scale
    weight_grads[0] = X.T @ error
    bias_grads[0] = error.sum(axis=0)
    return loss, weight_grads, bias_grads


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("hidden, n_outputs, n_rows", [((6, 5), 4, 9), ((20,), 300, 40)])
def test_one_step_with_dropout_matches_reference(n_threads, binary, hidden, n_outputs, n_rows):
    rate, seed = 0.375, 12345
    X, weights, biases, labels = random_problem(4, n=n_rows, hidden=hidden, n_outputs=n_outputs,
                                                multilabel=binary)
    network = Network([w.copy() for w in weights], [b.copy() for b in biases])
    trainer = new_trainer(network, n_rows, n_threads, "binary" if binary else "softmax")
    trainer.set_dropout(rate, seed)
    trainer.bind(X, *label_csr(labels))
    loss = trainer.train_batch(np.arange(n_rows))

    width = hidden[-1]
    masks = np.array([kept_mask(seed, 1, row, width, rate) for row in range(n_rows)])
    assert 0 < masks.mean() < 1
    scale = 1.0 / (1.0 - rate)
    expected_loss, weight_grads, bias_grads = gradients_with_dropout(
        as64(weights), as64(biases), X.toarray().astype(np.float64), labels, masks, scale, binary)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert_one_adam_step(network, weights, biases, weight_grads, bias_grads, X.toarray())


def train_steps(n_threads, rate, seed=7, n_outputs=300, batch=64):
    X, weights, biases, labels = random_problem(3, n=4 * batch, n_features=40, hidden=(16,), n_outputs=n_outputs)
    network = Network(weights, biases)
    trainer = new_trainer(network, batch, n_threads)
    trainer.set_dropout(rate, seed)
    trainer.bind(X, *label_csr(labels))
    losses = [trainer.train_batch(np.arange(start, start + batch)) for start in range(0, 4 * batch, batch)]
    return network, losses


def test_dropout_is_bit_identical_across_thread_counts():
    one, losses_one = train_steps(1, 0.3)
    two, losses_two = train_steps(2, 0.3)
    assert losses_one == losses_two
    for a, b in zip(one.weights + one.biases, two.weights + two.biases):
        np.testing.assert_array_equal(a, b)


def test_dropout_changes_training_and_rate_zero_turns_it_off():
    dropped, dropped_losses = train_steps(1, 0.3)
    off, off_losses = train_steps(1, 0.0)
    plain, plain_losses = train_steps(1, 0.0, seed=99)  # the seed is unused at rate 0
    assert dropped_losses != off_losses
    assert off_losses == plain_losses
    assert not np.array_equal(dropped.weights[0], off.weights[0])


def test_other_seeds_draw_other_masks():
    a, losses_a = train_steps(1, 0.3, seed=1)
    b, losses_b = train_steps(1, 0.3, seed=2)
    assert losses_a != losses_b


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5])
def test_a_rate_outside_zero_to_one_is_refused(rate):
    X, weights, biases, labels = random_problem(1)
    trainer = new_trainer(Network(weights, biases), 4, 1)
    with pytest.raises(ValueError, match="dropout rate must lie in"):
        trainer.set_dropout(rate, 0)
    assert trainer.dropout_rate == 0.0


def test_a_rate_just_below_one_keeps_a_finite_scale():
    X, weights, biases, labels = random_problem(1)
    network = Network(weights, biases)
    trainer = new_trainer(network, 4, 1)
    trainer.set_dropout(1.0 - 1e-9, 0)
    assert trainer.dropout_rate == 65535 / 65536
    trainer.bind(X, *label_csr(labels))
    trainer.train_batch(np.arange(4))
    assert all(np.isfinite(w).all() for w in network.weights + network.biases)
