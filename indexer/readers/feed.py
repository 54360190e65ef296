"""RSS and Atom feeds: one article per item, parsed with feedparser.

An item's full content (``content:encoded``, Atom ``content``) is preferred to
its summary; either may be HTML, which is turned into plain paragraphs.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Iterator

from search.article import Article, stable_id

from ..dates import parse_date
from ..records import FieldMap
from ..sections import section
from . import Skipped


def read(source: str, text: str, fields: FieldMap) -> Iterator[Article | Skipped]:
    import feedparser

    feed = feedparser.parse(text)
    usable = any(e.get("title") or _content(e) for e in feed.entries)
    if feed.bozo and not usable:
        yield Skipped(source, f"malformed feed ({feed.bozo_exception})")
        return
    if not feed.entries:
        yield Skipped(source, "feed without items")
        return
    feed_lang = (feed.feed.get("language") or "").split("-")[0].lower()
    for number, entry in enumerate(feed.entries, start=1):
        where = f"{source}#{number}"
        title = entry.get("title", "").strip()
        body = _plain(_content(entry))
        if not (title or body):
            yield Skipped(where, "feed item with no title and no text")
            continue
        url = entry.get("link", "")
        tags = [t.get("term", "") for t in entry.get("tags", []) if t.get("term")]
        yield Article(
            id=entry.get("id") or stable_id(url or title + body),
            title=title,
            body=body,
            url=url,
            published=_published(entry),
            author=entry.get("author", ""),
            category=section(tags),
            lang=feed_lang,
            source=where,
        )


def _content(entry: Any) -> str:
    contents = entry.get("content") or []
    full = max((c.get("value", "") for c in contents), key=len, default="")
    return full or entry.get("summary", "")


def _published(entry: Any) -> datetime | None:
    """The item's date with the offset it was written with (RFC 822 or ISO 8601)."""
    for key in ("published", "updated", "created"):
        if not entry.get(key):
            continue
        try:
            return parsedate_to_datetime(entry[key])
        except (TypeError, ValueError):
            pass
        written = parse_date(entry[key])
        if written is not None:
            return written
        parsed = entry.get(f"{key}_parsed")  # feedparser's reading, in UTC
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    return None


def _plain(text: str) -> str:
    """Text of an HTML fragment, one paragraph per block; plain text as it is."""
    if "<" not in text:
        return text.strip()
    from trafilatura import extract

    wrapped = f"<html><body><article>{text}</article></body></html>"
    extracted = extract(wrapped, favor_recall=True, include_comments=False, include_tables=True)
    if extracted:
        return "\n\n".join(p.strip() for p in extracted.splitlines() if p.strip())
    from lxml import html as lxml_html

    return " ".join(lxml_html.fromstring(wrapped).text_content().split())
