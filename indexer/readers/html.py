"""HTML pages: main text and metadata extracted with trafilatura.

trafilatura finds the article's main text (dropping navigation, related
links, comments and footers) and its metadata: title, author, date (with its
time when the page gives one), section, canonical URL.  The page's declared
language (``<html lang>``) is kept when there is one.
"""

from __future__ import annotations

import logging
from typing import Iterator
from urllib.parse import urlsplit

from search.article import Article, stable_id

from ..dates import parse_date, site_timezone
from ..records import FieldMap
from . import Skipped

# trafilatura logs its own view of problems this reader reports as `Skipped`.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

_DATE_PARAMS = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True,
                "extensive_search": True}


def read(source: str, text: str, fields: FieldMap) -> Iterator[Article | Skipped]:
    article = extract(text, source)
    yield article if article is not None else Skipped(source, "no article text found in the HTML")


def extract(html: str, source: str, url: str = "") -> Article | None:
    """The article in one HTML page (None when it has no main text)."""
    from trafilatura import bare_extraction, load_html

    tree = load_html(html)
    if tree is None:
        return None
    lang = (tree.get("lang") or tree.get("xml:lang") or "").split("-")[0].lower()
    doc = bare_extraction(tree, url=url or None, with_metadata=True, include_comments=False,
                          include_tables=True, date_extraction_params=_DATE_PARAMS)
    if doc is None or not (doc.text or "").strip():
        return None
    title = (doc.title or "").strip()
    url = doc.url or url
    zone = site_timezone([urlsplit(url).hostname or ""]) if url else None
    return Article(
        id=stable_id(url) if url else stable_id(source, title),
        title=title,
        body=_body(doc.text, title),
        url=url,
        published=parse_date(doc.date, zone) if zone else parse_date(doc.date),
        author=(doc.author or "").replace("; ", ", "),
        category=next(iter(doc.categories or []), ""),
        lang=lang,
        source=source,
        extra={"site": doc.sitename} if doc.sitename else {},
    )


def _body(text: str, title: str) -> str:
    """Paragraphs separated by blank lines, without a repeated headline on top."""
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    return "\n\n".join(paragraphs)
