"""Headline, date, byline, section and view count around a page-text body.

News pages put these in a header just above the body (section label,
headline, standfirst, byline, date) and a footer just below it (byline,
views, tags), so each is looked for in a few lines on either side of the body
found by `indexer.pagetext`.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from .dates import parse_date
from .pagetext import BYLINE, Line

HEADER_LINES = 12  # lines above the body searched for the headline and header fields
FOOTER_LINES = 8  # lines below the body searched for a byline, date or view count

_VIEWS = re.compile(
    r"(?:^|\b)(?:views?|просмотр\w*|прочитано|baxış\w*|oxunub|baxılıb|👁)\s*[:\-]?\s*(\d[\d\s,.]*)$|"
    r"^(\d[\d\s,.]*)\s*(?:views?|просмотр\w*|baxış\w*)$",
    re.IGNORECASE,
)
_LABELLED = re.compile(r"^(?:category|section|rubric|рубрика|раздел|kateqoriya|bölmə)\s*:\s*(.{2,40})$",
                       re.IGNORECASE)
_BREADCRUMB = re.compile(r"\s+(?:›|»|>|/|→)\s+")
_HOME = re.compile(r"^(?:home|main|главная|ana səhifə|əsas)$", re.IGNORECASE)
_UPDATED = re.compile(r"updated|modified|обновлен\w*|изменен\w*|yenilənib|yeniləndi", re.IGNORECASE)
_DATE_LABEL = re.compile(r"^[^\d]{0,30}?(?:published|posted|date|опубликовано|дата|dərc olunub|tarix)"
                         r"\w*\s*(?:on|:)?\s*", re.IGNORECASE)
_NAME_END = re.compile(r"\s*(?:[,|•·–—]|\band\b\s+\d|\bon\b\s).*$", re.IGNORECASE)
_TITLE_WORDS = (2, 40)


def headline(before: list[Line]) -> Line | None:
    """The headline: the nearest title-like line above the body.

    A standfirst (a longer unpunctuated line right under the headline) is
    passed over for the shorter line above it."""
    candidates = [l for l in before[-HEADER_LINES:] if l.kind in ("heading", "menu", "short", "prose")
                  and _TITLE_WORDS[0] <= l.words <= _TITLE_WORDS[1] and not l.text.endswith(".")]
    if not candidates:
        return None
    best = candidates[-1]
    if len(candidates) > 1:
        upper = candidates[-2]
        if best.index - upper.index <= 3 and upper.words < best.words and upper.words >= 3:
            best = upper
    return best


def published(lines: list[Line], zone: tzinfo | None, day_first: bool) -> datetime | None:
    """The first publication date among ``lines`` (update times only if nothing else)."""
    found: list[tuple[bool, datetime]] = []
    for line in lines:
        if line.kind not in ("date", "byline", "menu", "heading", "short"):
            continue
        for part in re.split(r"\s+[|•·]\s+|\s{2,}", line.text):
            dt = _date(part, zone, day_first)
            if dt is not None:
                found.append((bool(_UPDATED.search(part)), dt))
    found.sort(key=lambda item: item[0])  # stable: published before updated, in page order
    return found[0][1] if found else None


def _date(text: str, zone: tzinfo | None, day_first: bool) -> datetime | None:
    text = _DATE_LABEL.sub("", text).strip()
    if not re.search(r"\d", text) or not re.search(r"\b\d{4}\b|\d{1,2}:\d{2}", text):
        return None  # relative dates ("2 hours ago") cannot be placed without a fetch time
    dt = parse_date(text, zone, day_first) if zone else parse_date(text, day_first=day_first)
    return dt if dt is not None and 1900 < dt.year < 2200 else None


def author(lines: list[Line]) -> str:
    """The name in the first byline ("By Jane Doe", "Автор: ...") among ``lines``."""
    for line in lines:
        match = BYLINE.match(line.text)
        if match:
            name = _NAME_END.sub("", match.group(1)).strip(" .:")
            if name and not re.search(r"\d", name):
                return name
    return ""


def category(before: list[Line], title: Line | None) -> str:
    """The section: a labelled one, a breadcrumb's last step, or a short label just above the headline."""
    for line in before[-HEADER_LINES:]:
        match = _LABELLED.match(line.text)
        if match:
            return match.group(1).strip()
    if title is None:
        return ""
    above = [l for l in before if l.index < title.index][-4:]
    for line in reversed(above):
        steps = [s for s in _BREADCRUMB.split(line.text) if s and not _HOME.match(s)]
        if len(steps) > 1 and all(len(s.split()) <= 3 for s in steps):
            return steps[-1]
        if line.kind == "menu" and 1 <= line.words <= 3 and not re.search(r"\d", line.text):
            return line.text
    return ""


def views(lines: list[Line]) -> int | None:
    for line in lines:
        match = _VIEWS.search(line.text)
        if match:
            digits = re.sub(r"\D", "", match.group(1) or match.group(2))
            if digits:
                return int(digits)
    return None
