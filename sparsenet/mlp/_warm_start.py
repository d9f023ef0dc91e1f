"""A fitted model meets changed parameters: what a warm-start ``fit`` or a later
``partial_fit`` does with them.

Most parameters are read afresh by every training call (learning rate, penalty, batch
size, schedule, stopping rules). The others shaped the model when it was initialised, and
silently keeping the old shape would train something other than what the user asked for:

- ``hidden_layer_sizes``: new sizes would need new weights, so the change is refused;
- the output layer's sampling (``output_sparsity``, ``hash_family``, ``n_tables``,
  ``hashes_per_table``, ``bucket_capacity``): a new sampler is made, its tables built from the
  current weights at the next step (or none, when the layer becomes dense);
- ``hidden_sparsity`` (and the table settings it shares): the last hidden layer gets a new
  sampler, or none;
- ``loss``: the output layer is trained with the new loss from the next step on.
"""
import dataclasses

import numpy as np

from sparsenet.engine._adam import AdamState
from sparsenet.mlp._parameters import hidden_sampling_plan, hidden_sizes, sampling_plan


def uses_binary_outputs(loss, multilabel, plan):
    """Whether the output layer trains one sigmoid per label: "binary", or "auto" for a
    multi-label target on a dense output layer (a sampled layer keeps the shared softmax,
    which still ranks when each sigmoid is trained only when sampled)."""
    return loss == "binary" or (loss == "auto" and multilabel and plan is None)


def table_shape(plan):
    """The part of a SamplingPlan that the sampler's tables and active sets are made of (the
    rebuild schedule is reread by every training call)."""
    if plan is None:
        return None
    return dataclasses.replace(plan, rebuild_interval=1, rebuild_growth=1.0, redraw_every=0)


def attach_hidden_sampler(model, network):
    """Give the network's last hidden layer the sampler its parameters ask for (or none),
    when they differ from the one it was fitted with."""
    hidden = list(network.hidden_sizes)
    plan = hidden_sampling_plan(model, hidden)
    if len(hidden) >= 2 and table_shape(plan) != table_shape(getattr(model, "_hidden_sampling_plan", None)):
        sampler = None if plan is None else plan.new_sampler(hidden[-1], hidden[-2],
                                                             model._rng.randint(np.iinfo(np.int32).max))
        network.set_sampler(sampler, len(hidden) - 1)
    model._hidden_sampling_plan = plan


def apply_parameter_changes(model):
    """Bring a fitted SparseMLPClassifier in line with its current parameters before it
    trains again (see the module docstring)."""
    network = model.network_
    if hidden_sizes(model.hidden_layer_sizes) != list(network.hidden_sizes):
        raise ValueError(
            f"hidden_layer_sizes={model.hidden_layer_sizes!r} differs from the fitted network's "
            f"{tuple(network.hidden_sizes)}; use warm_start=False (or a new estimator) to train new weights"
        )
    n_classes = model._targets.n_classes
    plan = sampling_plan(model, n_classes)
    # models saved before the plan was recorded: take their sampler as matching
    fitted = getattr(model, "_sampling_plan", plan)
    if table_shape(plan) != table_shape(fitted):
        sampler = None
        if plan is not None:
            seed = model._rng.randint(np.iinfo(np.int32).max)
            sampler = plan.new_sampler(n_classes, network.hidden_sizes[-1], seed)
        network.set_sampler(sampler)
    model._sampling_plan = plan
    attach_hidden_sampler(model, network)
    model._binary_outputs = uses_binary_outputs(model.loss, model._targets.multilabel, plan)


def restore_optimizer(model):
    """Zero Adam moments for a fitted model whose file was saved without them
    (``save(path, optimizer_state=False)``): training it again starts its moments afresh."""
    if getattr(model, "_adam", False) is None and getattr(model, "network_", None) is not None:
        model._adam = AdamState.zeros_for(model.network_)
