"""What a `Searcher` reads: an index generation's parts, opened.

A searcher ranks and builds responses over these parts and nothing else.
`open_local` opens them from one generation directory (one shard: the whole
index); `search.shards.sharded` gives the same parts over shards served elsewhere, so
that both searchers share one ranking path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from search.config import Settings
from search.index.keyword import KeywordIndex
from search.index.layout import Generation
from search.index.store import ArticleStore
from search.index.vectors import VectorIndex
from search.index.vocabulary import Vocabulary
from search.models.spaces import SpaceSpec


@dataclass
class IndexParts:
    generation: Any  # `layout.Generation`, or what names a sharded one (``.name``)
    manifest: dict
    store: Any  # `ArticleStore` or `sharded.ShardedStore`
    keyword: Any  # `KeywordIndex` or `sharded.ShardedKeyword`
    indexes: list  # per space (`SpaceSpec`): `VectorIndex` or `sharded.ShardedVectors`
    passage_article: np.ndarray  # article ordinal of every passage id (-1: none)
    facts: list[tuple]  # `ArticleStore.facts` rows of every article
    vocabulary: Callable[[], Vocabulary]
    close: Callable[[], None]
    delta: Any = None  # `delta.DeltaView`: the write-ahead log's changes these parts include

    @property
    def specs(self) -> list[SpaceSpec]:
        return [SpaceSpec.from_dict(d) for d in self.manifest["spaces"]]


def open_local(generation: Generation, settings: Settings) -> IndexParts:
    """The parts of ``generation``, its files held open against pruning until closed."""
    hold = generation.hold()
    try:
        manifest = generation.check_format()
        store = ArticleStore(generation.store_file)
        keyword = KeywordIndex(generation.keyword_dir, settings.bm25_k1, settings.bm25_b,
                               settings.title_boost, fast=settings.fast_keyword,
                               term_cache_mb=settings.term_cache_mb,
                               romanized_boost=settings.romanized_weight)
        indexes = [VectorIndex.load(generation.path / SpaceSpec.from_dict(d).file_name,
                                    settings.ivf_nprobe, mmap=True)
                   for d in manifest["spaces"]]
        passage_article = (np.load(generation.passage_articles_file, mmap_mode="r")
                           if generation.passage_articles_file.exists()
                           else store.passage_articles())
        facts = store.facts()
    except BaseException:
        hold.release()
        raise

    def close() -> None:
        keyword.close()
        store.close()
        hold.release()

    return IndexParts(generation, manifest, store, keyword, indexes, passage_article, facts,
                      lambda: Vocabulary.read(keyword.reader()), close)
