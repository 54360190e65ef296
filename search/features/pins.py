"""Editors' pins: for a query, chosen articles first, between two dates.

A pin (``{"query": "elections", "ids": [...], "start": "2024-10-01",
"end": "2024-11-30"}``) applies to a query equal to its own (case and spacing
aside) on the days from ``start`` to ``end`` (both included; either may be
missing).  Pinned articles lead the results in the pin's order, if they pass
the reader's filters, and count as matches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from search.errors import SearchError

MAX_IDS = 20


def normal_query(text: str) -> str:
    """How queries are compared: case-folded, single spaces."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Pin:
    query: str
    ids: tuple[str, ...]
    start: dt.date | None = None
    end: dt.date | None = None

    def applies(self, query: str, today: dt.date) -> bool:
        return (normal_query(query) == normal_query(self.query)
                and (self.start is None or self.start <= today)
                and (self.end is None or today <= self.end))

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "ids": list(self.ids),
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None}

    @classmethod
    def from_dict(cls, d: Any) -> "Pin":
        """A pin from JSON; `SearchError` ``bad_pins`` if malformed."""
        if not isinstance(d, dict) or set(d) - {"query", "ids", "start", "end"}:
            raise SearchError("bad_pins", "a pin is an object with query, ids, start, end")
        query, ids = d.get("query"), d.get("ids")
        if not isinstance(query, str) or not normal_query(query):
            raise SearchError("bad_pins", "a pin needs a query")
        if (not isinstance(ids, list) or not 1 <= len(ids) <= MAX_IDS
                or not all(isinstance(i, str) and i for i in ids)):
            raise SearchError("bad_pins", f"a pin needs 1 to {MAX_IDS} article ids")
        start, end = _date(d.get("start")), _date(d.get("end"))
        if start and end and end < start:
            raise SearchError("bad_pins", f"pin {query!r} ends before it starts")
        return cls(query, tuple(dict.fromkeys(ids)), start, end)


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise SearchError("bad_pins", f"pin dates are YYYY-MM-DD, not {value!r}") from None


def pinned_for(pins: Sequence[Pin], query: str, today: dt.date) -> tuple[str, ...]:
    """The article ids pinned for ``query`` today, in order (a tuple: part of
    the response cache's key)."""
    ids: dict[str, None] = {}
    for pin in pins:
        if pin.applies(query, today):
            ids.update(dict.fromkeys(pin.ids))
    return tuple(ids)


def pinned_ords(store, ids: Sequence[str], allow: np.ndarray | None) -> np.ndarray:
    """Ordinals of the indexed articles among ``ids`` that ``allow`` (the
    filters' mask) lets through, in order."""
    ords = []
    for article_id in ids:
        found = store.get_by_id(article_id)
        if found is not None and (allow is None or allow[found[0]]):
            ords.append(found[0])
    return np.asarray(ords, dtype=np.int64)


def pin_first(ranked: list[tuple[int, float]], first: np.ndarray) -> list[tuple[int, float]]:
    """``ranked`` with the ``first`` ordinals leading, at the top score."""
    if not len(first):
        return ranked
    top = max((s for _, s in ranked[:1]), default=1.0)
    lead = [int(o) for o in first]
    taken = set(lead)
    return [(o, top) for o in lead] + [(o, s) for o, s in ranked if o not in taken]
