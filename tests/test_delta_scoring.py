"""The near-real-time delta is scored by the same vectorised BM25F as the
generation (`FastBM25F` over its in-memory segments, with the summed
statistics): rankings, scores, totals and matches equal Whoosh's own scoring
of the generation and the delta, on many queries, and stay equal from the
term caches."""

from __future__ import annotations

import contextlib
import shutil
import threading
from typing import Iterator

import pytest

from indexer.push import Pusher, parse_article
from search import Settings
from search.index.delta import CombinedKeyword
from search.index.keyword import KeywordIndex
from search.serving.live import LiveSearcher


@pytest.fixture(scope="module")
def views(tmp_path_factory, newsroom_index, embedder, query_encoder):
    root = tmp_path_factory.mktemp("delta-scoring") / "index"
    shutil.copytree(newsroom_index, root)
    settings = Settings(index_dir=root, nrt_poll_seconds=0, merge_records=0, merge_seconds=0,
                        response_cache_size=0, term_cache_mb=1)
    live = LiveSearcher(settings, embedder=query_encoder)
    with live.searching() as s:
        base = s.store
        olds = [base.get([o])[o] for o in sorted(base.id_table())[:40]]
    pusher = Pusher(settings, embedder)

    def push(article_id: str, title: str, body: str) -> None:
        pusher.put([parse_article({"title": title, "body": body}, settings, article_id)])

    n = len(olds)
    assert n >= 12
    half = n // 2
    for i, a in enumerate(olds[:half]):  # new articles: the generation's words, other mixes
        push(f"fresh-{i}", f"{a.title} {olds[i + 1].title}", a.body + " " + olds[-1 - i].body[:400])
        live.catch_up()  # one segment per record, as a server polling the log makes
    for a in olds[half:half + 3]:  # replaced in the generation: tombstones
        push(a.id, a.title + " updated", a.body)
    for i in range(3):  # replaced in the delta: Whoosh deletions in its segments
        push(f"fresh-{i}", olds[half + 3 + i].title, olds[half + 3 + i].body)
    pusher.delete([olds[half + 6].id, "fresh-4"])
    live.catch_up()
    with live.searching() as s, by_whoosh(s, live, settings) as slow:
        fast = s.keyword
        assert isinstance(fast, CombinedKeyword) and fast.delta._fast is not None
        words = sorted({w.lower() for a in olds for w in a.title.split() if w.isalpha()})
        yield fast, slow, words
    pusher.close()
    live.close()


@contextlib.contextmanager
def by_whoosh(s, live: LiveSearcher, settings: Settings) -> Iterator[CombinedKeyword]:
    """The keyword side of view ``s`` scored by Whoosh alone (its matchers,
    its document frequencies)."""
    fast, delta = s.keyword, live._tail.delta
    gen = KeywordIndex(s.generation.keyword_dir, settings.bm25_k1, settings.bm25_b,
                       settings.title_boost, fast=False)
    ram = KeywordIndex(delta._ram, settings.bm25_k1, settings.bm25_b, settings.title_boost,
                       fast=False)
    reader = delta._ram.reader()
    yield CombinedKeyword(gen, ram, fast._dead, fast._dead_ids, fast._totals, {},
                          threading.Lock(), lambda terms: {t: reader.doc_frequency(*t)
                                                           for t in terms})
    reader.close()
    gen.close()


def _queries(words: list[str]) -> list[str]:
    singles = words[::3][:40]
    pairs = [f"{a} {b}" for a, b in zip(words[::5], words[2::7])][:40]
    syntax = [f"+{words[0]} {words[9]} -{words[4]}", f'"{words[1]} {words[2]}" {words[3]}',
              f"title:{words[6]} OR {words[8]}", f"{words[10]} AND {words[11]}"]
    return singles + pairs + syntax


def _same(a, b):
    assert [o for o, _ in a] == [o for o, _ in b]
    for (_, x), (_, y) in zip(a, b):
        assert x == pytest.approx(y, rel=1e-9)


def test_the_delta_scores_as_whoosh_does(views):
    fast, slow, words = views
    queries = _queries(words)
    matched = 0
    for rounds in range(2):  # scored, then from the term caches
        for text in queries:
            q = fast.parse(text)
            want, want_total = slow.search(q, 10**6)
            got, got_total = fast.search(q, 10**6)
            _same(got, want)
            assert got_total == want_total == len(want), text
            _same(fast.search(q, 10)[0], slow.search(q, 10)[0])
            assert sorted(fast.matching(q).tolist()) == sorted(slow.matching(q).tolist())
            matched += bool(want)
    assert matched > len(queries)  # most queries match something
    delta = fast.delta  # scored by its arrays, not left to Whoosh
    assert delta._fast.search(delta._searcher(), fast.parse(queries[0]), 10) is not None
    assert any(o >= fast.delta._fast.ords.min() for t in queries
               for o, _ in fast.search(fast.parse(t), 10)[0])  # the delta's articles rank


def test_postings_kept_across_views_leave_later_deletions_out(tmp_path, newsroom_index, embedder,
                                                             query_encoder):
    # Each segment's postings are read once and kept for the next views: an
    # article replaced or deleted later, in a segment read before, is gone.
    root = tmp_path / "index"
    shutil.copytree(newsroom_index, root)
    settings = Settings(index_dir=root, nrt_poll_seconds=0, merge_records=0, merge_seconds=0,
                        response_cache_size=0, term_cache_mb=1)
    live = LiveSearcher(settings, embedder=query_encoder)
    with live.searching():  # the generation opened: the log is followed from here
        pass
    pusher = Pusher(settings, embedder)

    def push(article_id: str, title: str, body: str) -> None:
        pusher.put([parse_article({"title": title, "body": body}, settings, article_id)])
        live.catch_up()  # a segment each

    push("kept", "Zebrafish volcano watch", "Zebrafish swim near the volcano.")
    push("replaced", "Zebrafish volcano erupts", "The volcano erupts; zebrafish flee.")
    push("deleted", "Volcano zebrafish survey", "A survey of zebrafish by the volcano.")
    queries = ["zebrafish", "volcano erupts", "zebrafish survey", "penguin", "zebrafish penguin"]
    with live.searching() as s:
        delta = s.keyword.delta
        segments = {segid for segid, _, _ in delta._fast.segments}
        assert len(segments) == 3
        for text in queries:
            s.keyword.search(s.keyword.parse(text), 10)  # the segments' postings read
        assert {o for o, _ in delta.search(delta.parse("zebrafish"), 10)[0]} == {
            s.store.get_by_id(i)[0] for i in ("kept", "replaced", "deleted")}
    pusher.put([parse_article({"title": "Penguin parade", "body": "Penguins on parade."},
                              settings, "replaced")])
    pusher.delete(["deleted"])
    live.catch_up()
    with live.searching() as s, by_whoosh(s, live, settings) as slow:
        fast = s.keyword
        assert segments < {segid for segid, _, _ in fast.delta._fast.segments}  # read before
        kept, replaced = (s.store.get_by_id(i)[0] for i in ("kept", "replaced"))
        for text in queries:
            q = fast.parse(text)
            got, total = fast.search(q, 10)
            _same(got, slow.search(q, 10)[0])
            assert total == slow.search(q, 10)[1]
            assert sorted(fast.matching(q).tolist()) == sorted(slow.matching(q).tolist())
            own = {o for o, _ in fast.delta.search(q, 10)[0]}  # the delta alone, no tombstones
            assert own <= {kept, replaced}, text
        assert {o for o, _ in fast.search(fast.parse("zebrafish"), 10)[0]} == {kept}
        assert {o for o, _ in fast.search(fast.parse("penguin"), 10)[0]} == {replaced}
    pusher.close()
    live.close()
