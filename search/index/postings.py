"""Vectorised BM25F over the keyword index's own postings.

Whoosh scores one posting at a time in Python, which takes ~100 ms for a
ten-word query over a few tens of thousands of articles.  This module keeps,
for every Whoosh segment, a read-optimised copy of that segment's postings of
the scored text fields as numpy arrays (written once, right after the segment
is committed, and memory-mapped by every searcher process), and scores a
query with whole-array arithmetic instead:

    keyword/bm25/<segment id>/
        keys.npy      postings offset of each term in the segment's postings
                      file, sorted (Whoosh's own term dictionary finds a term's
                      offset, so no second dictionary is kept)
        starts.npy    where each term's postings begin in docs/tfs (CSR)
        docs.npy      segment document numbers (int32)
        tfs.npy       term frequencies (float32, as Whoosh stores them)
        len.<field>.npy  Whoosh's (byte-quantised) field length of every document
        ords.npy      article ordinal of every document

Scores are Whoosh's BM25F exactly: the same idf, average field lengths,
quantised document lengths, K1/B (read from the searcher's weighting, which
comes from `Settings`), field boosts and score sums as `whoosh.scoring.BM25F`
with `Or`/`And`/`AndNot`/`AndMaybe`/`Require` queries and phrases (where the
words stand in order is still Whoosh's to find); ties are broken by
document number as Whoosh's collector does.  Queries with anything else
(non-text fields, other weightings) are left to Whoosh: `FastBM25F.search`
then returns None.

Segments are immutable in Whoosh, so an incremental update only needs
`write_postings` after its commit: it writes the copies of new segments and
removes those of merged-away ones; deletions are read from the index at open.
"""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import cachetools
import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher

log = logging.getLogger(__name__)

FOLDER = "bm25"
_DONE = "complete"  # marker file: the segment's arrays are all written


def scored_fields(schema) -> list[str]:
    """The fields BM25F scores with lengths (title, body)."""
    return [name for name, field in schema.items() if field.scorable]


@dataclass
class SegmentPostings:
    """One segment's postings and per-document arrays (memory-mapped)."""

    keys: np.ndarray
    starts: np.ndarray
    docs: np.ndarray
    tfs: np.ndarray
    lengths: dict[str, np.ndarray]
    ords: np.ndarray

    @classmethod
    def load(cls, folder: Path, fields: list[str]) -> "SegmentPostings":
        def arr(name: str) -> np.ndarray:
            # Mapped, but indexed as a plain array (numpy's memmap class adds
            # work to every slice).
            return np.load(folder / f"{name}.npy", mmap_mode="r").view(np.ndarray)

        return cls(arr("keys"), arr("starts"), arr("docs"), arr("tfs"),
                   {f: arr(f"len.{f}") for f in fields}, arr("ords"))

    def postings(self, offset: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(docnums, term frequencies) of the term whose postings start at ``offset``."""
        i = int(np.searchsorted(self.keys, offset))
        if i == len(self.keys) or self.keys[i] != offset:
            return None
        a, b = int(self.starts[i]), int(self.starts[i + 1])
        return self.docs[a:b], self.tfs[a:b]


def write_postings(index) -> None:
    """Write the arrays of every segment of ``index`` that lacks them and drop
    those of segments no longer in it.  Call after each commit."""
    root = Path(index.storage.folder) / FOLDER
    root.mkdir(exist_ok=True)
    fields = scored_fields(index.schema)
    with index.reader() as reader:
        live = set()
        for segreader, _ in reader.leaf_readers():
            segid = segreader.segment().segment_id()
            live.add(segid)
            folder = root / segid
            if not (folder / _DONE).exists():
                _write_segment(segreader, fields, folder)
    for folder in root.iterdir():
        if folder.name not in live:
            shutil.rmtree(folder, ignore_errors=True)


def _write_segment(reader, fields: list[str], folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    keys: list[int] = []
    counts: list[int] = []
    docs: list[np.ndarray] = []
    tfs: list[np.ndarray] = []
    for field in fields:
        for btext in reader.lexicon(field):
            info = reader.term_info(field, btext)
            offset = _postings_offset(info)
            if offset is None:  # inlined postings: read through Whoosh at query time
                continue
            ids, weights = _read_postings(reader.postings(field, btext))
            keys.append(offset)
            counts.append(len(ids))
            docs.append(ids)
            tfs.append(weights)
    order = np.argsort(np.asarray(keys, dtype=np.int64), kind="stable")
    sizes = np.asarray(counts, dtype=np.int64)[order]
    starts = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    np.save(folder / "keys.npy", np.asarray(keys, dtype=np.int64)[order])
    np.save(folder / "starts.npy", starts)
    np.save(folder / "docs.npy", _concat([docs[i] for i in order], np.int32))
    np.save(folder / "tfs.npy", _concat([tfs[i] for i in order], np.float32))
    lengths, ords = _documents(reader, fields)
    for field in fields:
        np.save(folder / f"len.{field}.npy", lengths[field])
    np.save(folder / "ords.npy", ords)
    (folder / _DONE).touch()


def _documents(reader, fields: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every document's (quantised) field lengths and article ordinal, of one segment."""
    n = reader.doc_count_all()
    lengths = {field: np.array([reader.doc_field_length(d, field, 0) or 0 for d in range(n)],
                               dtype=np.float32) for field in fields}
    ords = np.array([reader.stored_fields(d).get("ord", -1) for d in range(n)], dtype=np.int64)
    return lengths, ords


class MemorySegments:
    """What the scorers of one small in-memory index (`search.index.delta`)
    keep across its versions, by segment id: each segment's arrays without
    its postings (reading every term's up front costs more than a query),
    and the postings of each term asked so far in each segment, read through
    Whoosh once.  A segment never changes, only which of its documents are
    deleted (read by each version's scorer), so neither is ever stale."""

    def __init__(self, fields: list[str], cache_bytes: int):
        """``cache_bytes``: room for the terms' postings (least recently asked dropped)."""
        self._fields = fields
        self._arrays: dict[str, SegmentPostings] = {}
        self._postings = cachetools.LRUCache(cache_bytes, getsizeof=_size)
        self._lock = threading.Lock()

    def arrays(self, reader) -> SegmentPostings:
        """The arrays of the segment ``reader`` reads (built on first sight)."""
        segid = reader.segment().segment_id()
        with self._lock:
            found = self._arrays.get(segid)
        if found is None:
            lengths, ords = _documents(reader, self._fields)
            found = SegmentPostings(np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64),
                                    np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32),
                                    lengths, ords)
            with self._lock:
                self._arrays[segid] = found
        return found

    def postings(self, segid: str, reader, field: str,
                 btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(docnums, term frequencies) of a term in segment ``segid`` (which
        ``reader`` reads), deleted documents included; None if it lacks the term."""
        key = (segid, field, btext)
        with self._lock:
            found = self._postings.get(key, _ABSENT)
        if found is _ABSENT:
            found = _whoosh_postings(reader, field, btext)
            with self._lock:
                self._postings[key] = found
        return found

    def keep(self, segids: set[str]) -> None:
        """Forget the segments not in ``segids`` (merged away)."""
        with self._lock:
            for segid in set(self._arrays) - segids:
                del self._arrays[segid]
            for key in [k for k in self._postings if k[0] not in segids]:
                del self._postings[key]


def _postings_offset(info) -> int | None:
    extent = getattr(info, "extent", None)
    if extent is None or info.is_inlined():
        return None
    return int(extent()[0])


def _whoosh_postings(reader, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """A term's postings in one segment, read through Whoosh with its deleted
    documents (as the arrays hold them: the scorer leaves them out); None if
    the segment lacks the term."""
    if (field, btext) not in reader:
        return None
    m = reader.postings(field, btext)
    if isinstance(m, FilterMatcher):  # the segment's deletions left out: read what it wraps
        m = m.child
        m.reset()  # (the filter has already stepped over the first deleted documents)
    return _read_postings(m)


def _read_postings(m) -> tuple[np.ndarray, np.ndarray]:
    """All (docnum, weight) pairs of a term, a block at a time where possible."""
    ids: list = []
    weights: list = []
    if isinstance(m, W3LeafMatcher):
        while m.is_active():
            m._read_ids()
            m._read_weights()
            ids.extend(m._ids)
            weights.extend(m._weights)
            m._next_block()
    else:
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
    return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)


def _concat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


class _NotFast(Exception):
    """The query needs Whoosh's own matchers."""


class FastBM25F:
    """BM25F top-k over the arrays of every segment of one open index."""

    def __init__(self, index, weighting, cache_bytes: int = 0,
                 in_memory: MemorySegments | None = None):
        """``cache_bytes``: room for the scores of recently asked terms (0: none).
        ``in_memory``: each segment's arrays and postings come from there
        instead of the index's folder (every scorer of the same in-memory
        index passes the same one: only new segments are read)."""
        self.weighting = weighting
        self._terms = (cachetools.LRUCache(cache_bytes, getsizeof=_size) if cache_bytes > 0
                       else None)
        self._terms_lock = threading.Lock()
        self.fields = scored_fields(index.schema)
        self._memory = in_memory
        root = Path(index.storage.folder) / FOLDER if in_memory is None else None
        self.segments: list[tuple[str, int, SegmentPostings]] = []
        parts_ords, parts_live = [], []
        with index.reader() as reader:
            self.doc_count_all = reader.doc_count_all()
            for segreader, base in reader.leaf_readers():
                if segreader.segment() is None:  # an empty index: Whoosh's to answer
                    continue
                segid = segreader.segment().segment_id()
                if in_memory is not None:
                    seg = in_memory.arrays(segreader)
                else:
                    folder = root / segid
                    if not (folder / _DONE).exists():
                        raise FileNotFoundError(f"no BM25 arrays for segment {segid}")
                    seg = SegmentPostings.load(folder, self.fields)
                self.segments.append((segid, base, seg))
                parts_ords.append(seg.ords)
                live = np.ones(segreader.doc_count_all(), dtype=bool)
                if segreader.has_deletions():
                    live[list(segreader.segment().deleted_docs())] = False
                parts_live.append(live)
        self.ords = _concat(parts_ords, np.int64)
        self.live = _concat(parts_live, bool)
        self._last = threading.local()

    @classmethod
    def open(cls, index, weighting, cache_bytes: int = 0) -> "FastBM25F | None":
        """The fast scorer, or None (with a warning) if the index lacks its arrays."""
        if type(weighting) is not scoring.BM25F:
            return None
        try:
            return cls(index, weighting, cache_bytes)
        except FileNotFoundError as e:
            log.warning("keyword scoring falls back to Whoosh: %s", e)
            return None

    def search(self, searcher, q: wq.Query, limit: int, allow: np.ndarray | None = None,
               weighting=None) -> tuple[list[tuple[int, float]], int] | None:
        """(ordinal, score) of the best ``limit`` documents and the match count,
        or None when the query needs Whoosh.  ``allow`` (a boolean mask over
        article ordinals) keeps only the articles it marks; ``weighting``
        (this index's if None) gives each term's idf and average length."""
        try:
            scores, matched = self._evaluated(searcher, q, weighting or self.weighting)
        except _NotFast:
            return None
        matched = matched & self.live
        if allow is not None:
            known = (self.ords >= 0) & (self.ords < len(allow))
            matched &= known & allow[np.where(known, self.ords, 0)]
        docnums = np.flatnonzero(matched)
        top = _top(docnums, scores[docnums], self.ords[docnums], limit)
        return [(int(self.ords[d]), float(scores[d])) for d in top], len(docnums)

    def matching(self, searcher, q: wq.Query, weighting=None) -> np.ndarray | None:
        """Ordinals of every document matching ``q``, or None when the query
        needs Whoosh; ``weighting``: the one its search will use (this
        index's if None), so that the search reuses the evaluation."""
        last = getattr(self._last, "value", None)
        try:
            if last is not None and last[0] is q and last[1] is searcher:
                matched = last[3][1]  # the matches do not depend on the weighting
            else:
                _, matched = self._evaluated(searcher, q, weighting or self.weighting)
        except _NotFast:
            return None
        return self.ords[np.flatnonzero(matched & self.live)]

    def _evaluated(self, searcher, q, weighting) -> tuple[np.ndarray, np.ndarray]:
        """`_eval`, remembering this thread's last query: a search asks for
        the matches and the best of the same query."""
        last = getattr(self._last, "value", None)
        if last is None or last[0] is not q or last[1] is not searcher or last[2] is not weighting:
            self._check_segments(searcher)
            last = self._last.value = (q, searcher, weighting, self._eval(searcher, q, weighting))
        return last[3]

    def _check_segments(self, searcher) -> None:
        """Raise `_NotFast` unless ``searcher`` reads this index's segments."""
        leaves = searcher.leaf_searchers()
        if len(leaves) != len(self.segments) or any(
                sub.reader().segment().segment_id() != segid
                for (segid, _, _), (sub, _) in zip(self.segments, leaves)):
            raise _NotFast

    # --- query evaluation: dense (scores, matched) arrays over all documents --
    def _eval(self, searcher, q, weighting) -> tuple[np.ndarray, np.ndarray]:
        n = self.doc_count_all
        if isinstance(q, wq.Term):
            scores, matched = np.zeros(n), np.zeros(n, dtype=bool)
            self._add_term(searcher, q, scores, matched, weighting)
            return scores, matched
        if isinstance(q, wq.Or) and type(q) in (wq.Or, wq.DefaultOr):
            if q.scale or q.minmatch:
                raise _NotFast
            scores, matched = np.zeros(n), np.zeros(n, dtype=bool)
            for sub in q.subqueries:
                if isinstance(sub, wq.Term):
                    self._add_term(searcher, sub, scores, matched, weighting)
                else:
                    s, m = self._eval(searcher, sub, weighting)
                    scores += s
                    matched |= m
            return self._boosted(q, scores), matched
        if type(q) is wq.Phrase:
            return self._phrase(searcher, q, weighting)
        if type(q) is wq.And:
            parts = [self._eval(searcher, sub, weighting) for sub in q.subqueries]
            matched = np.logical_and.reduce([m for _, m in parts])
            scores = np.sum([s for s, _ in parts], axis=0) if parts else np.zeros(n)
            return self._boosted(q, np.where(matched, scores, 0.0)), matched
        if type(q) in (wq.AndNot, wq.Require, wq.AndMaybe):
            a_scores, a_matched = self._eval(searcher, q.a, weighting)
            b_scores, b_matched = self._eval(searcher, q.b, weighting)
            if type(q) is wq.AndNot:
                matched = a_matched & ~b_matched
                return np.where(matched, a_scores, 0.0), matched
            if type(q) is wq.Require:
                matched = a_matched & b_matched
                return np.where(matched, a_scores, 0.0), matched
            return np.where(a_matched, a_scores + b_scores, 0.0), a_matched
        raise _NotFast

    def _phrase(self, searcher, q: wq.Phrase, weighting) -> tuple[np.ndarray, np.ndarray]:
        """A phrase scores as Whoosh's does, the sum of its words' scores
        (`Phrase` matches as `SpanNear2` over an `IntersectionMatcher`);
        Whoosh finds where the words stand in order, among the documents
        that hold them all."""
        n = self.doc_count_all
        scores, matched = np.zeros(n), np.zeros(n, dtype=bool)
        for word in q.words:
            self._add_term(searcher, wq.Term(q.fieldname, word), scores, matched, weighting)
        found = np.zeros(n, dtype=bool)
        found[np.fromiter(searcher.docs_for_query(q), dtype=np.int64)] = True
        return self._boosted(q, np.where(found, scores, 0.0)), found

    @staticmethod
    def _boosted(q, scores: np.ndarray) -> np.ndarray:
        return scores * q.boost if q.boost != 1.0 else scores

    def _add_term(self, searcher, q: wq.Term, scores: np.ndarray, matched: np.ndarray,
                  weighting) -> None:
        """Add one term's BM25F scores (times its boost) into ``scores``."""
        field = q.fieldname
        if field not in self.fields:
            if field not in searcher.schema:  # an index written before the field existed
                return
            raise _NotFast
        try:
            btext = searcher.schema[field].to_bytes(q.text)
        except ValueError:
            return
        found = self._term_scores(searcher, field, btext, weighting)
        if found is None:
            return
        docs, s = found
        scores[docs] += s * q.boost if q.boost != 1.0 else s
        matched[docs] = True

    def _term_scores(self, searcher, field: str, btext: bytes,
                     weighting) -> tuple[np.ndarray, np.ndarray] | None:
        """(document numbers, BM25F scores) of one term over every segment,
        None if no document has it.  Those of the index's own weighting are
        kept in an LRU cache: queries share many words, and a term's scores
        cost several Whoosh lookups.  A weighting of global statistics
        (shards, the near-real-time delta: ``term_params`` gives idf, average
        length, B and K1 without lookups) changes with every delta, so the
        term's postings and lengths are kept instead and scored on each call
        (a few array operations)."""
        params = getattr(weighting, "term_params", None) if weighting is not self.weighting else None
        if params is not None:
            raw = self._cached((field, btext, None), lambda: self._raw(searcher, field, btext))
            return None if raw is None else (raw[0], _bm25(raw[1], raw[2], *params(field, btext)))
        if weighting is not self.weighting:
            return self._scored(searcher, field, btext, weighting)
        return self._cached((field, btext), lambda: self._scored(searcher, field, btext, weighting))

    def _cached(self, key: tuple, compute):
        if self._terms is None:
            return compute()
        with self._terms_lock:
            found = self._terms.get(key, _ABSENT)
        if found is _ABSENT:
            found = compute()
            with self._terms_lock:
                self._terms[key] = found
        return found

    def _scored(self, searcher, field: str, btext: bytes,
                weighting) -> tuple[np.ndarray, np.ndarray] | None:
        raw = self._raw(searcher, field, btext)
        if raw is None:
            return None
        scorer = weighting.scorer(searcher, field, btext)
        return raw[0], _bm25(raw[1], raw[2], scorer.idf, scorer.avgfl, scorer.B, scorer.K1)

    def _raw(self, searcher, field: str, btext: bytes
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(document numbers, term frequencies, field lengths) of one term over
        every segment, None if no document has it."""
        all_docs, all_tfs, all_lengths = [], [], []
        for (segid, base, seg), (sub, _) in zip(self.segments, searcher.leaf_searchers()):
            found = self._segment_postings(segid, seg, sub.reader(), field, btext)
            if found is None:
                continue
            docs, tf = found
            all_tfs.append(tf)
            all_lengths.append(seg.lengths[field][docs])
            all_docs.append(docs.astype(np.int64) + base)
        if not all_docs:
            return None
        return (_concat(all_docs, np.int64), _concat(all_tfs, np.float32),
                _concat(all_lengths, np.float32))

    def _segment_postings(self, segid: str, seg: SegmentPostings, reader, field: str,
                          btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(docnums, term frequencies) of one term in one segment, deleted
        documents included; None if the segment lacks it."""
        if self._memory is not None:
            return self._memory.postings(segid, reader, field, btext)
        if (field, btext) not in reader:
            return None
        offset = _postings_offset(reader.term_info(field, btext))
        found = seg.postings(offset) if offset is not None else None
        return found if found is not None else _whoosh_postings(reader, field, btext)


def _bm25(tf: np.ndarray, fl: np.ndarray, idf: float, avgfl: float, b: float,
          k1: float) -> np.ndarray:
    """whoosh.scoring.bm25, term for term, over arrays."""
    tf = tf.astype(np.float64)
    fl = fl.astype(np.float64)
    return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))


_ABSENT = object()


def _size(found: tuple[np.ndarray, ...] | None) -> int:
    """Bytes a cached term's scores (or postings) take (an absent term: a little)."""
    return 64 if found is None else 64 + sum(a.nbytes for a in found)


def _top(docnums: np.ndarray, scores: np.ndarray, ords: np.ndarray, limit: int) -> np.ndarray:
    """The ``limit`` best documents, best first; ties by lower article
    ordinal (so that shards of an index break them as the whole index does)."""
    if limit <= 0 or not len(docnums):
        return docnums[:0]
    if len(docnums) > limit:
        kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = scores >= kth
        docnums, scores, ords = docnums[keep], scores[keep], ords[keep]
    order = np.lexsort((ords, -scores))[:limit]
    return docnums[order]
