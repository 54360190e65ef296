"""The search a news site's readers get: typo-proof, with the editors' synonyms and pins.

    >>> from search import Searcher
    >>> from search.features.editors import Editors
    >>> s = Searcher.open("indexes/default")
    >>> site_search(s, Editors("indexes/default/editors"), "hezbolah netanyahoo").corrected_query
    'hezbollah netanyahu'

Around `Searcher.search`: a misspelled query that finds little is searched
corrected (`search.features.correction`; ``correct=False`` searches it as typed), the
editors' synonyms expand it (`search.features.synonyms`) and their pins for it lead
(`search.features.pins`).  The response names the query as typed, and the corrected
one in ``corrected_query``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from search.features.correction import correction
from search.features.editors import Editors
from search.features.pins import pinned_for
from search.features.spelling import did_you_mean
from search.features.synonyms import Synonyms
from search.searcher import Searcher, SearchResponse, clean_query


def site_search(searcher: Searcher, editors: Editors | None, query: str, *, correct: bool = True,
                today: dt.date | None = None, **options: Any) -> SearchResponse:
    """`Searcher.search` of ``query`` as a reader means it; ``options`` go to it."""
    limit = searcher.settings.max_query_chars
    if len(query) > limit:  # refused by the searcher, before any work
        return searcher.search(query, **options)
    typed = clean_query(query)
    synonyms = editors.synonyms() if editors is not None else Synonyms()
    fixed = None
    # A query holding an editors' synonym is never "corrected" away from it.
    if typed and correct and searcher.settings.auto_correct and synonyms.expand(typed) == typed:
        fixed = correction(searcher, typed)
    text = fixed or typed
    expanded = synonyms.expand(text)
    expanded = expanded if len(expanded) <= limit else text
    pinned = pinned_for(editors.pins(), text, today or dt.date.today()) if editors and text else ()
    response = searcher.search(expanded, pinned=pinned, **options)
    response.query = typed
    response.corrected_query = fixed
    if fixed:
        response.suggestion = None
    elif expanded != typed:
        response.suggestion = did_you_mean(searcher.vocabulary.get(), typed)
    return response
