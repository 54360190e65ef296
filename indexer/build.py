"""Building a complete index generation from sources.

Articles are read and stored (SQLite), keyword-indexed (Whoosh) and split into
passages in one pass; passages are then embedded in large chunks (the model
sorts each chunk by length, so batches are dense) into the faiss index.  The
generation becomes live only when all of it is on disk (see `search.index.layout`).

Reading and parsing the sources, and encoding the passages, are done by a
`Runner`: in this process by default, on a Ray cluster with `indexer.cluster`.
Either way the driver stores, deduplicates and keyword-indexes the articles in
the order they were read, and hands the model the same encoding units (the
same passages, `Runner.chunk` at a time, in passage-id order), so the index
is the same.
"""

from __future__ import annotations

import contextlib
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
from tqdm import tqdm

from search.article import Article
from search.config import INDEX_SETTINGS, Settings
from search.index import storage
from search.index.keyword import KeywordWriter
from search.index.layout import FORMAT, Generation, IndexDir
from search.index.store import ArticleStore
from search.index.vectors import VectorIndex
from search.models import spaces
from search.models.embedder import Embedder, embedders_for

from .dedup import Deduplicator
from .passages import split
from .readers import Skipped
from .records import FieldMap
from .sources import read_sources

EMBED_CHUNK = 2048  # passages per encode() call

# One encode() call's input: passage ids and the texts to embed; and its output.
Unit = tuple[np.ndarray, list[str]]
Encoded = tuple[np.ndarray, np.ndarray]


class BuildError(Exception):
    """The build could not produce an index; the live one is unchanged."""


def encode_here(embedder: Embedder, units: Iterable[Unit]) -> Iterator[Encoded]:
    """(passage ids, vectors) of each unit, in order, computed in this process."""
    for pids, texts in units:
        yield pids, embedder.encode(texts)


@dataclass(frozen=True)
class Runner:
    """Where the heavy stages run: ``read`` yields the articles of the sources
    (as `read_sources`, in its order) and ``encode`` the vectors of each unit
    of ``chunk`` passages (as `encode_here`, in its order)."""

    read: Callable[..., Iterator[Article | Skipped]] = read_sources
    encode: Callable[[Embedder, Iterable[Unit]], Iterator[Encoded]] = encode_here
    chunk: int = EMBED_CHUNK


LOCAL = Runner()


@dataclass
class BuildSummary:
    generation: str = ""
    indexed: int = 0
    passages: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    # Seconds per stage: extraction (reading, parsing, storing), passages
    # (splitting), keyword (Whoosh and its BM25 arrays), embedding, vector_index.
    stages: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def timed(self, stage: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages[stage] = self.stages.get(stage, 0.0) + time.perf_counter() - started

    def report(self) -> str:
        lines = [
            f"indexed {self.indexed} articles ({self.passages} passages) into "
            f"{self.generation} in {self.seconds:.1f}s; "
            f"{self.duplicates} duplicates merged; {len(self.skipped)} skipped"
        ]
        lines += [f"  skipped {s}" for s in self.skipped]
        return "\n".join(lines)


def build(
    sources: Iterable[Path],
    settings: Settings,
    fmt: str | None = None,
    progress: bool | None = None,
    embedder: Embedder | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
    fields: FieldMap | None = None,
    runner: Runner = LOCAL,
) -> BuildSummary:
    """Index ``sources`` into a new generation of ``settings.index_dir`` and make it live."""
    started = time.perf_counter()
    progress = sys.stderr.isatty() if progress is None else progress
    specs = spaces.configured(settings)
    embedders = embedders_for(specs, settings, embedder)
    layout = IndexDir(settings.index_dir)
    summary = BuildSummary()
    with storage.failures(layout.root, "the live index is unchanged"), layout.writer_lock():
        gen = layout.begin()
        try:
            _write(gen, sources, settings, fmt, fields, progress, specs, embedders, summary,
                   on_skip, runner)
            summary.generation = layout.publish(gen).name
        except BaseException:
            layout.abandon(gen)
            raise
    summary.seconds = time.perf_counter() - started
    return summary


def _write(gen: Generation, sources, settings: Settings, fmt, fields, progress: bool,
           specs: list[spaces.SpaceSpec], embedders: list, summary: BuildSummary,
           on_skip, runner: Runner) -> None:
    store = ArticleStore(gen.store_file, writable=True)
    keyword = KeywordWriter(gen.keyword_dir)
    try:
        duplicates = Deduplicator()
        items = _timed(runner.read(sources, fmt, fields), summary, "extraction")
        for item in tqdm(items, desc="reading", unit=" articles", disable=not progress):
            if isinstance(item, Skipped):
                summary.skipped.append(item)
                if on_skip:
                    on_skip(item)
                continue
            with summary.timed("extraction"):
                if duplicates.is_duplicate(item):
                    summary.duplicates += 1
                    continue
                ord_ = store.add(item)
            with summary.timed("keyword"):
                keyword.add(ord_, item)
            with summary.timed("passages"):
                spans = article_passages(item, settings, specs, embedders)
                store.add_passages(ord_, spans)
            summary.indexed += 1
            summary.passages += len(spans)
        if not summary.indexed:
            raise BuildError("no articles found to index; the current index is unchanged")
        store.commit()
    except BaseException:
        keyword.cancel()
        raise
    finally:
        store.close()
    with summary.timed("keyword"):
        keyword.commit()
    store = ArticleStore(gen.store_file)
    space_info = []
    try:
        members = space_members(store, specs)
        storage.ensure_vector_room(gen.path.parent, [(store.passage_count(o), e.dim)
                                                     for o, e in zip(members, embedders)])
        for spec, embedder, ords in zip(specs, embedders, members):
            vectors = VectorIndex.build(embedder.dim)
            with summary.timed("embedding"):
                embed_passages(vectors, store, store.passage_count(ords), settings, embedder,
                               progress, ords=ords, desc=f"embedding ({spec.name})",
                               runner=runner)
            with summary.timed("vector_index"):
                vectors = vectors.for_size(settings.exact_search_max_passages)
                vectors.save(gen.path / spec.file_name)
            space_info.append(space_manifest(spec, embedder, vectors))
        np.save(gen.passage_articles_file, store.passage_articles().astype(np.int32))
    finally:
        store.close()
    main = embedders[0]
    gen.write_manifest(
        {
            "format": FORMAT,
            "generation": gen.name.removesuffix(".building"),
            "created": datetime.now(timezone.utc).isoformat(),
            "articles": summary.indexed,
            "passages": summary.passages,
            "model_path": main.model_path,
            "embed_backend": main.backend,
            "dim": main.dim,
            "vector_index": space_info[0]["vector_index"],
            "spaces": space_info,
            **{name: getattr(settings, name) for name in INDEX_SETTINGS},
        }
    )


def _timed(items: Iterable, summary: BuildSummary, stage: str) -> Iterator:
    """``items``, with the time spent producing each added to ``stage``."""
    it = iter(items)
    while True:
        with summary.timed(stage):
            item = next(it, _END)
        if item is _END:
            return
        yield item


_END = object()


def space_members(store: ArticleStore, specs: list[spaces.SpaceSpec]) -> list[list[int]]:
    """The ordinals of the articles each space embeds (by language)."""
    langs = [(ord_, lang or "") for ord_, _, _, lang, _ in store.facts()]
    return [[o for o, lang in langs if spec.holds(lang)] for spec in specs]


def space_manifest(spec: spaces.SpaceSpec, embedder, vectors: VectorIndex) -> dict:
    """What a manifest records of one space."""
    return {**spec.to_dict(), "model": embedder.model_path, "backend": embedder.backend,
            "dim": embedder.dim, "vector_index": vectors.kind, "vectors": len(vectors)}


def article_passages(article, settings: Settings, specs: list[spaces.SpaceSpec],
                     embedders: list) -> list[tuple[int, int]]:
    """Passage spans of an article, cut for its home space's model (by words
    if no model reads its language)."""
    home = spaces.home(article.lang or "", specs)
    if home < 0:
        if not article.body.strip():
            return [(0, 0)]
        return split(article.body, word_offsets, settings.passage_tokens, settings.passage_overlap)
    tokens = settings.passage_tokens if home == 0 else settings.multilingual_passage_tokens
    return passage_spans(article.title, article.body, settings, embedders[home], tokens)


def word_offsets(texts) -> list[list[tuple[int, int]]]:
    """Character spans of the whitespace-separated words of each text."""
    return [[m.span() for m in _WORD.finditer(t)] for t in texts]


_WORD = re.compile(r"\S+")


def passage_spans(title: str, body: str, settings: Settings, embedder: Embedder,
                  passage_tokens: int | None = None) -> list[tuple[int, int]]:
    """Passage spans of ``body``, sized so title + passage fit the model window."""
    if not body.strip():
        return [(0, 0)]  # the title alone is embedded
    room = embedder.max_tokens - 2  # [CLS] and [SEP]
    if settings.embed_title and title:
        room -= len(embedder.token_offsets([title + ". "])[0])
    max_tokens = max(16, min(passage_tokens or settings.passage_tokens, room))
    return split(body, embedder.token_offsets, max_tokens, settings.passage_overlap)


def embed_passages(index: VectorIndex, store: ArticleStore, total: int, settings: Settings,
                   embedder: Embedder, progress: bool, ords: Iterable[int] | None = None,
                   desc: str = "embedding", runner: Runner = LOCAL) -> None:
    """Embed the stored passages (of articles ``ords``, or all) into ``index``."""
    bar = tqdm(total=total, desc=desc, unit=" passages", disable=not progress)
    units = encoding_units(store, settings, ords, runner.chunk)
    for pids, vectors in runner.encode(embedder, units):
        index.add(pids, vectors)
        bar.update(len(pids))
    bar.close()


def encoding_units(store: ArticleStore, settings: Settings, ords: Iterable[int] | None,
                   size: int) -> Iterator[Unit]:
    """The stored passages (of articles ``ords``, or all) in passage-id order,
    ``size`` at a time: what one encode() call embeds."""
    pids: list[int] = []
    texts: list[str] = []
    for pid, text in store.iter_passage_texts(settings.embed_title, ords):
        pids.append(pid)
        texts.append(text)
        if len(texts) >= size:
            yield np.asarray(pids, dtype=np.int64), texts
            pids, texts = [], []
    if texts:
        yield np.asarray(pids, dtype=np.int64), texts
