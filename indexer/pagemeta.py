"""Headline, date, byline, section and view count around a page-text body.

News pages put these in a header just above the body (section label,
headline, standfirst, byline, date) and a footer just below it (byline,
views, tags), so each is looked for in a few lines on either side of the body
found by `indexer.pagetext`.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone, tzinfo

from .dates import localize
from .pagetext import BYLINE, Line

HEADER_LINES = 12  # lines above the body searched for the headline and header fields
FOOTER_LINES = 8  # lines below the body searched for a byline, date or view count

_VIEWS = re.compile(
    r"(?:^|\b)(?:views?|просмотр\w*|прочитано|baxış\w*|oxunub|baxılıb|👁)\s*[:\-]?\s*(\d[\d\s,.]*)$|"
    r"^(\d[\d\s,.]*)\s*(?:views?|просмотр\w*|baxış\w*)$",
    re.IGNORECASE,
)
_LABELLED = re.compile(r"^(?:category|categories|section|rubric|posted in|filed under|рубрика|раздел|"
                       r"kateqoriya|bölmə)\s*:?\s+([^|,]{2,40}?)\s*(?:[|,].*)?$", re.IGNORECASE)
_BREADCRUMB = re.compile(r"\s+(?:›|»|>|/|→)\s+")
_HOME = re.compile(r"^(?:home|main|главная|ana səhifə|əsas)$", re.IGNORECASE)
_UPDATED = re.compile(r"updated|modified|обновлен\w*|изменен\w*|yenilənib|yeniləndi", re.IGNORECASE)
_PARTS = re.compile(r"\s+[|•·]\s+|\s{2,}")
_MONTH_ABBREVIATION = re.compile(r"\b([^\W\d]{3,5})\.(?=\s*\d)")
_DOTTED_TIME = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{2})\b(?!\.\d)")
_DATE_HINT = re.compile(r"\b\d{4}\b")
_DAY_MONTH = re.compile(r"\b\d{1,2}[./]\d{1,2}\b|\b\d{1,2}(?:st|nd|rd|th)?\s+\w{3,}|\b[^\W\d]{3,}\.?\s+\d{1,2}\b")
_DATEPARSER_LANGS = {"en", "ru", "az", "tr", "uk", "de", "fr", "es", "it", "pt", "ka", "kk", "uz"}
_NAME = re.compile(r"^[A-ZА-ЯЁƏÜÖÇŞĞİ][a-zа-яёəüöçşğı'’-]+(?: [A-ZА-ЯЁƏÜÖÇŞĞİ][a-zа-яёəüöçşğı'’-]+){1,3}$")
_TRAILING_BY = re.compile(r"\bby\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,3})\s*$")
_NAME_END = re.compile(r"\s*(?:[,|•·–—]|\band\b\s+\d|\bon\b\s).*$", re.IGNORECASE)
_WIDGET_RUN = re.compile(r"^(?:(?:share|save|print|email|link|x|facebook|twitter|linkedin|whatsapp|"
                         r"telegram|menu|search|поделиться|paylaş)\b\s*){2,}$", re.IGNORECASE)
_TITLE_WORDS = (2, 40)


def headline(before: list[Line]) -> Line | None:
    """The headline: the title-like line above the body that best fits where
    headlines sit (just above a date or byline, close to the body).

    A standfirst (a much longer unpunctuated line right under the headline)
    is passed over for the line above it."""
    window = before[-HEADER_LINES:]
    best, best_pos, best_score = None, 0, 0.0
    for pos, line in enumerate(window):
        if not _title_like(line):
            continue
        score = 1.0 + pos / len(window)  # closer to the body is likelier
        score += 2.0 * _dated_below(line, window[pos + 1 : pos + 4])
        score += 1.0 * any(_dated_or_signed(l) for l in window[max(0, pos - 2) : pos])
        score += 1.0 if 5 <= line.words <= 20 else 0.0 if line.words >= 3 else -1.0
        score -= 1.0 if line.words <= 3 and _NAME.match(line.text) else 0.0  # a byline without "By"
        if score > best_score:
            best, best_pos, best_score = line, pos, score
    # Two title-like lines stacked alone are a headline and its standfirst
    # (three or more are a list of links, ending in the headline).
    stacked = [p for p in (best_pos - 1, best_pos - 2) if p >= 0 and _title_like(window[p])]
    if best is not None and stacked == [best_pos - 1] and window[best_pos - 1].words >= 4:
        best = window[best_pos - 1]
    return best


def _dated_below(title: Line, lines: list[Line]) -> bool:
    """A date or byline follows, with at most a standfirst or a name in between."""
    for line in lines:
        if _dated_or_signed(line):
            return True
        if _title_like(line) and line.words < title.words and not _NAME.match(line.text):
            return False
    return False


def _dated_or_signed(line: Line) -> bool:
    return line.kind in ("date", "byline") or bool(
        _DATE_HINT.search(line.text) and (_DAY_MONTH.search(line.text)) or BYLINE.match(line.text))


def _title_like(line: Line) -> bool:
    return (line.kind in ("heading", "short", "prose", "menu")
            and _TITLE_WORDS[0] <= line.words <= _TITLE_WORDS[1]
            and not line.text.endswith((".", ",", ":", ";"))
            and not _BREADCRUMB.search(line.text) and not _WIDGET_RUN.match(line.text))


def published(lines: list[Line], zone: tzinfo | None, lang: str) -> datetime | None:
    """The first publication date among ``lines`` (update times only if nothing else)."""
    found: list[tuple[bool, datetime]] = []
    for line in lines:
        if line.kind in ("prose", "boilerplate", "section") or not _DATE_HINT.search(line.text):
            continue
        for part in _PARTS.split(line.text):
            dt = _date(part, zone, lang)
            if dt is not None:
                found.append((bool(_UPDATED.search(part)), dt))
    found.sort(key=lambda item: item[0])  # stable: published before updated, in page order
    return found[0][1] if found else None


def _date(text: str, zone: tzinfo | None, lang: str) -> datetime | None:
    if not re.search(r"\b\d{4}\b", text):
        return None  # relative dates ("2 hours ago") cannot be placed without a fetch time
    from dateparser.search import search_dates

    text = _DOTTED_TIME.sub(r"\1:\2", text)  # "12.14 BST" -> "12:14 BST"
    text = _MONTH_ABBREVIATION.sub(r"\1", text)  # "Nov. 18" -> "Nov 18"

    languages = [lang, "en"] if lang in _DATEPARSER_LANGS else None
    order = "DMY" if lang not in ("en", "") or re.search(r"\d\.\d{1,2}\.\d", text) else "MDY"
    try:
        matches = search_dates(text, languages=languages, settings={
            "DATE_ORDER": order, "REQUIRE_PARTS": ["day", "month", "year"]}) or []
    except (ValueError, OverflowError):
        return None
    for written, dt in matches:
        if re.search(r"\b\d{4}\b", written) and 1900 < dt.year < 2200:
            return dt if dt.tzinfo else localize(dt, zone or timezone.utc)
    return None


def author(lines: list[Line], between: list[Line] = ()) -> str:
    """The name in the first byline ("By Jane Doe", "Автор: ...") among ``lines``,
    else a lone name line (two to four capitalised words) between headline and body."""
    signed = _signed(lines)
    if signed:
        return signed
    for line in between:
        if line.kind == "menu" or line.kind == "heading":
            if _NAME.match(line.text):
                return line.text
    return ""


def _signed(lines: list[Line]) -> str:
    for line in lines:
        for part in _PARTS.split(line.text):
            match = BYLINE.match(part.strip()) or _TRAILING_BY.search(part)
            if match:
                name = _NAME_END.sub("", match.group(1)).strip(" .:")
                if name and not re.search(r"\d", name) and len(name.split()) <= 5:
                    return name.title() if name.isupper() else name
    return ""


def category(before: list[Line], title: Line | None, after: list[Line] = ()) -> str:
    """The section: a labelled one, a breadcrumb's last step, or a short label
    just above the headline that is not part of a menu."""
    for line in before[-HEADER_LINES:] + after[:FOOTER_LINES]:
        match = _LABELLED.match(line.text)
        if match:
            return match.group(1).strip()
    if title is None:
        return ""
    above = [l for l in before if l.index < title.index]
    for pos in range(len(above) - 1, max(-1, len(above) - 5), -1):
        line = above[pos]
        steps = [s for s in _BREADCRUMB.split(line.text) if s and not _HOME.match(s)]
        if len(steps) > 1 and all(len(s.split()) <= 3 for s in steps):
            return steps[-1]
        neighbours = above[max(0, pos - 1) : pos] + (above[pos + 1 : pos + 2] or [title])
        in_menu = any(l.kind == "menu" for l in neighbours)
        set_apart = all(abs(l.index - line.index) > 1 for l in neighbours)  # blank lines around it
        if (line.kind == "menu" and 1 <= line.words <= 3 and not re.search(r"\d", line.text)
                and (set_apart or not in_menu)):
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
