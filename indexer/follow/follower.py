"""The follow loop: poll the sources, fetch the pages they list, push what is new.

One poll reads each source (feed, sitemap or sitemap index) with a conditional
GET; a listing that has not changed (304) costs nothing more.  Of a changed
listing, the pages never fetched and those whose listing entry changed (see
`discover.Entry.marker`) are fetched, again conditionally, and read by the HTML
reader; an article whose digest differs from the one last pushed goes to the
sink in batches, an unchanged one is skipped.

What was seen is kept in `STATE_FILE` in the index directory (listing and page
validators, entry markers, article digests), written after every batch, so a
restart refetches nothing it has.  A page that failed is tried again at the
next polls (its listing's validators are not kept until then), at most
`MAX_FAILURES` times until its entry changes.  Every failure is one line.

A page whose article was pushed and that now answers 404 or 410 itself (when
its entry changed and it is fetched again; not after a redirect, a network
error or a 5xx) is gone: its article is removed through the sink, with one
line saying so.  A page that merely leaves its listing is not.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from search.article import Article, stable_id

from ..readers import Skipped
from ..sources import parse
from . import FollowError
from .discover import Entry, ListingError, read_listing
from .fetch import Fetcher, FetchError, Stopped
from .sink import RESULTS, Sink, SinkError

STATE_FILE = "follow-state.json"
MAX_FAILURES = 3  # polls a failing page is tried in before it waits for its entry to change
MAX_SITEMAPS = 100  # read of one sitemap index
FORGET_AFTER = 30 * 24 * 3600  # seconds after which a page no longer listed is forgotten
_HTML_TYPES = {"", "text/html", "application/xhtml+xml"}
GONE = {404, 410}  # a page's own answers that remove the article pushed from it


@dataclass
class PollReport:
    number: int = 0
    listings: int = 0
    listings_not_modified: int = 0
    pages: int = 0  # fetched (200)
    pages_not_modified: int = 0  # 304, or a file unchanged
    results: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RESULTS, 0))
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        r = self.results
        return (f"poll {self.number}: {self.listings} listings read "
                f"({self.listings_not_modified} not modified), {self.pages} pages fetched "
                f"({self.pages_not_modified} not modified); {r['created']} created, "
                f"{r['updated']} updated, {r['unchanged']} unchanged, {r['deleted']} deleted; "
                f"{len(self.failures)} failed ({self.seconds:.1f}s)")


class State:
    """What was seen, by URL (`STATE_FILE`)."""

    def __init__(self, path: Path):
        self.path = path
        self.listings: dict[str, dict] = {}
        self.pages: dict[str, dict] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self.listings, self.pages = dict(data["listings"]), dict(data["pages"])
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"newsearch follow: {path} unreadable ({e}); starting afresh", file=sys.stderr)

    def save(self) -> None:
        forget = time.time() - FORGET_AFTER
        self.pages = {u: p for u, p in self.pages.items() if p.get("listed", 0) >= forget}
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"version": 1, "listings": self.listings, "pages": self.pages}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


@dataclass
class _Fetched:
    """A page read, waiting for the sink."""

    key: str
    article: Article
    record: dict


class Follower:
    def __init__(self, sources: list[str], sink: Sink, index_dir: Path,
                 fetcher: Fetcher | None = None, batch: int = 50, max_pages: int = 1000,
                 say: Callable[[str], None] | None = None):
        self.sources = list(dict.fromkeys(sources))
        self.sink, self.batch, self.max_pages = sink, max(1, batch), max(1, max_pages)
        self.fetcher = fetcher or Fetcher()
        self.stop = self.fetcher.stop
        self.say = say or (lambda line: print(line, file=sys.stderr, flush=True))
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        self.state = State(Path(index_dir) / STATE_FILE)
        self._lock_file = Path(index_dir) / "follow.lock"
        self.polls = 0

    @contextlib.contextmanager
    def running(self) -> Iterator["Follower"]:
        """Hold the index's follow lock (one follower per index) while following."""
        with open(self._lock_file, "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise FollowError(f"another `newsearch follow` is running on {self._lock_file.parent}")
            try:
                yield self
            finally:
                self.fetcher.close()

    def run(self, every: float, once: bool = False,
            report: Callable[[PollReport], None] | None = None) -> int:
        """Poll every ``every`` seconds (start to start) until stopped; 0, or with
        ``once`` after one poll 1 if anything failed."""
        with self.running():
            while True:
                started = time.monotonic()
                polled = self.poll()
                (report or (lambda r: print(r.line(), flush=True)))(polled)
                if once:
                    return 1 if polled.failures else 0
                if self.stop.wait(max(0.0, every - (time.monotonic() - started))):
                    return 0
                if self.stop.is_set():
                    return 0

    def poll(self) -> PollReport:
        self.polls += 1
        report = PollReport(self.polls)
        started = time.monotonic()
        try:
            for source in self.sources:
                self._listing(source, report, index_allowed=True)
        except Stopped:
            pass
        report.seconds = time.monotonic() - started
        return report

    def _fail(self, report: PollReport, url: str, reason: object) -> None:
        line = f"failed {url}: {reason}"
        report.failures.append(line)
        self.say(line)

    def _listing(self, url: str, report: PollReport, index_allowed: bool) -> None:
        known = self.state.listings.get(url, {})
        try:
            fetched = self.fetcher.get(url, known.get("etag", ""), known.get("last_modified", ""))
            report.listings += 1
            if fetched.not_modified:
                report.listings_not_modified += 1
                for child in known.get("sitemaps", []):  # an index's sitemaps change in place
                    self._listing(child, report, index_allowed=False)
                return
            listing = read_listing(fetched.url, fetched.body)
        except (FetchError, ListingError) as e:
            self._fail(report, url, e)
            return
        if listing.kind == "sitemap index" and not index_allowed:
            self._fail(report, url, "a sitemap index inside a sitemap index (not followed)")
            return
        sitemaps = listing.sitemaps[:MAX_SITEMAPS]
        for child in sitemaps:
            self._listing(child, report, index_allowed=False)
        if self._pages(listing.entries, report):
            self.state.listings[url] = {"etag": fetched.etag, "last_modified": fetched.last_modified,
                                        "sitemaps": sitemaps}
        else:
            self.state.listings.pop(url, None)  # read it whole next time, to retry its pages
        self.state.save()

    def _pages(self, entries: list[Entry], report: PollReport) -> bool:
        """Fetch and push the entries' new and changed pages; whether all of them
        are done with (pushed, unchanged, or failed too often to retry)."""
        now = time.time()
        due = []
        for entry in entries:
            key = entry.url or f"item:{entry.item.id}"
            record = self.state.pages.setdefault(key, {})
            record["listed"] = now
            if record.get("marker") != entry.marker:
                record.update(marker=entry.marker, failures=0, done=False)
            if not record.get("done") and record.get("failures", 0) < MAX_FAILURES:
                due.append((key, entry, record))
        complete = len(due) <= self.max_pages
        batch: list[_Fetched] = []
        try:
            for key, entry, record in due[:self.max_pages]:
                page = self._page(key, entry, record, report)
                if page is not None:
                    batch.append(page)
                if len(batch) >= self.batch:
                    self._push(batch, report)
        except Stopped:
            complete = False
            raise
        finally:
            self._push(batch, report)
        return complete and all(r.get("done") or r.get("failures", 0) >= MAX_FAILURES
                                for _, _, r in due)

    def _page(self, key: str, entry: Entry, record: dict, report: PollReport) -> _Fetched | None:
        """The entry's article if it is new or changed (None when it is not, or failed)."""
        if not entry.url:
            article = entry.item
            if record.get("digest") == article.digest():
                return self._unchanged(record, report)
            return _Fetched(key, article, {})
        try:
            if not self.fetcher.allowed(entry.url):
                return self._failed(report, record, entry.url, "disallowed by robots.txt", final=True)
            fetched = self.fetcher.get(entry.url, record.get("etag", ""),
                                       record.get("last_modified", ""))
        except FetchError as e:
            if e.status in GONE and record.get("id"):
                return self._gone(record, entry.url, e, report)
            return self._failed(report, record, entry.url, e)
        if fetched.not_modified:
            report.pages_not_modified += 1
            record["done"] = True
            return None
        report.pages += 1
        if fetched.content_type not in _HTML_TYPES:
            return self._failed(report, record, entry.url,
                                f"not an HTML page ({fetched.content_type})", final=True)
        read = next(iter(parse(fetched.url, fetched.body, "html")), None)
        if not isinstance(read, Article):
            reason = read.reason if isinstance(read, Skipped) else "nothing read"
            return self._failed(report, record, entry.url, reason)
        article = _completed(read, entry, fetched.url)
        validators = {"etag": fetched.etag, "last_modified": fetched.last_modified}
        if record.get("digest") == article.digest():
            record.update(validators)
            return self._unchanged(record, report)
        return _Fetched(key, article, validators)

    def _unchanged(self, record: dict, report: PollReport) -> None:
        record["done"] = True
        report.results["unchanged"] += 1
        return None

    def _failed(self, report: PollReport, record: dict, url: str, reason: object,
                final: bool = False) -> None:
        record["failures"] = MAX_FAILURES if final else record.get("failures", 0) + 1
        self._fail(report, url, reason)
        return None

    def _gone(self, record: dict, url: str, answer: FetchError, report: PollReport) -> None:
        """Remove the article pushed from ``url``, whose page answered 404 or 410
        (unless another page it was read from still has it)."""
        article_id = record["id"]
        if any(r is not record and r.get("id") == article_id for r in self.state.pages.values()):
            self.say(f"{url} answers {answer}; its article {article_id} is kept (another page "
                     f"has it)")
        else:
            try:
                outcome = self.sink.delete([article_id])[0]
            except Exception as e:  # the write path said no: tried again at the next poll
                return self._failed(report, record, url,
                                    f"{answer}, but not deleted ({_reason(e)})")
            report.results[outcome.result] += 1
            if outcome.result == "deleted":
                self.say(f"deleted {url} (article {article_id}): the page answers {answer}")
            else:
                self.say(f"{url} answers {answer}; its article {article_id} was removed already")
        for seen in ("id", "digest", "etag", "last_modified"):  # if it comes back: a new article
            record.pop(seen, None)
        record.update(done=True, failures=0)
        self.state.save()
        return None

    def _push(self, batch: list[_Fetched], report: PollReport) -> None:
        if not batch:
            return
        pushed, batch[:] = list(batch), []
        try:
            outcomes = self.sink([p.article for p in pushed])
        except Exception as e:  # the write path said no: tried again at the next poll
            reason = _reason(e)
            for page in pushed:
                record = self.state.pages[page.key]
                record["failures"] = record.get("failures", 0) + 1
            self._fail(report, f"writing {len(pushed)} article{'s' if len(pushed) > 1 else ''} "
                       f"({pushed[0].article.url or pushed[0].key}...)", reason)
            return
        for page, outcome in zip(pushed, outcomes):
            record = self.state.pages[page.key]
            if outcome.result not in ("created", "updated", "unchanged"):
                self._failed(report, record, page.article.url or page.key,
                             f"not written ({outcome.error or outcome.result})")
                continue
            record.update(page.record, digest=page.article.digest(), id=outcome.id, done=True,
                          failures=0)
            report.results[outcome.result] += 1
        self.state.save()


def _reason(error: Exception) -> str:
    """Why a sink failed, in one line."""
    return str(error) if isinstance(error, SinkError) else f"{type(error).__name__}: {error}"


def _completed(article: Article, entry: Entry, fetched_url: str) -> Article:
    """The page's article, with what the listing knows and the page does not say;
    a page without a canonical URL is known by the URL it was fetched from."""
    if not article.url:
        article.url = fetched_url
        article.id = stable_id(fetched_url)
    if not article.title and entry.title:
        article.title = entry.title
    if article.published is None and entry.published is not None:
        article.published = entry.published
    return article


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event, say: Callable[[str], None]):
    """SIGINT and SIGTERM set ``stop`` (the follower ends between fetches); a
    second SIGINT interrupts at once."""
    def handle(signum, frame):
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()
        say(f"{signal.Signals(signum).name}: stopping after the current fetch")

    previous = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
