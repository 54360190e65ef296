"""Where followed articles go: a `Sink` takes a batch of articles and says, for
each, what became of it (`Outcome`).

`IndexSink` writes through `indexer.update` (a new generation per batch; the
first batch builds the index when there is none), with the model loaded once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from search.article import Article
from search.config import Settings
from search.index.layout import IndexDir
from search.index.store import ArticleStore
from search.models.embedder import Embedder

RESULTS = ("created", "updated", "unchanged", "deleted", "failed")


@dataclass(frozen=True)
class Outcome:
    id: str
    result: str  # one of RESULTS
    seq: int | None = None  # the write path's sequence number, when it gives one
    error: str = ""  # why, when result is "failed"


Sink = Callable[[Sequence[Article]], list[Outcome]]


class IndexSink:
    """Articles into the index of ``settings`` by `indexer.update` (or `indexer.build`
    when there is no index yet)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder or Embedder.for_settings(settings)

    def __call__(self, articles: Sequence[Article]) -> list[Outcome]:
        from ..build import Runner, build
        from ..update import update

        if not articles:
            return []
        layout = IndexDir(self.settings.index_dir)
        exists = layout.pointer.exists()
        before = self._stored_digests(layout, articles) if exists else {}
        runner = Runner(read=lambda *_: iter(articles))  # these articles, not files
        (update if exists else build)([], self.settings, progress=False, embedder=self.embedder,
                                      runner=runner)
        return [Outcome(a.id, "created" if before.get(a.id) is None
                        else "unchanged" if before[a.id] == a.digest() else "updated")
                for a in articles]

    @staticmethod
    def _stored_digests(layout: IndexDir, articles: Sequence[Article]) -> dict[str, str]:
        store = ArticleStore(layout.current().store_file)
        try:
            found = {a.id: store.get_by_id(a.id) for a in articles}
        finally:
            store.close()
        return {i: hit[1].digest() for i, hit in found.items() if hit is not None}
