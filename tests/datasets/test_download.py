"""Downloads and fetchers against a local HTTP server on 127.0.0.1 (no test touches the
internet): success, a checksum that does not match, a transfer cut off half-way and
resumed, server errors, and a fetcher that unpacks and reads its set."""
import hashlib
import io
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from sparsenet.datasets import DownloadError, fetch_ag_news
from sparsenet.datasets import _remote_sets
from sparsenet.datasets._download import download, recorded_checksums


class Handler(BaseHTTPRequestHandler):
    files = {}        # path -> bytes
    modes = {}        # path -> "ok", "cut" (half the bytes, then close), "error", "no-range"
    requests = []     # (path, Range header)

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).requests.append((self.path, self.headers.get("Range")))
        mode = self.modes.get(self.path, "ok")
        if self.path not in self.files or mode == "error":
            self.send_error(404 if self.path not in self.files else 500)
            return
        body, start = self.files[self.path], 0
        asked = self.headers.get("Range")
        if asked and mode != "no-range":
            start = int(asked.removeprefix("bytes=").rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        sent = body[start:]
        if mode == "cut":
            sent = sent[: len(sent) // 2]
        self.wfile.write(sent)
        self.wfile.flush()
        if mode == "cut":
            self.close_connection = True


@pytest.fixture
def server():
    Handler.files, Handler.modes, Handler.requests = {}, {}, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


PAYLOAD = bytes(range(256)) * 4000  # about 1 MB: several read chunks


def test_a_download_lands_whole_and_records_its_checksum(server, tmp_path, capsys):
    Handler.files["/data.bin"] = PAYLOAD
    path = download(f"{server}/data.bin", tmp_path / "data.bin", progress=True)
    assert open(path, "rb").read() == PAYLOAD
    assert recorded_checksums(tmp_path) == {"data.bin": hashlib.sha256(PAYLOAD).hexdigest()}
    assert "data.bin" in capsys.readouterr().err  # the progress bar
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checksums.json", "data.bin"]
    download(f"{server}/data.bin", tmp_path / "data.bin", progress=False)
    assert len(Handler.requests) == 1  # the cache answers the second call


def test_a_wrong_published_checksum_leaves_nothing(server, tmp_path):
    Handler.files["/data.bin"] = PAYLOAD
    with pytest.raises(DownloadError, match="SHA-256 is .* but 0+ was expected"):
        download(f"{server}/data.bin", tmp_path / "data.bin", sha256="0" * 64, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_changed_on_the_server_is_refused(server, tmp_path):
    Handler.files["/data.bin"] = PAYLOAD
    download(f"{server}/data.bin", tmp_path / "data.bin", progress=False)
    (tmp_path / "data.bin").unlink()
    Handler.files["/data.bin"] = PAYLOAD[:-1] + b"x"
    with pytest.raises(DownloadError, match="SHA-256"):
        download(f"{server}/data.bin", tmp_path / "data.bin", progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checksums.json"]


@pytest.mark.parametrize("server_resumes", [True, False])
def test_a_transfer_cut_off_half_way_is_resumed_or_restarted(server, tmp_path, server_resumes):
    Handler.files["/data.bin"] = PAYLOAD
    Handler.modes["/data.bin"] = "cut"
    with pytest.raises(DownloadError, match="broke off after .* run again to resume"):
        download(f"{server}/data.bin", tmp_path / "data.bin", progress=False)
    assert not (tmp_path / "data.bin").exists()
    assert (tmp_path / "data.bin.part").stat().st_size == len(PAYLOAD) // 2
    Handler.modes["/data.bin"] = "ok" if server_resumes else "no-range"
    download(f"{server}/data.bin", tmp_path / "data.bin", progress=False)
    assert open(tmp_path / "data.bin", "rb").read() == PAYLOAD
    assert Handler.requests[-1][1] == f"bytes={len(PAYLOAD) // 2}-"
    assert not (tmp_path / "data.bin.part").exists()


def test_server_errors_and_refused_connections_leave_nothing(server, tmp_path):
    Handler.files["/data.bin"] = PAYLOAD
    Handler.modes["/data.bin"] = "error"
    with pytest.raises(DownloadError, match="answered 500"):
        download(f"{server}/data.bin", tmp_path / "data.bin", progress=False)
    with pytest.raises(DownloadError, match="answered 404"):
        download(f"{server}/missing.bin", tmp_path / "missing.bin", progress=False)
    with pytest.raises(DownloadError, match="cannot connect"):
        download("http://127.0.0.1:9/data.bin", tmp_path / "data.bin", progress=False, timeout=5)
    assert list(tmp_path.iterdir()) == []


def _archive(train_rows, classes=("World", "Sports", "Business", "Sci/Tech")):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in (("classes.txt", "\n".join(classes) + "\n"), ("train.csv", train_rows),
                           ("test.csv", '"1","Title","Body"\n')):
            data = text.encode()
            info = tarfile.TarInfo(f"ag_news_csv/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_fetcher_downloads_unpacks_and_then_reads_from_its_cache(server, tmp_path, monkeypatch):
    remote = _remote_sets.RemoteTextSet("ag_news", f"{server}/ag_news_csv.tgz", "ag_news_csv", 2)
    monkeypatch.setitem(_remote_sets.REMOTE_SETS, "ag_news", remote)
    Handler.files["/ag_news_csv.tgz"] = _archive('"3","Wall St.","Bears claw back"\n"2","Goal!","A late\\nwinner"\n')
    texts, labels = fetch_ag_news(data_home=tmp_path, progress=False)
    assert texts == ["Wall St. Bears claw back", "Goal! A late winner"] and labels.tolist() == ["Business", "Sports"]
    assert fetch_ag_news("test", data_home=tmp_path)[1].tolist() == ["World"]
    assert len(Handler.requests) == 1
    with pytest.raises(FileNotFoundError, match="download_if_missing=False"):
        fetch_ag_news(data_home=tmp_path / "empty", download_if_missing=False)
    with pytest.raises(ValueError, match="subset"):
        fetch_ag_news("validation", data_home=tmp_path)


def test_a_damaged_archive_is_deleted_so_that_the_next_call_fetches_it_again(server, tmp_path, monkeypatch):
    remote = _remote_sets.RemoteTextSet("ag_news", f"{server}/ag_news_csv.tgz", "ag_news_csv", 2)
    monkeypatch.setitem(_remote_sets.REMOTE_SETS, "ag_news", remote)
    Handler.files["/ag_news_csv.tgz"] = b"not an archive at all"
    with pytest.raises(ValueError, match="not a readable archive"):
        fetch_ag_news(data_home=tmp_path, progress=False)
    assert sorted(p.name for p in (tmp_path / "ag_news").iterdir()) == ["checksums.json"]
    assert recorded_checksums(tmp_path / "ag_news") == {}
    Handler.files["/ag_news_csv.tgz"] = _archive('"1","Title","Body"\n')
    assert fetch_ag_news(data_home=tmp_path, progress=False)[1].tolist() == ["World"]


def test_an_xmc_fetcher_reads_the_sparse_matrices_of_its_archive(server, tmp_path, monkeypatch):
    from scipy import sparse

    from sparsenet.datasets import fetch_eurlex4k

    remote = _remote_sets.RemoteXmcSet("eurlex4k", f"{server}/eurlex-4k.tar.gz", "xmc-base/eurlex-4k")
    monkeypatch.setitem(_remote_sets.REMOTE_XMC_SETS, "eurlex4k", remote)
    X = sparse.random(5, 30, density=0.2, format="csr", random_state=0)
    Y = sparse.csr_matrix(np.eye(5, 4, dtype=np.float64))
    members = {}
    for subset in ("trn", "tst"):
        for name, matrix in ((f"tfidf-attnxml/X.{subset}.npz", X), (f"Y.{subset}.npz", Y)):
            buffer = io.BytesIO()
            sparse.save_npz(buffer, matrix)
            members[f"xmc-base/eurlex-4k/{name}"] = buffer.getvalue()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    Handler.files["/eurlex-4k.tar.gz"] = archive.getvalue()
    X_train, Y_train = fetch_eurlex4k(data_home=tmp_path, progress=False)
    assert X_train.dtype == np.float32 and (X_train != X.astype(np.float32)).nnz == 0
    assert Y_train.dtype == np.int8 and (Y_train != Y).nnz == 0
    assert fetch_eurlex4k("test", data_home=tmp_path)[0].shape == (5, 30) and len(Handler.requests) == 1
