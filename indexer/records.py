"""Turning loosely structured records (JSON objects, CSV rows) into `Article`s."""

from __future__ import annotations

from typing import Any, Mapping

from search.article import Article, stable_id

from .dates import parse_date
from .sections import section

# Accepted names for each field, first match wins.  `_id`/`text` make a BEIR
# corpus.jsonl index as it is.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "_id", "guid", "doc_id", "docid"),
    "title": ("title", "headline"),
    "body": ("body", "text", "content", "article", "maintext", "articlebody"),
    "url": ("url", "link", "canonical_url"),
    "published": ("published", "date", "pubdate", "published_at", "date_publish", "datetime",
                  "datepublished"),
    "author": ("author", "byline", "authors"),
    "category": ("category", "section", "categories"),
    "lang": ("lang", "language"),
    "views": ("views", "view_count"),
    "license": ("license",),
}
EXTRA_FIELDS = ("views", "license")  # kept in `Article.extra`

# A field mapping: article field -> the source's name for it ("title" -> "headline");
# dots reach into nested objects ("author" -> "author.name").
FieldMap = Mapping[str, str]


class BadRecord(ValueError):
    """A record that cannot become an article; the message says why."""


def parse_field_map(specs: list[str]) -> dict[str, str]:
    """``["title=headline", "body=story,url=link"]`` -> ``{"title": "headline", ...}``."""
    mapping: dict[str, str] = {}
    for spec in specs:
        for pair in filter(None, (p.strip() for p in spec.split(","))):
            field, sep, name = (s.strip() for s in pair.partition("="))
            if not sep or not field or not name:
                raise ValueError(f"expected FIELD=NAME, got {pair!r}")
            if field not in ALIASES:
                raise ValueError(f"unknown field {field!r} (one of: {', '.join(ALIASES)})")
            mapping[field] = name
    return mapping


def from_record(record: Mapping[str, Any], source: str, fields: FieldMap | None = None) -> Article:
    """An article from one record; ``fields`` names the record's keys for article fields."""
    if not isinstance(record, Mapping):
        raise BadRecord(f"expected an object, got {type(record).__name__}")
    fields = fields or {}

    def get(name: str) -> Any:
        if name in fields:
            return _lookup(record, fields[name])
        return _first(record, ALIASES[name])

    title, body = _text(get("title")), _text(get("body"))
    if not (title or body):
        raise BadRecord("no title and no body text")
    url = _text(get("url"))
    extra = {name: value for name in EXTRA_FIELDS if (value := get(name)) not in (None, "")}
    if "views" in extra:
        extra["views"] = _count(extra["views"])
    return Article(
        id=_text(get("id")) or stable_id(url or title + body),
        title=title,
        body=body,
        url=url,
        published=parse_date(get("published")),
        author=", ".join(_texts(get("author"))),
        category=section(_texts(get("category"))),
        lang=_text(get("lang")).lower(),
        source=source,
        extra=extra,
    )


def _lookup(record: Mapping[str, Any], name: str) -> Any:
    """``record[name]``, following dots into nested objects when there is no such key."""
    if name in record:
        return record[name]
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _first(record: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if record.get(name) not in (None, "", []):
            return record[name]
    return None


def _count(value: Any) -> Any:
    """Views as an int when they read as one ("1,204" -> 1204)."""
    digits = str(value).replace(",", "").replace(" ", "").strip()
    return int(digits) if digits.isdigit() else value


def _text(value: Any) -> str:
    if isinstance(value, Mapping):  # {"name": "Ann"} authors, {"#text": ...} XML-ish values
        value = _first(value, ("name", "text", "#text", "value"))
    return "" if value is None else str(value).strip()


def _texts(value: Any) -> list[str]:
    """A field that may hold one value or a list (authors, categories)."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return [t for t in map(_text, values) if t]
