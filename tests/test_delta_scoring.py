"""The near-real-time delta is scored by the same vectorised BM25F as the
generation (`FastBM25F` over its in-memory segments, with the summed
statistics): rankings, scores, totals and matches equal Whoosh's own scoring
of the generation and the delta, on many queries, and stay equal from the
term caches."""

from __future__ import annotations

import shutil
import threading

import pytest

from indexer.push import Pusher, parse_article
from search import Settings
from search.index.delta import CombinedKeyword, Frequencies
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
    with live.searching() as s:
        fast = s.keyword
        assert isinstance(fast, CombinedKeyword) and fast.delta._fast is not None
        delta = live._tail.delta
        gen = KeywordIndex(s.generation.keyword_dir, settings.bm25_k1, settings.bm25_b,
                           settings.title_boost, fast=False)
        ram = KeywordIndex(delta._ram, settings.bm25_k1, settings.bm25_b, settings.title_boost,
                           fast=False)
        slow = CombinedKeyword(gen, ram, fast._dead, fast._dead_ids, fast._totals, {},
                               threading.Lock(), Frequencies(delta._ram.reader()))
        words = sorted({w.lower() for a in olds for w in a.title.split() if w.isalpha()})
        yield fast, slow, words
        gen.close()
    pusher.close()
    live.close()


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
