"""The write-ahead log: changes pushed since the live generation was written.

::

    indexes/default/wal/
        LOCK                          held while a record is appended (flock)
        seg-0000000000000001.wal      records with sequence numbers from 1 on
        seg-0000000000000412.wal      from 412 on (the newest: appended to)

A pushed article (`indexer.push`) is one record: its fields, its passage
spans and its passage vectors (embedded once, by the process that took the
push, so that readers never embed).  A deletion is a record with the id only.
Each record carries a sequence number, one more than the last; a
generation's manifest says up to which number it holds the log
(``wal_seq``), so a reader applies the records after it (`search.index.delta`)
and a merge (`indexer.merge`) folds them into a new generation, after which
the segments it holds are dropped (`drop_through`).

A record on disk: ``b"NW"``, the payload's length and CRC-32 (little-endian
uint32 each), then the payload: a uint32 header length, the header (JSON)
and the vectors (float32).  Appenders hold ``LOCK``, write a batch in one
``write`` and ``fdatasync`` it before anyone is told it is stored.  Readers
take no lock: they stop at a record that is not complete yet (a length past
the end or a checksum that does not match) and read it on a later pass.  A
process killed mid-write leaves a torn last record; the next appender (or
``newsearch check``) truncates it: it was never acknowledged.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from search.index.layout import _fsync_dir

MAGIC = b"NW"
_HEAD = struct.Struct("<2sII")  # magic, payload length, crc32
_U32 = struct.Struct("<I")
_SEGMENT = re.compile(r"^seg-(\d{16})\.wal$")
SEGMENT_BYTES = 64 << 20  # an appender starts a new segment past this size
MAX_RECORD_BYTES = 1 << 30  # a length above this is damage, not a record


@dataclass
class Record:
    """One change: an article put (with passages and vectors) or a deletion."""

    seq: int
    op: str  # "put" or "delete"
    id: str
    article: dict[str, Any] | None = None  # `Article.to_dict()` (put)
    digest: str = ""  # `Article.digest()` (put)
    passages: list[tuple[int, int]] = field(default_factory=list)  # body spans (put)
    space: int = -1  # the home space the vectors are in (-1: none)
    model: str = ""  # the model of that space (vectors of another model are not used)
    vectors: np.ndarray | None = None  # float32, one row per passage
    time: float = 0.0  # when it was appended (POSIX seconds)

    def encode(self) -> bytes:
        header = {"seq": self.seq, "op": self.op, "id": self.id, "time": self.time}
        blob = b""
        if self.op == "put":
            vectors = self.vectors
            header.update(article=self.article, digest=self.digest,
                          passages=[list(p) for p in self.passages], space=self.space,
                          model=self.model,
                          dim=int(vectors.shape[1]) if vectors is not None and vectors.size else 0)
            if vectors is not None and vectors.size:
                blob = np.ascontiguousarray(vectors, dtype="<f4").tobytes()
        head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        payload = _U32.pack(len(head)) + head + blob
        return _HEAD.pack(MAGIC, len(payload), zlib.crc32(payload)) + payload

    @classmethod
    def decode(cls, payload: bytes) -> "Record":
        (size,) = _U32.unpack_from(payload, 0)
        header = json.loads(payload[4 : 4 + size].decode("utf-8"))
        vectors = None
        dim = int(header.get("dim") or 0)
        if dim:
            vectors = np.frombuffer(payload, dtype="<f4", offset=4 + size).reshape(-1, dim)
        return cls(seq=int(header["seq"]), op=header["op"], id=header["id"],
                   article=header.get("article"), digest=header.get("digest", ""),
                   passages=[(int(s), int(e)) for s, e in header.get("passages", [])],
                   space=int(header.get("space", -1)), model=header.get("model", ""),
                   vectors=vectors, time=float(header.get("time", 0.0)))


@dataclass(frozen=True)
class Position:
    """Where a reader is: a segment (by its first sequence number) and an offset."""

    segment: int = 0
    offset: int = 0


@dataclass
class Scan:
    """What a read found: the complete records, where to read on, and whether
    the records ``after`` asked for were already dropped (``gap``)."""

    records: list[Record]
    position: Position
    gap: bool = False
    torn: tuple[Path, int, int] | None = None  # (segment, offset, bytes) of an incomplete tail
    damaged: list[str] = field(default_factory=list)


class WriteAheadLog:
    def __init__(self, index_root: Path | str):
        self.root = Path(index_root)
        self.dir = self.root / "wal"

    # --- reading -------------------------------------------------------------
    def segments(self) -> list[tuple[int, Path]]:
        """(first sequence number, path) of every segment, oldest first."""
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return []
        return sorted((int(m.group(1)), self.dir / n) for n in names if (m := _SEGMENT.match(n)))

    def exists(self) -> bool:
        return bool(self.segments())

    def stamp(self) -> tuple:
        """Changes whenever a record is appended or a segment added or dropped
        (a cheap check before reading: two stats)."""
        try:
            st = os.stat(self.dir)
        except FileNotFoundError:
            return ()
        segments = self.segments() if st.st_mtime_ns != getattr(self, "_dir_mtime", None) \
            else self._last_segments
        self._dir_mtime, self._last_segments = st.st_mtime_ns, segments
        if not segments:
            return (st.st_mtime_ns,)
        try:
            size = os.stat(segments[-1][1]).st_size
        except FileNotFoundError:
            return (st.st_mtime_ns, -1)
        return (st.st_mtime_ns, segments[-1][0], size)

    def read(self, after: int, position: Position | None = None) -> Scan:
        """The complete records with sequence numbers above ``after``, read
        from ``position`` (where a previous read ended) or from the start."""
        segments = self.segments()
        out: list[Record] = []
        position = position or Position()
        gap = False
        if segments and position.segment and position.segment < segments[0][0]:
            gap = True  # the segment we were reading was dropped (merged meanwhile)
        elif segments and not position.segment and segments[0][0] > after + 1:
            gap = True  # records after `after` are gone
        torn, damaged = None, []
        for i, (first, path) in enumerate(segments):
            if first < position.segment:
                continue
            nxt = segments[i + 1][0] if i + 1 < len(segments) else None
            if nxt is not None and nxt <= after + 1:
                continue  # holds nothing newer than `after`
            offset = position.offset if first == position.segment else 0
            records, end, problem = _read_segment(path, offset)
            out.extend(r for r in records if r.seq > after)
            position = Position(first, end)
            if problem is not None:
                if nxt is None and problem[0] == "incomplete":
                    torn = (path, end, problem[1])
                else:
                    damaged.append(f"{path.name}: damaged record at byte {end} ({problem[0]})")
                break  # never read past a record we cannot read
        return Scan(out, position, gap, torn, damaged)

    def last_seq(self, floor: int = 0) -> int:
        """The newest sequence number in the log (``floor`` if none is newer)."""
        segments = self.segments()
        if not segments:
            return floor
        first, path = segments[-1]
        records, _, _ = _read_segment(path, 0)
        newest = records[-1].seq if records else first - 1
        return max(floor, newest)

    # --- writing ---------------------------------------------------------------
    @contextlib.contextmanager
    def appending(self, floor: int = 0) -> Iterator["Appender"]:
        """The log held for appending (other appenders wait); ``floor``: the
        live generation's ``wal_seq`` (sequence numbers continue above it)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "LOCK", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield Appender(self, floor)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def drop_through(self, seq: int) -> int:
        """Remove the segments holding only records up to ``seq`` (merged into a
        generation); the number removed."""
        with self.appending(seq) as appender:
            segments = self.segments()
            if segments and appender.last >= segments[-1][0] and appender.last <= seq:
                appender.roll()  # the newest is all merged: start the next one empty
                segments = self.segments()
            dropped = 0
            for (first, path), (nxt, _) in zip(segments, segments[1:]):
                if nxt <= seq + 1:
                    path.unlink(missing_ok=True)
                    dropped += 1
            if dropped:
                _fsync_dir(self.dir)
            return dropped

    def repair(self) -> tuple[Path, int, int] | None:
        """Truncate a torn last record (left by a killed appender); what was cut."""
        with self.appending() as appender:
            return appender.torn


class Appender:
    """The log, held by one appender (`WriteAheadLog.appending`)."""

    def __init__(self, wal: WriteAheadLog, floor: int):
        self.wal = wal
        self.torn: tuple[Path, int, int] | None = None
        segments = wal.segments()
        if not segments:
            self.path = self._create(floor + 1)
            self.last = floor
            return
        first, self.path = segments[-1]
        records, end, problem = _read_segment(self.path, 0)
        if problem is not None:  # a torn tail: never acknowledged, so cut it
            size = self.path.stat().st_size
            with open(self.path, "r+b") as f:
                f.truncate(end)
                os.fsync(f.fileno())
            self.torn = (self.path, end, size - end)
        self.last = max(floor, records[-1].seq if records else first - 1)
        if self.last >= first and end >= SEGMENT_BYTES:
            self.roll()

    def _create(self, first: int) -> Path:
        path = self.wal.dir / f"seg-{first:016d}.wal"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
        os.fsync(fd)
        os.close(fd)
        _fsync_dir(self.wal.dir)
        return path

    def roll(self) -> None:
        """Start a new segment for the records after ``last``."""
        self.path = self._create(self.last + 1)

    def append(self, records: list[Record]) -> None:
        """Write ``records`` (their ``seq`` set here, in order) and sync them
        to disk; on failure nothing of them stays in the log."""
        if not records:
            return
        data = []
        for r in records:
            self.last += 1
            r.seq = self.last
            data.append(r.encode())
        blob = b"".join(data)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            start = os.fstat(fd).st_size
            try:
                written = os.write(fd, blob)
                while written < len(blob):
                    written += os.write(fd, blob[written:])
                os.fdatasync(fd)
            except BaseException:
                self.last -= len(records)
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)
                raise
        finally:
            os.close(fd)


def _read_segment(path: Path, offset: int) -> tuple[list[Record], int, tuple[str, int] | None]:
    """Records of one segment from ``offset``: (records, end of the last
    complete one, the problem met after it: ("incomplete" | "damaged", bytes left))."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read()
    except FileNotFoundError:
        return [], offset, None
    records, pos = [], 0
    while pos < len(data):
        left = len(data) - pos
        if left < _HEAD.size:
            return records, offset + pos, ("incomplete", left)
        magic, length, crc = _HEAD.unpack_from(data, pos)
        if magic != MAGIC or length > MAX_RECORD_BYTES:
            return records, offset + pos, ("damaged", left)
        if _HEAD.size + length > left:
            return records, offset + pos, ("incomplete", left)
        payload = data[pos + _HEAD.size : pos + _HEAD.size + length]
        if zlib.crc32(payload) != crc:
            # The last record of a file cut mid-write reads as a bad checksum too.
            whole = _HEAD.size + length == left
            return records, offset + pos, ("incomplete" if whole else "damaged", left)
        try:
            records.append(Record.decode(payload))
        except (ValueError, KeyError, UnicodeDecodeError):
            return records, offset + pos, ("damaged", left)
        pos += _HEAD.size + length
    return records, offset + pos, None


def check(index_root: Path | str, repair: bool = True) -> tuple[list[str], bool]:
    """Lines describing the log for ``newsearch check``, and whether it is sound.

    A torn last record (a write cut by a crash, never acknowledged) is
    truncated when ``repair`` and reported; it is not damage."""
    wal = WriteAheadLog(index_root)
    segments = wal.segments()
    if not segments:
        return ["write-ahead log: empty"], True
    lines, ok = [], True
    scan = wal.read(0)
    if scan.torn is not None:
        path, offset, size = scan.torn
        if repair:
            cut = wal.repair()
            if cut is not None:
                path, offset, size = cut
            lines.append(f"write-ahead log: truncated a torn last record ({size} bytes at byte "
                         f"{offset} of {path.name}): a write cut short, never acknowledged")
        else:
            lines.append(f"write-ahead log: a torn last record ({size} bytes at byte {offset} of "
                         f"{path.name}); the next write truncates it")
    for problem in scan.damaged:
        ok = False
        lines.append(f"write-ahead log: {problem}; the records after it cannot be read")
    seqs = [r.seq for r in scan.records]
    if any(b != a + 1 for a, b in zip(seqs, seqs[1:])):
        ok = False
        lines.append("write-ahead log: sequence numbers are not consecutive")
    span = f"records {seqs[0]}-{seqs[-1]}" if seqs else "no records"
    lines.insert(0, f"write-ahead log: {len(segments)} segment(s), {span}")
    return lines, ok
