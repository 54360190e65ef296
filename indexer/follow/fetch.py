"""Fetching feeds, sitemaps and pages politely: HTTP(S) with `requests`, or files.

- **Conditional GET**: the caller passes the ETag and Last-Modified it saw last
  time; a ``304 Not Modified`` comes back as `Fetched.not_modified`.
- **Per-host delay**: a request to a host starts at least ``delay`` seconds
  after the previous request to that host ended (longer if its robots.txt asks
  for a ``Crawl-delay``, up to `MAX_CRAWL_DELAY`).
- **Bounded retry with backoff**: timeouts, connection errors, 429 and 5xx are
  tried again up to ``retries`` times, waiting ``backoff``, 2x, 4x... seconds
  (or the server's ``Retry-After``, up to `MAX_RETRY_AFTER`); then the failure
  is a `FetchError` whose message is the one line the follower prints.
- **robots.txt** (`Fetcher.allowed`): read once per host with the stdlib's
  ``urllib.robotparser`` (and again after a day); a missing one (4xx) allows
  everything, one that cannot be read (5xx, unreachable) allows nothing for
  `ROBOTS_RETRY` seconds (RFC 9309).
- Every wait is on ``stop`` (a `threading.Event`), so a stop request ends it.

Paths and ``file://`` URLs are read from disk; their "validator" is the file's
size and modification time.
"""

from __future__ import annotations

import email.utils
import gzip
import io
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname
from urllib.robotparser import RobotFileParser

import requests

USER_AGENT = "newsearch-follow/0.1 (+https://github.com/newsearch; feed follower)"
MAX_BYTES = 20 * 1024 * 1024  # per response, after decompression
MAX_CRAWL_DELAY = 30.0
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = {429, 500, 502, 503, 504}
ROBOTS_TTL = 24 * 3600.0  # seconds a host's robots.txt is kept
ROBOTS_RETRY = 300.0  # seconds a host whose robots.txt cannot be read is left alone


class FetchError(Exception):
    """A URL that could not be fetched; ``str()`` is the reason, in one line.
    ``status``: the HTTP status the URL itself answered when that was the
    end of it (not after a redirect; 0 for network errors and retries run out)."""

    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status


class Stopped(Exception):
    """A stop was requested while waiting."""


@dataclass
class Fetched:
    url: str  # after redirects
    status: int  # 200, or 304 when not modified
    body: bytes = b""
    content_type: str = ""  # media type only, lower case ("text/html")
    etag: str = ""
    last_modified: str = ""
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class Fetcher:
    delay: float = 1.0  # seconds between requests to one host
    retries: int = 2  # further attempts after a retryable failure
    backoff: float = 1.0  # first wait before trying again; doubles each time
    timeout: float = 20.0  # seconds to connect, and between bytes of the answer
    user_agent: str = USER_AGENT
    stop: threading.Event = field(default_factory=threading.Event)
    requests_made: int = 0

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.user_agent
        self._ended: dict[str, float] = {}  # host -> monotonic time its last request ended
        # host -> (rules or None, why they cannot be read, monotonic time read)
        self._robots: dict[str, tuple[RobotFileParser | None, str, float | None]] = {}

    def close(self) -> None:
        self.session.close()

    def get(self, url: str, etag: str = "", last_modified: str = "") -> Fetched:
        """The document at ``url`` (a 304 when it matches the validators given)."""
        if is_local(url):
            return _read_file(url, etag)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for attempt in range(1, self.retries + 2):
            self._wait_for_host(url)
            try:
                wait = None
                try:
                    with self.session.get(url, headers=headers, timeout=self.timeout,
                                          stream=True) as response:
                        if response.status_code in RETRY_STATUSES:
                            error = f"HTTP {response.status_code}"
                            wait = _retry_after(response.headers.get("Retry-After"))
                        elif response.status_code == 304:
                            return Fetched(response.url, 304, etag=etag,
                                           last_modified=last_modified, attempts=attempt)
                        elif response.status_code >= 400 or response.status_code < 200:
                            raise FetchError(f"HTTP {response.status_code} {response.reason or ''}"
                                             .strip(),
                                             0 if response.history else response.status_code)
                        else:
                            return Fetched(
                                response.url, 200, _body(response),
                                response.headers.get("Content-Type", "").split(";")[0]
                                .strip().lower(),
                                response.headers.get("ETag", ""),
                                response.headers.get("Last-Modified", ""), attempt)
                except requests.Timeout:
                    error = f"timed out after {self.timeout:g}s"
                except requests.ConnectionError as e:
                    error = f"cannot connect ({_root_cause(e)})"
                except requests.RequestException as e:
                    raise FetchError(f"bad request ({_root_cause(e)})") from e
            finally:
                self._ended[_host(url)] = time.monotonic()
            if attempt <= self.retries:
                self._sleep(min(wait, MAX_RETRY_AFTER) if wait is not None
                            else self.backoff * 2 ** (attempt - 1))
        attempts = self.retries + 1
        raise FetchError(f"{error} ({attempts} attempt{'s' if attempts > 1 else ''})")

    def allowed(self, url: str) -> bool:
        """Whether the host's robots.txt lets this user agent fetch ``url``
        (files are always allowed); raises `FetchError` when it cannot be read."""
        if is_local(url):
            return True
        host = _host(url)
        rules, error, read_at = self._robots.get(host, (None, "", None))
        if read_at is None or time.monotonic() - read_at > (ROBOTS_RETRY if error else ROBOTS_TTL):
            rules, error = self._read_robots(url)
            self._robots[host] = (rules, error, time.monotonic())
        if error:
            raise FetchError(f"robots.txt cannot be read ({error})")
        return rules is None or rules.can_fetch(self.user_agent, url)

    def _read_robots(self, url: str) -> tuple[RobotFileParser | None, str]:
        """The rules of the host of ``url`` (None: no robots.txt), or why they cannot be read."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            fetched = self.get(robots_url)
        except FetchError as e:
            return None, "" if str(e).startswith("HTTP 4") else str(e)
        rules = RobotFileParser(robots_url)
        rules.parse(fetched.body.decode("utf-8", "replace").splitlines())
        return rules, ""

    def _wait_for_host(self, url: str) -> None:
        host = _host(url)
        delay = self.delay
        rules = self._robots.get(host, (None, "", None))[0]
        if rules is not None:
            asked = rules.crawl_delay(self.user_agent)
            if asked:
                delay = max(delay, min(float(asked), MAX_CRAWL_DELAY))
        if host in self._ended:
            self._sleep(self._ended[host] + delay - time.monotonic())
        if self.stop.is_set():
            raise Stopped()
        self.requests_made += 1

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self.stop.wait(seconds):
            raise Stopped()


def is_local(url: str) -> bool:
    return urlsplit(url).scheme not in ("http", "https")


def local_path(url: str) -> Path:
    parts = urlsplit(url)
    return Path(url2pathname(parts.path)) if parts.scheme == "file" else Path(url)


def _read_file(url: str, validator: str) -> Fetched:
    path = local_path(url)
    try:
        stat = path.stat()
        seen = f"{stat.st_size}-{stat.st_mtime_ns}"
        if validator and validator == seen:
            return Fetched(url, 304, etag=seen)
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise FetchError(f"cannot read ({e.strerror or e})") from e
    if len(data) > MAX_BYTES:
        raise FetchError(f"larger than {MAX_BYTES // 2**20} MiB")
    suffix = path.name.lower().removesuffix(".gz").rsplit(".", 1)[-1]
    kind = "text/html" if suffix in ("html", "htm", "xhtml") else ""
    return Fetched(url, 200, _gunzipped(data), kind, etag=seen)


def _body(response: requests.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError(f"larger than {MAX_BYTES // 2**20} MiB")
        chunks.append(chunk)
    return _gunzipped(b"".join(chunks))


def _gunzipped(data: bytes) -> bytes:
    """A gzipped file (``sitemap.xml.gz``) as its content; other bytes as they are."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            unzipped = f.read(MAX_BYTES + 1)
    except (OSError, EOFError, zlib.error) as e:
        raise FetchError(f"not a readable gzip file ({e})") from e
    if len(unzipped) > MAX_BYTES:
        raise FetchError(f"larger than {MAX_BYTES // 2**20} MiB unzipped")
    return unzipped


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (a number or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _root_cause(error: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error, e.g. "[Errno 111] Connection refused"."""
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__
    return str(error) or type(error).__name__
