"""The editors' files: synonyms and pins, changed without reindexing.

They live in one folder (`Settings.editors_dir`, by default ``editors/`` in
the index directory): ``synonyms.txt`` (`search.features.synonyms`) and ``pins.json``
(a list of `search.features.pins.Pin` objects).  Each search reads them through
`Editors`, which re-reads a file when its modification time or size changes,
so an edit, by hand or through the admin API, applies to the next search.
A file that cannot be read is logged and the last good version stays.
Writes go to a temporary file renamed over the old one (never half written).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

from search.config import Settings
from search.errors import SearchError
from search.features.pins import Pin
from search.features.synonyms import Synonyms

log = logging.getLogger(__name__)

SYNONYMS = "synonyms.txt"
PINS = "pins.json"
MAX_FILE_BYTES = 2_000_000


def editors_dir(settings: Settings, index_dir: Path | None = None) -> Path:
    return Path(settings.editors_dir) if settings.editors_dir else \
        Path(index_dir or settings.index_dir) / "editors"


def parse_pins(data: Any) -> tuple[Pin, ...]:
    if not isinstance(data, list):
        raise SearchError("bad_pins", "pins are a JSON list of pin objects")
    return tuple(Pin.from_dict(d) for d in data)


class _Watched:
    """One file's parsed content, re-read when the file changes."""

    def __init__(self, path: Path, parse: Callable[[str], Any], empty: Any):
        self.path, self._parse, self._value = path, parse, empty
        self._empty = empty
        self._seen: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp == self._seen:
            return self._value
        with self._lock:
            if stamp != self._seen:
                self._reload(stamp)
            return self._value

    def _reload(self, stamp: tuple[int, int, int] | None) -> None:
        if stamp is None:
            self._value = self._empty
        else:
            try:
                if stamp[1] > MAX_FILE_BYTES:
                    raise SearchError("too_large", f"larger than {MAX_FILE_BYTES} bytes")
                self._value = self._parse(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError, SearchError) as e:
                log.error("cannot read %s (%s); keeping the previous version", self.path, e)
        self._seen = stamp


class Editors:
    """The synonyms and pins of one site, read live from their folder."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._synonyms = _Watched(self.folder / SYNONYMS, Synonyms.parse, Synonyms())
        self._pins = _Watched(self.folder / PINS, lambda text: parse_pins(json.loads(text)), ())

    def synonyms(self) -> Synonyms:
        return self._synonyms.get()

    def pins(self) -> tuple[Pin, ...]:
        return self._pins.get()

    def save_synonyms(self, synonyms: Synonyms) -> None:
        self._write(SYNONYMS, synonyms.to_text())

    def save_pins(self, pins: tuple[Pin, ...]) -> None:
        self._write(PINS, json.dumps([p.to_dict() for p in pins], ensure_ascii=False, indent=1))

    def _write(self, name: str, text: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
