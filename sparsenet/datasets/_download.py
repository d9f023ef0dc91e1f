"""Downloading a file into the data cache: resumable, checksummed, never half-written.

The file is fetched into ``NAME.part`` beside its final place and renamed only once it is
whole and its SHA-256 is right. A download cut off half-way keeps the ``.part`` file, and
the next call resumes it with an HTTP range request (or starts again when the server does
not resume); a wrong checksum deletes it. The SHA-256 is the published one where the source
publishes one, else recorded in ``checksums.json`` of the cache on the first download and
required of every later one.
"""
import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from http.client import HTTPException

CHUNK = 1 << 20
CHECKSUMS = "checksums.json"


class DownloadError(OSError):
    """A download that did not complete (network, server, or checksum).

    Raised by the ``fetch_*`` functions; its message names the URL and what went wrong. A
    transfer cut off half-way is resumed by the next call. It is an OSError, so that
    ``except OSError`` catches it too.

    Examples
    --------
    >>> from sparsenet.datasets import DownloadError, fetch_ag_news
    >>> try:
    ...     texts, labels = fetch_ag_news()  # doctest: +SKIP
    ... except DownloadError as error:
    ...     print(f"no AG news today: {error}")
    >>> issubclass(DownloadError, OSError)
    True
    """


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def recorded_checksums(folder):
    try:
        with open(os.path.join(folder, CHECKSUMS), encoding="utf-8") as stream:
            return json.load(stream)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise DownloadError(f"{os.path.join(folder, CHECKSUMS)} is unreadable ({error}); delete it to record "
                            "checksums afresh") from None


def record_checksum(folder, name, sha256):
    """Record (or, with ``sha256`` None, forget) the checksum of the cached file ``name``."""
    checksums = {**recorded_checksums(folder), name: sha256}
    if sha256 is None:
        del checksums[name]
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".partial")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(checksums, stream, indent=1, sort_keys=True)
    os.replace(temporary, os.path.join(folder, CHECKSUMS))


def download(url, path, *, sha256=None, progress=True, timeout=60):
    """Fetch ``url`` to ``path`` (see the module docstring); returns ``path``.

    ``sha256``: the published checksum, or None to record it on the first download (in
    ``checksums.json`` beside ``path``) and check it after. Raises DownloadError naming the
    URL for a server error, an interrupted transfer (run again to resume) or a wrong checksum.
    """
    path = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    expected = sha256 or recorded_checksums(folder).get(name)
    if os.path.exists(path):
        return path
    partial = path + ".part"
    _transfer(url, partial, progress, timeout)
    got = sha256_of(partial)
    if expected is not None and got != expected:
        os.unlink(partial)
        raise DownloadError(f"{url}: the download's SHA-256 is {got}, but {expected} was expected; nothing was "
                            "kept (the file on the server changed, or the transfer was corrupted)")
    if expected is None:
        record_checksum(folder, name, got)
    os.replace(partial, path)
    return path


def _transfer(url, partial, progress, timeout):
    """Append the rest of ``url`` to ``partial`` (all of it when it is absent or the server
    does not resume)."""
    have = os.path.getsize(partial) if os.path.exists(partial) else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # nothing left to send: the part is whole
            return
        raise DownloadError(f"{url}: the server answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, HTTPException, OSError) as error:
        raise DownloadError(f"{url}: cannot connect ({getattr(error, 'reason', error)})") from None
    with response:
        resumed = have and response.status == 206
        length = response.headers.get("Content-Length")
        total = (int(length) + (have if resumed else 0)) if length is not None else None
        done = have if resumed else 0
        bar = _bar(total, done, os.path.basename(partial.removesuffix(".part")), progress)
        try:
            with open(partial, "ab" if resumed else "wb") as out:
                while True:
                    try:
                        block = response.read(CHUNK)
                    except (HTTPException, OSError) as error:
                        raise DownloadError(f"{url}: the transfer broke off after {done:,} of "
                                            f"{total if total is not None else '?'} bytes ({error!r}); run again "
                                            "to resume it") from None
                    if not block:
                        break
                    out.write(block)
                    done += len(block)
                    if bar is not None:
                        bar.update(len(block))
        finally:
            if bar is not None:
                bar.close()
    if total is not None and done < total:
        raise DownloadError(f"{url}: the transfer broke off after {done:,} of {total:,} bytes; run again to resume it")


def _bar(total, done, name, progress):
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, initial=done, unit="B", unit_scale=True, unit_divisor=1024, desc=name)
