"""`LiveSearcher`: always searches the live generation of an index directory.

When a build publishes a new generation, the next call opens it (sharing the
loaded model) and swaps it in; requests already running finish on the old one.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .config import Settings
from .embedder import Embedder
from .layout import IndexDir
from .searcher import Searcher


class LiveSearcher:
    def __init__(self, settings: Settings, index_dir: Path | None = None,
                 embedder: Embedder | None = None):
        self.settings = settings
        self.layout = IndexDir(index_dir or settings.index_dir)
        self._embedder = embedder
        self._searcher: Searcher | None = None
        self._lock = threading.Lock()

    def get(self) -> Searcher:
        """The searcher of the live generation (raises `IndexNotFound` if none)."""
        generation = self.layout.current()
        current = self._searcher
        if current is not None and current.generation.name == generation.name:
            return current
        with self._lock:
            if self._searcher is None or self._searcher.generation.name != generation.name:
                fresh = Searcher(generation, self.settings, self._embedder)
                self._embedder = fresh.embedder
                self._searcher = fresh
            return self._searcher
