"""The partitions a distributed fit reads: from dask collections (one partition per row
chunk, loaded where dask computes it) or from a list of in-memory (X, y) pairs (sent to the
workers once)."""


def is_dask_collection(obj):
    """Whether ``obj`` is a dask array, DataFrame or Series (dask need not be installed)."""
    try:
        from dask import is_dask_collection as check
    except ImportError:
        return False
    return check(obj)


def partition_sources(X, y, client, frames=False):
    """One (X, y) source per partition: in-memory pairs, or handles of the client (futures
    of dask's partitions, which the cluster can recompute if a worker is lost). With
    ``frames``, the partitions of a dask DataFrame or Series stay pandas objects (raw
    columns keep their names and dtypes); else they are arrays."""
    if y is None:
        return pair_sources(X, client)
    if not is_dask_collection(X) or not is_dask_collection(y):
        raise TypeError("fit_distributed takes a dask X with a dask y of the same row partitions, or a list "
                        f"of (X, y) partitions with y=None; got X of type {type(X).__name__} and y of type "
                        f"{type(y).__name__}")
    import dask

    X_blocks, y_blocks = row_blocks(X, "X", frames), row_blocks(y, "y", frames)
    if len(X_blocks) != len(y_blocks):
        raise ValueError(f"X has {len(X_blocks)} row partitions but y has {len(y_blocks)}: partition them alike")
    pairs = [dask.delayed(tuple)([x, t]) for x, t in zip(X_blocks, y_blocks)]
    return client.compute(pairs) if client is not None else list(dask.compute(*pairs))


def row_blocks(collection, name, frames=False):
    """A dask collection's row partitions as delayed objects (a DataFrame as arrays, unless
    ``frames``)."""
    if hasattr(collection, "to_dask_array"):
        if frames:
            return list(collection.to_delayed())
        collection = collection.to_dask_array(lengths=True)
    if collection.ndim == 2:
        collection = collection.rechunk({1: -1})
    elif collection.ndim != 1:
        raise ValueError(f"{name} must be 1-D or 2-D, got {collection.ndim} dimensions")
    return list(collection.to_delayed().ravel())


def pair_sources(partitions, client):
    """A list of in-memory (X, y) pairs, checked, sent to the workers round-robin."""
    if isinstance(partitions, tuple) or not hasattr(partitions, "__iter__") or hasattr(partitions, "shape"):
        raise TypeError("without y, X must be a list of (X, y) partitions")
    pairs = list(partitions)
    if not pairs:
        raise ValueError("fit_distributed needs at least one partition")
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"partition {i} must be an (X, y) pair, got {type(pair).__name__}")
    pairs = [tuple(pair) for pair in pairs]
    # fresh keys each fit: scattered by content, a second fit on the same pairs reused the
    # keys of the first fit's data while the cluster was releasing them ("lost dependencies")
    return client.scatter(pairs, hash=False) if client is not None else pairs
