"""Folding the write-ahead log into a new generation (`newsearch merge`).

Holding the index's writer lock (one writer at a time: a merge, `newsearch
index` or `newsearch delete`), a merge clones the live generation as an
update does (`indexer.update`), applies the log's records after the
generation's ``wal_seq`` up to the newest one S (each put with the ordinal
and passage ids the readers' delta gave it, `search.index.delta.plan`, and
the vectors its record carries: nothing is embedded), records ``wal_seq``
S in the new manifest, publishes it and drops the log segments it holds.
Server processes swap to it and keep only the records after S in their
delta, so a search gives the same answers before and after a merge.

`MergeTrigger` runs in each server process and starts ``newsearch merge``
as a child process (its own interpreter and core, never the serving
threads') once the log holds `Settings.merge_records` records or its oldest
is `Settings.merge_seconds` old.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from search.article import Article
from search.config import Settings
from search.index import storage
from search.index.delta import next_keys, plan
from search.index.keyword import KeywordWriter
from search.index.layout import IndexDir, IndexLocked
from search.index.parts import open_local
from search.index.store import ArticleStore
from search.index.vectors import VectorIndex
from search.index.wal import WriteAheadLog
from search.models.spaces import SpaceSpec

from .update import _clone

log = logging.getLogger(__name__)


@dataclass
class MergeSummary:
    records: int = 0
    seq: int = 0
    generation: str = ""
    articles: int = 0
    dropped: int = 0  # log segments removed
    seconds: float = 0.0

    def report(self) -> str:
        if not self.records:
            return f"nothing to merge: {self.generation} holds the whole log"
        return (f"merged {self.records} log records (up to {self.seq}) into {self.generation}: "
                f"{self.articles} articles; {self.dropped} log segment(s) dropped "
                f"({self.seconds:.1f}s)")


def merge(settings: Settings, wait: bool = True) -> MergeSummary:
    """Fold the write-ahead log into a new live generation (`IndexLocked` if
    another writer holds the index and not ``wait``)."""
    started = time.perf_counter()
    layout = IndexDir(settings.index_dir)
    wal = WriteAheadLog(layout.root)
    summary = MergeSummary()
    with storage.failures(layout.root, "the live index is unchanged"), _locked(layout, wait):
        live = layout.current()
        parts = open_local(live, settings)
        try:
            base_seq = int(parts.manifest.get("wal_seq", 0))
            records = wal.read(base_seq).records
            summary.generation = live.name
            if not records:
                return summary
            first_ord, first_pid = next_keys(parts)
            gen = layout.begin()
            try:
                _apply(live, gen, parts, records, first_ord, first_pid)
                summary.generation = layout.publish(gen).name
            except BaseException:
                layout.abandon(gen)
                raise
        finally:
            parts.close()
    summary.records, summary.seq = len(records), records[-1].seq
    summary.articles = int(layout.current().manifest()["articles"])
    summary.dropped = wal.drop_through(summary.seq)
    summary.seconds = time.perf_counter() - started
    return summary


def _locked(layout: IndexDir, wait: bool):
    if not wait:
        return layout.writer_lock()

    class _Waiting:
        def __enter__(self):
            while True:
                self._cm = layout.writer_lock()
                try:
                    return self._cm.__enter__()
                except IndexLocked:
                    time.sleep(0.2)

        def __exit__(self, *exc):
            return self._cm.__exit__(*exc)

    return _Waiting()


def _apply(live, gen, parts, records, first_ord: int, first_pid: int) -> None:
    """Write ``live`` with ``records`` applied into the building ``gen``."""
    manifest = live.manifest()
    specs = [SpaceSpec.from_dict(d) for d in manifest["spaces"]]
    _clone(live, gen)
    store = ArticleStore(gen.store_file, writable=True)
    keyword = KeywordWriter(gen.keyword_dir, existing=True)
    try:
        planned = plan(records, first_ord, first_pid)
        final = {r.id: i for i, r in enumerate(records)}  # each id's last record wins
        stale: list[int] = []
        fresh: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in specs]
        for i, (r, p) in enumerate(zip(records, planned)):
            if final[r.id] != i:
                continue  # replaced later in the log (the delta holds it dead too)
            found = store.get_by_id(r.id)
            if found is not None and found[0] < first_ord:
                stale += store.delete(found[0])
                keyword.delete(r.id)
            if p is None:
                continue
            article = Article.from_dict(r.article)
            store.add(article, p.ord)
            store.add_passages(p.ord, r.passages, p.first_pid)
            keyword.add(p.ord, article)
            if (r.vectors is not None and 0 <= r.space < len(specs)
                    and r.model == specs[r.space].model and len(r.vectors) == len(r.passages)):
                pids = np.arange(p.first_pid, p.first_pid + len(r.passages), dtype=np.int64)
                fresh[r.space].append((pids, np.asarray(r.vectors, dtype=np.float32)))
        store.commit()
        keyword.commit()
        space_info = []
        for spec, d, added in zip(specs, manifest["spaces"], fresh):
            vectors = VectorIndex.load(live.path / spec.file_name)
            vectors.remove(stale)
            if added:
                vectors.add(np.concatenate([a for a, _ in added]),
                            np.concatenate([b for _, b in added]))
            vectors.save(gen.path / spec.file_name)
            space_info.append(dict(d, vectors=len(vectors), vector_index=vectors.kind))
        pa = store.passage_articles()
        keep = max(len(pa), first_pid)  # never shorter than the live one (ids go on from it)
        table = np.full(keep, -1, dtype=np.int32)
        table[: len(pa)] = pa
        np.save(gen.passage_articles_file, table)
        articles, passages = store.count(), store.passage_count()
    except BaseException:
        keyword.cancel()
        store.close()
        raise
    store.close()
    manifest.update(generation=gen.name.removesuffix(".building"),
                    created=datetime.now(timezone.utc).isoformat(), updated_from=live.name,
                    articles=articles, passages=passages, spaces=space_info,
                    wal_seq=records[-1].seq)
    gen.write_manifest(manifest)


class MergeTrigger:
    """Starts ``newsearch merge`` in the background when the log is big or old
    enough (one server process's view of it: `LiveSearcher.delta`)."""

    def __init__(self, settings: Settings, live, every: float = 1.0):
        self.settings, self.live, self.every = settings, live, every
        self._child: subprocess.Popen | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="newsearch-merge", daemon=True)

    def start(self) -> "MergeTrigger":
        if self.settings.merge_records > 0 or self.settings.merge_seconds > 0:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def due(self) -> bool:
        records, oldest, _ = self.live.delta()
        s = self.settings
        return records > 0 and (
            (s.merge_records > 0 and records >= s.merge_records)
            or (s.merge_seconds > 0 and oldest and time.time() - oldest >= s.merge_seconds))

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                if self._child is not None and self._child.poll() is None:
                    continue
                self._child = None
                if self.due() and not _writer_busy(self.settings):
                    self._child = subprocess.Popen(
                        [sys.executable, "-m", "newsearch", "merge", "--index-dir",
                         str(self.settings.index_dir), "--if-free"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        env=dict(os.environ))
                    log.info("merging the write-ahead log in process %d", self._child.pid)
            except Exception:
                log.exception("cannot start a merge")


def _writer_busy(settings: Settings) -> bool:
    """Whether a writer (a merge, `newsearch index`) holds the index now."""
    import fcntl

    path = IndexDir(settings.index_dir).root / "LOCK"
    try:
        with open(path, "a+") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(f, fcntl.LOCK_UN)
            return False
    except OSError:
        return True
