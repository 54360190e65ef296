"""Every article's filterable facts, held as arrays indexed by ordinal.

Loaded once per searcher from the store (no bodies), they turn `Filters`
into a boolean mask over ordinals, order candidates newest first, and count
facet values over a candidate set.  The same code serves all three modes.

Facet counts are "disjunctive", as on shopping and news sites: the counts of
one field apply every other filter but not that field's own, so picking one
section still shows how many results the other sections would give.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

import numpy as np

from search.ranking.filters import FIELDS, Filters

FACET_LIMIT = 10  # values shown per field (selected ones always are)


@dataclass
class _Field:
    """One multi-valued field: value names and (ordinal, value code) pairs."""

    names: list[str]
    codes: dict[str, int]
    pair_ord: np.ndarray
    pair_code: np.ndarray

    @classmethod
    def build(cls, values: Iterable[tuple[int, list[str]]]) -> "_Field":
        none = np.zeros(0, dtype=np.int64)
        return cls([], {}, none, none).extended(values)

    def extended(self, values: Iterable[tuple[int, list[str]]]) -> "_Field":
        """This field with more (ordinal, values) pairs (a write-ahead log's articles)."""
        codes = dict(self.codes)
        ords: list[int] = []
        pair_codes: list[int] = []
        for ord_, vals in values:
            for v in vals:
                ords.append(ord_)
                pair_codes.append(codes.setdefault(v, len(codes)))
        return _Field(list(codes), codes, np.concatenate([self.pair_ord, np.asarray(ords, dtype=np.int64)]),
                      np.concatenate([self.pair_code, np.asarray(pair_codes, dtype=np.int64)]))

    def having(self, values: tuple[str, ...], size: int) -> np.ndarray:
        """Mask of the ordinals holding any of ``values``."""
        wanted = [self.codes[v] for v in values if v in self.codes]
        mask = np.zeros(size, dtype=bool)
        mask[self.pair_ord[np.isin(self.pair_code, wanted)]] = True
        return mask

    def count(self, base: np.ndarray) -> np.ndarray:
        return np.bincount(self.pair_code[base[self.pair_ord]], minlength=len(self.names))


def field_values(field: str, raw: str | None) -> list[str]:
    """The facet values of one stored field (authors are a ", "-joined list)."""
    if not raw:
        return []
    if field == "author":
        return [a for a in (p.strip() for p in raw.split(",")) if a]
    return [raw]


class ArticleFacts:
    def __init__(self, rows: Iterable[tuple[int, str, str, str, str | None]]):
        """``rows``: (ord, category, author, lang, published ISO text or None)."""
        rows = list(rows)
        self.size = max((r[0] for r in rows), default=0) + 1
        self.day = np.zeros(self.size, dtype=np.int32)  # proleptic day number, 0 = undated
        self.year = np.zeros(self.size, dtype=np.int32)
        self.time = np.full(self.size, -np.inf)  # POSIX seconds, for "newest first"
        for ord_, _, _, _, published in rows:
            if published:
                dt = datetime.fromisoformat(published)
                self.day[ord_] = dt.date().toordinal()
                self.year[ord_] = dt.year
                self.time[ord_] = dt.timestamp()
        self.fields = {
            name: _Field.build((r[0], field_values(name, r[1 + i])) for r in rows)
            for i, name in enumerate(FIELDS)
        }

    def extended(self, rows: Iterable[tuple[int, str, str, str, str | None]]) -> "ArticleFacts":
        """These facts and those of a few more articles with higher ordinals
        (a write-ahead log's, `search.index.delta`), without reading the
        others again."""
        rows = list(rows)
        more = ArticleFacts(rows)
        out = object.__new__(ArticleFacts)
        out.size = max(self.size, more.size)
        for name in ("day", "year", "time"):
            mine, theirs = getattr(self, name), getattr(more, name)
            joined = np.concatenate([mine, theirs[len(mine):]]) if len(theirs) > len(mine) else mine.copy()
            for r in rows:
                joined[r[0]] = theirs[r[0]]
            setattr(out, name, joined)
        out.fields = {name: self.fields[name].extended((r[0], field_values(name, r[1 + i])) for r in rows)
                      for i, name in enumerate(FIELDS)}
        return out

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Ordinals passing ``filters`` (None when nothing is filtered)."""
        if not filters.active:
            return None
        mask = np.ones(self.size, dtype=bool)
        for name in FIELDS:
            values = filters.values(name)
            if values:
                mask &= self.fields[name].having(values, self.size)
        if filters.dated:
            low = filters.date_from.toordinal() if filters.date_from else 1
            high = filters.date_to.toordinal() if filters.date_to else np.iinfo(np.int32).max
            mask &= (self.day >= low) & (self.day <= high)
        return mask

    def newest_first(self, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """``ranked`` by publication time, newest first; undated last, in their order."""
        return sorted(ranked, key=lambda item: -self.time[item[0]])

    def counts(self, candidates: np.ndarray, filters: Filters,
               limit: int = FACET_LIMIT) -> dict[str, list[dict[str, Any]]]:
        """Facet values and their counts among ``candidates`` (article ordinals)."""
        pool = np.zeros(self.size, dtype=bool)
        pool[candidates[(candidates >= 0) & (candidates < self.size)]] = True
        facets: dict[str, list[dict[str, Any]]] = {}
        for name in FIELDS:
            field = self.fields[name]
            counts = field.count(self._within(pool, filters.without(name)))
            selected = set(filters.values(name))
            order = sorted((i for i in np.flatnonzero(counts)), key=lambda i: (-counts[i], field.names[i]))
            shown = [field.names[i] for i in order[:limit]]
            shown += [v for v in filters.values(name) if v not in shown]
            facets[name] = [{"value": v, "count": int(counts[field.codes[v]]) if v in field.codes else 0,
                             "selected": v in selected} for v in shown]
        dated = self._within(pool, filters.without("date")) & (self.day > 0)
        years, counts = np.unique(self.year[dated], return_counts=True)
        chosen = _year_of(filters)
        facets["year"] = [{"value": str(y), "count": int(c), "selected": int(y) == chosen}
                          for y, c in sorted(zip(years.tolist(), counts.tolist()), reverse=True)[:limit]]
        return facets

    def _within(self, pool: np.ndarray, filters: Filters) -> np.ndarray:
        mask = self.mask(filters)
        return pool if mask is None else pool & mask


def _year_of(filters: Filters) -> int | None:
    """The year the date range covers exactly, if it does."""
    start, end = filters.date_from, filters.date_to
    if start and end and start.year == end.year and (start.month, start.day) == (1, 1) \
            and (end.month, end.day) == (12, 31):
        return start.year
    return None
