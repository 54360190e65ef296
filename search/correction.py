"""Typo-proof search: search the corrected query when the typed one finds little.

`spelling.did_you_mean` corrects words that are unknown or rare in the index
with close, common ones.  The correction is searched instead of the query
when it matches much better: no article holds every word of the query but
some article holds every word of the correction, or (no article holding every
word of either) more articles hold some word of it.  A query whose words all
meet in some article is searched as typed, rare words and all.
"""

from __future__ import annotations

import numpy as np

from .analysis import STOP_WORDS
from .spelling import did_you_mean
from .syntax import plain_text

_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def correction(searcher, query: str) -> str | None:
    """The query to search instead of ``query``, or None to search it as typed."""
    fixed = did_you_mean(searcher.vocabulary.get(), query)
    if not fixed:
        return None
    every_before, some_before = _coverage(searcher, query)
    if every_before:
        return None
    every_after, some_after = _coverage(searcher, fixed)
    return fixed if every_after or some_after > some_before else None


def _coverage(searcher, query: str) -> tuple[int, int]:
    """(articles holding every word of ``query``, articles holding some word)."""
    words = [w for w in dict.fromkeys(plain_text(query).split())
             if w not in _OPERATORS and w.casefold() not in STOP_WORDS]
    every: np.ndarray | None = None
    some = np.zeros(0, dtype=np.int64)
    for word in words:
        found = searcher.keyword.matching(searcher.keyword.parse(word))
        every = found if every is None else np.intersect1d(every, found)
        some = np.union1d(some, found)
    return (0 if every is None else len(every)), len(some)
