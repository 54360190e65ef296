"""Changing the live index without rebuilding it: add, replace, delete.

Copy-on-write: the live generation is cloned into a new ``*.building`` one
(SQLite copied with its backup API, the Whoosh segment files hard-linked: Whoosh
never rewrites a segment, it records deletions in a new table of contents),
the changes are applied there (Whoosh's own incremental writer; only new or
changed articles are embedded; vectors are removed by passage id), and the
result is published atomically like a full build.  An article whose content
digest is unchanged is skipped without touching the index.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from search.article import Article
from search.config import INDEX_SETTINGS, Settings
from search.index import storage
from search.index.integrity import IndexDamaged, require_sound
from search.index.keyword import KeywordWriter
from search.index.layout import Generation, IndexDir, IndexFormatError
from search.index.store import ArticleStore
from search.index.vectors import VectorIndex
from search.models import spaces
from search.models.embedder import Embedder, embedders_for, vector_space

from .build import (
    LOCAL,
    BuildError,
    BuildSummary,
    Runner,
    article_passages,
    embed_passages,
    space_manifest,
    space_members,
)
from .dedup import Deduplicator
from .readers import Skipped
from .records import FieldMap


@dataclass
class UpdateSummary(BuildSummary):
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    deleted: int = 0
    missing: list[str] = field(default_factory=list)  # ids to delete that were not indexed
    articles: int = 0  # in the live index afterwards
    changed: bool = False

    def report(self) -> str:
        if self.changed:
            head = (f"added {self.added}, replaced {self.replaced}, deleted {self.deleted} "
                    f"articles ({self.passages} passages embedded); {self.unchanged} unchanged; "
                    f"{self.generation} is live with {self.articles} articles "
                    f"({self.seconds:.1f}s)")
        else:
            head = (f"no changes ({self.unchanged} unchanged); {self.generation} stays live "
                    f"with {self.articles} articles")
        lines = [f"{head}; {self.duplicates} duplicates merged; {len(self.skipped)} skipped"]
        lines += [f"  skipped {s}" for s in self.skipped]
        lines += [f"  not found: {i}" for i in self.missing]
        return "\n".join(lines)


def update(
    sources: Iterable[Path],
    settings: Settings,
    fmt: str | None = None,
    progress: bool | None = None,
    embedder: Embedder | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
    fields: FieldMap | None = None,
    runner: Runner = LOCAL,
) -> UpdateSummary:
    """Add the new articles of ``sources`` to the live index and replace changed ones."""

    def apply(edit: _Edit, summary: UpdateSummary) -> None:
        duplicates = Deduplicator()
        articles = 0
        for item in runner.read(sources, fmt, fields):
            if isinstance(item, Skipped):
                summary.skipped.append(item)
                if on_skip:
                    on_skip(item)
            elif duplicates.is_duplicate(item):
                summary.duplicates += 1
            else:
                articles += 1
                outcome = edit.put(item)
                setattr(summary, outcome, getattr(summary, outcome) + 1)
        if not articles:
            raise BuildError("no articles found to index; the current index is unchanged")

    return _change(settings, apply, progress, embedder, runner)


def delete(ids: Iterable[str], settings: Settings, embedder: Embedder | None = None) -> UpdateSummary:
    """Remove articles by id; ids not in the index are listed in ``missing``."""

    def apply(edit: _Edit, summary: UpdateSummary) -> None:
        for article_id in dict.fromkeys(ids):
            if edit.remove(article_id):
                summary.deleted += 1
            else:
                summary.missing.append(article_id)
        if not summary.deleted:
            raise BuildError(f"no such article: {', '.join(summary.missing)}; nothing deleted")

    return _change(settings, apply, False, embedder)


def _change(settings: Settings, apply, progress: bool | None,
            embedder: Embedder | None, runner: Runner = LOCAL) -> UpdateSummary:
    started = time.perf_counter()
    progress = sys.stderr.isatty() if progress is None else progress
    embedder = embedder or Embedder.for_settings(settings)
    layout = IndexDir(settings.index_dir)
    summary = UpdateSummary()
    with storage.failures(layout.root, "the live index is unchanged"), layout.writer_lock():
        live = layout.current()
        _check_compatible(live, settings, embedder)
        _check_sound(live, settings)
        gen = layout.begin()
        try:
            edit = _Edit(live, gen, settings, embedder)
            try:
                apply(edit, summary)
            except BaseException:
                edit.cancel()
                raise
            summary.changed = bool(summary.added or summary.replaced or summary.deleted)
            if summary.changed:
                summary.passages, summary.articles = edit.finish(progress, runner)
                summary.generation = layout.publish(gen).name
            else:
                edit.cancel()
                layout.abandon(gen)
                summary.generation = live.name
                summary.articles = int(live.manifest()["articles"])
        except BaseException:
            layout.abandon(gen)
            raise
    summary.indexed = summary.added + summary.replaced
    summary.seconds = time.perf_counter() - started
    return summary


def _check_compatible(live: Generation, settings: Settings, embedder: Embedder) -> None:
    """Refuse to mix vectors or passages made with different index settings."""
    try:
        manifest = live.check_format()
    except IndexFormatError as e:
        raise BuildError(str(e)) from e
    differ = [f"{name}: {manifest.get(name)!r} -> {getattr(settings, name)!r}"
              for name in INDEX_SETTINGS if manifest.get(name) != getattr(settings, name)]
    if manifest.get("model_path") != embedder.model_path:
        differ.append(f"model_path: {manifest.get('model_path')!r} -> {embedder.model_path!r}")
    backend = manifest.get("embed_backend", "torch")  # indexes without the key were fp32
    if vector_space(backend) != vector_space(embedder.backend):
        differ.append(f"embed_backend: {backend!r} -> {embedder.backend!r}")
    if differ:
        raise BuildError(
            f"the live index {live.name} was built with other index settings "
            f"({'; '.join(differ)}); rebuild it with: newsearch index --rebuild SOURCE..."
        )


def _check_sound(live: Generation, settings: Settings) -> None:
    """Refuse to build on a damaged live generation (its damage would be copied)."""
    try:
        require_sound(live, checksums=settings.open_check != "sizes")
    except IndexDamaged as e:
        raise BuildError(f"{e}; nothing was changed: rebuild the index with: newsearch index "
                         "--rebuild SOURCE... (details: newsearch check)") from e


class _Edit:
    """A new generation cloned from the live one, being changed."""

    def __init__(self, live: Generation, gen: Generation, settings: Settings, embedder: Embedder):
        self.live, self.gen = live, gen
        self.settings, self.embedder = settings, embedder
        self.specs = [spaces.SpaceSpec.from_dict(d) for d in live.manifest()["spaces"]]
        self.embedders = embedders_for(self.specs, settings, embedder)
        _clone(live, gen)
        self.store = ArticleStore(gen.store_file, writable=True)
        self.keyword = KeywordWriter(gen.keyword_dir, existing=True)
        self.stale_pids: list[int] = []  # vectors to drop
        self.fresh_ords: set[int] = set()  # articles whose passages need embedding

    def put(self, article: Article) -> str:
        """Add or replace ``article``: "added", "replaced" or "unchanged"."""
        found = self.store.get_by_id(article.id)
        if found is None:
            ord_ = self.store.add(article)
            outcome = "added"
        else:
            ord_, stored = found
            if stored.digest() == article.digest():
                return "unchanged"
            self.stale_pids += self.store.replace(ord_, article)
            self.keyword.delete(article.id)
            outcome = "replaced"
        self.keyword.add(ord_, article)
        spans = article_passages(article, self.settings, self.specs, self.embedders)
        self.store.add_passages(ord_, spans)
        self.fresh_ords.add(ord_)
        return outcome

    def remove(self, article_id: str) -> bool:
        found = self.store.get_by_id(article_id)
        if found is None:
            return False
        ord_ = found[0]
        self.stale_pids += self.store.delete(ord_)
        self.keyword.delete(article_id)
        self.fresh_ords.discard(ord_)
        return True

    def finish(self, progress: bool, runner: Runner) -> tuple[int, int]:
        """Write everything into the new generation; (passages embedded, articles)."""
        try:
            self.store.commit()
            self.keyword.commit()
            embedded, space_info = self.store.passage_count(self.fresh_ords), []
            members = space_members(self.store, self.specs)
            storage.ensure_vector_room(self.gen.path.parent, [
                (self.store.passage_count(ords), e.dim)
                for ords, e in zip(members, self.embedders)])
            for spec, embedder, held in zip(self.specs, self.embedders, members):
                vectors = VectorIndex.load(self.live.path / spec.file_name)
                vectors.remove(self.stale_pids)
                fresh = sorted(self.fresh_ords.intersection(held))
                embed_passages(vectors, self.store, self.store.passage_count(fresh),
                               self.settings, embedder, progress, ords=fresh,
                               desc=f"embedding ({spec.name})", runner=runner)
                vectors.save(self.gen.path / spec.file_name)
                space_info.append(space_manifest(spec, embedder, vectors))
            np.save(self.gen.passage_articles_file,
                    self.store.passage_articles().astype(np.int32))
            articles, passages = self.store.count(), self.store.passage_count()
        finally:
            self.store.close()
        manifest = self.live.manifest()
        manifest.update(
            generation=self.gen.name.removesuffix(".building"),
            created=datetime.now(timezone.utc).isoformat(),
            updated_from=self.live.name,
            articles=articles,
            passages=passages,
            spaces=space_info,
        )
        self.gen.write_manifest(manifest)
        return embedded, articles

    def cancel(self) -> None:
        self.keyword.cancel()
        self.store.close()


def _clone(live: Generation, gen: Generation) -> None:
    """Copy the live generation's article store and keyword index into ``gen``."""
    source = ArticleStore(live.store_file)
    try:
        source.copy_to(gen.store_file)
    finally:
        source.close()
    # Segment files (and their BM25 arrays, see search.index.postings) are never
    # rewritten, so they are shared by hard links.
    for dirpath, _, filenames in os.walk(live.keyword_dir):
        target_dir = gen.keyword_dir / Path(dirpath).relative_to(live.keyword_dir)
        target_dir.mkdir()
        for name in filenames:
            if not name.endswith("LOCK"):
                source, target = Path(dirpath) / name, target_dir / name
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copy2(source, target)
