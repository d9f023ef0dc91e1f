"""Where the replicas run: in this process one after the other (``LocalExecutor``, for a fit
without a cluster and for tests), or as tasks of a Dask cluster (``DaskExecutor``).

Both answer the same calls, so the round loop is written once:

- ``place(function, args_list)``: run ``function(*args)`` once per partition where the
  partition's data should live; the results stay there, as handles;
- ``run(function, args_list)``: one task per argument tuple (handles resolved), the results
  returned here in the order given;
- ``share(value)``: a handle of ``value`` for the tasks' arguments, sent to the cluster once
  however many tasks read it;
- ``start(model, partitions)``, then per round ``train(model, calls, learning_rate)`` (calls:
  (partition index, batches, step sizes or None) triples; one ReplicaUpdate each) and ``written(rows, rebuilt)``
  (the rows the driver's averaging wrote, and whether it rebuilt the samplers), per epoch
  ``validation_hits(model, validation)``, and ``finish()``.
"""
import uuid

import numpy as np

from sparsenet.distributed._replica import held_out_hits, train_replica
from sparsenet.distributed._row_blocks import parameter_blocks
from sparsenet.distributed._replica_copies import ShippedModel, skeleton_of
from sparsenet.distributed._resident import ReplicaMissing, RowDelta, drop_fit, install, resident_hits, \
    train_resident

class WorkerLost(RuntimeError):
    """A distributed fit stopped: the cluster lost data or work it could not recompute.

    Examples
    --------
    >>> from sparsenet.distributed import WorkerLost
    >>> issubclass(WorkerLost, RuntimeError)
    True
    """


class LocalExecutor:
    """Runs every task in this process, in order; the replicas train the driver's arrays in
    place, one after the other, each putting back what it changed."""

    def place(self, function, args_list):
        return [function(*args) for args in args_list]

    def run(self, function, args_list):
        return [function(*args) for args in args_list]

    def share(self, value):
        return value

    def start(self, model, partitions):
        self.partitions = partitions

    def train(self, model, calls, learning_rate):
        shipped = ShippedModel(model)
        shipped.skeleton.learning_rate = learning_rate
        return [train_replica(shipped, self.partitions[index], batches, rates, in_place=True)
                for index, batches, rates in calls]

    def written(self, rows, rebuilt):
        pass

    def validation_hits(self, model, validation):
        shipped = ShippedModel(model)
        return [held_out_hits(shipped, part) for part in validation]

    def finish(self):
        self.partitions = None

    def cancel(self):
        pass


# errors of the cluster itself (a lost worker, a closed connection), not of a task's code
CLUSTER_ERROR_MODULES = ("distributed", "concurrent", "asyncio")


def is_lost_work(error):
    return isinstance(error, (ReplicaMissing, OSError)) or type(error).__module__.startswith(CLUSTER_ERROR_MODULES)


class DaskExecutor:
    """Runs tasks on a ``distributed.Client``'s workers, each replica kept on a worker
    between rounds (``_resident``), so that a round ships only the rows the last one
    changed. A call that loses work (a worker lost, a replica missing) installs every
    replica again from the driver's model and is retried, up to ``retries`` times."""

    def __init__(self, client, retries=2):
        self.client = client
        self.retries = retries
        self._running = []
        self.fit_id = None

    def place(self, function, args_list):
        return [self.client.submit(function, *args, pure=False, retries=self.retries) for args in args_list]

    def run(self, function, args_list):
        return self._gather([self.client.submit(function, *args, pure=False, retries=self.retries)
                             for args in args_list])

    def share(self, value):
        # not broadcast: that hung when a worker died; the tasks fetch it from where it lies
        return self.client.scatter(value, hash=False)

    def start(self, model, partitions):
        self.fit_id, self.partitions = uuid.uuid4().hex, partitions
        self.homes = None  # the worker of each partition's replica; None: not installed
        self.version = self.shipped_version = 0
        self.pending, self.rebuilt = None, False

    def train(self, model, calls, learning_rate):
        return self._resident_call(train_resident, model, learning_rate,
                                   [(index, self.partitions[index], batches, rates) for index, batches, rates in calls])

    def written(self, rows, rebuilt):
        self.version += 1
        self.pending = rows if self.pending is None else [np.union1d(a, b) for a, b in zip(self.pending, rows)]
        self.rebuilt = self.rebuilt or rebuilt

    def validation_hits(self, model, validation):
        return self._resident_call(resident_hits, model, model.learning_rate,
                                   [(index, part) for index, part in enumerate(validation)])

    def finish(self):
        self.finish_replicas()
        self.partitions = self.homes = self.pending = None

    def finish_replicas(self):
        """Drop the fit's replicas on every worker."""
        try:
            self.client.run(drop_fit, self.fit_id)
        except Exception:  # a worker already gone holds nothing
            pass

    def cancel(self):
        if self._running:
            self.client.cancel(self._running)

    def _resident_call(self, function, model, learning_rate, calls):
        last_error = None
        for _ in range(self.retries + 1):
            try:
                if self.homes is None:
                    self._install(model)
                delta = self.client.scatter(self._delta(model, learning_rate), hash=False)
                results = self._collect([
                    self.client.submit(function, self.fit_id, index, delta, *args, pure=False, retries=0,
                                       **placement([self.homes[index]]))
                    for index, *args in calls])
            except Exception as error:
                if not is_lost_work(error):
                    raise
                last_error, self.homes = error, None
                continue
            self.shipped_version, self.pending, self.rebuilt = self.version, None, False
            return results
        raise self._lost(last_error) from last_error

    def _install(self, model):
        self.finish_replicas()
        shipped = self.client.scatter(ShippedModel(model), hash=False)
        where = self.client.who_has(self.partitions)
        # each replica beside its partition's data where the cluster knows where that is
        placed = [self.client.submit(install, self.fit_id, index, shipped, self.version, pure=False, retries=0,
                                     **placement(where.get(part.key)))
                  for index, part in enumerate(self.partitions)]
        self.homes = self._collect(placed)
        self.shipped_version, self.pending, self.rebuilt = self.version, None, False

    def _delta(self, model, learning_rate):
        blocks = parameter_blocks(model.network_, model._adam)
        rows = self.pending or [np.zeros(0, dtype=np.int64) for _ in blocks]
        skeleton = skeleton_of(model)
        skeleton.learning_rate = learning_rate
        return RowDelta(self.shipped_version, self.version, rows,
                        [block.take(r) for block, r in zip(blocks, rows)], skeleton,
                        model._adam.step, list(model.network_.samplers) if self.rebuilt else None)

    def _gather(self, futures):
        """The futures' results; lost work raises WorkerLost."""
        try:
            return self._collect(futures)
        except Exception as error:
            if not is_lost_work(error):
                raise  # the task's own error (bad data, divergence), as it would be on one machine
            raise self._lost(error) from error

    def _collect(self, futures):
        self._running = futures
        try:
            # straight from the workers: through the scheduler, every result crossed two sockets
            return self.client.gather(futures, direct=True)
        finally:
            self._running = []

    @staticmethod
    def _lost(error):
        return WorkerLost(
            f"the cluster lost work it cannot redo ({type(error).__name__}: {error}). Partitions given as "
            "in-memory (X, y) pairs live only on the worker they were sent to; pass dask collections, "
            "which the cluster recomputes, to survive a lost worker. The estimator holds the model "
            "of the last completed round, not a finished fit.")


def placement(workers):
    """Submit's arguments that prefer ``workers`` (addresses; none: anywhere)."""
    return dict(workers=list(workers), allow_other_workers=True) if workers else {}
