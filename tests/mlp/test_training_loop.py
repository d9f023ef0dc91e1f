"""The epoch loop: partial_fit, warm starts, stopping rules, the learning-rate schedule,
progress, callbacks and Ctrl-C."""
import os
import signal
import threading
import time

import numpy as np
import pytest

from conftest import small_model, wide_sparse_problem
from sparsenet import SparseMLPClassifier



def test_partial_fit_streaming_matches_fit_in_spirit(blobs):
    X, y = blobs
    streamed = small_model()
    for _ in range(30):
        for start in range(0, len(y), 100):
            streamed.partial_fit(X[start : start + 100], y[start : start + 100], classes=[0, 1, 2])
    fitted = small_model(max_iter=30).fit(X, y)
    assert streamed.n_iter_ == 90
    assert abs(streamed.score(X, y) - fitted.score(X, y)) < 0.05
    assert streamed.score(X, y) > 0.9


def test_warm_start_continues_training(blobs):
    X, y = blobs
    clf = small_model(max_iter=3, warm_start=True)
    clf.fit(X, y)
    steps = clf._adam.step
    clf.fit(X, y)
    assert clf.n_iter_ == 6 and clf._adam.step == 2 * steps
    cold = small_model(max_iter=3).fit(X, y)
    cold.fit(X, y)
    assert cold.n_iter_ == 3


def test_early_stopping_keeps_the_best_weights(blobs):
    X, y = blobs
    clf = small_model(early_stopping=True, max_iter=200, n_iter_no_change=3).fit(X, y)
    assert clf.n_iter_ < 200
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None


def test_loss_convergence_stops_before_max_iter():
    X = np.eye(4).repeat(10, axis=0)
    y = np.arange(4).repeat(10)
    clf = small_model(max_iter=2000, learning_rate=0.05, tol=1e-3, n_iter_no_change=2).fit(X, y)
    assert clf.n_iter_ < 2000
    assert clf.score(X, y) == 1.0


def test_verbose_2_prints_a_line_per_epoch_besides_the_bar(blobs, capsys):
    X, y = blobs
    small_model(max_iter=2, verbose=2).fit(X, y)
    captured = capsys.readouterr()
    assert "Iteration 1, loss = " in captured.out and "Iteration 2, loss = " in captured.out
    assert "epoch 2" in captured.err and "rows" in captured.err


def test_verbose_1_draws_bars_only_and_silence_is_the_default(blobs, capsys):
    X, y = blobs
    small_model(max_iter=2, verbose=1).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == "" and "epoch 1" in captured.err and "epoch 2" in captured.err
    small_model(max_iter=2).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_epoch_summaries_go_to_the_sparsenet_logger(blobs, caplog):
    X, y = blobs
    with caplog.at_level("INFO", logger="sparsenet"):
        small_model(max_iter=3).fit(X, y)
    lines = [r.getMessage() for r in caplog.records if r.name == "sparsenet"]
    assert [line.split(",")[0] for line in lines[:3]] == ["Iteration 1", "Iteration 2", "Iteration 3"]


def test_linear_schedule_starts_at_the_full_step_and_shrinks_later_ones(blobs):
    X, y = blobs
    X, y = X[:64], y[:64]
    one_batch = {"max_iter": 1, "batch_size": 64, "shuffle": False, "early_stopping": False}
    constant = small_model(**one_batch).fit(X, y)
    linear = small_model(learning_rate_schedule="linear", **one_batch).fit(X, y)
    # the first batch takes the full step
    np.testing.assert_array_equal(linear.predict_proba(X), constant.predict_proba(X))
    # the second of two batches takes half the step: Adam's update is proportional to it,
    # and both models reach the second batch with the same weights and moments
    two_batches = {"max_iter": 1, "batch_size": 32, "shuffle": False, "early_stopping": False}
    first = small_model(**two_batches).partial_fit(X[:32], y[:32], classes=[0, 1, 2])
    constant = small_model(**two_batches).fit(X, y)
    linear = small_model(learning_rate_schedule="linear", **two_batches).fit(X, y)
    for layer in range(2):
        np.testing.assert_allclose(linear.coefs_[layer] - first.coefs_[layer],
                                   0.5 * (constant.coefs_[layer] - first.coefs_[layer]), rtol=1e-3, atol=1e-6)
    # partial_fit has no planned end: it keeps the constant step
    streamed = [small_model(learning_rate_schedule=schedule).partial_fit(X, y, classes=[0, 1, 2])
                for schedule in ("constant", "linear")]
    np.testing.assert_array_equal(streamed[0].predict_proba(X), streamed[1].predict_proba(X))



@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="needs POSIX signals")
def test_ctrl_c_during_fit_returns_a_usable_model():
    X, y = wide_sparse_problem()
    clf = SparseMLPClassifier(
        hidden_layer_sizes=(64,), batch_size=64, max_iter=100_000, tol=0.0,
        n_iter_no_change=100_000, early_stopping=False, random_state=0, n_jobs=1,
    )
    def interrupt_once_training_runs():
        # Ctrl-C arrives mid-fit: after some batches, however fast or slow the build is
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            trainer = getattr(clf, "_adam", None)
            if trainer is not None and trainer.step >= 5:
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(0.01)

    watcher = threading.Thread(target=interrupt_once_training_runs, daemon=True)
    watcher.start()
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    watcher.join()
    assert clf.interrupted_
    assert clf.n_iter_ < 100_000
    assert clf._adam.step >= 5
    assert all(np.isfinite(w).all() for w in clf.coefs_)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    # training can go on from where it stopped
    steps = clf._adam.step
    clf.partial_fit(X, y)
    assert clf._adam.step == steps + int(np.ceil(X.shape[0] / 64))
    assert not clf.interrupted_


class Recorder:
    """A callback that keeps what it was told, and can ask to stop at an epoch."""

    def __init__(self, stop_at=None):
        self.infos, self.reasons, self.stop_at = [], [], stop_at

    def on_epoch_end(self, estimator, info):
        self.infos.append(info)
        return info.epoch == self.stop_at

    def on_train_end(self, estimator, reason):
        self.reasons.append(reason)


def test_callbacks_see_every_epoch_and_can_stop_training(blobs):
    X, y = blobs
    recorder = Recorder()
    clf = small_model(max_iter=4, tol=0.0, n_iter_no_change=100, callbacks=[recorder]).fit(X, y)
    assert [info.epoch for info in recorder.infos] == [1, 2, 3, 4] and recorder.reasons == ["max_iter"]
    assert [info.loss for info in recorder.infos] == clf.loss_curve_
    assert all(info.validation_score is None and info.sampling is None and info.seconds > 0 for info in recorder.infos)
    stopper = Recorder(stop_at=2)
    clf = small_model(max_iter=10, callbacks=[stopper]).fit(X, y)
    assert clf.n_iter_ == 2 and stopper.reasons == ["callback"]


def test_callbacks_report_validation_scores_and_sampling(xmc_problem):
    X, Y = xmc_problem
    recorder = Recorder()
    clf = SparseMLPClassifier((16,), max_iter=3, early_stopping=True, output_sparsity=0.05, random_state=0,
                              callbacks=[recorder]).fit(X[:1000], Y[:1000])
    assert [info.validation_score for info in recorder.infos] == clf.validation_scores_
    assert all(info.sampling["table_builds"] >= 1 for info in recorder.infos)


def test_training_on_after_early_stopping_without_it(blobs):
    # best_loss_ is None after a fit with early stopping; the loss rule then starts afresh
    X, y = blobs
    clf = small_model(max_iter=3, early_stopping=True, warm_start=True).fit(X, y)
    assert clf.best_loss_ is None
    clf.partial_fit(X, y)
    clf.set_params(early_stopping=False).fit(X, y)
    assert np.isfinite(clf.best_loss_) and clf.n_iter_ > 4


def test_partial_fit_refuses_an_empty_classes_list(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="classes must list at least one class"):
        small_model().partial_fit(X, y, classes=[])
