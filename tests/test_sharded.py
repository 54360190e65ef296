"""A generation cut into shards and searched through them ranks exactly as the
whole generation does: the retrieve-per-shard / fuse-and-fetch split, in
one process (the Ray Serve deployment of the same shards: test_cluster_serving)."""

from __future__ import annotations

import numpy as np
import pytest

from search import Searcher, Settings
from search.index.keyword import TermStats
from search.index.layout import IndexDir
from search.shards.shard import open_shards, shard_of, split
from search.shards.sharded import LocalShards, sharded_parts

from .golden import FILTERS, assert_same, golden_queries

MODES = ("keyword", "semantic", "hybrid")


@pytest.fixture(scope="module")
def whole(newsroom_index, embedder):
    settings = Settings(index_dir=newsroom_index, response_cache_size=0, embedding_cache_size=0)
    s = Searcher.open(newsroom_index, settings, embedder=embedder)
    yield s
    s.close()


def sharded(index_dir, shards: int, embedder) -> Searcher:
    settings = Settings(index_dir=index_dir, response_cache_size=0, embedding_cache_size=0)
    gen = IndexDir(index_dir).current()
    parts = sharded_parts(LocalShards(open_shards(gen, shards, settings)), settings)
    return Searcher(parts, settings, embedder)


@pytest.fixture(scope="module")
def three(newsroom_index, embedder):
    s = sharded(newsroom_index, 3, embedder)
    yield s
    s.close()


def test_split_puts_every_article_in_the_shard_its_id_names(newsroom_index, whole):
    gen = IndexDir(newsroom_index).current()
    root = split(gen, 3)
    shards = open_shards(gen, 3, whole.settings)
    try:
        held = [set(s.id_table().values()) for s in shards]
        assert set().union(*held) == set(whole.store.ids())
        assert sum(map(len, held)) == whole.article_count
        for i, ids in enumerate(held):
            assert ids and all(shard_of(a, 3) == i for a in ids)
        pids = np.concatenate([s.summary().pids for s in shards])
        assert sorted(pids) == sorted(np.flatnonzero(np.asarray(whole.passage_article) >= 0))
    finally:
        for s in shards:
            s.close()
    assert split(gen, 3) == root  # made once
    gone = root.parent / "gen-999999-of-2"  # the shards of a pruned generation
    (gone / "0").mkdir(parents=True)
    assert split(gen, 3) == root and not gone.exists() and root.exists()


def test_shard_statistics_add_up_to_the_whole_index(whole, three):
    q = whole.keyword.parse("police arrested the president")
    terms = whole.keyword.parser.scored_terms(q)
    assert three.keyword.stats(q) == whole.keyword.term_stats(terms)
    assert TermStats.merged([whole.keyword.term_stats(terms)]) == whole.keyword.term_stats(terms)


def test_golden_queries_rank_the_same_on_three_shards(whole, three):
    queries = golden_queries(whole)
    assert len(queries) >= 200
    compared = 0
    for n, query in enumerate(queries):
        for mode in MODES:
            for filters in FILTERS[: 1 + (n % 4 == 0)]:
                expected = whole.search(query, mode=mode, size=10, filters=filters, facets=True)
                got = three.search(query, mode=mode, size=10, filters=filters, facets=True)
                assert_same(expected, got, f"{mode} {query!r} {filters}")
                compared += 1
    assert compared >= 700


def test_pages_newest_first_related_and_articles_match(whole, three):
    for mode in MODES:
        assert_same(whole.search("government", mode=mode, page=2, size=3),
                    three.search("government", mode=mode, page=2, size=3), mode)
        assert_same(whole.search("government", mode=mode, sort="newest"),
                    three.search("government", mode=mode, sort="newest"), mode)
    for article_id in sorted(whole.store.ids())[:8]:
        assert three.article(article_id) == whole.article(article_id)
        a, b = whole.related(article_id), three.related(article_id)
        assert [h.article.id for h in b.related] == [h.article.id for h in a.related]
        assert [h.article.id for h in b.versions] == [h.article.id for h in a.versions]
    assert three.article("no-such-id") is None
    assert three.suggest("gover") and {s.text for s in three.suggest("gover")} == {
        s.text for s in whole.suggest("gover")}


def test_one_shard_is_the_whole_index(newsroom_index, whole, embedder):
    one = sharded(newsroom_index, 1, embedder)
    try:
        for mode in MODES:
            assert_same(whole.search("election results", mode=mode, facets=True),
                        one.search("election results", mode=mode, facets=True), mode)
    finally:
        one.close()
