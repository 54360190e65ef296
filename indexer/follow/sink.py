"""Where followed articles go: a `Sink` takes a batch of articles, or the ids
of articles to remove, and says, for each, what became of it (`Outcome`, in
the push API's words).

- `PushSink` (the default) writes through the push API's write path
  (`indexer.push.Pusher`: checked, embedded once, appended to the index's
  write-ahead log and synced), so every server finds the articles within a
  second; the first batch builds the index when there is none.  Deletions
  go the same way.
- `IndexSink` writes through `indexer.update` (a new generation per batch; the
  first batch builds the index when there is none), with the model loaded
  once; it takes articles only (`PushSink` builds the first generation with it).
- `ApiSink` posts the batch to a running server's push API
  (``POST /api/articles`` with the admin token; ``DELETE /api/articles/ID``).

A sink raises (`SinkError` or another exception) when the whole batch failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence
from urllib.parse import quote

from search.article import Article
from search.config import Settings
from search.index.layout import IndexDir
from search.index.store import ArticleStore
from search.models.embedder import Embedder

RESULTS = ("created", "updated", "unchanged", "deleted", "not_found", "error")


class SinkError(Exception):
    """The batch was not written; ``str()`` says why, in one line."""


@dataclass(frozen=True)
class Outcome:
    id: str
    result: str  # one of RESULTS
    seq: int = 0  # the write path's sequence number, when it gives one
    error: str = ""  # why, when result is "error"


class Sink(Protocol):
    def __call__(self, articles: Sequence[Article]) -> list[Outcome]:
        """Add or replace ``articles``: one outcome each, in order."""

    def delete(self, ids: Sequence[str]) -> list[Outcome]:
        """Remove articles by id: "deleted" or "not_found" each, in order."""


class PushSink:
    """Articles through `indexer.push.Pusher`, as ``POST /api/articles`` writes them."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder
        self._pusher = None

    def __call__(self, articles: Sequence[Article]) -> list[Outcome]:
        from ..push import BadArticle, parse_article

        if not articles:
            return []
        if not IndexDir(self.settings.index_dir).pointer.exists():
            first = IndexSink(self.settings, self.embedder)  # the log needs a generation
            self.embedder = first.embedder
            return first(articles)
        outcomes: list[Outcome | None] = [None] * len(articles)
        good: list[tuple[int, Article]] = []
        for i, article in enumerate(articles):
            try:
                good.append((i, parse_article(article.to_dict(), self.settings)))
            except BadArticle as e:
                outcomes[i] = Outcome(article.id, "error", error=str(e))
        for (i, _), done in zip(good, self._writer().put([a for _, a in good]) if good else []):
            outcomes[i] = Outcome(done.id, done.result, done.seq, done.error)
        return outcomes  # type: ignore[return-value]

    def delete(self, ids: Sequence[str]) -> list[Outcome]:
        if not IndexDir(self.settings.index_dir).pointer.exists():
            return [Outcome(i, "not_found") for i in ids]
        return [Outcome(done.id, done.result, done.seq) for done in self._writer().delete(ids)]

    def _writer(self):
        from ..push import Pusher

        if self._pusher is None:
            self._pusher = Pusher(self.settings, self.embedder)
        return self._pusher

    def close(self) -> None:
        if self._pusher is not None:
            self._pusher.close()


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


class ApiSink:
    """Articles to a newsearch server's push API (``POST {url}/api/articles``;
    deletions: ``DELETE {url}/api/articles/ID``)."""

    def __init__(self, url: str, token: str, timeout: float = 120.0):
        import requests

        from .fetch import USER_AGENT

        self.url = url.rstrip("/") + "/api/articles"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}",
                                     "User-Agent": USER_AGENT})

    def __call__(self, articles: Sequence[Article]) -> list[Outcome]:
        import requests

        if not articles:
            return []
        try:
            response = self.session.post(self.url, json=[a.to_dict() for a in articles],
                                         timeout=self.timeout)
        except requests.RequestException as e:
            raise SinkError(f"{self.url}: {e}") from e
        try:
            items = response.json()["items"]
        except (ValueError, KeyError, TypeError):
            items = None
        if not response.ok and not items:
            raise SinkError(f"{self.url}: HTTP {response.status_code} {_message(response)}".strip())
        if not isinstance(items, list) or len(items) != len(articles):
            raise SinkError(f"{self.url}: not a push API answer (HTTP {response.status_code})")
        return [Outcome(str(item.get("id") or a.id), str(item.get("result", "error")),
                        int(item.get("seq") or 0), _message_of(item.get("error")))
                for a, item in zip(articles, items)]

    def delete(self, ids: Sequence[str]) -> list[Outcome]:
        import requests

        out = []
        for article_id in ids:
            url = f"{self.url}/{quote(article_id, safe='')}"
            try:
                response = self.session.delete(url, timeout=self.timeout)
            except requests.RequestException as e:
                raise SinkError(f"{url}: {e}") from e
            answer = _answer(response)
            error = answer.get("error")
            if response.status_code == 404 and isinstance(error, dict) \
                    and error.get("code") == "not_found":
                out.append(Outcome(article_id, "not_found"))
            elif response.ok and answer.get("result") == "deleted":
                out.append(Outcome(article_id, "deleted", int(answer.get("seq") or 0)))
            else:
                raise SinkError(f"{url}: HTTP {response.status_code} {_message(response)}".strip())
        return out


def _answer(response) -> dict:
    """The JSON object a response carries ({} if none)."""
    try:
        found = response.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _message(response) -> str:
    answer = _answer(response)
    return _message_of(answer.get("error")) if answer else response.reason or ""


def _message_of(error) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or "")
    return str(error or "")
