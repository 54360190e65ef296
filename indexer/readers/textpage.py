"""Plain-text dumps of whole news pages (one block of the page per line).

The article body is the longest run of paragraph-like lines; the headline is
the nearest title-like line above it, the date a date-like line near it, and
the author a byline ("By ...") near it.  Site chrome (menus, widgets, promos)
is made of short lines and falls outside the run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from search.article import Article, stable_id

from ..records import parse_date
from . import Skipped

MIN_PARAGRAPH_WORDS = 10
MAX_GAP = 3  # short lines allowed inside the body between paragraphs
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)]*$")
_BYLINE = re.compile(r"^(?:by|автор[:]?)\s+(.{3,80})$", re.IGNORECASE)
_DATEISH = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d{2}|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|"
    r"\b(?:янв|фев|мар|апр|ма[яй]|июн|июл|авг|сен|окт|ноя|дек)",
    re.IGNORECASE,
)


def read(path: Path, text: str) -> Iterator[Article | Skipped]:
    lines = [line.strip() for line in text.splitlines()]
    start, end = _body_run(lines)
    if start is None:
        yield Skipped(str(path), "no article text found (no paragraph-length lines)")
        return
    body = "\n\n".join(line for line in lines[start : end + 1] if line)
    before = [line for line in lines[:start] if line]
    after = [line for line in lines[end + 1 :] if line]
    title = next((l for l in reversed(before) if _is_title(l)), path.stem)
    date_line = next((l for l in reversed(before[-6:]) if _DATEISH.search(l) and len(l) < 60), "")
    byline = next((m.group(1) for l in before[-6:] + after[:6] if (m := _BYLINE.match(l))), "")
    yield Article(
        id=stable_id(str(path.name), title),
        title=title,
        body=body,
        published=parse_date(date_line) if date_line else None,
        author=byline.strip(),
        source=str(path),
    )


def _is_paragraph(line: str) -> bool:
    """Prose: enough words, ending like a sentence (headlines rarely do)."""
    words = len(line.split())
    return words >= MIN_PARAGRAPH_WORDS and (words >= 30 or _SENTENCE_END.search(line) is not None)


def _is_title(line: str) -> bool:
    words = len(line.split())
    return 3 <= words <= 30 and not (_DATEISH.search(line) and words <= 6)


def _body_run(lines: list[str]) -> tuple[int | None, int]:
    """First and last line of the run of paragraphs holding the most text."""
    best: tuple[int, int | None, int] = (0, None, -1)
    start = last = None
    size = gap = 0
    for i, line in enumerate(lines):
        if not line:
            continue
        if _is_paragraph(line):
            if start is None or gap > MAX_GAP:
                start, size = i, 0
            last, gap = i, 0
            size += len(line)
            if size > best[0]:
                best = (size, start, last)
        elif start is not None:
            gap += 1
    return best[1], best[2]
