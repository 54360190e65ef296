"""A searcher over shards: the index parts (`search.index.parts`) as views that
fan out to every shard and merge, so that `Searcher` ranks over S shards with
the very code that ranks one index.

Query phase: the query's BM25 statistics are gathered from all shards and
summed (cached per term: a generation never changes), then each shard
returns its best ``limit`` keyword matches scored with those global
statistics, or its nearest passages; the views merge them, ties to the lower
article ordinal (keyword) or passage id (vectors) as the single index breaks
them.  Fusion, roll-up, collapsing, facets and paging then run once, in the
`Searcher`.  Fetch phase: articles, passages and vectors are read from the
shard that holds them.

How calls reach a shard is a `ShardSet`: in this process (`LocalShards`,
also what tests compare against), or Ray Serve deployments (`web.cluster`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np
from whoosh import query as wq

from search.article import Article
from search.config import Settings
from search.index.keyword import QueryParser, TermStats, schema
from search.index.parts import IndexParts
from search.index.store import Passage
from search.index.vectors import PidSet
from search.index.vocabulary import Vocabulary
from search.shards.shard import Shard, Summary, shard_of


class ShardSet(Protocol):
    """Calls shards' methods (`search.shards.shard.Shard`) and returns the answers."""

    count: int

    def gather(self, calls: list[tuple[int, str, tuple]]) -> list:
        """The answer of each (shard, method, arguments) call, in order; the
        calls may run concurrently."""


class LocalShards:
    """Shards opened in this process, called one after another."""

    def __init__(self, shards: list[Shard]):
        self.shards = shards
        self.count = len(shards)

    def gather(self, calls: list[tuple[int, str, tuple]]) -> list:
        return [getattr(self.shards[i], method)(*args) for i, method, args in calls]

    def close(self) -> None:
        for shard in self.shards:
            shard.close()


def every(shards: ShardSet, method: str, *args) -> list:
    return shards.gather([(i, method, args) for i in range(shards.count)])


@dataclass
class ShardedGeneration:
    """Names the generation the shards were cut from."""

    name: str


class ShardedKeyword:
    """`keyword.KeywordIndex` over shards, with global BM25 statistics."""

    def __init__(self, shards: ShardSet, settings: Settings, totals: TermStats):
        self._shards = shards
        self.parser = QueryParser(schema(), settings.title_boost, settings.romanized_weight)
        self._totals = totals
        self._frequencies: dict[tuple[str, bytes], int] = {}
        self._lock = threading.Lock()

    def parse(self, text: str):
        return self.parser.parse(text)

    def stats(self, q) -> TermStats:
        """The global statistics of ``q``'s terms: asked of the shards once per
        term (`matching` brings them along)."""
        terms = self.parser.scored_terms(q)
        with self._lock:
            missing = [t for t in terms if t not in self._frequencies]
        if missing:
            self._learn(every(self._shards, "term_stats", missing))
        with self._lock:
            known = {t: self._frequencies[t] for t in terms}
        return TermStats(self._totals.doc_count_all, self._totals.field_length, known)

    def search(self, q, limit: int, allow: np.ndarray | None = None
               ) -> tuple[list[tuple[int, float]], int]:
        if limit <= 0:
            return [], 0
        found = every(self._shards, "keyword", q, limit, allow, self.stats(q))
        hits = sorted((h for part, _ in found for h in part), key=lambda h: (-h[1], h[0]))
        return hits[:limit], sum(total for _, total in found)

    def _learn(self, parts: list[TermStats]) -> None:
        found = TermStats.merged(parts).doc_frequency
        with self._lock:
            self._frequencies.update(found)

    def matching(self, q) -> np.ndarray:
        if q is wq.NullQuery:
            return np.zeros(0, dtype=np.int64)
        found = every(self._shards, "matching", q)
        self._learn([stats for _, stats in found])
        return _concat([ords for ords, _ in found])

    def titles(self, q, limit: int) -> list[tuple[str, str]]:
        """Title completions: each shard's best, in shard order (not ranked
        across shards; suggestions are not part of the ranking)."""
        return [t for part in every(self._shards, "titles", q, limit) for t in part][:limit]


class ShardedStore:
    """`store.ArticleStore` reads over shards."""

    def __init__(self, shards: ShardSet, owner: np.ndarray):
        self._shards = shards
        self._owner = owner  # shard of every article ordinal (-1: none)

    def _by_shard(self, ords: Sequence[int]) -> dict[int, list[int]]:
        groups: dict[int, list[int]] = {}
        for o in ords:
            if 0 <= o < len(self._owner) and self._owner[o] >= 0:
                groups.setdefault(int(self._owner[o]), []).append(int(o))
        return groups

    def get(self, ords: list[int]) -> dict[int, Article]:
        groups = self._by_shard(ords)
        out: dict[int, Article] = {}
        for part in self._shards.gather([(i, "articles", (g,)) for i, g in groups.items()]):
            out.update(part)
        return out

    def get_by_id(self, article_id: str) -> tuple[int, Article] | None:
        i = shard_of(article_id, self._shards.count)
        return self._shards.gather([(i, "by_id", (article_id,))])[0]

    def passages_of(self, ords: list[int]) -> dict[int, list[Passage]]:
        out: dict[int, list[Passage]] = {}
        groups = self._by_shard(ords)
        for part in self._shards.gather([(i, "passages_of", (g,)) for i, g in groups.items()]):
            out.update(part)
        return out

    def id_table(self) -> dict[int, str]:
        out: dict[int, str] = {}
        for part in every(self._shards, "id_table"):
            out.update(part)
        return out


class ShardedVectors:
    """One space's `vectors.VectorIndex` over shards."""

    def __init__(self, shards: ShardSet, space: int, size: int, dim: int, pid_shard: np.ndarray):
        self._shards = shards
        self._space = space
        self._size = size
        self.dim = dim
        self._pid_shard = pid_shard  # shard of every passage id (-1: none)

    def __len__(self) -> int:
        return self._size

    def search(self, vector: np.ndarray, k: int, only: PidSet | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self._size if only is None else only.size)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        found = every(self._shards, "nearest", self._space, vector, k, only)
        scores = np.concatenate([s for s, _ in found])
        pids = np.concatenate([p for _, p in found])
        order = np.lexsort((pids, -scores))[:k]
        return scores[order], pids[order]

    def vectors(self, pids: Sequence[int] | np.ndarray) -> np.ndarray:
        pids = np.asarray(pids, dtype=np.int64)
        out = np.zeros((len(pids), self.dim), dtype=np.float32)
        owners = self._pid_shard[pids] if len(pids) else pids
        groups = [(int(i), np.flatnonzero(owners == i)) for i in np.unique(owners) if i >= 0]
        answers = self._shards.gather([(i, "vectors", (self._space, pids[rows]))
                                       for i, rows in groups])
        for (_, rows), found in zip(groups, answers):
            out[rows] = found
        return out


def sharded_parts(shards: ShardSet, settings: Settings) -> IndexParts:
    """The parts of the generation ``shards`` were cut from, over those shards."""
    summaries: list[Summary] = every(shards, "summary")
    manifest = dict(summaries[0].manifest)
    count = int(manifest["shards"])
    if count != shards.count or sorted(int(s.manifest["shard"]) for s in summaries) != list(range(count)):
        raise ValueError(f"expected shards 0..{shards.count - 1} of one split, got "
                         f"{[s.manifest['shard'] for s in summaries]}")
    facts = sorted((row for s in summaries for row in s.facts), key=lambda r: r[0])
    owner = np.full(max((r[0] for r in facts), default=-1) + 1, -1, dtype=np.int16)
    for s in summaries:
        owner[[r[0] for r in s.facts]] = int(s.manifest["shard"])
    pids = np.concatenate([s.pids for s in summaries])
    pa = np.full(int(pids.max(initial=-1)) + 1, -1, dtype=np.int64)
    pa[pids] = np.concatenate([s.pid_ords for s in summaries])
    pid_shard = np.where(pa >= 0, owner[np.maximum(pa, 0)], -1)
    totals = TermStats.merged([s.totals for s in summaries])
    indexes = [ShardedVectors(shards, space, int(d.get("vectors", 0)), int(d["dim"]), pid_shard)
               for space, d in enumerate(manifest["spaces"])]
    manifest["articles"] = len(facts)  # the shard's manifest counts its own
    return IndexParts(
        ShardedGeneration(str(manifest["generation"])), manifest,
        ShardedStore(shards, owner), ShardedKeyword(shards, settings, totals), indexes, pa,
        facts, lambda: Vocabulary.merged(every(shards, "vocabulary")),
        getattr(shards, "close", lambda: None))


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
