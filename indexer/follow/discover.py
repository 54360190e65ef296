"""What a feed or sitemap lists: the article pages to fetch.

- RSS/Atom/RDF feeds are read by the indexer's own feed reader
  (`indexer.readers.feed`, feedparser): each item's link is a page to fetch,
  and the item itself (title, date, text) tells when it changed.  An item
  without a link is an article by itself.
- Sitemaps (``<urlset>``, with Google News' ``<news:news>`` extension) and
  sitemap indexes (``<sitemapindex>``) are parsed with lxml (no entities, no
  network): ``<loc>``, ``<lastmod>``, ``<news:title>``, ``<news:publication_date>``.

Each `Entry` carries a ``marker``: a string that changes when the listing says
the page changed (the feed item's digest, the sitemap's lastmod), so a page
already fetched is fetched again only when its marker moves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

from lxml import etree

from search.article import Article

from ..dates import parse_date
from ..readers import Skipped
from ..sources import detect_format, parse

MAX_ENTRIES = 50_000  # per sitemap, as the sitemap protocol allows
_SITEMAP_ROOT = re.compile(rb"<(?:[\w-]+:)?(urlset|sitemapindex)[\s>]")


class ListingError(Exception):
    """A source that is neither a readable feed nor a sitemap; ``str()`` says why."""


@dataclass
class Entry:
    url: str  # the article page ("" for a feed item without a link)
    marker: str  # changes when the listing says the page changed
    title: str = ""
    published: datetime | None = None
    item: Article | None = None  # a feed item's own article


@dataclass
class Listing:
    kind: str  # "feed", "sitemap" or "sitemap index"
    entries: list[Entry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # a sitemap index's sitemaps


def read_listing(url: str, data: bytes) -> Listing:
    """The entries of the feed or sitemap ``data`` fetched from ``url``."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if _SITEMAP_ROOT.search(head) and not head.lower().startswith((b"<!doctype html", b"<html")):
        return _sitemap(url, data)
    if detect_format("", data) == "html":
        raise ListingError("not a feed or a sitemap (an HTML page)")
    listing = Listing("feed")
    for item in parse(url, data, "feed"):
        if isinstance(item, Skipped):
            if item.source == url and item.reason != "feed without items":
                raise ListingError(item.reason)  # malformed, not text, empty file...
            continue
        link = urljoin(url, item.url) if item.url else ""
        item.url = link or item.url
        listing.entries.append(Entry(link, item.digest(), item.title, item.published, item))
    return listing


def _sitemap(url: str, data: bytes) -> Listing:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise ListingError(f"malformed sitemap ({e})") from e
    if _local(root) == "sitemapindex":
        listing = Listing("sitemap index")
        for child in root:
            loc = _text(child, "loc")
            if _local(child) == "sitemap" and loc:
                listing.sitemaps.append(urljoin(url, loc))
        return listing
    listing = Listing("sitemap")
    for child in root:
        if _local(child) != "url" or len(listing.entries) >= MAX_ENTRIES:
            continue
        loc = _text(child, "loc")
        if not loc:
            continue
        news = next((c for c in child if _local(c) == "news"), None)
        title = _text(news, "title") if news is not None else ""
        published_text = _text(news, "publication_date") if news is not None else ""
        lastmod = _text(child, "lastmod")
        listing.entries.append(Entry(
            urljoin(url, loc), "\x1f".join((lastmod, published_text, title)), title,
            parse_date(published_text) if published_text else None))
    return listing


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _text(element, name: str) -> str:
    """The text of ``element``'s child called ``name`` in any namespace ("" if none)."""
    for child in element:
        if _local(child) == name:
            return (child.text or "").strip()
    return ""
