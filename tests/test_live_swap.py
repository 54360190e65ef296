"""A running server follows index updates without failing or mixing a request."""

import http.client
import json
import threading
import time
from urllib.parse import urlencode, urlsplit

import pytest

from indexer.build import build
from indexer.update import delete, update
from search import Searcher, Settings
from search.index import layout
from search.models.e5 import NAME as E5_NAME
from search.models.e5 import E5Embedder
from search.serving.live import LiveSearcher
from web import create_app

from .conftest import running_server, sample_lines

QUERIES = ["president election", "Israel Hezbollah ceasefire", "football match", "Congo Rwanda",
           "storm damage", "court ruling"]
MODES = ["keyword", "semantic", "hybrid"]


def records(n):
    return [json.loads(line) for line in sample_lines(n)]


def write(path, items):
    path.write_text("".join(json.dumps(r) + "\n" for r in items), encoding="utf-8")
    return path


def get_json(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.getheader("X-Index-Generation"), response.read()


def test_concurrent_requests_during_updates_each_see_one_generation(tmp_path, embedder,
                                                                     monkeypatch):
    monkeypatch.setattr(layout, "KEEP_PREVIOUS", 100)  # keep every generation to check against
    settings = Settings(index_dir=tmp_path / "index")
    base = records(16)
    build([write(tmp_path / "g1.jsonl", base[:12])], settings, progress=False, embedder=embedder)
    live = LiveSearcher(settings, embedder=embedder)
    app = create_app(settings, live)

    seen = []  # (generation, query, mode, [(id, title)])
    errors = []
    done = threading.Event()

    def client(n):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        i = n
        while not done.is_set():
            q, mode = QUERIES[i % len(QUERIES)], MODES[(i // len(QUERIES)) % len(MODES)]
            i += 1
            try:
                status, gen, body = get_json(conn, "/api/search?" + urlencode({"q": q, "mode": mode}))
                if status != 200 or not gen:
                    errors.append((status, body[:200]))
                    continue
                results = json.loads(body)["results"]
                seen.append((gen, q, mode, [(r["id"], r["title"]) for r in results]))
                time.sleep(0.01)  # leave the indexer some CPU on a small machine
            except Exception as e:  # a failed request is what this test counts
                errors.append(repr(e))
                conn = http.client.HTTPConnection(host, port, timeout=30)

    def served(generation: str) -> None:
        """Wait (a new generation is warmed before it serves) until requests get it."""
        deadline = time.monotonic() + 120
        while not any(gen == generation for gen, *_ in seen[-20:]) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)

    with running_server(app, settings) as url:
        host, port = urlsplit(url).hostname, urlsplit(url).port
        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        served("gen-000001")
        changed = [dict(r, title=r["title"] + " (corrected)", body=r["body"] + " Corrected.")
                   for r in base[:3]]
        update([write(tmp_path / "g2.jsonl", changed + base[12:])], settings, progress=False,
               embedder=embedder)
        served("gen-000002")
        delete([base[5]["id"], base[13]["id"]], settings, embedder=embedder)
        served("gen-000003")
        build([write(tmp_path / "g4.jsonl", base[4:10])], settings, progress=False,
              embedder=embedder)  # a full rebuild swaps in too
        served("gen-000004")
        done.set()
        for t in threads:
            t.join(timeout=60)

    assert errors == []
    generations = sorted({gen for gen, *_ in seen})
    assert generations == ["gen-000001", "gen-000002", "gen-000003", "gen-000004"]
    # Every response is exactly what its generation answers: nothing mixed.
    expected = {}
    for name in generations:
        searcher = Searcher(layout.Generation(settings.index_dir / name), settings, embedder)
        for q in QUERIES:
            for mode in MODES:
                hits = searcher.search(q, mode=mode).hits
                expected[name, q, mode] = [(h.article.id, h.article.title) for h in hits]
        searcher.close()
    mismatched = [s for s in seen if expected[s[0], s[1], s[2]] != s[3]]
    assert not mismatched, mismatched[:3]
    print(f"{len(seen)} responses from {len(generations)} generations, 0 errors")
    assert len(seen) > 20
    # Old searchers were closed once their last request finished.
    assert live.open_generations() == ["gen-000004"] and live.swaps == 3


def test_a_retired_searcher_closes_when_its_last_request_ends(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index")
    src = write(tmp_path / "a.jsonl", records(3))
    build([src], settings, progress=False, embedder=embedder)
    live = LiveSearcher(settings, embedder=embedder)
    old = live.acquire()  # a request still running on gen-000001
    build([src], settings, progress=False, embedder=embedder)
    with live.searching() as fresh:
        assert fresh.generation.name == "gen-000002"
    assert live.open_generations() == ["gen-000001", "gen-000002"]
    assert old.search("Congo", mode="keyword").total >= 0  # still usable mid-request
    live.release(old)
    assert live.open_generations() == ["gen-000002"]
    with pytest.raises(Exception):
        old.store.count()  # closed


def test_a_generation_is_warmed_before_its_first_request(tmp_path, embedder, monkeypatch):
    warmed = []
    warm = Searcher.warm
    monkeypatch.setattr(Searcher, "warm", lambda s: warmed.append(s.generation.name) or warm(s))
    settings = Settings(index_dir=tmp_path / "index")
    src = write(tmp_path / "a.jsonl", records(3))
    build([src], settings, progress=False, embedder=embedder)
    asked = []
    monkeypatch.setattr(E5Embedder, "encode", lambda self, texts: asked.append(texts))
    live = LiveSearcher(settings, embedder=embedder)
    with live.searching() as first:  # at start
        assert warmed == ["gen-000001"] and first.vocabulary.loaded
        # English articles only: e5's space is empty, so its model is not loaded.
        assert [s.spec.model for s in first.semantic.spaces if not len(s.vectors)] == [E5_NAME]
        assert asked == []
    build([src], settings, progress=False, embedder=embedder)
    with live.searching() as fresh:  # at a swap
        assert fresh.generation.name == "gen-000002"
        assert warmed == ["gen-000001", "gen-000002"] and fresh.vocabulary.loaded
    live.close()


def test_a_broken_new_generation_leaves_the_old_one_serving(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index")
    src = write(tmp_path / "a.jsonl", records(3))
    build([src], settings, progress=False, embedder=embedder)
    live = LiveSearcher(settings, embedder=embedder)
    with live.searching() as s:
        assert s.generation.name == "gen-000001"
    build([src], settings, progress=False, embedder=embedder)
    (settings.index_dir / "gen-000002" / "vectors.faiss").write_bytes(b"garbage")
    with live.searching() as s:
        assert s.generation.name == "gen-000001"
        assert s.search("Congo").hits
