"""Finding source files and reading each with the reader for its format."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable, Iterator

from search.article import Article

from .readers import Skipped, csvfile, jsonl, textpage

Reader = Callable[[Path, str], Iterator[Article | Skipped]]

READERS: dict[str, Reader] = {"jsonl": jsonl.read, "csv": csvfile.read, "text": textpage.read}
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".txt": "text"}


def files(sources: Iterable[Path]) -> Iterator[Path | Skipped]:
    """Every file named or found (recursively, in name order) under a folder."""
    for source in sources:
        if source.is_dir():
            for dirpath, dirnames, filenames in os.walk(source):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    path = Path(dirpath) / name
                    if not name.startswith(".") and path.suffix.lower() in EXTENSIONS:
                        yield path
        elif source.is_file():
            yield source
        else:
            yield Skipped(str(source), "no such file or folder")


def read_sources(sources: Iterable[Path], fmt: str | None = None) -> Iterator[Article | Skipped]:
    """Articles from every source, and a `Skipped` for whatever could not be read."""
    for path in files(sources):
        if isinstance(path, Skipped):
            yield path
            continue
        kind = fmt or EXTENSIONS.get(path.suffix.lower())
        if kind not in READERS:
            yield Skipped(str(path), f"unknown format (extension {path.suffix or 'none'})")
            continue
        try:
            data = path.read_bytes()
        except OSError as e:
            yield Skipped(str(path), f"cannot read ({e.strerror})")
            continue
        if b"\x00" in data[:8192]:
            yield Skipped(str(path), "binary file, not text")
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            yield Skipped(str(path), f"not UTF-8 text (byte {e.start})")
            continue
        yield from READERS[kind](path, text)
