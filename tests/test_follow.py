"""`newsearch follow` against a loopback web site: feeds, sitemaps, pages.

The site (`Site`) serves documents with ETags and Last-Modified dates, answers
conditional GETs with 304 and logs every request with its arrival time, so the
tests assert on what the follower asked for, and in what order, not on clocks.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import signal
import threading
import time
from email.utils import formatdate
from pathlib import Path

import pytest

from indexer.follow.fetch import Fetcher
from indexer.follow.follower import MAX_FAILURES, Follower, stop_on_signals
from indexer.follow.sink import ApiSink, Outcome, PushSink
from indexer.push import Pusher
from search import Settings
from search.index.layout import IndexDir
from search.serving.live import LiveSearcher
from tests.conftest import running_server
from web import create_app

WORDS = {
    "a": "quokka", "b": "axolotl", "c": "pangolin", "d": "narwhal", "e": "okapi", "f": "tarsier",
    "g": "wombat",
}


def page(name: str, extra: str = "", canonical: str = "") -> bytes:
    animal = WORDS[name]
    link = f"<link rel='canonical' href='{canonical}'>" if canonical else ""
    paragraphs = "".join(
        f"<p>Paragraph {i} of the {animal} story: researchers in the field counted the {animal} "
        f"population again this season and wrote a long report about what they found. {extra}</p>"
        for i in range(1, 5))
    return (f"<!DOCTYPE html><html lang='en'><head><title>The {animal} report</title>"
            f"<meta property='og:title' content='The {animal} report'>{link}</head><body>"
            f"<nav>Home | World | Science</nav><article><h1>The {animal} report</h1>"
            f"<p class='byline'>By Jane Doe</p>{paragraphs}</article>"
            f"<footer>Copyright</footer></body></html>").encode()


def rss(items: list[tuple[str, str]]) -> bytes:
    body = "".join(f"<item><title>{title}</title><link>{link}</link>"
                   f"<description>{title} summary</description>"
                   f"<pubDate>Mon, 02 Dec 2024 10:00:00 +0000</pubDate></item>"
                   for link, title in items)
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>"
            f"<link>http://example.org/</link><description>d</description>{body}"
            f"</channel></rss>").encode()


def atom(link: str, title: str) -> bytes:
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>Atom wire</title><id>urn:wire</id><updated>2024-12-02T10:00:00Z</updated>"
            f"<entry><title>{title}</title><id>urn:c</id><link href='{link}'/>"
            f"<updated>2024-12-02T10:00:00Z</updated><summary>s</summary></entry></feed>").encode()


def news_sitemap(entries: list[tuple[str, str, str]]) -> bytes:
    urls = "".join(
        f"<url><loc>{loc}</loc><lastmod>{lastmod}</lastmod><news:news><news:publication>"
        f"<news:name>Wire</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>2024-12-02T09:30:00+01:00</news:publication_date>"
        f"<news:title>{title}</news:title></news:news></url>"
        for loc, lastmod, title in entries)
    return ("<?xml version='1.0' encoding='UTF-8'?>"
            "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
            "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>"
            f"{urls}</urlset>").encode()


class Site:
    """Documents on a loopback HTTP server, with a log of the requests."""

    def __init__(self):
        self.docs: dict[str, dict] = {}
        self.log: list[dict] = []
        self.version = 0
        self.post = lambda request: (405, b"{}")
        self.on_request = lambda path: None
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                site.answer(self)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                site.log.append(dict(at=time.monotonic(), path=self.path, status=0,
                                     headers=dict(self.headers), body=self.rfile.read(length)))
                status, body = site.post(site.log[-1])
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def put(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8",
            status: int = 200, sleep: float = 0.0, location: str = "") -> None:
        self.version += 1
        self.docs[path] = dict(
            body=body, type=content_type, status=status, sleep=sleep, location=location,
            etag=f'"{hashlib.sha1(body).hexdigest()[:12]}"',
            modified=formatdate(1733130000 + 60 * self.version, usegmt=True))

    def answer(self, handler) -> None:
        doc = self.docs.get(handler.path)
        status = doc["status"] if doc else 404
        if doc and status == 200 and (
                handler.headers.get("If-None-Match") == doc["etag"]
                or handler.headers.get("If-Modified-Since") == doc["modified"]):
            status = 304
        self.log.append(dict(at=time.monotonic(), path=handler.path, status=status,
                             headers=dict(handler.headers)))
        self.on_request(handler.path)
        if doc and doc["sleep"]:
            time.sleep(doc["sleep"])
        handler.send_response(status)
        if status in (200, 304):
            handler.send_header("ETag", doc["etag"])
            handler.send_header("Last-Modified", doc["modified"])
        if doc and doc["location"]:
            handler.send_header("Location", doc["location"])
        body = doc["body"] if doc and status == 200 else b""
        handler.send_header("Content-Type", doc["type"] if doc else "text/plain")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def requests(self, since: int = 0) -> list[tuple[str, int]]:
        return [(r["path"], r["status"]) for r in self.log[since:]]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def site():
    s = Site()
    yield s
    s.close()


class Recorder:
    """A sink that keeps what it is given (created, then updated or unchanged by digest)."""

    def __init__(self):
        self.stored: dict[str, str] = {}
        self.batches: list[list] = []

    def __call__(self, articles):
        self.batches.append(list(articles))
        outcomes = []
        for a in articles:
            before = self.stored.get(a.id)
            self.stored[a.id] = a.digest()
            outcomes.append(Outcome(a.id, "created" if before is None
                                    else "unchanged" if before == a.digest() else "updated"))
        return outcomes


def follower(site: Site, sources, sink, index_dir: Path, lines: list[str], **fetch) -> Follower:
    fetcher = Fetcher(**{"delay": 0.0, "retries": 2, "backoff": 0.05, "timeout": 5.0, **fetch})
    urls = [s if s.startswith(("/tmp", "file:")) or "://" in s else site.url + s for s in sources]
    return Follower(urls, sink, index_dir, fetcher=fetcher, say=lines.append)


def keyword_ids(index_dir: Path, embedder, query: str) -> dict:
    """url -> article of the keyword hits, the write-ahead log's changes included."""
    live = LiveSearcher(Settings(index_dir=index_dir, nrt_poll_seconds=0), embedder=embedder)
    try:
        live.catch_up()
        with live.searching() as searcher:
            return {h.article.url: h.article for h in searcher.search(query, mode="keyword").hits}
    finally:
        live.close()


def test_feeds_and_sitemap_indexed_then_conditional_then_updated(site, tmp_path, embedder):
    u = site.url
    for name in "abcde":
        site.put(f"/news/{name}.html", page(name))
    site.put("/rss.xml", rss([(f"{u}/news/a.html", "Quokka"), ("/news/b.html", "Axolotl")]),
             "application/rss+xml")
    site.put("/atom.xml", atom(f"{u}/news/c.html", "Pangolin"), "application/atom+xml")
    site.put("/sitemap.xml", news_sitemap([(f"{u}/news/d.html", "2024-12-02", "Narwhal news"),
                                           (f"{u}/news/e.html", "2024-12-02", "Okapi news")]),
             "application/xml")
    index_dir, lines = tmp_path / "index", []
    sink = PushSink(Settings(index_dir=index_dir), embedder=embedder)
    f = follower(site, ["/rss.xml", "/atom.xml", "/sitemap.xml"], sink, index_dir, lines)
    with f.running():
        first = f.poll()
        assert first.results["created"] == 5 and not first.failures, lines
        for name, animal in WORDS.items():
            if name in "abcde":
                assert set(keyword_ids(index_dir, embedder, animal)) == {f"{u}/news/{name}.html"}
        assert ("/robots.txt", 404) in site.requests()
        # The first batch built the index; the next ones go to its write-ahead log.
        assert IndexDir(index_dir).pointed() == "gen-000001"
        # The sitemap's date is kept for a page that gives none.
        narwhal = keyword_ids(index_dir, embedder, "narwhal")[f"{u}/news/d.html"]
        assert narwhal.published.isoformat() == "2024-12-02T09:30:00+01:00"

        # Nothing changed: three conditional GETs answered 304, no page fetched.
        mark = len(site.log)
        second = f.poll()
        assert sorted(site.requests(mark)) == [("/atom.xml", 304), ("/rss.xml", 304),
                                                ("/sitemap.xml", 304)]
        assert all("If-None-Match" in r["headers"] and "If-Modified-Since" in r["headers"]
                   for r in site.log[mark:])
        assert second.listings_not_modified == 3 and second.results["created"] == 0

        # A page changes and the sitemap says so: only that page is fetched, an update.
        site.put("/news/d.html", page("d", "A correction about the glacier moved later."))
        site.put("/sitemap.xml", news_sitemap([(f"{u}/news/d.html", "2024-12-03", "Narwhal news"),
                                               (f"{u}/news/e.html", "2024-12-02", "Okapi news")]),
                 "application/xml")
        mark = len(site.log)
        third = f.poll()
        assert sorted(site.requests(mark)) == [("/atom.xml", 304), ("/news/d.html", 200),
                                                ("/rss.xml", 304), ("/sitemap.xml", 200)]
        asked = next(r for r in site.log[mark:] if r["path"] == "/news/d.html")
        assert asked["headers"]["If-None-Match"] == f'"{hashlib.sha1(page("d")).hexdigest()[:12]}"'
        assert (third.results["created"], third.results["updated"]) == (0, 1)
        assert "glacier" in keyword_ids(index_dir, embedder, "glacier")[f"{u}/news/d.html"].body
        assert IndexDir(index_dir).pointed() == "gen-000001"

        # The feed changes: a new item is fetched; an item whose entry changed but whose page
        # did not is asked for conditionally (304); the unchanged item is not asked for.
        site.put("/news/f.html", page("f"))
        site.put("/rss.xml", rss([(f"{u}/news/a.html", "Quokka, updated summary"),
                                  ("/news/b.html", "Axolotl"), (f"{u}/news/f.html", "Tarsier")]),
                 "application/rss+xml")
        mark = len(site.log)
        fourth = f.poll()
        assert sorted(site.requests(mark)) == [("/atom.xml", 304), ("/news/a.html", 304),
                                                ("/news/f.html", 200), ("/rss.xml", 200),
                                                ("/sitemap.xml", 304)]
        assert fourth.results["created"] == 1 and fourth.pages_not_modified == 1
        assert set(keyword_ids(index_dir, embedder, "tarsier")) == {f"{u}/news/f.html"}

    # A restart remembers everything: conditional GETs only.
    mark = len(site.log)
    restarted = follower(site, ["/rss.xml", "/atom.xml", "/sitemap.xml"], sink, index_dir, lines)
    assert restarted.run(every=60, once=True, report=lambda r: None) == 0
    assert sorted(site.requests(mark)) == [("/atom.xml", 304), ("/rss.xml", 304),
                                            ("/sitemap.xml", 304)]
    assert not lines

    # Through a running server's push API (--api URL --token).
    settings = Settings(index_dir=index_dir, admin_token="s3cret", nrt_poll_seconds=0,
                        merge_records=0, merge_seconds=0)
    live = LiveSearcher(settings, embedder=embedder)
    app = create_app(settings, live)
    app.extensions["newsearch.pusher"] = Pusher(settings, embedder)
    site.put("/news/g.html", page("g"))
    site.put("/extra.xml", rss([(f"{u}/news/g.html", "Wombat")]), "application/rss+xml")
    try:
        with running_server(app, settings) as server:
            f = follower(site, ["/extra.xml"], ApiSink(server, "s3cret"), index_dir, lines)
            assert f.poll().results["created"] == 1 and not lines, lines
        live.catch_up()
        with live.searching() as searcher:
            hits = searcher.search("wombat", mode="keyword").hits
        assert [h.article.url for h in hits] == [f"{u}/news/g.html"]
    finally:
        live.close()


def test_failures_one_line_each_retried_with_backoff_and_per_host_delay(site, tmp_path):
    u = site.url
    site.put("/news/a.html", page("a"))
    site.put("/news/down.html", b"", status=500)
    site.put("/file.pdf", b"%PDF-1.4 not a page", "application/pdf")
    site.put("/news/slow.html", page("b"), sleep=1.0)
    site.put("/broken.xml", b"<?xml version='1.0'?><rss><channel><item><title>x</ti",
             "application/rss+xml")
    site.put("/rss.xml", rss([(f"{u}/news/a.html", "A"), (f"{u}/news/down.html", "Down"),
                              (f"{u}/news/gone.html", "Gone"), (f"{u}/file.pdf", "PDF"),
                              (f"{u}/news/slow.html", "Slow")]), "application/rss+xml")
    sink, lines = Recorder(), []
    f = follower(site, ["/broken.xml", "/rss.xml", "/nowhere.xml"], sink, tmp_path, lines,
                 delay=0.05, timeout=0.5, retries=2, backoff=0.2)
    assert f.run(every=60, once=True, report=lambda r: None) == 1

    assert [a.url for batch in sink.batches for a in batch] == [f"{u}/news/a.html"]
    assert len(lines) == 6, lines
    said = "\n".join(lines)
    assert f"failed {u}/broken.xml: malformed feed" in said
    assert f"failed {u}/nowhere.xml: HTTP 404" in said
    assert f"failed {u}/news/down.html: HTTP 500 (3 attempts)" in said
    assert f"failed {u}/news/gone.html: HTTP 404" in said
    assert f"failed {u}/file.pdf: not an HTML page (application/pdf)" in said
    assert f"failed {u}/news/slow.html: timed out after 0.5s (3 attempts)" in said

    # Retried with growing waits; every request at least `delay` after the one before.
    down = [r["at"] for r in site.log if r["path"] == "/news/down.html"]
    assert len(down) == 3
    assert down[1] - down[0] >= 0.2 and down[2] - down[1] >= 0.4
    arrivals = [r["at"] for r in site.log]
    assert all(b - a >= 0.05 for a, b in zip(arrivals, arrivals[1:]))

    # The next polls read the feed whole (its failed pages are tried again), the good page is
    # not fetched again; after MAX_FAILURES polls the failures wait for their entries to change.
    site.put("/news/slow.html", page("b"))
    for _ in range(MAX_FAILURES - 1):
        f.poll()
    assert [r["path"] for r in site.log].count("/news/a.html") == 1
    assert [r["path"] for r in site.log].count("/news/down.html") == 3 * MAX_FAILURES
    assert [a.url for a in sink.batches[-1]] == [f"{u}/news/slow.html"]
    mark = len(site.log)
    f.poll()
    assert ("/rss.xml", 304) in site.requests(mark)
    assert not any(p.startswith("/news/") for p, _ in site.requests(mark))


def test_robots_sitemap_index_and_files(site, tmp_path):
    u = site.url
    site.put("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
    site.put("/news/a.html", page("a"))
    site.put("/private/b.html", page("b"))
    site.put("/news-1.xml", news_sitemap([(f"{u}/news/a.html", "2024-12-02", "A")]),
             "application/xml")
    site.put("/news-2.xml", news_sitemap([(f"{u}/private/b.html", "2024-12-02", "B")]),
             "application/xml")
    site.put("/index.xml", (
        "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<sitemap><loc>{u}/news-1.xml</loc></sitemap><sitemap><loc>/news-2.xml</loc></sitemap>"
        "</sitemapindex>").encode(), "application/xml")
    listing = tmp_path / "feed.rss"
    listing.write_bytes(rss([(f"{u}/news/a.html", "A")]))
    sink, lines = Recorder(), []
    f = follower(site, ["/index.xml", str(listing)], sink, tmp_path / "index", lines)
    with f.running():
        report = f.poll()
        assert lines == [f"failed {u}/private/b.html: disallowed by robots.txt"]
        assert [a.url for batch in sink.batches for a in batch] == [f"{u}/news/a.html"]
        assert [p for p, _ in site.requests()].count("/robots.txt") == 1
        assert "/private/b.html" not in [p for p, _ in site.requests()]
        assert report.listings == 4  # the index, its two sitemaps and the file
        again = f.poll()
        assert again.listings_not_modified == 4 and not again.failures


def test_cli_follow_once(site, tmp_path, capsys, monkeypatch):
    from newsearch import cli

    monkeypatch.setattr("indexer.follow.sink.PushSink", lambda settings: Recorder())
    site.put("/news/a.html", page("a"))
    site.put("/rss.xml", rss([(f"{site.url}/news/a.html", "A")]), "application/rss+xml")
    code = cli.main(["follow", f"{site.url}/rss.xml", "--once", "--delay", "0",
                     "--index-dir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "1 created" in out and "0 failed" in out
    assert cli.main(["follow", f"{site.url}/missing.xml", "--once", "--index-dir",
                     str(tmp_path)]) == 1
    assert f"failed {site.url}/missing.xml: HTTP 404" in capsys.readouterr().err


def test_sigterm_stops_between_fetches_and_keeps_what_was_fetched(site, tmp_path):
    u = site.url
    for name in "abcd":
        site.put(f"/news/{name}.html", page(name))
    site.put("/rss.xml", rss([(f"{u}/news/{n}.html", n) for n in "abcd"]), "application/rss+xml")
    site.on_request = lambda path: path == "/news/b.html" and os.kill(os.getpid(), signal.SIGTERM)
    sink, lines = Recorder(), []
    f = follower(site, ["/rss.xml"], sink, tmp_path, lines)
    before = signal.getsignal(signal.SIGTERM)  # not SIG_DFL after the Ray tests
    with stop_on_signals(f.stop, lines.append):
        assert f.run(every=3600) == 0  # returns at once instead of waiting for the next poll
    assert lines == ["SIGTERM: stopping after the current fetch"]
    assert [p for p, _ in site.requests() if p.startswith("/news/")] == ["/news/a.html",
                                                                         "/news/b.html"]
    assert [a.url for batch in sink.batches for a in batch] == [f"{u}/news/a.html",
                                                                 f"{u}/news/b.html"]
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is given back
    # The next start fetches only what was left.
    site.on_request = lambda path: None
    again = follower(site, ["/rss.xml"], sink, tmp_path, lines)
    assert again.run(every=3600, once=True, report=lambda r: None) == 0
    assert [p for p, _ in site.requests() if p.startswith("/news/")][2:] == ["/news/c.html",
                                                                             "/news/d.html"]


def test_push_api_sink(site, tmp_path):
    u = site.url
    site.put("/news/a.html", page("a"))
    site.put("/news/b.html", page("b"))
    site.put("/rss.xml", rss([(f"{u}/news/a.html", "A"), (f"{u}/news/b.html", "B")]),
             "application/rss+xml")

    def push_api(request):
        if request["headers"].get("Authorization") != "Bearer s3cret":
            return 401, b'{"error": {"code": "unauthorized", "message": "wrong admin token"}}'
        items = [{"id": a["id"], "result": "created", "seq": n, "status": 201}
                 for n, a in enumerate(json.loads(request["body"]), 1)]
        items[1] = {"id": items[1]["id"], "result": "error", "status": 400,
                    "error": {"code": "bad_article", "field": "body", "message": "body: too long"}}
        return 200, json.dumps({"errors": True, "items": items}).encode()

    site.post = push_api
    lines: list[str] = []
    f = follower(site, ["/rss.xml"], ApiSink(u, "wrong"), tmp_path, lines)
    assert f.run(every=60, once=True, report=lambda r: None) == 1
    assert lines == [f"failed writing 2 articles ({u}/news/a.html...): "
                     f"{u}/api/articles: HTTP 401 wrong admin token"]
    lines.clear()
    f = follower(site, ["/rss.xml"], ApiSink(u, "s3cret"), tmp_path, lines)
    report = f.poll()
    assert report.results["created"] == 1
    assert lines == [f"failed {u}/news/b.html: not written (body: too long)"]
    posted = [json.loads(r["body"]) for r in site.log if r["path"] == "/api/articles"]
    assert [a["url"] for a in posted[-1]] == [f"{u}/news/a.html", f"{u}/news/b.html"]
    assert posted[-1][0]["title"] == "The quokka report"



def test_a_page_gone_removes_its_article(site, tmp_path, embedder):
    u = site.url
    for name in "abceg":
        site.put(f"/news/{name}.html", page(name))
    site.put("/amp/g.html", page("g", canonical=f"{u}/news/g.html"))  # the same article

    def feed(names: str, title: str, *more: tuple[str, str]) -> bytes:
        return rss([(f"{u}/news/{n}.html", f"{WORDS[n]} {title}") for n in names]
                   + [(f"{u}{path}", text) for path, text in more])

    site.put("/rss.xml", feed("abceg", "story", ("/amp/g.html", "amp")), "application/rss+xml")
    index_dir, lines = tmp_path / "index", []
    f = follower(site, ["/rss.xml"], PushSink(Settings(index_dir=index_dir), embedder=embedder),
                 index_dir, lines)
    with f.running():
        assert not f.poll().failures and not lines, lines
        ids = {n: f.state.pages[f"{u}/news/{n}.html"]["id"] for n in "abceg"}
        assert f.state.pages[f"{u}/amp/g.html"]["id"] == ids["g"]
        # The entries change, so the pages are fetched again: gone (410), missing (404),
        # failing (503), moved to a missing page (not the page's own answer), and a copy
        # of an article another page still has.
        site.put("/news/a.html", b"", status=410)
        site.put("/news/b.html", b"", status=404)
        site.put("/news/c.html", b"", status=503)
        site.put("/news/e.html", b"", status=301, location="/news/nowhere.html")
        site.put("/amp/g.html", b"", status=410)
        site.put("/rss.xml", feed("abceg", "update", ("/amp/g.html", "amp 2")),
                 "application/rss+xml")
        report = f.poll()
        assert report.results["deleted"] == 2 and len(report.failures) == 2
        assert lines == [
            f"deleted {u}/news/a.html (article {ids['a']}): the page answers HTTP 410 Gone",
            f"deleted {u}/news/b.html (article {ids['b']}): the page answers HTTP 404 Not Found",
            f"failed {u}/news/c.html: HTTP 503 (3 attempts)",
            f"failed {u}/news/e.html: HTTP 404 Not Found",
            f"{u}/amp/g.html answers HTTP 410 Gone; its article {ids['g']} is kept (another "
            f"page has it)"]
        for name in "ab":
            assert not keyword_ids(index_dir, embedder, WORDS[name])
        for name in "ceg":
            assert set(keyword_ids(index_dir, embedder, WORDS[name])) == {f"{u}/news/{name}.html"}

        # Back again: a new article; the others answer as before (304).
        lines.clear()
        for name in "ace":
            site.put(f"/news/{name}.html", page(name))
        site.put("/rss.xml", rss([(f"{u}/news/a.html", "quokka back"),
                                  (f"{u}/news/c.html", "pangolin update"),
                                  (f"{u}/news/e.html", "okapi update")]), "application/rss+xml")
        again = f.poll()
        assert (again.results["created"], again.pages_not_modified) == (1, 2) and not lines
        assert set(keyword_ids(index_dir, embedder, "quokka")) == {f"{u}/news/a.html"}

    # Through a running server's push API: DELETE /api/articles/ID.
    settings = Settings(index_dir=index_dir, admin_token="s3cret", nrt_poll_seconds=0,
                        merge_records=0, merge_seconds=0)
    live = LiveSearcher(settings, embedder=embedder)
    app = create_app(settings, live)
    pusher = app.extensions["newsearch.pusher"] = Pusher(settings, embedder)
    pusher.delete([ids["c"]])  # removed by someone else first
    for name in "ce":
        site.put(f"/news/{name}.html", b"", status=410)
    site.put("/rss.xml", feed("ce", "gone"), "application/rss+xml")
    try:
        with running_server(app, settings) as server:
            f = follower(site, ["/rss.xml"], ApiSink(server, "s3cret"), index_dir, lines)
            report = f.poll()
        assert (report.results["deleted"], report.results["not_found"]) == (1, 1)
        assert lines == [
            f"{u}/news/c.html answers HTTP 410 Gone; its article {ids['c']} was removed already",
            f"deleted {u}/news/e.html (article {ids['e']}): the page answers HTTP 410 Gone"]
        live.catch_up()
        with live.searching() as searcher:
            assert not searcher.search("okapi", mode="keyword").hits
    finally:
        live.close()
