"""The bytes of a model file: a fixed prefix, a JSON header, then raw arrays.

Layout (all integers little-endian)::

    0   8 bytes   magic b"SPNMODEL"
    8   uint32    format version
    12  uint32    CRC-32 of bytes 16 to the header's end
    16  uint64    header length in bytes
    24  header    UTF-8 JSON: versions, estimator, parameters, state, and for each array
                  its dtype, shape, offset, length and CRC-32
    ... arrays    each raw, C order, starting at a multiple of 64 bytes

The prefix never changes between format versions, so that any version can read another's
number and refuse it clearly. A write goes to a temporary file in the same folder, is
flushed to disk, and replaces the target in one rename.
"""
import json
import os
import struct
import tempfile
import zlib

import numpy as np

MAGIC = b"SPNMODEL"
FORMAT_VERSION = 1
PREFIX = struct.Struct("<8sIIQ")
ALIGNMENT = 64
CHUNK = 1 << 24  # bytes checksummed or copied at a time


class ModelFileError(ValueError):
    """A file that is not a readable sparsenet model (not one, truncated, corrupted, or too new).

    Raised by :func:`sparsenet.load` and :func:`~sparsenet.model_file.read_header`, with a
    message that names the file and says which; a ValueError, so that ``except ValueError``
    catches it too.

    Examples
    --------
    >>> import os, tempfile
    >>> import sparsenet
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
    >>> _ = open(path, "w").write("not a model")
    >>> try:
    ...     sparsenet.load(path)
    ... except sparsenet.ModelFileError as error:
    ...     print(error)
    /.../notes.txt is not a sparsenet model file (it does not start with b'SPNMODEL')
    """


def _aligned(offset):
    return -(-offset // ALIGNMENT) * ALIGNMENT


def _byte_view(array):
    return memoryview(np.ascontiguousarray(array)).cast("B")


def _crc32(view):
    crc = 0
    for start in range(0, len(view), CHUNK):
        crc = zlib.crc32(view[start:start + CHUNK], crc)
    return crc


def write_container(path, header, arrays, names=None, *, before_arrays=None):
    """Write ``header`` (a JSON-able dict; an "arrays" entry is added) and ``arrays`` (named
    by ``names`` in the header, for error messages) to
    ``path``, replacing it only once the whole file is on disk. ``before_arrays`` is called
    with the open file once the header is written (a test hook that simulates a failure)."""
    path = os.fspath(path)
    header = dict(header)
    table = []
    for i, array in enumerate(arrays):
        table.append({"name": names[i] if names else f"array {i}", "dtype": array.dtype.str, "shape": list(array.shape), "nbytes": int(array.nbytes),
                      "crc32": _crc32(_byte_view(array))})
    # the header's length moves the arrays' offsets, which are in the header: grow the room
    # reserved for it until both agree
    room = 0
    while True:
        header_end = offset = _aligned(PREFIX.size + room)
        for entry in table:
            entry["offset"] = offset
            end = offset + entry["nbytes"]
            offset = _aligned(end)
        header["arrays"] = table
        header["file_length"] = end if table else header_end
        text = json.dumps(header, separators=(",", ":"), allow_nan=False).encode("utf-8")
        if PREFIX.size + len(text) <= header_end:
            break
        room = len(text)
    text = text.ljust(header_end - PREFIX.size)
    length_field = struct.pack("<Q", len(text))
    crc = zlib.crc32(text, zlib.crc32(length_field))
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".partial", dir=folder)
    try:
        os.chmod(temporary, _mode_for(path))
        with os.fdopen(handle, "wb") as out:
            out.write(PREFIX.pack(MAGIC, FORMAT_VERSION, crc, len(text)))
            out.write(text)
            if before_arrays is not None:
                before_arrays(out)
            for array, entry in zip(arrays, table):
                out.seek(entry["offset"])
                view = _byte_view(array)
                for start in range(0, len(view), CHUNK):
                    out.write(view[start:start + CHUNK])
            out.truncate(header["file_length"])
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return path


def _mode_for(path):
    """The permissions a new file at ``path`` gets: those of the file it replaces, else the
    usual ones under the umask (a temporary file starts private)."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def read_prefix(path):
    """The header of the model file at ``path`` (checked), and the file's length."""
    path = os.fspath(path)
    with open(path, "rb") as stream:
        prefix = stream.read(PREFIX.size)
        size = os.fstat(stream.fileno()).st_size
        if len(prefix) < PREFIX.size or prefix[:8] != MAGIC:
            raise ModelFileError(f"{path} is not a sparsenet model file (it does not start with {MAGIC!r})")
        _, version, crc, length = PREFIX.unpack(prefix)
        if PREFIX.size + length > size:
            raise ModelFileError(f"{path} is truncated: {size} bytes, shorter than its own header "
                                 f"({PREFIX.size + length} bytes)")
        text = stream.read(length)
    if zlib.crc32(text, zlib.crc32(prefix[16:24])) != crc:
        if version > FORMAT_VERSION:
            raise ModelFileError(too_new(path, version, None))
        raise ModelFileError(f"{path} is corrupted: its header fails its checksum")
    try:
        header = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{path} is corrupted: its header is not valid JSON ({error})") from None
    if not isinstance(header, dict):
        raise ModelFileError(f"{path} is corrupted: its header is not a JSON object")
    if version > FORMAT_VERSION:
        raise ModelFileError(too_new(path, version, header.get("sparsenet_version")))
    if header.get("format_version") != version:
        raise ModelFileError(f"{path} is corrupted: its format version field ({version}) disagrees with its header")
    if header.get("file_length") != size:
        raise ModelFileError(f"{path} is truncated or padded: {size} bytes, its header says "
                             f"{header.get('file_length')}")
    return header


def too_new(path, version, writer):
    from sparsenet._version import __version__
    by = f" (written by sparsenet {writer})" if writer else ""
    return (f"{path} is in model file format {version}{by}; this sparsenet {__version__} reads "
            f"format {FORMAT_VERSION} and older: upgrade sparsenet to load it")


def read_arrays(path, header, *, mmap_mode=None, verify=True):
    """The arrays the header lists, read into memory or memory-mapped (``mmap_mode`` "r" or
    "c"), each checked against its CRC-32 when ``verify``."""
    path = os.fspath(path)
    size = header["file_length"]
    arrays = []
    mapped = np.memmap(path, mode=mmap_mode, dtype=np.uint8) if mmap_mode else None
    with open(path, "rb") as stream:
        for i, entry in enumerate(header.get("arrays", [])):
            dtype, shape = np.dtype(entry["dtype"]), tuple(entry["shape"])
            start, nbytes = entry["offset"], entry["nbytes"]
            if dtype.kind not in "biufc" or int(np.prod(shape, dtype=np.int64)) * dtype.itemsize != nbytes \
                    or start < PREFIX.size or start + nbytes > size:
                raise ModelFileError(f"{path} is corrupted: array {i} does not fit the file")
            if mapped is not None:
                raw = mapped[start:start + nbytes]
            else:
                raw = np.empty(nbytes, dtype=np.uint8)
                stream.seek(start)
                if stream.readinto(memoryview(raw)) != nbytes:
                    raise ModelFileError(f"{path} is truncated inside array {i}")
            if verify and _crc32(memoryview(raw)) != entry["crc32"]:
                raise ModelFileError(f"{path} is corrupted: array {i} ({entry.get('name', 'unnamed')}) "
                                     "fails its checksum")
            arrays.append(raw.view(dtype).reshape(shape))
    return arrays
