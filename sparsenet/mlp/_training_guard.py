"""One training call at a time on a model.

Training mutates a model in place (weights, Adam's moments, hash tables, history), so two
training calls on one model would corrupt each other. Calls from different threads are
serialised: the second waits for the first. A training call made from inside another one
on the same thread (a callback that calls ``fit`` on the model it is watching) would
deadlock or pull the running call's state from under it, so it is refused.

Prediction takes no lock: it binds the arrays it reads at its start (engine/_network.pyx),
so it is safe during training, and sees weights that training is still changing.

The locks live beside the models, not in them, so that models pickle and clone as before.
"""
import functools
import threading
import weakref
from contextlib import contextmanager

_LOCKS = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


class _ModelLock:
    def __init__(self):
        self.lock = threading.Lock()
        self.owner = None


def _lock_of(model):
    with _LOCKS_GUARD:
        lock = _LOCKS.get(model)
        if lock is None:
            lock = _LOCKS[model] = _ModelLock()
        return lock


@contextmanager
def one_training_call(model, method):
    """Hold ``model``'s training lock for the body (a ``fit`` or ``partial_fit``).

    Raises
    ------
    RuntimeError
        When the same thread is already training this model.
    """
    lock = _lock_of(model)
    me = threading.get_ident()
    if lock.owner == me:
        raise RuntimeError(
            f"{type(model).__name__}.{method} was called while this thread is already training the "
            "same model (from a callback?); train a clone instead, or stop the running call first"
        )
    with lock.lock:
        lock.owner = me
        try:
            yield
        finally:
            lock.owner = None


def one_call_at_a_time(method):
    """Decorate a training method (``fit``, ``partial_fit``) to run under
    ``one_training_call``."""

    @functools.wraps(method)
    def training_method(model, *args, **kwargs):
        with one_training_call(model, method.__name__):
            return method(model, *args, **kwargs)

    return training_method
