"""Data-parallel training and prediction past one machine, on a Dask cluster.

``fit_distributed`` trains one replica of a :class:`~sparsenet.SparseMLPClassifier` per
partition of the rows and averages them after every round; without a client the replicas
run one after the other in this process. ``predict``, ``predict_proba`` and
``predict_topk`` answer a dask collection with any fitted model, one task per partition.
Dask is optional: ``pip install "sparsenet[dask]"``.
"""
from sparsenet.distributed._executors import WorkerLost
from sparsenet.distributed._fit import fit_distributed
from sparsenet.distributed._prediction import predict, predict_proba, predict_topk

__all__ = ["WorkerLost", "fit_distributed", "predict", "predict_proba", "predict_topk"]
