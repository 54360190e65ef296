"""Disk trouble as errors a person can act on.

Writing an index can fail for reasons outside newsearch: the disk fills up
(ENOSPC), the device fails (EIO), the file system is read-only (EROFS).  The
libraries underneath report these each their own way (an ``OSError`` often
without a file name, SQLite's "database or disk is full", a faiss
``RuntimeError`` with a C++ location); `failures` turns any of them into a
`StorageError`: one line naming the path and the cause.  `ensure_room` stops
an index run before its longest stage (embedding) if the vectors it will
write cannot fit.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Iterator, Sequence

# faiss: "... write error in /x/vectors.faiss: 65454 != 307200 (No space left on device)",
# "... could not open /x/vectors.faiss for reading: Permission denied"
_FAISS = re.compile(r"(?:write error in|read error in|could not open) (\S+?)(?: for \w+)?: "
                    r"(?:.*\((.+)\)|(.+))$")
_SQLITE = {  # SQLite result code prefix -> the errno it means
    "SQLITE_FULL": errno.ENOSPC, "SQLITE_IOERR": errno.EIO, "SQLITE_READONLY": errno.EROFS,
    "SQLITE_PERM": errno.EACCES, "SQLITE_CANTOPEN": errno.ENOENT,
}
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
# Room asked for beyond the estimate (manifest, file system overhead).
MARGIN_BYTES = 1 << 20


class StorageError(Exception):
    """A read or write of index files failed; the message is one line."""


def cause(e: BaseException) -> tuple[str | None, str] | None:
    """(path or None, readable cause) of a storage failure, or None if ``e`` is not one."""
    if isinstance(e, OSError) and e.errno:
        return e.filename, _errno_text(e.errno)
    if isinstance(e, sqlite3.Error):
        name = getattr(e, "sqlite_errorname", "") or ""
        if name.startswith(_DAMAGED):
            return None, f"damaged ({e})"
        for prefix, code in _SQLITE.items():
            if name.startswith(prefix):
                return None, f"{_errno_text(code)} ({name})"
        return None
    if isinstance(e, RuntimeError) and (m := _FAISS.search(str(e).strip())):
        return m.group(1), (m.group(2) or m.group(3)).strip()
    return None


def describe(e: BaseException, with_path: bool = True) -> str:
    """A one-line account of ``e``, without tracebacks or C++ locations (and
    without the path if ``with_path`` is false)."""
    found = cause(e)
    if found is None:
        text = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
        return text.rpartition("failed: ")[2] if "faiss" in text else text
    path, why = found
    return f"{path}: {why}" if path and with_path else why


@contextlib.contextmanager
def failures(where: Path, what: str) -> Iterator[None]:
    """Turn a storage failure inside the block into a `StorageError` naming the
    path (the file if known, else ``where``) and the cause; ``what`` ends the
    line (e.g. "the live index is unchanged")."""
    try:
        yield
    except (OSError, sqlite3.Error, RuntimeError) as e:
        found = cause(e)
        if found is None:
            raise
        path, why = found
        raise StorageError(f"{path or where}: {why}; {what}") from e


def vector_bytes(spaces: Sequence[tuple[int, int]]) -> int:
    """Disk space for the vectors of ``(passages, dim)`` per space: 4 bytes
    per dimension, an 8-byte id per vector and the 4-byte passage map."""
    return sum(n * (dim * 4 + 8) for n, dim in spaces) + 4 * max((n for n, _ in spaces), default=0)


def ensure_vector_room(folder: Path, spaces: Sequence[tuple[int, int]]) -> None:
    """`ensure_room` for the vectors of ``(passages, dim)`` per space."""
    passages = max((n for n, _ in spaces), default=0)
    ensure_room(folder, vector_bytes(spaces), f"the vectors of {passages:,} passages")


def ensure_room(folder: Path, needed: int, what: str) -> None:
    """Raise `StorageError` if the file system of ``folder`` has less than
    ``needed`` bytes (plus a margin) free for ``what``."""
    free = shutil.disk_usage(folder).free
    if free < needed + MARGIN_BYTES:
        raise StorageError(
            f"not enough disk space in {folder}: {what} need about {_size(needed + MARGIN_BYTES)}, "
            f"{_size(free)} free; nothing was changed (free some space, or index into a "
            f"larger disk with --index-dir)")


def _errno_text(code: int) -> str:
    return f"{os.strerror(code)} [{errno.errorcode.get(code, code)}]"


def _size(n: float) -> str:
    if n < 1024:
        return f"{int(n)} bytes"
    for unit in ("KB", "MB", "GB"):
        n /= 1024
        if n < 1024 or unit == "GB":
            break
    return f"{n:,.1f} {unit}"
