"""Turning loosely structured records (JSON objects, CSV rows) into `Article`s."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from search.article import Article, stable_id

# Accepted names for each field, first match wins.  `_id`/`text` make a BEIR
# corpus.jsonl index as it is.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "_id", "guid", "doc_id", "docid"),
    "title": ("title", "headline"),
    "body": ("body", "text", "content", "article", "maintext"),
    "url": ("url", "link", "canonical_url"),
    "published": ("published", "date", "pubdate", "published_at", "date_publish", "datetime"),
    "author": ("author", "byline", "authors"),
    "category": ("category", "section", "categories"),
    "lang": ("lang", "language"),
}


class BadRecord(ValueError):
    """A record that cannot become an article; the message says why."""


def from_record(record: Mapping[str, Any], source: str) -> Article:
    if not isinstance(record, Mapping):
        raise BadRecord(f"expected an object, got {type(record).__name__}")
    get = lambda name: _first(record, ALIASES[name])  # noqa: E731
    title, body = _text(get("title")), _text(get("body"))
    if not (title or body):
        raise BadRecord("no title and no body text")
    url = _text(get("url"))
    raw_id = _text(get("id"))
    extra = {k: v for k, v in record.items() if k in ("views", "license")}
    return Article(
        id=raw_id or stable_id(url or title + body),
        title=title,
        body=body,
        url=url,
        published=parse_date(get("published")),
        author=", ".join(_texts(get("author"))),
        category=next(iter(_texts(get("category"))), ""),
        lang=_text(get("lang")).lower(),
        source=source,
        extra=extra,
    )


def parse_date(value: Any) -> datetime | None:
    """A timezone-aware datetime from ISO text, a timestamp or free text.

    Dates without a zone are taken as UTC.  Unparseable values give None."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    text = str(value).strip()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        import dateparser  # slow to import; only for non-ISO dates

        dt = dateparser.parse(text, settings={"RETURN_AS_TIMEZONE_AWARE": False})
        if dt is None:
            return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _first(record: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if record.get(name) not in (None, "", []):
            return record[name]
    return None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _texts(value: Any) -> list[str]:
    """A field that may hold one value or a list (authors, categories)."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return [t for t in map(_text, values) if t]
