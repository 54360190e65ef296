"""The index directory: numbered generations and the pointer to the live one.

::

    indexes/default/
        CURRENT                 name of the live generation, e.g. "gen-000003"
        gen-000003/             a complete index (see `Generation`)
        gen-000004.building/    a build in progress (never read by searchers)

A build writes a new ``*.building`` folder beside the live one, renames it to
its final name when complete, then atomically replaces ``CURRENT``.  A failed
or interrupted build (even ``kill -9``) therefore never touches what is being
served; the next build removes its leftovers.

Readers hold a shared lock on the manifest of the generation they have open
(`Generation.hold`); old generations are deleted only when no reader holds
them, so a server finishing requests on the previous generation never loses
its files.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.index import checksums

_GEN = re.compile(r"^gen-(\d{6})(\.building)?$")
KEEP_PREVIOUS = 1  # complete generations kept besides the live one
# Version of a generation's files and fields, recorded in its manifest; bump it
# when a change makes indexes written before it unreadable (they must be rebuilt).
# 2: one vector index per embedding model (manifest "spaces"); 3: Armenian and
# Azerbaijani words stemmed in the keyword index (search.text.stemmers).
FORMAT = 3


class IndexNotFound(Exception):
    """There is no complete index at the given directory."""


class IndexFormatError(IndexNotFound):
    """The index was written by an incompatible version of newsearch."""


class IndexLocked(Exception):
    """Another process is writing this index."""


@dataclass(frozen=True)
class Generation:
    """One complete (or building) index: the paths of its parts."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def keyword_dir(self) -> Path:
        return self.path / "keyword"

    @property
    def vectors_file(self) -> Path:
        return self.path / "vectors.faiss"

    @property
    def passage_articles_file(self) -> Path:
        """Article ordinal of every passage id (numpy int32, -1: none)."""
        return self.path / "passage_articles.npy"

    @property
    def store_file(self) -> Path:
        return self.path / "articles.sqlite"

    @property
    def manifest_file(self) -> Path:
        return self.path / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_file.read_text(encoding="utf-8"))

    def check_format(self) -> dict[str, Any]:
        """The manifest, if this generation's format is the one this code reads."""
        manifest = self.manifest()
        found = manifest.get("format", 0)
        if found != FORMAT:
            raise IndexFormatError(
                f"{self.path} has index format {found}, this version of newsearch reads format "
                f"{FORMAT}; rebuild it with: newsearch index --rebuild SOURCE...")
        return manifest

    def write_manifest(self, data: dict[str, Any]) -> None:
        self.manifest_file.write_text(json.dumps(data, indent=2), encoding="utf-8")

    def hold(self) -> "Hold":
        """A shared lock keeping this generation from being deleted while open.

        Raises `IndexNotFound` if the generation is gone (deleted meanwhile)."""
        try:
            fd = os.open(self.manifest_file, os.O_RDONLY)
        except FileNotFoundError:
            raise IndexNotFound(f"generation {self.name} is gone") from None
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits while a prune is deleting it
        if os.fstat(fd).st_nlink == 0:
            os.close(fd)
            raise IndexNotFound(f"generation {self.name} is gone")
        return Hold(fd)


class Hold:
    """An open shared lock on a generation (see `Generation.hold`)."""

    def __init__(self, fd: int):
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


class IndexDir:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> Generation:
        """The live generation, or `IndexNotFound`."""
        name = self.pointed()
        gen = Generation(self.root / name)
        if not _GEN.match(name) or not gen.manifest_file.exists():
            raise IndexNotFound(f"{self.pointer} names a missing generation {name!r} (details: "
                                "newsearch check; rebuild with: newsearch index --rebuild "
                                "SOURCE...)")
        return gen

    @contextlib.contextmanager
    def writer_lock(self):
        """Held by the one process allowed to change this directory.

        The kernel drops the lock when its process dies, even by ``kill -9``."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "LOCK", "a+") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                f.seek(0)
                holder = f.read().strip()
                who = f" (pid {holder})" if holder.isdigit() else ""
                raise IndexLocked(
                    f"another newsearch process{who} is writing {self.root}; "
                    "try again when it ends"
                ) from None
            try:
                f.truncate(0)
                f.write(f"{os.getpid()}\n")
                f.flush()
                yield
            finally:
                f.truncate(0)
                fcntl.flock(f, fcntl.LOCK_UN)

    def begin(self) -> Generation:
        """A fresh, empty generation folder to build into (hold `writer_lock`).

        Leftovers of writers that were killed are removed first."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._clean_leftovers()
        numbers = [int(m.group(1)) for m in map(_GEN.match, os.listdir(self.root)) if m]
        number = max(numbers, default=0) + 1
        path = self.root / f"gen-{number:06d}.building"
        path.mkdir()
        return Generation(path)

    def publish(self, building: Generation) -> Generation:
        """Make a finished build the live generation, atomically."""
        final = Generation(building.path.with_name(building.name.removesuffix(".building")))
        self._seal(building)
        _fsync_tree(building.path)
        building.path.rename(final.path)
        tmp = self.root / f"CURRENT.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(final.name + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.pointer)
        _fsync_dir(self.root)
        self._prune(final)
        return final

    def _seal(self, building: Generation) -> None:
        """Record the size and checksum of each file of ``building`` in its manifest."""
        previous, files = None, None
        try:
            previous = self.current()
            files = previous.manifest().get("files")
        except (IndexNotFound, OSError, ValueError):
            pass  # first build, or an unreadable live manifest: hash everything
        manifest = building.manifest()
        manifest["files"] = checksums.entries(
            building.path, previous.path if previous else None, files)
        building.write_manifest(manifest)

    def older(self, name: str) -> list[Generation]:
        """Complete generations older than ``name``, newest first (fallbacks)."""
        return [Generation(p) for p in reversed(self._complete()) if p.name < name]

    def pointed(self) -> str:
        """The generation name ``CURRENT`` holds (whether or not it exists)."""
        try:
            return self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise IndexNotFound(
                f"no index at {self.root} (build one with: newsearch index SOURCE)"
            ) from None

    def abandon(self, building: Generation) -> None:
        shutil.rmtree(building.path, ignore_errors=True)

    def _prune(self, live: Generation) -> None:
        """Drop old complete generations, keeping `KEEP_PREVIOUS` before ``live``
        and any that a reader still holds (a later prune takes those)."""
        older = [p for p in self._complete() if p.name < live.name]
        for path in older[: max(0, len(older) - KEEP_PREVIOUS)]:
            _remove_unless_held(Generation(path))

    def _clean_leftovers(self) -> None:
        """Remove what killed writers left: ``*.building`` folders, pointer
        temp files and complete generations newer than the live one that
        never became live (killed between renaming and publishing)."""
        for path in self.root.glob("gen-*.building"):
            shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob("CURRENT.*.tmp"):
            path.unlink(missing_ok=True)
        try:
            live = self.current().name
        except IndexNotFound:
            return  # without a live pointer, no complete generation is a leftover
        for path in self._complete():
            if path.name > live:
                _remove_unless_held(Generation(path))

    def _complete(self) -> list[Path]:
        return sorted(
            p for p in self.root.iterdir() if (m := _GEN.match(p.name)) and not m.group(2)
        )


def _remove_unless_held(gen: Generation) -> None:
    """Delete a generation unless a reader holds it (see `Generation.hold`)."""
    try:
        fd = os.open(gen.manifest_file, os.O_RDONLY)
    except FileNotFoundError:
        shutil.rmtree(gen.path, ignore_errors=True)  # incomplete: nobody can read it
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return
    try:
        shutil.rmtree(gen.path, ignore_errors=True)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for dirpath, _, filenames in os.walk(path):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
