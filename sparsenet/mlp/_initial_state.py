"""A new model's training state: Glorot-uniform weights, zero Adam moments, the samplers
its parameters ask for, and an empty history (what ``fit`` and a first ``partial_fit``
start from)."""
import numpy as np
from sklearn.utils import check_random_state

from sparsenet.engine._initialisation import glorot_network
from sparsenet.mlp._parameters import hidden_sizes, sampling_plan
from sparsenet.mlp._warm_start import attach_hidden_sampler, uses_binary_outputs
from sparsenet.native._openmp import resolve_n_threads


def start_training_state(model, n_features, target_encoder):
    """Set up ``model`` (a SparseMLPClassifier) for training from scratch on ``n_features``
    inputs and the classes of ``target_encoder``."""
    hidden = hidden_sizes(model.hidden_layer_sizes)
    model._targets = target_encoder
    n_classes = target_encoder.n_classes
    rng = check_random_state(model.random_state)
    # one draw from the user's seed so later epochs do not depend on how many numbers
    # initialisation consumed
    model._rng = np.random.RandomState(rng.randint(np.iinfo(np.int32).max))
    model.network_, model._adam = glorot_network(
        [n_features, *hidden, n_classes], model._rng.randint(np.iinfo(np.int32).max),
        resolve_n_threads(model.n_jobs),
    )
    # the seed of every training call's dropout masks (they vary by step): one for the model,
    # so that a distributed fit's replicas draw the masks a fit on one machine draws
    model._dropout_seed = int(model._rng.randint(np.iinfo(np.int32).max))
    plan = sampling_plan(model, n_classes)
    if plan is not None:
        model.network_.set_sampler(plan.new_sampler(n_classes, hidden[-1], model._rng.randint(np.iinfo(np.int32).max)))
    model._sampling_plan = plan
    model._hidden_sampling_plan = None
    attach_hidden_sampler(model, model.network_)
    model.sampling_stats_ = None
    model._binary_outputs = uses_binary_outputs(model.loss, target_encoder.multilabel, plan)
    model.label_counts_ = np.zeros(n_classes, dtype=np.int64)
    model._frequent_labels = np.zeros(0, dtype=np.int32)
    model.loss_curve_ = []
    model.retrieval_curve_ = []
    model.best_loss_ = np.inf
    model.validation_scores_ = None
    model.best_validation_score_ = None
    model.n_iter_ = 0
    model.t_ = 0
    model.interrupted_ = False
    model.temperature_ = 1.0
    model.input_norm_ = None  # fit and partial_fit set the norm their rows give
    model._no_improvement_count = 0
