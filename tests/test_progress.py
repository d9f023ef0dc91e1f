"""What a user sees while a model trains: the live bar of a large sampled fit, the hooks
a callback gets as an epoch runs, checkpoints, and UDTClassifier's callbacks seeing the
UDTClassifier."""
import numpy as np
import pytest

import sparsenet
from sparsenet import SparseMLPClassifier, UDTClassifier
from sparsenet.callbacks import Callback, Checkpoint
from sparsenet.datasets import load_sms_spam, make_extreme_classification


def test_verbose_1_shows_a_live_bar_on_a_sampled_100000_label_fit(capsys):
    X, Y = make_extreme_classification(n_samples=2000, n_features=2000, n_labels=100_000, random_state=0)
    model = SparseMLPClassifier((32,), max_iter=2, batch_size=128, verbose=1, random_state=0).fit(X, Y)
    assert model.network_.output_sampler is not None
    err = capsys.readouterr().err
    for epoch in (1, 2):
        drawn = [part for part in err.split("\r") if part.startswith(f"epoch {epoch}")]
        assert len(drawn) >= 2, err  # drawn when it starts and redrawn as it goes
        assert "0/2" in drawn[0] or "0.00/2" in drawn[0] or " 0%" in drawn[0]
        assert "100%" in drawn[-1] and "rows/s" in drawn[-1] and "loss" in drawn[-1]
        assert "LSH recall" in drawn[-1]


class Recorder(Callback):
    def __init__(self):
        self.events = []

    def on_epoch_begin(self, estimator, epoch, n_rows):
        self.events.append(("begin", epoch, n_rows))

    def on_batch_end(self, estimator, rows_done, loss):
        self.events.append(("batch", rows_done, loss))

    def on_epoch_end(self, estimator, info):
        self.events.append(("end", info.epoch, info.loss))


def test_a_callback_sees_every_batch_of_every_epoch():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(250, 6)), rng.integers(0, 3, size=250)
    recorder = Recorder()
    SparseMLPClassifier((8,), max_iter=2, batch_size=100, shuffle=False, callbacks=[recorder],
                        early_stopping=False, random_state=0).fit(X, y)
    kinds = [event[0] for event in recorder.events]
    assert kinds == ["begin", "batch", "batch", "batch", "end"] * 2
    assert [e[1] for e in recorder.events if e[0] == "batch"] == [100, 200, 250] * 2
    assert recorder.events[0] == ("begin", 1, 250) and recorder.events[5][1] == 2
    # the last batch's running loss is the epoch's loss
    assert recorder.events[3][2] == pytest.approx(recorder.events[4][2])


def test_a_callback_may_have_only_the_epoch_hook():
    class OnlyEpochs:
        def __init__(self):
            self.epochs = 0

        def on_epoch_end(self, estimator, info):
            self.epochs += 1

        def on_train_end(self, estimator, reason):
            pass

    rng = np.random.default_rng(0)
    counter = OnlyEpochs()
    SparseMLPClassifier((8,), max_iter=3, callbacks=[counter], random_state=0).fit(rng.normal(size=(60, 4)),
                                                                                np.arange(60) % 2)
    assert counter.epochs == 3


def test_checkpoints_every_n_epochs_resume_where_training_was(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(300, 8)), rng.integers(0, 3, size=300)
    params = dict(hidden_layer_sizes=(16,), batch_size=50, early_stopping=False, random_state=0, n_jobs=1)
    path = tmp_path / "checkpoint.spn"
    SparseMLPClassifier(max_iter=4, callbacks=[Checkpoint(path, every=2)], **params).fit(X, y)
    resumed = sparsenet.load(path)
    assert resumed.n_iter_ == 4 and resumed.callbacks is None
    with pytest.raises(ValueError, match="every must be a positive integer"):
        Checkpoint(path, every=0)


def test_udt_callbacks_see_the_udt_and_checkpoints_read_raw_texts(tmp_path):
    texts, labels = load_sms_spam()
    seen = []

    class Look(Callback):
        def on_epoch_end(self, estimator, info):
            seen.append((type(estimator).__name__, estimator.n_iter_))

    path = tmp_path / "udt{epoch}.spn"
    model = UDTClassifier(max_iter=2, random_state=0, callbacks=[Look(), Checkpoint(path)]).fit(texts[:800], labels[:800])
    assert seen == [("UDTClassifier", 1), ("UDTClassifier", 2)]
    first = sparsenet.load(tmp_path / "udt1.spn")
    assert type(first) is UDTClassifier and first.n_iter_ == 1
    assert set(first.predict(["free prize, call now", "see you at lunch"])) <= {"ham", "spam"}
    assert np.array_equal(sparsenet.load(tmp_path / "udt2.spn").predict_proba(texts[800:900]),
                          model.predict_proba(texts[800:900]))
