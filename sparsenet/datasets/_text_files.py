"""Opening data files as text, gzip or not, with errors that name the file and the line."""
import gzip
import io
import os


def open_text(path, mode="r"):
    """``path`` as a text stream (UTF-8; gzip-compressed when it ends in ``.gz``)."""
    path = os.fspath(path)
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, mode + "b"), encoding="utf-8", newline="" if mode == "w" else None)
    return open(path, mode, encoding="utf-8", newline="" if mode == "w" else None)


def numbered_lines(path):
    """(line number, line) of a text file, gzip-compressed when its name ends in ``.gz``.
    Lines are decoded one at a time, so that bytes that are not UTF-8 raise a ValueError
    naming their line; so does a damaged compressed stream."""
    name = os.fspath(path)
    number = 0
    with (gzip.open(name, "rb") if name.endswith(".gz") else open(name, "rb")) as stream:
        try:
            for number, raw in enumerate(stream, start=1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise ValueError(f"{path}, line {number}: not UTF-8 text ({error.reason})") from None
                yield number, line.replace("\r\n", "\n")
        except (EOFError, gzip.BadGzipFile, OSError) as error:
            raise ValueError(f"{path}, after line {number}: damaged compressed file ({error})") from None
