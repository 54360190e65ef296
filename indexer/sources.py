"""Finding source files, telling their format, and reading each with its reader.

A file's format is told by its content when that is unambiguous (an HTML
document, an RSS/Atom/RDF feed, JSON), else by its extension, else by a look at
its first line (a CSV header) and finally taken as a page-text dump.
``--format`` overrides all of that.  ``.gz`` files are read decompressed.
Anything that cannot be read becomes a `Skipped` with the reason; articles
without a language get one detected from their text.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import re
import zlib
from pathlib import Path
from typing import Callable, Iterable, Iterator

from search.article import Article

from . import language
from .readers import Skipped, csvfile, feed, html, jsonl, textpage
from .records import FieldMap

Reader = Callable[[str, str, FieldMap], Iterator[Article | Skipped]]

READERS: dict[str, Reader] = {
    "jsonl": jsonl.read, "csv": csvfile.read, "text": textpage.read,
    "html": html.read, "feed": feed.read,
}
FORMATS = tuple(READERS)
EXTENSIONS = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".csv": "csv", ".tsv": "csv",
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".rss": "feed", ".atom": "feed", ".rdf": "feed", ".xml": "feed",
}
MAX_BYTES = 256 * 1024 * 1024  # per file, after decompression

_BINARY_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x7fELF")
_CONTROL = bytes(set(range(32)) - {9, 10, 12, 13, 27})
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE)
_FEED_ROOT = re.compile(r"<(?:rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
_HTML_ROOT = re.compile(r"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
_CSV_FIELDS = {"id", "title", "headline", "body", "text", "url", "link"}


def files(sources: Iterable[Path]) -> Iterator[Path | Skipped]:
    """Every file named, or found (recursively, in name order) under a folder.

    In folders only files with a known extension (plain or ``.gz``) are taken;
    a file named explicitly is read whatever its name."""
    for source in sources:
        if source.is_dir():
            for dirpath, dirnames, filenames in os.walk(source):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if not name.startswith(".") and _extension(name) in EXTENSIONS:
                        yield Path(dirpath) / name
        elif source.is_file():
            yield source
        else:
            yield Skipped(str(source), "no such file or folder")


def read_sources(sources: Iterable[Path], fmt: str | None = None,
                 fields: FieldMap | None = None) -> Iterator[Article | Skipped]:
    """Articles from every source, and a `Skipped` for whatever could not be read."""
    return parse_all(loaded(sources), fmt, fields)


Loaded = tuple[str, bytes]  # a file's name and bytes


def loaded(sources: Iterable[Path]) -> Iterator[Loaded | Skipped]:
    """Every source file (`files`) with its bytes (`load`), or why it cannot be read."""
    for path in files(sources):
        data = path if isinstance(path, Skipped) else load(path)
        yield data if isinstance(data, Skipped) else (str(path), data)


def parse_all(items: Iterable[Loaded | Skipped], fmt: str | None = None,
              fields: FieldMap | None = None) -> Iterator[Article | Skipped]:
    """The articles of each loaded file (`parse`); a `Skipped` passes through."""
    for item in items:
        if isinstance(item, Skipped):
            yield item
        else:
            yield from parse(*item, fmt, fields or {})


def load(path: Path) -> bytes | Skipped:
    """The file's bytes, decompressed if it is gzipped (by name or content), or
    why it cannot be read."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
        if data[:2] == b"\x1f\x8b" or path.name.lower().endswith(".gz"):
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
                data = unzipped.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise ValueError(f"larger than {MAX_BYTES // 2**20} MiB")
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as e:
        return Skipped(str(path), _reason(e))
    return data


def parse(where: str, data: bytes, fmt: str | None = None, fields: FieldMap | None = None
          ) -> Iterator[Article | Skipped]:
    """The articles in the bytes ``data`` of the file ``where`` (or why there are none)."""
    if not data.strip():
        yield Skipped(where, "empty file")
        return
    if _is_binary(data):
        yield Skipped(where, "binary file, not text")
        return
    kind = fmt or detect_format(_extension(Path(where).name.removesuffix(".gz")), data)
    try:
        text = _decode(data, kind)
    except (UnicodeDecodeError, LookupError) as e:
        yield Skipped(where, _reason(e))
        return
    try:
        for item in READERS[kind](where, text, fields or {}):
            if isinstance(item, Article) and not item.lang:
                item.lang = language.detect(item.text)
            yield item
    except Exception as e:  # a parser tripping over hostile input must not stop the run
        yield Skipped(where, f"unreadable as {kind} ({type(e).__name__}: {e})")


def detect_format(extension: str, data: bytes) -> str:
    """The format of a file from its content and extension (see module doc)."""
    head = data[:4096].decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        if _FEED_ROOT.search(head) and not _HTML_ROOT.search(head):
            return "feed"
        if _HTML_ROOT.search(head) or extension not in EXTENSIONS:
            return "html"
    first_line = head.split("\n", 1)[0].strip()
    if (first_line.startswith("{") and first_line.endswith("}")) or re.match(r"\[\s*\{", head):
        return "jsonl"
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    header = {f.strip().strip('"').lower() for f in re.split(r"[,;\t]", first_line)}
    return "csv" if len(header) > 1 and header & _CSV_FIELDS else "text"


def _extension(name: str) -> str:
    """".jsonl" for "a.jsonl" and "a.jsonl.gz"."""
    return Path(name.lower().removesuffix(".gz")).suffix


def _is_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        return not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    return sum(head.count(c) for c in _CONTROL) > len(head) // 20


def _decode(data: bytes, kind: str) -> str:
    """Text of the file: UTF-8 (or UTF-16 with a byte-order mark); HTML and
    feeds may declare another encoding, which is then used."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    encoding = "utf-8-sig"
    if kind in ("html", "feed") and not data.startswith(codecs.BOM_UTF8):
        declared = _DECLARED_CHARSET.search(data[:4096])
        if declared:
            name = (declared.group(1) or declared.group(2)).decode("ascii", "ignore")
            encoding = codecs.lookup(name).name
    return data.decode(encoding)


def _reason(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"not {error.encoding.upper()} text (byte {error.start})"
    if isinstance(error, LookupError):
        return f"declares an unknown text encoding ({error})"
    if isinstance(error, OSError) and error.strerror:
        return f"cannot read ({error.strerror})"
    if isinstance(error, (zlib.error, gzip.BadGzipFile, EOFError)):
        return f"not a readable gzip file ({error})"
    return str(error)
