"""Query caches (search/cache.py): same answers as without them, never from another generation."""

import json
import threading
import time

import pytest

from indexer.build import build
from indexer.update import update
from search import Filters, Searcher, Settings
from search.serving.live import LiveSearcher

from .conftest import SEED_ID, newsroom_records

QUERIES = ["Israel Hezbollah", "US green light", "football match", "election president",
           "storm damage", "court ruling", "\"green light\" -Politico", "Congo Rwanda"]
MODES = ["keyword", "semantic", "hybrid"]
NO_CACHE = {"response_cache_size": 0, "embedding_cache_size": 0}


def answer(response) -> dict:
    """Everything a response says except its timing."""
    d = response.to_dict()
    d.pop("took_ms")
    return d


def same(a: dict, b: dict) -> None:
    assert [r["id"] for r in a["results"]] == [r["id"] for r in b["results"]]
    assert [r["score"] for r in a["results"]] == pytest.approx([r["score"] for r in b["results"]],
                                                               abs=1e-5)
    for key in ("total", "facets", "suggestion", "filters", "query_lang"):
        assert a[key] == b[key], key
    assert [r["snippet"] for r in a["results"]] == [r["snippet"] for r in b["results"]]


@pytest.fixture(scope="module")
def uncached(newsroom_index, embedder):
    s = Searcher.open(newsroom_index, Settings(index_dir=newsroom_index, **NO_CACHE),
                      embedder=embedder)
    yield s
    s.close()


@pytest.fixture()
def cached(newsroom_index, embedder):
    s = Searcher.open(newsroom_index, Settings(index_dir=newsroom_index), embedder=embedder)
    yield s
    s.close()


def test_cached_answers_equal_uncached_ones_on_a_fixed_query_set(uncached, cached):
    calls = [dict(query=q, mode=m) for q in QUERIES for m in MODES]
    calls += [dict(query="Israel Hezbollah", mode="hybrid", page=2, size=3, facets=True),
              dict(query="Israel Hezbollah", mode="hybrid", sort="newest"),
              dict(query="Israel", mode="keyword", filters=Filters(category=("WORLD",)),
                   facets=True)]
    for call in calls:
        fresh = answer(cached.search(**call))
        again = answer(cached.search(**call))  # from the cache
        expected = answer(uncached.search(**call))
        same(fresh, expected)
        same(again, expected)
    stats = cached.cache.stats()
    assert stats["responses"]["hits"] == len(calls)
    assert stats["responses"]["misses"] == len(calls)
    assert uncached.cache.stats() == {}  # caches off


def test_a_cache_hit_is_a_copy_with_its_own_timing(cached):
    first = cached.search("Israel Hezbollah", mode="hybrid")
    second = cached.search("Israel Hezbollah", mode="hybrid")
    assert second is not first and second.hits is first.hits


def test_query_embeddings_are_reused_across_pages_and_modes(cached):
    cached.search("ceasefire talks", mode="semantic")
    cached.search("ceasefire talks", mode="hybrid", page=2)  # another response, same embedding
    stats = cached.cache.stats()
    spaces = len(cached.semantic.routes("en"))  # the query is embedded once per space
    assert stats["embeddings"] == {"hits": spaces, "misses": spaces, "entries": spaces}
    assert stats["responses"]["misses"] == 2


def test_simultaneous_identical_queries_are_computed_once(cached):
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(
        answer(cached.search("breaking news storm", mode="hybrid")))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 8 and all(a == answers[0] for a in answers)
    assert cached.cache.stats()["responses"]["misses"] == 1


def test_cached_responses_expire(newsroom_index, embedder):
    settings = Settings(index_dir=newsroom_index, response_cache_seconds=0.2)
    s = Searcher.open(newsroom_index, settings, embedder=embedder)
    try:
        s.search("Israel", mode="keyword")
        time.sleep(0.3)
        s.search("Israel", mode="keyword")
        assert s.cache.stats()["responses"]["misses"] == 2
    finally:
        s.close()


def test_a_new_generation_is_never_answered_from_the_old_ones_cache(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index")
    records = newsroom_records()
    first = tmp_path / "first.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in records if r["id"] != SEED_ID))
    build([first], settings, progress=False, embedder=embedder)
    live = LiveSearcher(settings, embedder=embedder)
    query = "Politico green light Hezbollah"
    with live.searching() as s:
        before = s.search(query, mode="hybrid")
        assert s.search(query, mode="hybrid").hits == before.hits  # cached
        old = s.generation.name
    assert SEED_ID not in [h.article.id for h in before.hits]

    second = tmp_path / "second.jsonl"
    second.write_text(json.dumps(next(r for r in records if r["id"] == SEED_ID)) + "\n")
    update([second], settings, progress=False, embedder=embedder)
    with live.searching() as s:
        after = s.search(query, mode="hybrid")
        assert s.generation.name != old
        ids = [h.article.id for h in after.hits] + [a.id for h in after.hits for a in h.similar]
        assert SEED_ID in ids
    live.close()


def test_the_sites_search_is_answered_from_the_cache_when_repeated(newsroom_index, embedder):
    """What the page and API run (`site_search`, with the editors' pins and
    synonyms) must reach the response cache, not only `Searcher.search`."""
    from search.features.editors import Editors
    from search.serving.site import site_search

    s = Searcher.open(newsroom_index, Settings(index_dir=newsroom_index), embedder=embedder)
    try:
        editors = Editors(newsroom_index / "no-editors")
        first = site_search(s, editors, "Israel Hezbollah", mode="hybrid", facets=True)
        again = site_search(s, editors, "Israel Hezbollah", mode="hybrid", facets=True)
        assert s.cache.stats()["responses"]["hits"] == 1
        same(answer(first), answer(again))
    finally:
        s.close()
