"""A plain NumPy (float64) version of the engine's network, loss and Adam step: the reference
the Cython kernels are checked against. Written for clarity, not speed."""
import numpy as np


def forward(weights, biases, X):
    """Return the hidden activations and the logits; X is a dense float64 array."""
    activations = [np.maximum(X @ weights[0] + biases[0], 0.0)]
    for w, b in zip(weights[1:-1], biases[1:-1]):
        activations.append(np.maximum(activations[-1] @ w.T + b, 0.0))
    logits = activations[-1] @ weights[-1].T + biases[-1]
    return activations, logits


def targets_matrix(label_lists, n_outputs):
    """Target distribution: the mass of each row spread evenly over its labels."""
    T = np.zeros((len(label_lists), n_outputs))
    for i, labels in enumerate(label_lists):
        for label in labels:
            T[i, label] += 1.0 / len(labels)
    return T


def indicator_matrix(label_lists, n_outputs):
    """Binary targets: 1 where a row has the label."""
    T = np.zeros((len(label_lists), n_outputs))
    for i, labels in enumerate(label_lists):
        T[i, labels] = 1.0
    return T


def loss(weights, biases, X, T, binary=False):
    """Summed softmax cross-entropy of the batch against target distributions T, or with
    ``binary`` the summed binary cross-entropy of every output against indicators T."""
    _, logits = forward(weights, biases, X)
    if binary:
        return (np.logaddexp(0.0, logits) - T * logits).sum()
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -(T * log_probabilities).sum()


def gradients(weights, biases, X, T, binary=False):
    """Gradients of the summed loss, in the engine's layouts."""
    activations, logits = forward(weights, biases, X)
    if binary:
        error = 1.0 / (1.0 + np.exp(-logits)) - T
    else:
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        has_labels = T.sum(axis=1, keepdims=True) > 0
        error = (probabilities - T) * has_labels
    weight_grads = [None] * len(weights)
    bias_grads = [None] * len(weights)
    for layer in range(len(weights) - 1, 0, -1):
        weight_grads[layer] = error.T @ activations[layer - 1]
        bias_grads[layer] = error.sum(axis=0)
        error = (error @ weights[layer]) * (activations[layer - 1] > 0)
    weight_grads[0] = X.T @ error
    bias_grads[0] = error.sum(axis=0)
    return weight_grads, bias_grads


def adam_step(param, grad_sum, touched, batch_size, l2, lr, beta_1, beta_2, epsilon, step=1):
    """First Adam step from zero moments on the rows flagged in `touched`."""
    g = (grad_sum + l2 * param) / batch_size
    m = (1 - beta_1) * g
    v = (1 - beta_2) * g * g
    step_size = lr * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
    updated = param - step_size * m / (np.sqrt(v) + epsilon)
    return np.where(touched, updated, param)
