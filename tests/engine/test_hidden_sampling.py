"""Training through a sampled hidden layer: the same maths as dense training when every
neuron is active, only the chosen neurons computed and updated otherwise, reproducible for
any thread count, and inference that keeps the layer's highest activations."""
import numpy as np
import pytest
from scipy import sparse
from sparsenet.engine._initialisation import glorot_network
from sparsenet.engine._trainer import Trainer
from sparsenet.sampling._active_sets import LayerSampler
from sparsenet.sampling._hash_families import HashFamily
from sparsenet.sampling._hash_tables import HashTables

from sparsenet.engine._settings import AdamSettings
from sparsenet.mlp._inputs import csr_for_engine

SMOOTH_ADAM = AdamSettings(learning_rate=1e-2, beta_1=0.9, beta_2=0.999, epsilon=1.0, l2=0.0)
FAST_ADAM = AdamSettings(learning_rate=1e-2, beta_1=0.9, beta_2=0.999, epsilon=1e-8, l2=0.0)
WIDE = 96


def hidden_sampler(min_active, n_tables=8, hashes=2, range_bits=4, capacity=WIDE, family="dwta", dimension=16):
    tables = HashTables(HashFamily(family, dimension, n_tables, hashes, range_bits, 5), WIDE, capacity)
    return LayerSampler(tables, min_active=min_active, lsh_share=1.0, rebuild_interval=3, rebuild_growth=1.5,
                        max_rebuild_interval=5000, redraw_every=0, seed=11)


def train(X, Y, sampler, n_threads=1, batches=6, batch=64, distinct=6, adam_settings=SMOOTH_ADAM):
    network, adam = glorot_network([X.shape[1], 16, WIDE, Y.shape[1]], 1, 1)
    network.set_sampler(sampler, 1)
    trainer = Trainer(network, adam)
    trainer.configure(adam_settings, "softmax", batch, n_threads)
    trainer.bind(X, Y.indptr, Y.indices)
    losses = [trainer.train_batch(np.arange(batch * (b % distinct), batch * (b % distinct + 1))) for b in range(batches)]
    return losses, trainer


@pytest.fixture(scope="module")
def problem(xmc_problem):
    X, Y = xmc_problem
    # one label a row among 40: each row's first label, folded
    first = Y.indices[Y.indptr[:600]] % 40
    return csr_for_engine(X[:600]), sparse.csr_matrix((np.ones(600), first, np.arange(601)), shape=(600, 40))


def everything_active():
    """One table of one bucket holding every neuron: every neuron is active."""
    return LayerSampler(HashTables(HashFamily("simhash", 16, 1, 1, 1, 0), WIDE, WIDE), min_active=WIDE,
                        lsh_share=1.0, rebuild_interval=50, rebuild_growth=1.1, max_rebuild_interval=5000,
                        redraw_every=0, seed=0)


def test_a_hidden_layer_with_every_neuron_active_matches_dense_training(problem):
    X, Y = problem
    # one step: the same arithmetic (a neuron whose errors are all zero is not visited, and
    # with zero moments dense Adam does not move it either)
    _, dense = train(X, Y, None, batches=1)
    _, sampled = train(X, Y, everything_active(), batches=1)
    for a, b in zip(sampled.network.weights + sampled.network.biases, dense.network.weights + dense.network.biases):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # later steps differ only by sparse Adam's semantics there: such a neuron keeps its
    # moments instead of decaying them
    dense_losses, _ = train(X, Y, None)
    sampled_losses, _ = train(X, Y, everything_active())
    np.testing.assert_allclose(sampled_losses, dense_losses, rtol=1e-3)


def test_only_the_batch_s_active_neurons_change(problem):
    X, Y = problem
    network, adam = glorot_network([X.shape[1], 16, WIDE, Y.shape[1]], 1, 1)
    network.set_sampler(hidden_sampler(min_active=6), 1)
    trainer = Trainer(network, adam)
    trainer.configure(SMOOTH_ADAM, "softmax", 8, 1)
    trainer.bind(X, Y.indptr, Y.indices)
    before = network.weights[1].copy(), network.biases[1].copy()
    trainer.train_batch(np.arange(8))
    changed = np.flatnonzero((network.weights[1] != before[0]).any(axis=1) | (network.biases[1] != before[1]))
    # 8 samples of 6 active neurons each: at most 48 of the 96 neurons moved, and some did
    assert 0 < changed.size <= 48


def test_sampled_hidden_training_learns_and_is_reproducible_across_threads(problem):
    X, Y = problem
    # the same three batches, seven times over
    losses, one = train(X, Y, hidden_sampler(min_active=24), n_threads=1, batches=21, distinct=3, adam_settings=FAST_ADAM)
    again, two = train(X, Y, hidden_sampler(min_active=24), n_threads=2, batches=21, distinct=3, adam_settings=FAST_ADAM)
    assert losses == again
    for a, b in zip(one.network.weights, two.network.weights):
        np.testing.assert_array_equal(a, b)
    assert sum(losses[-3:]) < 0.9 * sum(losses[:3])
    stats = one.hidden_sampling_stats
    assert stats["mean_active"] >= 24 and stats["table_builds"] >= 2


def test_inference_keeps_the_highest_activations_of_a_sampled_hidden_layer(problem):
    X, Y = problem
    _, trainer = train(X, Y, hidden_sampler(min_active=10), batches=3)
    network = trainer.network
    rows = X[:20].toarray().astype(np.float64)
    w = [a.astype(np.float64) for a in network.weights]
    b = [a.astype(np.float64) for a in network.biases]
    h0 = np.maximum(rows @ w[0] + b[0], 0)
    h1 = np.maximum(h0 @ w[1].T + b[1], 0)
    threshold = np.sort(h1, axis=1)[:, -10][:, None]
    kept = np.where(h1 >= threshold, h1, 0)
    np.testing.assert_allclose(network.logits(csr_for_engine(X[:20])), kept @ w[2].T + b[2], rtol=1e-4, atol=1e-4)
    assert ((kept > 0).sum(axis=1) <= 10).all()
    network.dense_hidden_inference = True
    np.testing.assert_allclose(network.logits(csr_for_engine(X[:20])), h1 @ w[2].T + b[2], rtol=1e-4, atol=1e-4)


def test_which_layers_can_be_sampled(problem):
    X, Y = problem
    network, _ = glorot_network([X.shape[1], 16, WIDE, WIDE, Y.shape[1]], 1, 1)
    with pytest.raises(ValueError, match="first hidden layer"):
        network.set_sampler(hidden_sampler(4), 0)
    network.set_sampler(hidden_sampler(4), 1)
    with pytest.raises(ValueError, match="one hidden layer"):
        network.set_sampler(hidden_sampler(4, dimension=WIDE), 2)
    shared = LayerSampler(HashTables(HashFamily("dwta", 16, 2, 2, 4, 0), WIDE, WIDE), min_active=8, lsh_share=0.5,
                          rebuild_interval=3, rebuild_growth=1.5, max_rebuild_interval=50, redraw_every=0, seed=0)
    with pytest.raises(ValueError, match="lsh_share=1"):
        network.set_sampler(shared, 1)


@pytest.mark.parametrize("min_active, n_tables, capacity, family", [
    (1, 1, 1, "dwta"), (WIDE, 2, 1, "simhash"), (3, 30, 2, "mips"), (WIDE // 2, 8, WIDE, "dwta"),
])
def test_extreme_hidden_sampling_settings_stay_in_bounds(problem, min_active, n_tables, capacity, family):
    X, Y = problem
    sampler = hidden_sampler(min_active, n_tables=n_tables, capacity=capacity, family=family)
    losses, trainer = train(X, Y, sampler, n_threads=2, batches=4, batch=7)
    assert np.isfinite(losses).all()
    labels, scores = trainer.network.top_k(csr_for_engine(X[:30]), 3, n_threads=2)
    assert np.isfinite(scores).all() and labels.min() >= 0 and labels.max() < Y.shape[1]


def test_a_sampled_hidden_layer_under_a_sampled_output_layer(problem, xmc_problem):
    X, Y = xmc_problem
    X, Y = csr_for_engine(X[:600]), Y[:600]
    runs = []
    for n_threads in (1, 2):
        network, adam = glorot_network([X.shape[1], 16, WIDE, Y.shape[1]], 1, 1)
        network.set_sampler(hidden_sampler(min_active=12), 1)
        output_tables = HashTables(HashFamily("dwta", WIDE, 10, 3, 8, 2), Y.shape[1], 32)
        network.set_sampler(LayerSampler(output_tables, min_active=100, lsh_share=0.1, rebuild_interval=4,
                                         rebuild_growth=1.2, max_rebuild_interval=100, redraw_every=0, seed=1))
        trainer = Trainer(network, adam)
        trainer.configure(FAST_ADAM, "softmax", 50, n_threads)
        trainer.bind(X, Y.indptr, Y.indices)
        losses = [trainer.train_batch(np.arange(50 * b, 50 * (b + 1))) for b in range(10)]
        labels, _, _ = network.top_k_sampled(csr_for_engine(X[:20]), 5, n_threads=n_threads)
        runs.append((losses, network.weights[1].copy(), labels))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    np.testing.assert_array_equal(runs[0][2], runs[1][2])
    assert np.isfinite(runs[0][0]).all()
