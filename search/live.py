"""`LiveSearcher`: always searches the live generation of an index directory.

Callers lease a searcher for the duration of one request (`acquire`/`release`,
or ``with live.searching() as s``), so a request runs entirely on one
generation.  When a build publishes a new generation, the first caller to
notice opens it (sharing the loaded model) while the others keep using the old
one; from then on new leases get the new generation, and the old searcher is
closed when its last lease is released.  A searcher holds its generation's
files against pruning (`Generation.hold`) until it is closed.  If a new
generation cannot be opened, the old one keeps serving and opening is retried
after `RETRY_SECONDS`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from pathlib import Path
from typing import Iterator

from .config import Settings
from .embedder import Embedder
from .layout import IndexDir, IndexNotFound
from .searcher import Searcher

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


class LiveSearcher:
    def __init__(self, settings: Settings, index_dir: Path | None = None,
                 embedder: Embedder | None = None):
        self.settings = settings
        self.layout = IndexDir(index_dir or settings.index_dir)
        self._embedder = embedder
        self._live: Searcher | None = None
        self._leases: dict[Searcher, int] = {}  # open searchers -> requests using them
        self._lock = threading.Lock()  # guards _live and _leases
        self._opening = threading.Lock()  # one thread opens a new generation
        self._failed: tuple[str, float] | None = None  # (generation, when) that failed to open
        self.swaps = 0

    def acquire(self) -> Searcher:
        """Lease the live generation's searcher (raises `IndexNotFound` if none);
        hand it back with `release`."""
        self._refresh()
        with self._lock:
            searcher = self._live
            if searcher is None:
                raise IndexNotFound(f"no index at {self.layout.root}")
            self._leases[searcher] += 1
            return searcher

    def release(self, searcher: Searcher) -> None:
        with self._lock:
            self._leases[searcher] -= 1
            retired = searcher is not self._live and self._leases[searcher] == 0
            if retired:
                del self._leases[searcher]
        if retired:
            searcher.close()

    @contextlib.contextmanager
    def searching(self) -> Iterator[Searcher]:
        searcher = self.acquire()
        try:
            yield searcher
        finally:
            self.release(searcher)

    def open_generations(self) -> list[str]:
        """Generations with an open searcher: the live one and any still finishing requests."""
        with self._lock:
            return sorted(s.generation.name for s in self._leases)

    def close(self) -> None:
        """Close every searcher no request is using (call when shutting down)."""
        with self._lock:
            idle = [s for s, n in self._leases.items() if n == 0]
            for s in idle:
                del self._leases[s]
            if self._live in idle:
                self._live = None
        for s in idle:
            s.close()

    def _refresh(self) -> None:
        """Swap in the generation ``CURRENT`` names if it is not the live one."""
        live = self._live
        try:
            generation = self.layout.current()
        except IndexNotFound:
            if live is None:
                raise
            return  # the pointer vanished: keep serving what we have
        if live is not None and live.generation.name == generation.name:
            return
        # With a live searcher, never wait: another thread is opening it already.
        if not self._opening.acquire(blocking=live is None):
            return
        try:
            live = self._live
            if live is not None and live.generation.name == generation.name:
                return
            if (live is not None and self._failed and self._failed[0] == generation.name
                    and time.monotonic() - self._failed[1] < RETRY_SECONDS):
                return
            try:
                fresh = Searcher(generation, self.settings, self._embedder)
            except Exception as e:
                if live is None:
                    raise IndexNotFound(f"cannot open {generation.path}: {e}") from e
                self._failed = (generation.name, time.monotonic())
                log.exception("cannot open %s; still serving %s", generation.name,
                              live.generation.name)
                return
            self._embedder = fresh.embedder
            with self._lock:
                old, self._live = self._live, fresh
                self._leases[fresh] = 0
                idle = old is not None and self._leases[old] == 0
                if idle:
                    del self._leases[old]
                self.swaps += old is not None
            if idle:
                old.close()
            log.info("now serving %s (%d articles)", fresh.generation.name, fresh.article_count)
        finally:
            self._opening.release()
