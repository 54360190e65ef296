"""An article's section from the categories or tags its source gives.

Sources often list more than sections: Wikinews' categories hold the day
("December 27, 2004"), housekeeping tags ("Published", "Archived") and then
regions, countries, people and topics.  Neither a date nor a housekeeping tag
is a section a reader can browse by, so `section` takes the first value that
is neither.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

# Tags that say how a page is kept, not what it is about (case-folded).
HOUSEKEEPING = frozenset({
    "published", "archived", "archive", "developing", "breaking news", "original reporting",
    "featured article", "featured articles", "review", "disputed", "uncategorized",
    "uncategorised", "news", "main page", "audio wikinews",
    "опубликовано", "архив", "архивировано", "в архиве", "статьи с оригинальными репортажами",
    "оригинальный репортаж", "без рубрики", "новости", "заглавная страница",
})
_YEAR = re.compile(r"(?:1[89]|2[0-9])\d\d")
_WORD = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")


def section(values: Iterable[str]) -> str:
    """The first of ``values`` that is a real section ("" if none is)."""
    for value in values:
        value = " ".join(value.split())
        if value and not is_housekeeping(value) and not is_date(value):
            return value
    return ""


def is_housekeeping(tag: str) -> bool:
    return tag.casefold() in HOUSEKEEPING


@lru_cache(maxsize=4096)
def is_date(tag: str) -> bool:
    """A day, month or year in any language dateparser reads: "December 27, 2004",
    "27 декабря 2004", "December 2004", "2004".  Only tags with a number count
    ("Apollo 11" and "2004 Indian Ocean earthquake" do not)."""
    if not _DIGIT.search(tag):
        return False
    if _YEAR.fullmatch(tag):
        return True
    if len(_WORD.findall(tag)) > 3:  # a date has a month, maybe a weekday and "года"
        return False
    import dateparser  # slow to import; only for tags that mix words and numbers

    try:
        return dateparser.parse(tag) is not None
    except (ValueError, OverflowError):
        return False
