"""The threading contract: prediction is safe from any number of threads, also while the
model trains (its first training call after loading included); training calls on one model
run one at a time; a model loaded from a read-only memory map trains. Each reproducer runs
in a child process: a crash there fails the test instead of ending the run."""
import pytest
from conftest import run_isolated, small_model

from sparsenet.callbacks import Callback

# a sampled output layer (500 classes at output_sparsity 0.05) and a dense one
SAMPLED = "dict(output_sparsity=0.05)"
DENSE = "dict()"

PROBLEM = """
import pickle, threading, warnings
import numpy as np
from sparsenet import SparseMLPClassifier
warnings.simplefilter("ignore")
rng = np.random.RandomState(0)
X = rng.rand(3000, 40).astype(np.float32)
y = np.arange(3000) % 500
def model(**params):
    return SparseMLPClassifier(hidden_layer_sizes=(32,), max_iter=1, batch_size=64, random_state=0,
                               early_stopping=False, n_jobs=2, **params).fit(X, y)
"""


@pytest.mark.parametrize("layer", [SAMPLED, DENSE], ids=["sampled", "dense"])
def test_prediction_from_threads_during_the_first_training_call_after_loading(layer):
    run_isolated(PROBLEM + f"""
blob = pickle.dumps(model(**{layer}))
failures = []
for trial in range(3):
    m = pickle.loads(blob)
    stop = threading.Event()
    def predict():
        try:
            while not stop.is_set():
                assert np.isfinite(m.predict_proba(X[:300])).all()
                m.predict_topk(X[:50], k=3)
        except Exception as error:
            failures.append(repr(error))
    threads = [threading.Thread(target=predict) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(3):
        m.partial_fit(X[:500], y[:500])
    stop.set()
    for thread in threads:
        thread.join()
assert not failures, failures[:3]
""")


@pytest.mark.parametrize("layer", [SAMPLED, DENSE], ids=["sampled", "dense"])
def test_training_calls_from_two_threads_run_one_after_the_other(layer):
    output = run_isolated(PROBLEM + f"""
m = model(**{layer})
before = m.t_
failures = []
def train():
    try:
        for _ in range(5):
            m.partial_fit(X[:600], y[:600])
    except Exception as error:
        failures.append(repr(error))
threads = [threading.Thread(target=train) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert not failures, failures[:3]
print("rows trained", m.t_ - before, "epochs", m.n_iter_)
""")
    # every call trained all its rows: none was lost to the other
    assert "rows trained 6000 epochs 11" in output


class TrainsTheSameModel(Callback):
    def __init__(self, X, y):
        self.X, self.y = X, y

    def on_epoch_end(self, model, info):
        model.partial_fit(self.X, self.y)


def test_a_training_call_from_inside_one_is_refused_clearly(blobs):
    X, y = blobs
    model = small_model(max_iter=2, callbacks=[TrainsTheSameModel(X, y)])
    with pytest.raises(RuntimeError, match="already training the same model"):
        model.fit(X, y)
    # the lock was released: the model trains again without the callback
    model.set_params(callbacks=None, warm_start=True, max_iter=40).fit(X, y)
    assert model.score(X, y) > 0.8


@pytest.mark.parametrize("layer", [SAMPLED, DENSE], ids=["sampled", "dense"])
def test_a_model_loaded_from_a_read_only_memory_map_trains(layer, tmp_path):
    run_isolated(PROBLEM + f"""
import joblib
path = {str(tmp_path / "model.joblib")!r}
joblib.dump(model(**{layer}), path)
def trained(m, how):
    if how == "partial_fit":
        for _ in range(4):  # enough steps for the tables' scheduled rebuilds
            m.partial_fit(X, y)
    else:
        m.set_params(warm_start=True, max_iter=3).fit(X, y)
    return m
for how in ("partial_fit", "warm_start"):
    mapped = trained(joblib.load(path, mmap_mode="r"), how)
    in_memory = trained(joblib.load(path), how)
    # the same training as from a model in memory, bit for bit
    assert mapped.loss_curve_ == in_memory.loss_curve_
    assert np.array_equal(mapped.predict_proba(X[:100]), in_memory.predict_proba(X[:100]))
""")


def test_the_saved_model_is_left_as_it_was(tmp_path):
    """Training a memory-mapped model copies what it writes: the file stays unchanged."""
    run_isolated(PROBLEM + f"""
import joblib
from pathlib import Path
path = Path({str(tmp_path / "model.joblib")!r})
fitted = model(output_sparsity=0.05)
joblib.dump(fitted, path)
saved = path.read_bytes()
loaded = joblib.load(path, mmap_mode="r")
loaded.partial_fit(X, y)
assert path.read_bytes() == saved
assert not np.array_equal(loaded.coefs_[-1], fitted.coefs_[-1])
""")
