"""Search filters: section (category), author, language and a date range.

Several values of one field mean "any of them"; different fields must all
hold.  Dates are calendar days as the article states them (its own time
zone), both ends included.  `Filters.parse` turns request strings into
filters and refuses bad ones with a `SearchError`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Iterable

from search.errors import SearchError

FIELDS = ("category", "author", "lang")
MAX_VALUES = 20  # per field
MAX_VALUE_CHARS = 200
_DAY = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True)
class Filters:
    category: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return any(self.values(f) for f in FIELDS) or self.dated

    @property
    def dated(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def values(self, field: str) -> tuple[str, ...]:
        return getattr(self, field)

    def without(self, field: str) -> "Filters":
        """These filters less one field (``"date"`` for the range)."""
        if field == "date":
            return replace(self, date_from=None, date_to=None)
        return replace(self, **{field: ()})

    def to_dict(self) -> dict[str, Any]:
        """The filters as the API shows them (and takes them)."""
        d: dict[str, Any] = {f: list(self.values(f)) for f in FIELDS}
        d["from"] = self.date_from.isoformat() if self.date_from else None
        d["to"] = self.date_to.isoformat() if self.date_to else None
        return d

    @classmethod
    def parse(cls, category: Iterable[str] = (), author: Iterable[str] = (),
              lang: Iterable[str] = (), date_from: str = "", date_to: str = "") -> "Filters":
        """Filters from request strings: ``from``/``to`` are ``YYYY``, ``YYYY-MM``
        or ``YYYY-MM-DD`` (a year or month ``to`` means its last day)."""
        values = {f: _values(f, v) for f, v in (("category", category), ("author", author),
                                                 ("lang", lang))}
        values["lang"] = tuple(v.lower() for v in values["lang"])
        start = _day(date_from, "from", end=False)
        end = _day(date_to, "to", end=True)
        if start and end and start > end:
            raise SearchError("bad_date_range", "from must not be after to")
        return cls(date_from=start, date_to=end, **values)


def _values(field: str, raw: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in raw:
        value = " ".join(str(value).split())
        if not value:
            continue
        if len(value) > MAX_VALUE_CHARS:
            raise SearchError(f"bad_{field}", f"{field} values are at most {MAX_VALUE_CHARS} characters")
        if value not in out:
            out.append(value)
    if len(out) > MAX_VALUES:
        raise SearchError(f"bad_{field}", f"at most {MAX_VALUES} {field} values")
    return tuple(out)


def _day(raw: str | None, name: str, end: bool) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    m = _DAY.match(raw) if len(raw) <= 10 else None
    try:
        if m is None:
            raise ValueError
        year, month, day = int(m.group(1)), m.group(2), m.group(3)
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            last = calendar.monthrange(year, int(month))[1]
            return date(year, int(month), last if end else 1)
        return date(year, int(month), int(day))
    except ValueError:
        raise SearchError(f"bad_{name}", f"{name} must be a date like 2024-09-01, 2024-09 or 2024") from None
