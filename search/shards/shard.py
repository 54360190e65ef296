"""One shard of an index generation: its files, and what a shard answers.

`split` cuts a generation into S shards by article id (a stable hash, so an
article's shard is known from its id alone).  Each shard is a directory in the
generation's own format holding only its articles, with the generation's
article ordinals and passage ids kept, so that results merge without
renumbering:

    <index dir>/shards/<generation>-of-<S>/<i>/   manifest.json ("shard": i, "shards": S),
                                                 articles.sqlite, keyword/, vectors files

A `Shard` serves one such directory: keyword matching and BM25 scoring (with
the collection statistics it is given: the whole generation's, summed over
shards as Elasticsearch's dfs_query_then_fetch does), nearest passages, and
fetching articles, passages and vectors.  Ranking, fusion and everything
else a response needs happen once, in the `Searcher` over all shards
(`search.shards.sharded`).  Every answer is plain data, so a shard can run in
another process or on another machine (`web.cluster`, Ray Serve).
"""

from __future__ import annotations

import shutil
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from search.article import Article
from search.config import Settings
from search.index.keyword import KeywordWriter, TermStats
from search.index.layout import Generation, IndexNotFound
from search.index.parts import open_local
from search.index.store import ArticleStore, Passage
from search.index.vectors import PidSet, VectorIndex
from search.index.vocabulary import field_counts
from search.models.spaces import SpaceSpec

FOLDER = "shards"


def shard_of(article_id: str, shards: int) -> int:
    """The shard holding article ``article_id`` (a stable hash of the id)."""
    return zlib.crc32(article_id.encode("utf-8")) % shards


def shards_dir(generation: Generation, shards: int) -> Path:
    return generation.path.parent / FOLDER / f"{generation.name}-of-{shards}"


@dataclass
class Summary:
    """What the searcher over all shards keeps of one shard: its part of the
    per-article tables and of the passage table, and its share of the BM25
    collection statistics."""

    manifest: dict
    facts: list[tuple]
    pids: np.ndarray
    pid_ords: np.ndarray
    totals: TermStats  # document count and field lengths (no terms)


class Shard:
    """One shard directory, opened (thread-safe, as `Searcher` parts are)."""

    def __init__(self, path: Path | str, settings: Settings):
        self.path = Path(path)
        self.parts = open_local(Generation(self.path), settings)

    def summary(self) -> Summary:
        pa = np.asarray(self.parts.passage_article)
        pids = np.flatnonzero(pa >= 0)
        return Summary(self.parts.manifest, list(self.parts.facts), pids, pa[pids],
                       self.parts.keyword.term_stats([]))

    def vocabulary(self) -> dict[str, dict[str, int]]:
        """This shard's words and counts (asked for on first use, as on one machine)."""
        return field_counts(self.parts.keyword.reader())

    # --- query phase ---------------------------------------------------------
    def term_stats(self, terms: list[tuple[str, bytes]]) -> TermStats:
        return self.parts.keyword.term_stats(terms)

    def keyword(self, q, limit: int, allow: np.ndarray | None, stats: TermStats
                ) -> tuple[list[tuple[int, float]], int]:
        return self.parts.keyword.search(q, limit, allow, stats)

    def matching(self, q) -> tuple[np.ndarray, TermStats]:
        """Ordinals matching ``q``, and this shard's statistics of its terms
        (the dfs round trip rides on this one: matching comes first)."""
        keyword = self.parts.keyword
        return keyword.matching(q), keyword.term_stats(keyword.parser.scored_terms(q))

    def titles(self, q, limit: int) -> list[tuple[str, str]]:
        return self.parts.keyword.titles(q, limit)

    def nearest(self, space: int, vector: np.ndarray, k: int, only: PidSet | None
                ) -> tuple[np.ndarray, np.ndarray]:
        return self.parts.indexes[space].search(vector, k, only)

    # --- fetch phase ---------------------------------------------------------
    def articles(self, ords: list[int]) -> dict[int, Article]:
        return self.parts.store.get(ords)

    def by_id(self, article_id: str) -> tuple[int, Article] | None:
        return self.parts.store.get_by_id(article_id)

    def passages_of(self, ords: list[int]) -> dict[int, list[Passage]]:
        return self.parts.store.passages_of(ords)

    def vectors(self, space: int, pids: np.ndarray) -> np.ndarray:
        return self.parts.indexes[space].vectors(pids)

    def id_table(self) -> dict[int, str]:
        return self.parts.store.id_table()

    def close(self) -> None:
        self.parts.close()


def split(generation: Generation, shards: int) -> Path:
    """Cut ``generation`` into ``shards`` shard directories (once: an existing
    complete split is reused) and return their parent.  The shards of
    generations that are gone are removed."""
    if shards < 1:
        raise ValueError("shards must be at least 1")
    out = shards_dir(generation, shards)
    _prune(out.parent)
    if all((out / str(i) / "manifest.json").exists() for i in range(shards)):
        return out
    manifest = generation.check_format()
    building = out.with_name(out.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    store = ArticleStore(generation.store_file)
    try:
        ids = store.id_table()
        owner = {o: shard_of(article_id, shards) for o, article_id in ids.items()}
        for i in range(shards):
            _write_shard(generation, manifest, building / str(i), i, shards,
                         sorted(o for o, s in owner.items() if s == i), store)
    finally:
        store.close()
    shutil.rmtree(out, ignore_errors=True)
    building.rename(out)
    return out


def _prune(root: Path) -> None:
    """Remove shard directories whose generation was pruned (a replica still
    reading one keeps its open files until it stops)."""
    for path in root.glob("gen-*-of-*"):
        if not (root.parent / path.name.split("-of-")[0]).is_dir():
            shutil.rmtree(path, ignore_errors=True)


def _write_shard(generation: Generation, manifest: dict, path: Path, index: int, shards: int,
                 ords: list[int], store: ArticleStore) -> None:
    shard = Generation(path)
    path.mkdir(parents=True)
    # The store: a copy keeping this shard's rows (ordinals and passage ids unchanged).
    store.copy_to(shard.store_file)
    db = sqlite3.connect(shard.store_file)
    try:
        db.execute("CREATE TEMP TABLE keep (ord INTEGER PRIMARY KEY)")
        db.executemany("INSERT INTO keep VALUES (?)", ((o,) for o in ords))
        db.execute("DELETE FROM passages WHERE ord NOT IN (SELECT ord FROM keep)")
        db.execute("DELETE FROM articles WHERE ord NOT IN (SELECT ord FROM keep)")
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()
    kept = ArticleStore(shard.store_file)
    try:
        writer = KeywordWriter(shard.keyword_dir)
        for start in range(0, len(ords), 500):
            for ord_, article in sorted(kept.get(ords[start : start + 500]).items()):
                writer.add(ord_, article)
        writer.commit()
        pa = kept.passage_articles()
    finally:
        kept.close()
    np.save(shard.passage_articles_file, pa.astype(np.int32))
    mine = np.flatnonzero(pa >= 0)
    for d in manifest["spaces"]:
        name = SpaceSpec.from_dict(d).file_name
        source = VectorIndex.load(generation.path / name)
        others = np.setdiff1d(source.ids(), mine)
        # Same index type and, for IVF, the same trained cells: a shard's
        # nearest passages are exactly the whole index's that it holds.
        vectors = VectorIndex(faiss.clone_index(source.index))
        vectors.remove(others.tolist())
        vectors.save(path / name)
    shard.write_manifest({**manifest, "shard": index, "shards": shards,
                          "articles": len(ords), "passages": int(len(mine))})


def open_shards(generation: Generation, shards: int, settings: Settings) -> list[Shard]:
    """The ``shards`` shards of ``generation`` opened in this process (split first if needed)."""
    if not generation.path.is_dir():
        raise IndexNotFound(f"generation {generation.name} is gone")
    root = split(generation, shards)
    return [Shard(root / str(i), settings) for i in range(shards)]
