"""Pushing articles into a live index: check, embed once, append to the log.

`Pusher` is the write path of the push API (`web.push`) and of anything else
that feeds articles one at a time (a feed follower).  An article is checked
(`parse_article`: a bad one is refused whole, naming the field), compared
with what the index holds (its content digest: an unchanged article writes
nothing), cut into passages and embedded by this process, once, and appended
with its vectors to the index directory's write-ahead log
(`search.index.wal`), synced to disk before the call returns.  Every server
process then finds it within a poll (`search.serving.nrt`); a merge folds
the log into a new generation later (`indexer.merge`).

Many processes may push at once: appends take the log's lock, and each
pusher decides created / updated / unchanged / deleted against the live
generation plus every record in the log, read under that lock.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

import numpy as np

from search.article import Article
from search.config import Settings
from search.index.layout import IndexDir
from search.index.store import ArticleStore, passage_text
from search.index.wal import Position, Record, WriteAheadLog
from search.models import spaces
from search.models.embedder import Embedder, embedders_for, vector_space

from . import language
from .build import article_passages

# The fields of an article as `newsearch extract` prints them.
TEXT_FIELDS = ("title", "body", "url", "author", "category", "lang", "source")
FIELDS = ("id", *TEXT_FIELDS, "published", "extra")
MAX_ID_CHARS = 512
MAX_EXTRA_BYTES = 64 << 10


class BadArticle(ValueError):
    """An article that cannot be pushed; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class Outcome:
    """What became of one pushed article or deletion."""

    id: str
    result: str  # created | updated | unchanged | deleted | not_found | error
    seq: int = 0  # the log's sequence number of the change (of the last one if none)
    field: str = ""  # with "error": the field at fault
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        if self.result == "error":
            return {"id": self.id, "result": "error",
                    "error": {"code": "bad_article", "field": self.field, "message": self.error}}
        return {"id": self.id, "result": self.result, "seq": self.seq}


def parse_article(data: Any, settings: Settings, article_id: str | None = None) -> Article:
    """The article a pushed JSON object describes; `BadArticle` naming the
    first field that is wrong.  ``article_id``: the id from the URL (the
    object's own ``id``, if any, must agree)."""
    if not isinstance(data, dict):
        raise BadArticle("article", f"expected a JSON object, got {_kind(data)}")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise BadArticle(unknown[0], f"unknown field (the fields are: {', '.join(FIELDS)})")
    given = data.get("id")
    if given is not None and not isinstance(given, str):
        raise BadArticle("id", f"must be a string, got {_kind(given)}")
    if article_id is not None and given not in (None, article_id):
        raise BadArticle("id", f"{given!r} differs from the id in the URL ({article_id!r})")
    article_id = article_id if article_id is not None else given
    if not article_id or not article_id.strip():
        raise BadArticle("id", "missing: every pushed article needs an id")
    if len(article_id) > MAX_ID_CHARS or any(ord(c) < 32 or c == "\x7f" for c in article_id):
        raise BadArticle("id", f"must be at most {MAX_ID_CHARS} characters, without control "
                               "characters")
    values: dict[str, str] = {}
    limits = {"title": settings.push_max_title_chars, "body": settings.push_max_body_chars}
    for name in TEXT_FIELDS:
        value = data.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise BadArticle(name, f"must be a string, got {_kind(value)}")
        limit = limits.get(name, settings.push_max_field_chars)
        if len(value) > limit:
            raise BadArticle(name, f"is {len(value)} characters long; at most {limit} are taken")
        if "\x00" in value:
            raise BadArticle(name, "contains a NUL character")
        values[name] = value.strip() if name != "body" else value
    if not values["title"].strip() and not values["body"].strip():
        raise BadArticle("title", "an article needs a title or a body (both are empty)")
    published = _published(data.get("published"))
    extra = data.get("extra")
    if extra is None:
        extra = {}
    if not isinstance(extra, dict):
        raise BadArticle("extra", f"must be an object, got {_kind(extra)}")
    try:
        import json

        if len(json.dumps(extra, ensure_ascii=False, allow_nan=False)) > MAX_EXTRA_BYTES:
            raise BadArticle("extra", f"is larger than {MAX_EXTRA_BYTES} bytes")
    except ValueError as e:
        if isinstance(e, BadArticle):
            raise
        raise BadArticle("extra", f"cannot be stored: {e}") from None
    lang = values["lang"].lower()
    if lang and (len(lang) > 16 or not all(c.isalpha() or c == "-" for c in lang)):
        raise BadArticle("lang", f"{lang!r} is not a language code (e.g. \"en\", \"ru\")")
    article = Article(id=article_id, title=values["title"], body=values["body"].strip(),
                      url=values["url"], published=published, author=values["author"],
                      category=values["category"], lang=lang,
                      source=values["source"] or "push", extra=extra)
    if not article.lang:
        article.lang = language.detect(article.text)
    return article


def _published(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadArticle("published", f"must be an ISO 8601 date-time string, got {_kind(value)}")
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadArticle("published", f"{value[:40]!r} is not an ISO 8601 date "
                                      "(e.g. 2024-10-01T12:14:00+04:00)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    if not 1900 <= dt.year <= 2200:
        raise BadArticle("published", f"year {dt.year} is out of range")
    return dt


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


class Pusher:
    """Appends pushed articles and deletions to an index's write-ahead log."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.layout = IndexDir(settings.index_dir)
        self.wal = WriteAheadLog(self.layout.root)
        self._embedder = embedder  # the index's document model (loaded on first push if None)
        self._embedders: list | None = None
        self._lock = threading.Lock()
        self._generation = ""
        self._store: ArticleStore | None = None
        self._specs: list[spaces.SpaceSpec] = []
        self._manifest: dict = {}
        self._base_seq = 0
        self._position = Position()
        self._known: dict[str, str | None] = {}  # id -> digest (None: deleted) in the log
        self._last = 0

    # --- the state the log and the live generation give ---------------------------
    def _sync(self) -> None:
        """Read the live generation and the log up to its end."""
        name = self.layout.pointed()
        if name != self._generation:
            gen = self.layout.current()
            manifest = gen.check_format()
            if self._store is not None:
                self._store.close()
            self._store = ArticleStore(gen.store_file)
            self._generation, self._manifest = name, manifest
            self._specs = [spaces.SpaceSpec.from_dict(d) for d in manifest["spaces"]]
            self._base_seq = int(manifest.get("wal_seq", 0))
            self._position, self._known = Position(), {}
            self._embedders = None if self._embedders is None else self._load_embedders()
        scan = self.wal.read(self._base_seq, self._position)
        for r in scan.records:
            self._known[r.id] = r.digest if r.op == "put" else None
            self._last = max(self._last, r.seq)
        self._position = scan.position
        self._last = max(self._last, self._base_seq)

    def _digest(self, article_id: str) -> str | None:
        if article_id in self._known:
            return self._known[article_id]
        found = self._store.get_by_id(article_id) if self._store is not None else None
        return found[1].digest() if found else None

    # --- embedding ---------------------------------------------------------------
    def _load_embedders(self) -> list:
        manifest, settings = self._manifest, self.settings
        if self._embedder is None or self._embedder.model_path != manifest["model_path"]:
            backend = manifest.get("embed_backend", "torch")
            if vector_space(settings.embed_backend) == vector_space(backend):
                backend = settings.embed_backend
            self._embedder = Embedder.for_settings(settings, manifest["model_path"], backend)
        return embedders_for(self._specs, settings, self._embedder)

    def _record(self, article: Article) -> Record:
        """The log record of ``article``: its passages, embedded."""
        if self._embedders is None:
            self._embedders = self._load_embedders()
        spans = article_passages(article, self.settings, self._specs, self._embedders)
        space = spaces.home(article.lang or "", self._specs)
        vectors, model = None, ""
        if space >= 0:
            texts = [passage_text(article.title, article.body[s:e], self.settings.embed_title)
                     for s, e in spans]
            vectors = np.asarray(self._embedders[space].encode(texts), dtype=np.float32)
            model = self._specs[space].model
        return Record(seq=0, op="put", id=article.id, article=article.to_dict(),
                      digest=article.digest(), passages=spans, space=space, model=model,
                      vectors=vectors)

    # --- pushing -----------------------------------------------------------------
    def put(self, articles: Iterable[Article]) -> list[Outcome]:
        """Add or replace ``articles`` (already checked: `parse_article`); one
        outcome each, in order, once all are on disk."""
        articles = list(articles)
        with self._lock:
            self._sync()  # without the log's lock: to skip embedding what is unchanged
            records: dict[int, Record] = {}
            for i, a in enumerate(articles):
                if self._digest(a.id) != a.digest():
                    records[i] = self._record(a)
            with self.wal.appending(self._base_seq) as log:
                self._sync()
                out: list[Outcome | None] = [None] * len(articles)
                batch: list[tuple[int, Record]] = []
                for i, a in enumerate(articles):
                    digest = a.digest()
                    before = self._digest(a.id)
                    if before == digest:
                        out[i] = Outcome(a.id, "unchanged")
                        continue
                    record = records.get(i) or self._record(a)
                    record.time = time.time()
                    out[i] = Outcome(a.id, "created" if before is None else "updated")
                    batch.append((i, record))
                    self._known[a.id] = digest
                log.append([r for _, r in batch])
                for i, r in batch:
                    out[i].seq = r.seq
                self._last = max(self._last, log.last)
                for o in out:
                    if o.result == "unchanged":
                        o.seq = self._last
        return out  # type: ignore[return-value]

    def delete(self, ids: Iterable[str]) -> list[Outcome]:
        """Remove articles by id ("not_found" for ids the index does not hold)."""
        ids = list(ids)
        with self._lock, self.wal.appending(self._base_seq) as log:
            self._sync()
            out, batch = [], []
            for article_id in ids:
                if self._digest(article_id) is None:
                    out.append(Outcome(article_id, "not_found"))
                    continue
                record = Record(seq=0, op="delete", id=article_id, time=time.time())
                out.append(Outcome(article_id, "deleted"))
                batch.append((out[-1], record))
                self._known[article_id] = None
            log.append([r for _, r in batch])
            for o, r in batch:
                o.seq = r.seq
            self._last = max(self._last, log.last)
            for o in out:
                if o.result == "not_found":
                    o.seq = self._last
        return out

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
