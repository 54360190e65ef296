"""The write-ahead log's changes over a generation, in memory: near-real-time parts.

A `Delta` applies the log's records after a generation's ``wal_seq``
(`search.index.wal`) over that generation's opened parts
(`search.index.parts`): each put becomes an article with the next free
ordinal and passage ids (numbered on from the generation's, exactly as
`indexer.merge` will number them), indexed in a small in-memory Whoosh index
and held with the vectors the record brought (never embedded again); a
replaced or deleted article is a tombstone (its ordinal is dead) and
vanishes from every answer at once.

`Delta.view` gives the generation and the delta as one set of parts: a
keyword index scoring both with global BM25 statistics (the generation's
plus the delta's, as shards add theirs up), vectors searched in both and
merged, an article store reading from either, with the tombstones left
out everywhere.  Each view is a snapshot: later records change the next
view, never one a request is using.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

import numpy as np
from whoosh import query as wq
from whoosh.filedb.filestore import RamStorage

from search.article import Article
from search.index.keyword import KeywordIndex, TermStats, add_document, schema
from search.index.parts import IndexParts
from search.index.postings import MemorySegments, scored_fields
from search.index.store import Passage
from search.index.vectors import PidSet
from search.index.vocabulary import field_counts
from search.index.wal import Record
from search.models.spaces import SpaceSpec, home


class _Ram(RamStorage):
    """In-memory storage whose temporary files stay in memory too (Whoosh's
    default puts them in one fixed folder under /tmp that every process shares)."""

    def temp_storage(self, name=None):
        return RamStorage()


def next_keys(parts: IndexParts) -> tuple[int, int]:
    """The first ordinal and passage id after a generation's (the log's
    articles are numbered on from there, in the delta and when merged)."""
    ords = max((r[0] for r in parts.facts), default=-1) + 1
    return ords, len(parts.passage_article)


@dataclass
class Planned:
    """A put, numbered: the ordinal and first passage id it gets."""

    record: Record
    ord: int
    first_pid: int


def plan(records: Sequence[Record], next_ord: int, next_pid: int) -> list[Planned | None]:
    """The ordinal and passage ids of each put of ``records`` (None for deletions)."""
    out: list[Planned | None] = []
    for r in records:
        if r.op == "put":
            out.append(Planned(r, next_ord, next_pid))
            next_ord += 1
            next_pid += len(r.passages)
        else:
            out.append(None)
    return out


class FlatVectors:
    """A few passage vectors searched exactly (`vectors.VectorIndex`'s reads)."""

    def __init__(self, pids: np.ndarray, vectors: np.ndarray, dim: int):
        self._pids = pids
        self._vectors = vectors
        self.dim = dim
        self._row = {int(p): i for i, p in enumerate(pids)}

    def __len__(self) -> int:
        return len(self._pids)

    def search(self, vector: np.ndarray, k: int, only: PidSet | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        if not len(self._pids) or k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        scores = self._vectors @ vector.astype(np.float32)
        pids = self._pids
        if only is not None:
            keep = only.contains(pids)
            scores, pids = scores[keep], pids[keep]
        order = np.lexsort((pids, -scores))[:k]
        return scores[order], pids[order]

    def vectors(self, pids: Sequence[int] | np.ndarray) -> np.ndarray:
        rows = [self._row.get(int(p), -1) for p in pids]
        out = np.zeros((len(rows), self.dim), dtype=np.float32)
        for i, r in enumerate(rows):
            if r >= 0:
                out[i] = self._vectors[r]
        return out


class CombinedVectors:
    """A generation's vectors of one space and the delta's, without the dead passages."""

    def __init__(self, base, delta: FlatVectors, dead_pids: np.ndarray, first_pid: int):
        self.base, self.delta = base, delta
        self.dead_pids = dead_pids  # sorted
        self.first_pid = first_pid
        self.dim = base.dim

    def __len__(self) -> int:
        return len(self.base) - len(self.dead_pids) + len(self.delta)

    def search(self, vector: np.ndarray, k: int, only: PidSet | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        scores, pids = self.base.search(vector, k + len(self.dead_pids), only)
        if len(self.dead_pids) and len(pids):
            keep = ~np.isin(pids, self.dead_pids)
            scores, pids = scores[keep], pids[keep]
        more_s, more_p = self.delta.search(vector, k, only)
        if len(more_p):
            scores = np.concatenate([scores, more_s])
            pids = np.concatenate([pids, more_p])
        order = np.lexsort((pids, -scores))[:k]
        return scores[order], pids[order]

    def vectors(self, pids: Sequence[int] | np.ndarray) -> np.ndarray:
        pids = np.asarray(pids, dtype=np.int64)
        mine = pids >= self.first_pid
        if not mine.any():
            return self.base.vectors(pids)
        out = np.zeros((len(pids), self.dim), dtype=np.float32)
        if (~mine).any():
            out[~mine] = self.base.vectors(pids[~mine])
        out[mine] = self.delta.vectors(pids[mine])
        return out


class CombinedKeyword:
    """The generation's keyword index and the delta's, with global BM25 statistics."""

    def __init__(self, base: KeywordIndex, delta: KeywordIndex, dead: np.ndarray,
                 dead_ids: frozenset[str], totals: TermStats, base_frequencies: dict,
                 lock: threading.Lock,
                 delta_frequencies: Callable[[list[tuple[str, bytes]]], dict[tuple[str, bytes], int]]):
        self.base, self.delta = base, delta
        self.parser = base.parser
        self._dead = dead  # sorted ordinals (generation's and delta's) to leave out
        self._dead_ids = dead_ids
        self._totals = totals  # both parts' document counts and field lengths
        self._frequencies = base_frequencies  # the generation's, shared by every view
        self._lock = lock
        self._delta_frequencies = delta_frequencies  # this view's delta's
        self._last = threading.local()  # each thread's last query and its statistics

    def parse(self, text: str):
        return self.parser.parse(text)

    def stats(self, q) -> TermStats:
        """The summed statistics of ``q``'s terms; the same object for the
        same query in a thread (its matches and its best are then one
        evaluation of each part)."""
        last = getattr(self._last, "value", None)
        if last is None or last[0] is not q:
            last = self._last.value = (q, self._stats(q))
        return last[1]

    def _stats(self, q) -> TermStats:
        terms = self.parser.scored_terms(q)
        with self._lock:
            missing = [t for t in terms if t not in self._frequencies]
        if missing:
            found = self.base.term_stats(missing).doc_frequency
            with self._lock:
                self._frequencies.update(found)
        own = self._delta_frequencies(terms)
        with self._lock:
            known = {t: self._frequencies.get(t, 0) + own.get(t, 0) for t in terms}
        return TermStats(self._totals.doc_count_all, self._totals.field_length, known)

    def term_stats(self, terms: list[tuple[str, bytes]]) -> TermStats:
        return TermStats.merged([self.base.term_stats(terms), self.delta.term_stats(terms)])

    def search(self, q, limit: int, allow: np.ndarray | None = None,
               stats: TermStats | None = None) -> tuple[list[tuple[int, float]], int]:
        if q is wq.NullQuery or limit <= 0:
            return [], 0
        stats = stats or self.stats(q)
        hits, total = self.base.search(q, limit + len(self._dead), allow, stats)
        more, more_total = self.delta.search(q, limit + len(self._dead), allow, stats)
        found = hits + more
        if len(self._dead) and found:
            ords = np.fromiter((h[0] for h in found), dtype=np.int64, count=len(found))
            alive = ~np.isin(ords, self._dead)
            found = [h for h, keep in zip(found, alive.tolist()) if keep]
        dropped = len(hits) + len(more) - len(found)
        found.sort(key=lambda h: (-h[1], h[0]))
        return found[:limit], max(0, total + more_total - dropped)

    def matching(self, q) -> np.ndarray:
        if q is wq.NullQuery:
            return np.zeros(0, dtype=np.int64)
        stats = self.stats(q)
        ords = np.concatenate([self.base.matching(q, stats),
                               self.delta.matching(q, stats)]).astype(np.int64)
        if len(self._dead) and len(ords):
            ords = ords[~np.isin(ords, self._dead)]
        return ords

    def titles(self, q, limit: int) -> list[tuple[str, str]]:
        """The delta's (newest) first, then the generation's that are not dead."""
        fresh = self.delta.titles(q, limit)
        mine = {i for i, _ in fresh}
        older = [(i, t) for i, t in self.base.titles(q, limit + len(self._dead_ids) + len(mine))
                 if i not in self._dead_ids and i not in mine]
        return (fresh + older)[:limit]

    def reader(self):
        return self.base.reader()

    def doc_count(self) -> int:
        return self.base.doc_count() + self.delta.doc_count() - len(self._dead)

    def ids(self) -> set[str]:
        return (self.base.ids() - self._dead_ids) | {i for i in self.delta.ids()}

    def close(self) -> None:
        self.delta.close()


class Frequencies:
    """Document frequencies of terms in one snapshot of the delta's Whoosh
    index, as Whoosh counts them (deleted documents included, until
    segments merge): the lengths of each segment's postings of the term,
    which `MemorySegments` reads once per segment for every snapshot and
    the scorer uses too."""

    def __init__(self, reader, segments: MemorySegments):
        self._reader = reader
        self._segments = segments
        self._leaves = [(leaf.segment().segment_id(), leaf) for leaf, _ in reader.leaf_readers()
                        if leaf.segment() is not None]
        self._known: dict[tuple[str, bytes], int] = {}
        self._lock = threading.Lock()  # one reader, read by every serving thread

    def totals(self, fields: list[str]) -> TermStats:
        """The snapshot's document count (deleted included) and field lengths."""
        with self._lock:
            return TermStats(self._reader.doc_count_all(),
                             {f: self._reader.field_length(f) for f in fields}, {})

    def __call__(self, terms: list[tuple[str, bytes]]) -> dict[tuple[str, bytes], int]:
        with self._lock:
            for t in terms:
                if t not in self._known:
                    found = (self._segments.postings(segid, leaf, *t) for segid, leaf in self._leaves)
                    self._known[t] = sum(len(p[0]) for p in found if p is not None)
            return {t: self._known[t] for t in terms}


class CombinedStore:
    """The generation's article store and the delta's articles, tombstones left out."""

    def __init__(self, base, articles: dict[int, Article], passages: dict[int, list[Passage]],
                 by_id: dict[str, int], dead: frozenset[int], dead_ids: frozenset[str],
                 first_ord: int):
        self.base = base
        self._articles, self._passages, self._by_id = articles, passages, by_id
        self._dead, self._dead_ids = dead, dead_ids
        self._first = first_ord

    def get(self, ords: list[int]) -> dict[int, Article]:
        old = [o for o in ords if o < self._first and o not in self._dead]
        out = self.base.get(old) if old else {}
        for o in ords:
            if o >= self._first and o in self._articles and o not in self._dead:
                out[o] = self._articles[o]
        return out

    def get_by_id(self, article_id: str) -> tuple[int, Article] | None:
        if article_id in self._by_id:
            o = self._by_id[article_id]
            return o, self._articles[o]
        if article_id in self._dead_ids:
            return None
        found = self.base.get_by_id(article_id)
        return None if found is None or found[0] in self._dead else found

    def has_id(self, article_id: str) -> bool:
        return self.get_by_id(article_id) is not None

    def passages_of(self, ords: list[int]) -> dict[int, list[Passage]]:
        old = [o for o in ords if o < self._first]
        out = self.base.passages_of(old) if old else {}
        for o in ords:
            if o >= self._first and o in self._passages:
                out[o] = self._passages[o]
        return out

    def passages(self, ord_: int) -> list[Passage]:
        return self.passages_of([ord_]).get(ord_, [])

    def id_table(self) -> dict[int, str]:
        table = {o: i for o, i in self.base.id_table().items() if o not in self._dead}
        table.update({o: i for i, o in self._by_id.items()})
        return table

    def ids(self) -> set[str]:
        return set(self.id_table().values())

    def count(self) -> int:
        return len(self.id_table())

    def facts(self) -> list[tuple]:
        rows = [r for r in self.base.facts() if r[0] not in self._dead]
        return rows + [_facts_row(o, self._articles[o]) for o in sorted(self._by_id.values())]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)


@dataclass
class DeltaView:
    """What a view adds to its generation (for `search.serving`, which extends
    the generation's ranking structures rather than rebuilding them)."""

    seq: int  # the last record applied
    first_ord: int
    rows: list[tuple]  # facts rows of the delta's live articles
    langs: list[str]  # language of each ordinal from first_ord on ("" for dead ones)
    homes: np.ndarray  # home space of each ordinal from first_ord on (-1: none)
    dead: np.ndarray  # sorted dead ordinals (generation's and delta's)
    records: int  # records applied
    oldest: float  # when the oldest of them was appended (0: none)
    counts: Callable[[], dict[str, dict[str, int]]]  # the delta's words (`field_counts`)


class Delta:
    """The log's records after a generation's ``wal_seq``, over its parts."""

    def __init__(self, base: IndexParts):
        self.base = base
        self.seq = int(base.manifest.get("wal_seq", 0))
        self.first_ord, self.first_pid = next_keys(base)
        self.next_ord, self.next_pid = self.first_ord, self.first_pid
        self.specs: list[SpaceSpec] = base.specs
        self._ram = _Ram().create_index(schema())
        self._articles: dict[int, Article] = {}
        self._passages: dict[int, list[Passage]] = {}
        self._by_id: dict[str, int] = {}
        self._dead: set[int] = set()
        self._dead_ids: set[str] = set()
        self._dead_pids: list[list[int]] = [[] for _ in self.specs]  # per space
        self._homes: list[int] = []
        self._langs: list[str] = []
        self._vectors: list[dict[int, np.ndarray]] = [{} for _ in self.specs]  # ord -> rows
        self._frequencies: dict = {}  # the generation's term frequencies, shared by views
        self._lock = threading.Lock()
        self.records = 0
        self.oldest = 0.0
        self._keyword: KeywordIndex | None = None
        self._frequencies_now: Frequencies | None = None
        self._segments: MemorySegments | None = None  # kept across views (`FastBM25F`)
        self._base_totals: TermStats | None = None

    def __len__(self) -> int:
        return self.records

    def apply(self, records: Sequence[Record]) -> int:
        """Apply the records newer than those applied; how many were."""
        fresh = [r for r in records if r.seq > self.seq]
        if not fresh:
            return 0
        writer = self._ram.writer()
        try:
            for r, planned in zip(fresh, plan(fresh, self.next_ord, self.next_pid)):
                self._hide(r.id, writer)
                if planned is not None:
                    self._put(writer, planned)
                self.seq = r.seq
                self.records += 1
                self.oldest = self.oldest or r.time
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self._keyword = None
        return len(fresh)

    def _hide(self, article_id: str, writer) -> None:
        if article_id in self._by_id:
            self._dead.add(self._by_id.pop(article_id))
            writer.delete_by_term("id", article_id)  # out of the statistics, when Whoosh can
            return
        if article_id in self._dead_ids:
            return
        found = self.base.store.get_by_id(article_id)
        if found is not None:
            self._dead.add(found[0])
            self._dead_ids.add(article_id)
            space = home(found[1].lang or "", self.specs)
            if space >= 0:
                self._dead_pids[space] += [p.pid for p in self.base.store.passages(found[0])]

    def _put(self, writer, planned: Planned) -> None:
        r, ord_ = planned.record, planned.ord
        article = Article.from_dict(r.article)
        self._articles[ord_] = article
        self._passages[ord_] = [Passage(planned.first_pid + i, ord_, s, e)
                                for i, (s, e) in enumerate(r.passages)]
        self._by_id[article.id] = ord_
        space = home(article.lang or "", self.specs)
        self._homes.append(space)
        self._langs.append(article.lang or "")
        if (r.vectors is not None and 0 <= r.space < len(self.specs) and r.space == space
                and r.model == self.specs[r.space].model and len(r.vectors) == len(r.passages)):
            self._vectors[r.space][ord_] = np.asarray(r.vectors, dtype=np.float32)
        add_document(writer, ord_, article)
        self.next_ord = ord_ + 1
        self.next_pid = planned.first_pid + len(r.passages)

    def view(self, settings) -> IndexParts:
        """The generation and the delta as one set of parts (a snapshot)."""
        base = self.base
        if self._keyword is None:
            # Read at once, so that its scorer, its statistics and its
            # frequencies are one snapshot; scored as the generation is
            # (`FastBM25F`, its arrays and postings read once per segment).
            cache_mb = max(1, settings.term_cache_mb // 4)
            if self._segments is None:
                self._segments = MemorySegments(scored_fields(self._ram.schema), cache_mb << 20)
            frequencies = Frequencies(self._ram.reader(), self._segments)
            self._keyword = KeywordIndex(self._ram, settings.bm25_k1, settings.bm25_b,
                                         settings.title_boost, term_cache_mb=cache_mb,
                                         in_memory=self._segments,
                                         romanized_boost=settings.romanized_weight)
            self._frequencies_now = frequencies
            self._segments.keep(self._keyword.segment_ids())  # forget merged-away segments
        keyword, frequencies = self._keyword, self._frequencies_now
        if self._base_totals is None:
            self._base_totals = base.keyword.term_stats([])
        delta_totals = frequencies.totals(keyword.parser.scored)
        totals = TermStats.merged([self._base_totals, delta_totals])
        dead = np.asarray(sorted(self._dead), dtype=np.int64)
        dead_ids = frozenset(self._dead_ids)
        live = {o for o in self._by_id.values()}
        indexes = []
        for space, (index, held) in enumerate(zip(base.indexes, self._vectors)):
            ords = [o for o in held if o in live]
            pids = np.asarray([p.pid for o in ords for p in self._passages[o]], dtype=np.int64)
            rows = (np.concatenate([held[o] for o in ords]) if ords
                    else np.zeros((0, index.dim), dtype=np.float32))
            dead_pids = np.asarray(sorted(self._dead_pids[space]), dtype=np.int64)
            indexes.append(CombinedVectors(index, FlatVectors(pids, rows, index.dim), dead_pids,
                                           self.first_pid))
        pa = np.full(self.next_pid, -1, dtype=np.asarray(base.passage_article[:0]).dtype)
        pa[: len(base.passage_article)] = base.passage_article
        for o, ps in self._passages.items():
            for p in ps:
                pa[p.pid] = o
        articles, passages, by_id = dict(self._articles), dict(self._passages), dict(self._by_id)
        rows = [_facts_row(o, articles[o]) for o in sorted(live)]
        facts = [r for r in base.facts if r[0] not in self._dead] + rows
        manifest = dict(base.manifest, articles=len(facts), wal_seq_applied=self.seq)
        langs = [("" if o in self._dead else lang) for o, lang in
                 zip(range(self.first_ord, self.next_ord), self._langs)]
        def counts() -> dict[str, dict[str, int]]:
            with keyword._index.reader() as reader:
                return field_counts(reader)

        info = DeltaView(self.seq, self.first_ord, rows, langs,
                         np.asarray(self._homes, dtype=np.int8), dead, self.records, self.oldest,
                         counts)
        combined = CombinedKeyword(base.keyword, keyword, dead, dead_ids, totals,
                                   self._frequencies, self._lock, frequencies)
        store = CombinedStore(base.store, articles, passages, by_id, frozenset(self._dead),
                              dead_ids, self.first_ord)
        base_vocabulary = base.vocabulary
        return replace(
            base, manifest=manifest, store=store, keyword=combined, indexes=indexes,
            passage_article=pa, facts=facts,
            vocabulary=lambda: base_vocabulary().plus(counts()),
            close=lambda: None, delta=info)


def _facts_row(ord_: int, a: Article) -> tuple:
    return (ord_, a.category, a.author, a.lang,
            a.published.isoformat() if a.published else None)
