"""Plain-text dumps of whole news pages (one block of the page per line).

The body is found by `indexer.pagetext`; headline, date, byline, section and
view count around it by `indexer.pagemeta`.  Times without a stated zone are
taken in the local time of the site the page names (see `indexer.dates`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from search.article import Article, stable_id

from .. import pagemeta, pagetext
from ..dates import domains_in, site_timezone
from ..language import detect
from ..records import FieldMap
from . import Skipped


def read(source: str, text: str, fields: FieldMap) -> Iterator[Article | Skipped]:
    article = extract(text, source)
    yield article if article is not None else Skipped(
        source, "no article text found (no paragraph-like lines)")


def extract(text: str, source: str) -> Article | None:
    """The article in one page-text dump (None when there is no body)."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    scored = pagetext.classify(lines)
    span = pagetext.body_span(scored)
    if span is None:
        return None
    body = pagetext.body_lines(scored, span)
    before, after = scored[: span[0]], scored[span[1] + 1 :]
    header = before[-pagemeta.HEADER_LINES :]
    footer = after[: pagemeta.FOOTER_LINES]
    title_line = pagemeta.headline(before)
    title = title_line.text if title_line else Path(source).stem
    chrome = "\n".join(l.text for l in before + after)
    lang = detect(" ".join(l.text for l in body))
    views = pagemeta.views(footer + header)
    return Article(
        id=stable_id(Path(source).name, title),
        title=title,
        body="\n\n".join(l.text for l in body),
        published=pagemeta.published(header + footer, site_timezone(domains_in(chrome)), lang),
        author=pagemeta.author(header + footer, [l for l in header if title_line and l.index > title_line.index]),
        category=pagemeta.category(before, title_line, after),
        lang=lang,
        source=source,
        extra={"views": views} if views is not None else {},
    )
