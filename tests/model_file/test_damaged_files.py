"""Files that are not whole: an interrupted save leaves the previous file, and a truncated,
bit-flipped, foreign or too-new file is refused with a message that says so."""
import json
import os
import pickle
import struct
import zlib

import numpy as np
import pytest

import sparsenet
from sparsenet.model_file import ModelFileError, save_model
from sparsenet.model_file._container import FORMAT_VERSION, PREFIX
from conftest import run_isolated
from model_configurations import CONFIGURATIONS


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small sampled model's file, its bytes and where its parts lie."""
    model, X, _ = CONFIGURATIONS["two_hidden_layers_sampled"]()
    path = model.save(tmp_path_factory.mktemp("saved") / "model.spn")
    data = open(path, "rb").read()
    header_length = struct.unpack_from("<Q", data, 16)[0]
    header = json.loads(data[PREFIX.size:PREFIX.size + header_length])
    return model, X, data, header_length, header


def test_an_interrupted_save_leaves_the_previous_file_whole(saved, tmp_path):
    model, X, data, _, _ = saved
    path = tmp_path / "model.spn"
    path.write_bytes(data)

    def fail_half_way(stream):
        stream.write(b"\0" * 100)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        save_model(model, path, before_arrays=fail_half_way)
    assert path.read_bytes() == data
    assert os.listdir(tmp_path) == ["model.spn"]  # the partial file is gone too


def test_a_process_killed_while_saving_leaves_the_previous_file_whole(saved, tmp_path):
    model, X, data, _, _ = saved
    path = tmp_path / "model.spn"
    path.write_bytes(data)
    pickled = tmp_path / "model.pickle"
    pickled.write_bytes(pickle.dumps(model))
    # the child dies in the middle of the write, with no chance to clean up
    run_isolated(f"""
        import os, pickle
        from sparsenet.model_file import save_model
        model = pickle.loads(open({str(pickled)!r}, "rb").read())
        try:
            save_model(model, {str(path)!r}, before_arrays=lambda stream: (stream.flush(), os._exit(0)))
        finally:
            os._exit(3)
    """)
    assert path.read_bytes() == data
    assert np.array_equal(sparsenet.load(path).predict_proba(X), model.predict_proba(X))


def test_a_save_into_a_missing_folder_fails_clearly(saved, tmp_path):
    with pytest.raises(FileNotFoundError):
        saved[0].save(tmp_path / "no such folder" / "model.spn")


def _refused(path, data):
    path.write_bytes(data)
    with pytest.raises(ModelFileError) as caught:
        sparsenet.load(path)
    assert str(path) in str(caught.value)
    return str(caught.value)


def test_every_truncation_is_refused(saved, tmp_path):
    _, _, data, header_length, header = saved
    ends = sorted({0, 1, 7, 8, 15, 23, 24, PREFIX.size + header_length // 2, PREFIX.size + header_length,
                   *(a["offset"] + a["nbytes"] // 2 for a in header["arrays"]), len(data) - 1})
    for end in ends:
        message = _refused(tmp_path / "model.spn", data[:end])
        assert "truncated" in message or "not a sparsenet model file" in message, (end, message)


def _flipped(data, offset, bit=0):
    damaged = bytearray(data)
    damaged[offset] ^= 1 << bit
    return bytes(damaged)


def test_a_flipped_bit_in_the_prefix_or_the_header_is_refused(saved, tmp_path):
    _, _, data, header_length, _ = saved
    offsets = list(range(PREFIX.size)) + list(range(PREFIX.size, PREFIX.size + header_length, 11))
    for offset in offsets:
        message = _refused(tmp_path / "model.spn", _flipped(data, offset, offset % 8))
        assert any(word in message for word in ("corrupted", "truncated", "not a sparsenet", "format")), message


def test_a_flipped_bit_in_any_array_is_refused_and_named(saved, tmp_path):
    _, _, data, _, header = saved
    for entry in header["arrays"]:
        for offset in {entry["offset"], entry["offset"] + entry["nbytes"] // 2, entry["offset"] + entry["nbytes"] - 1}:
            message = _refused(tmp_path / "model.spn", _flipped(data, offset, 3))
            assert "corrupted" in message and entry["name"] in message


def test_a_file_that_is_no_model_is_refused(tmp_path, saved):
    for content in (b"", b"hello", pickle.dumps(saved[0]), os.urandom(4096)):
        assert "not a sparsenet model file" in _refused(tmp_path / "model.spn", content)
    with pytest.raises(FileNotFoundError):
        sparsenet.load(tmp_path / "missing.spn")


def _rewritten(data, header_length, version, change):
    """The file with another format version and a header changed by ``change``, checksummed
    as a real file of that version would be."""
    header = json.loads(data[PREFIX.size:PREFIX.size + header_length])
    change(header)
    text = json.dumps(header).encode().ljust(header_length)
    assert len(text) == header_length
    length_field = struct.pack("<Q", header_length)
    crc = zlib.crc32(text, zlib.crc32(length_field))
    return PREFIX.pack(b"SPNMODEL", version, crc, header_length) + text + data[PREFIX.size + header_length:]


def test_a_file_from_a_newer_format_is_refused_naming_both_versions(saved, tmp_path):
    _, _, data, header_length, _ = saved

    def from_the_future(header):
        header["format_version"], header["sparsenet_version"] = FORMAT_VERSION + 1, "9.0"
        header["state"] = {"something": "new"}

    message = _refused(tmp_path / "model.spn", _rewritten(data, header_length, FORMAT_VERSION + 1, from_the_future))
    assert f"format {FORMAT_VERSION + 1}" in message and "sparsenet 9.0" in message
    assert sparsenet.__version__ in message and f"format {FORMAT_VERSION}" in message


def test_a_state_naming_a_class_outside_sparsenet_is_refused(saved, tmp_path):
    _, _, data, header_length, _ = saved

    def foreign(header):
        header["state"]["object"] = "sparsenet.mlp._classifier:SparseMLPClassifier"
        header["state"]["state"] = {"dict": [["x", {"object": "os:system", "state": None}]]}

    message = _refused(tmp_path / "model.spn", _rewritten(data, header_length, FORMAT_VERSION, foreign))
    assert "os.system" in message and "not part of sparsenet" in message


def test_loading_without_verification_still_checks_the_header(saved, tmp_path):
    model, X, data, header_length, header = saved
    path = tmp_path / "model.spn"
    path.write_bytes(data)
    assert np.array_equal(sparsenet.load(path, verify=False).predict_proba(X), model.predict_proba(X))
    path.write_bytes(_flipped(data, PREFIX.size + 5))
    with pytest.raises(ModelFileError, match="corrupted"):
        sparsenet.load(path, verify=False)
    with pytest.raises(ValueError, match="mmap_mode"):
        sparsenet.load(path, mmap_mode="w+")
