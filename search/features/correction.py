"""Typo-proof search: search the corrected query when the typed one finds little.

`spelling.did_you_mean` corrects words that are unknown or rare in the index
with close, common ones.  The correction is searched instead of the query
when it matches much better: no article holds every word of the query, and
some article holds every word of the correction.  A query whose words all
meet in some article is searched as typed, rare words and all; so is one
whose correction meets nowhere either ("self-driving cars law" is not
turned into "self-drinking caps law").
"""

from __future__ import annotations

import numpy as np

from search.features.spelling import did_you_mean
from search.text.analysis import STOP_WORDS, fold, language
from search.text.syntax import plain_text

_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def correction(searcher, query: str) -> str | None:
    """The query to search instead of ``query``, or None to search it as typed."""
    qlang = searcher.query_language(plain_text(query) or query)
    fixed = did_you_mean(searcher.vocabulary.get(), query, searcher.stem_articles(qlang))
    if not fixed:
        return None
    if _articles_with_every_word(searcher, query, qlang):
        return None
    return fixed if _articles_with_every_word(searcher, fixed, qlang) else None


def _articles_with_every_word(searcher, query: str, qlang: str) -> int:
    """How many articles hold every word of ``query`` (stop words aside),
    its words stemmed as the search stems them (Azerbaijani as Azerbaijani)."""
    words = [w for w in dict.fromkeys(plain_text(query).split())
             if w not in _OPERATORS and w.casefold() not in STOP_WORDS]
    # Rarest first: a word that meets nowhere (the usual typo) ends it before
    # any common word's long list of articles is read (at 100k articles, a
    # 10-word query took up to 100 ms in the query's order).
    vocabulary = searcher.vocabulary.get()
    words.sort(key=lambda w: vocabulary.count(fold(w)))
    every: np.ndarray | None = None
    for word in words:
        with language(qlang):
            parsed = searcher.keyword.parse(word)
        found = searcher.keyword.matching(parsed)
        every = found if every is None else np.intersect1d(every, found)
        if not len(every):
            return 0
    return 0 if every is None else len(every)
