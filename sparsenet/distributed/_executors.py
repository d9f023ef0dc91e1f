"""Where the replicas run: in this process one after the other (``LocalExecutor``, for a fit
without a cluster and for tests), or as tasks of a Dask cluster (``DaskExecutor``).

Both answer the same three calls, so the round loop is written once:

- ``place(function, args_list)``: run ``function(*args)`` once per partition where the
  partition's data should live; the results stay there, as handles;
- ``share(obj)``: a handle of one object every task may read (the round's model);
- ``run(function, args_list)``: one task per argument tuple (handles resolved), the results
  returned here in the order given.
"""

class WorkerLost(RuntimeError):
    """A distributed fit stopped: the cluster lost data or work it could not recompute.

    Examples
    --------
    >>> from sparsenet.distributed import WorkerLost
    >>> issubclass(WorkerLost, RuntimeError)
    True
    """


class LocalExecutor:
    """Runs every task in this process, in order."""

    # nothing reads the round's model while a replica trains: replicas may train it in place
    in_place = True

    def place(self, function, args_list):
        return [function(*args) for args in args_list]

    def share(self, obj):
        return obj

    def run(self, function, args_list):
        return [function(*args) for args in args_list]

    def cancel(self):
        pass


class DaskExecutor:
    """Runs tasks on a ``distributed.Client``'s workers; lost work is retried up to
    ``retries`` times (tasks are pure: a retried round gives the same result)."""

    in_place = False

    def __init__(self, client, retries=2):
        self.client = client
        self.retries = retries
        self._running = []

    def place(self, function, args_list):
        return [self.client.submit(function, *args, pure=False, retries=self.retries) for args in args_list]

    def share(self, obj):
        return self.client.scatter(obj, broadcast=True, hash=False)

    def run(self, function, args_list):
        self._running = [self.client.submit(function, *args, pure=False, retries=self.retries)
                         for args in args_list]
        try:
            return self.client.gather(self._running)
        except Exception as error:
            if not type(error).__module__.startswith(("distributed", "concurrent", "asyncio")):
                raise  # the task's own error (bad data, divergence), as it would be on one machine
            raise WorkerLost(
                f"the cluster lost work it cannot redo ({type(error).__name__}: {error}). Partitions given as "
                "in-memory (X, y) pairs live only on the worker they were sent to; pass dask collections, "
                "which the cluster recomputes, to survive a lost worker. The estimator holds the model "
                "of the last completed round, not a finished fit.") from error
        finally:
            self._running = []

    def cancel(self):
        if self._running:
            self.client.cancel(self._running)

