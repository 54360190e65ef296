"""Near-real-time search: a generation's searcher with the write-ahead log's changes.

`Tail` follows the log of an index directory for one generation: it reads
the records appended since its last look (a stat first, so a request that
finds nothing new pays two system calls), applies them to its `Delta`
(`search.index.delta`) and makes a `Searcher` over the generation and the
delta (`with_delta`).  That searcher shares everything the generation's
searcher loaded (its files, term statistics, vocabulary, query-embedding
cache, model) and extends the per-article arrays (facts, languages, homes)
with the delta's few articles instead of reading them again; its response
cache is its own (keyed by the last record applied), so no answer computed
before a change is served after it.
"""

from __future__ import annotations

import copy
import dataclasses
import threading

import numpy as np

from search.cache import SearchCache
from search.features.suggest import Completer
from search.index.article_vectors import ArticleVectors
from search.index.delta import Delta
from search.index.vocabulary import LazyVocabulary
from search.index.wal import Position, WriteAheadLog
from search.ranking.semantic import SemanticSpaces
from search.searcher import Searcher


class Base:
    """A generation's searcher shared by the views over it; closed with the last of them."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher
        self._users = 1  # the tail serving it
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            self._users += 1

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            done = self._users == 0
        if done:
            self.searcher.close()


class Tail:
    """The log followed over one generation's searcher."""

    def __init__(self, base: Searcher, root):
        self.base = Base(base)
        self.wal = WriteAheadLog(root)
        self.delta = Delta(base.parts)
        self.position = Position()
        self.stamp: tuple | None = None
        self.gap = False  # records after the generation's were dropped: a newer one is live

    def changed(self) -> bool:
        return self.wal.stamp() != self.stamp

    def catch_up(self) -> bool:
        """Apply what was appended since the last call; whether anything was."""
        stamp = self.wal.stamp()
        if stamp == self.stamp:
            return False
        scan = self.wal.read(self.delta.seq, self.position)
        self.gap = self.gap or scan.gap
        self.position, self.stamp = scan.position, stamp
        return bool(self.delta.apply(scan.records))

    def searcher(self) -> Searcher:
        """A searcher of the generation and every record applied so far."""
        self.base.take()
        return with_delta(self.base, self.delta)

    def close(self) -> None:
        self.base.release()


def with_delta(base: Base, delta: Delta) -> Searcher:
    """``base``'s searcher with ``delta``'s records (its own snapshot of them)."""
    s = base.searcher
    view = copy.copy(s)
    if not delta.records:
        view.parts = dataclasses.replace(s.parts, close=base.release)
        return view
    settings = s.settings
    parts = delta.view(settings)
    info = parts.delta
    view.parts = dataclasses.replace(parts, close=base.release)
    view.manifest = parts.manifest
    view.store, view.keyword, view.passage_article = parts.store, parts.keyword, parts.passage_article
    view.facts = s.facts.extended(info.rows)
    cache = SearchCache(settings, f"{s.generation.name}+{info.seq}")
    cache.embeddings = s.cache.embeddings  # query vectors do not change with the index
    view.cache = cache
    spaces = [dataclasses.replace(space, vectors=index)
              for space, index in zip(s.semantic.spaces, parts.indexes)]
    langs = np.concatenate([np.asarray(s.semantic._lang, dtype=object),
                            np.asarray(info.langs, dtype=object)])
    view.semantic = SemanticSpaces(spaces, langs, parts.passage_article, settings.cross_lingual)
    view.languages = s.languages | {lang for lang in info.langs if lang}
    view.vectors = spaces[0].vectors
    homes = np.concatenate([s.article_vectors._home, info.homes])
    view.article_vectors = ArticleVectors(parts.passage_article, parts.indexes, homes)
    counts = info.counts
    view.vocabulary = LazyVocabulary(lambda: s.vocabulary.get().plus(counts()))
    view.completer = Completer(view.keyword, view.vocabulary)
    return view
