"""HTML pages: main text and metadata extracted with trafilatura.

trafilatura finds the article's main text (dropping navigation, related
links, comments and footers) and its metadata: title, author, date (with its
time when the page gives one), section, canonical URL.  The page's declared
language (``<html lang>``) is kept when there is one.  What the page's markup
does not say (a byline or section shown only as text, a date's time of day)
is read from the page as text (html-text) the way page-text dumps are read.
"""

from __future__ import annotations

import logging
from datetime import time
from typing import Iterator
from urllib.parse import urlsplit

from search.article import Article, stable_id

from ..dates import parse_date, site_timezone
from ..pagetext import trimmed
from ..records import FieldMap
from ..sections import section
from . import Skipped, textpage

# trafilatura logs its own view of problems this reader reports as `Skipped`.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

_DATE_PARAMS = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True,
                "extensive_search": True}


def read(source: str, text: str, fields: FieldMap) -> Iterator[Article | Skipped]:
    article = extract(text, source)
    yield article if article is not None else Skipped(source, "no article text found in the HTML")


def extract(html: str, source: str, url: str = "") -> Article | None:
    """The article in one HTML page (None when it has no main text)."""
    import html_text
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
    published = parse_date(doc.date, zone) if zone else parse_date(doc.date)
    shown = textpage.extract(html_text.extract_text(html, guess_layout=True), source)
    if shown is not None and shown.published is not None and (
            published is None or published.time() == time(0)):
        published = shown.published  # the date shown by the headline, with its time
    author = (doc.author or "").replace("; ", ", ")
    if shown is not None and shown.author and (not author or shown.author.lower() in author.lower()):
        author = shown.author  # "By JANE DOE Published" in the markup -> "Jane Doe"
    return Article(
        id=stable_id(url) if url else stable_id(source, title),
        title=title,
        body=_body(doc.text, title),
        url=url,
        published=published,
        author=author,
        category=section(doc.categories or []) or (shown.category if shown else ""),
        lang=lang,
        source=source,
        extra={"site": doc.sitename} if doc.sitename else {},
    )


def _body(text: str, title: str) -> str:
    """Paragraphs separated by blank lines, without a repeated headline on top
    or date, byline and widget lines around them."""
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    return "\n\n".join(trimmed(paragraphs))
