"""The model as a round ships it to the replicas.

A trained network keeps each weight row beside its two Adam moment rows in one block per
layer. Pickling the network's arrays one by one would split every block into three arrays,
which a replica's first step would copy back together; the blocks themselves are shipped.
"""
import copy

from sparsenet.distributed._row_blocks import interleaved_base
from sparsenet.engine._adam import AdamState, interleaved_block, interleaved_views
from sparsenet.engine._network import Network


class ShippedModel:
    """A model for the replicas: the estimator without its network and optimiser state,
    plus the layers' interleaved blocks, biases and bias moments, samplers and step count."""

    def __init__(self, model):
        network, adam = model.network_, model._adam
        self.skeleton = skeleton_of(model)
        self.blocks = [layer_block(network.weights[l], adam.weight_m[l], adam.weight_v[l])
                       for l in range(network.n_layers)]
        self.biases = list(network.biases)
        self.bias_moments = (list(adam.bias_m), list(adam.bias_v))
        self.samplers = list(network.samplers)
        self.step = adam.step

    def over_arrays(self):
        """A model over these very arrays, with samplers and a step count of its own: for
        predictions, and for a replica that trains it in place and puts back the rows it
        changed (``train_replica``; only where nothing else may read the arrays meanwhile)."""
        # arrays a worker received may be read-only views of its network buffers
        self.blocks = [writeable(block) for block in self.blocks]
        self.biases = [writeable(b) for b in self.biases]
        self.bias_moments = tuple([writeable(m) for m in moments] for moments in self.bias_moments)
        return self._model(lambda shared: shared)

    def private_copy(self):
        """A model of its own for one replica: every array it trains copied. On a cluster
        the worker may be sending the shipped arrays to another worker while a replica
        trains, so they must not change."""
        return self._model(lambda shared: shared.copy())

    def _model(self, take):
        model = copy.copy(self.skeleton)
        views = [interleaved_views(take(block)) for block in self.blocks]
        model.network_ = Network([v[0] for v in views], [take(b) for b in self.biases],
                                 [copy.deepcopy(sampler) for sampler in self.samplers])
        model._adam = AdamState([v[1] for v in views], [v[2] for v in views],
                                [take(m) for m in self.bias_moments[0]], [take(m) for m in self.bias_moments[1]],
                                self.step)
        return model


def skeleton_of(model):
    """The estimator without its network and optimiser state, for the replicas."""
    skeleton = copy.copy(model)
    for name in ("network_", "_adam", "_best_network"):
        skeleton.__dict__.pop(name, None)
    # callbacks and progress run on the driver (and may hold what cannot be pickled)
    skeleton.callbacks, skeleton.verbose = None, 0
    return skeleton


def layer_block(weights, first_moment, second_moment):
    """The (rows, 3, width) block holding a layer's weights and moments (made when they do
    not live in one yet)."""
    base = interleaved_base(weights, first_moment, second_moment)
    if base is not None:
        return base
    block = interleaved_block(*weights.shape)
    new_weights, new_m, new_v = interleaved_views(block)
    new_weights[...] = weights
    new_m[...] = 0.0 if first_moment is None else first_moment
    new_v[...] = 0.0 if second_moment is None else second_moment
    return block


def writeable(array):
    """``array`` itself, or a writeable copy of a read-only one."""
    return array if array.flags.writeable else array.copy()
