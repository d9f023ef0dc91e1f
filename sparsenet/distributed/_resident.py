"""Replicas that stay on the workers between rounds, so that a round ships only the rows
the last round changed instead of the whole model.

A worker keeps one replica per partition it trains, under the fit's id and the
partition's index. A replica at version v holds the driver's model of version v plus the
rows its own last round trained; every call brings it to the driver's current version
with a RowDelta (the rows any replica changed since v, as the driver averaged them, and
the small state shipped whole), which overwrites every row the replica trained, so the
replica then equals the driver's model exactly. A replica that is missing (its worker was
lost and the task ran elsewhere) or at another version answers ReplicaMissing, and the
driver installs every replica again from its model.
"""
import copy
import threading
from typing import NamedTuple

from sparsenet.distributed._replica import train_and_report
from sparsenet.distributed._row_blocks import parameter_blocks
from sparsenet.engine._adam import AdamState
from sparsenet.engine._network import Network
from sparsenet.mlp._training_loop import validation_hits

# (fit id, partition index) -> Resident, in each worker process
REPLICAS = {}
REPLICAS_LOCK = threading.Lock()


class ReplicaMissing(RuntimeError):
    """This worker holds no replica of the partition at the version the driver asked for."""


class RowDelta(NamedTuple):
    """What brings a replica from version ``base`` to ``version``: per parameter block (in
    the order of ``parameter_blocks``) the changed rows and their values and moments, a
    (rows, 3, width) array; the estimator without its arrays, Adam's step, and the samplers when
    the driver rebuilt them (None otherwise)."""

    base: int
    version: int
    rows: list
    values: list
    skeleton: object
    step: int
    samplers: object


class Resident:
    """A replica's model (arrays of its own) and the samplers as the driver built them."""

    def __init__(self, shipped, version):
        self.model = shipped.private_copy()
        self.samplers = [copy.deepcopy(sampler) for sampler in shipped.samplers]
        self.version = version

    def apply(self, delta):
        model = self.model
        for block, rows, values in zip(parameter_blocks(model.network_, model._adam), delta.rows, delta.values):
            block.put(rows, values)
        if delta.samplers is not None:
            self.samplers = delta.samplers
        adam = model._adam
        skeleton = copy.copy(delta.skeleton)
        skeleton.network_ = model.network_
        skeleton._adam = AdamState(adam.weight_m, adam.weight_v, adam.bias_m, adam.bias_v, delta.step)
        self.model = skeleton
        self.version = delta.version

    def current_model(self):
        """The model with fresh copies of the driver's samplers (a round's rebuilds change
        only the copies)."""
        network = self.model.network_
        self.model.network_ = Network(network.weights, network.biases,
                                      [copy.deepcopy(sampler) for sampler in self.samplers])
        return self.model


def install(fit_id, index, shipped, version):
    """Keep a replica of ``shipped`` (a ShippedModel) for partition ``index`` on this worker;
    returns the worker's address."""
    from distributed import get_worker

    resident = Resident(shipped, version)
    with REPLICAS_LOCK:
        REPLICAS[fit_id, index] = resident
    return get_worker().address


def brought_up_to_date(fit_id, index, delta):
    with REPLICAS_LOCK:
        resident = REPLICAS.get((fit_id, index))
    if resident is None or resident.version != delta.base:
        raise ReplicaMissing(f"no replica of partition {index} at version {delta.base} on this worker")
    resident.apply(delta)
    return resident


def train_resident(fit_id, index, delta, partition, batches, rates=None):
    """Bring the replica of ``index`` to the delta's version, train it on ``batches`` of
    ``partition`` (at the step sizes ``rates``, if given) and report its ReplicaUpdate."""
    resident = brought_up_to_date(fit_id, index, delta)
    return train_and_report(resident.current_model(), partition, batches, rates)


def resident_hits(fit_id, index, delta, validation):
    """Bring the replica of ``index`` to the delta's version and count its held-out hits."""
    resident = brought_up_to_date(fit_id, index, delta)
    return validation_hits(resident.current_model(), validation, 1)


def drop_fit(fit_id):
    """Forget this worker's replicas of the fit ``fit_id``."""
    with REPLICAS_LOCK:
        for key in [key for key in REPLICAS if key[0] == fit_id]:
            del REPLICAS[key]
