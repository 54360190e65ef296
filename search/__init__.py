"""Search core: keyword (Whoosh BM25F), semantic (faiss) and hybrid ranking.

Plain objects, usable from a Python shell without Flask.  The rooms, each a
sub-package that may import only the rooms below it:

    serving/    a live searcher over a changing index; the site's search
    searcher    the `Searcher` facade (with its caches, `cache`)
    shards/     one index split over processes or machines
    features/   snippets, suggestions, did-you-mean, editors' pins, analytics
    ranking/    semantic ranking, fusion, recency, filters, facets, collapsing
    index/      the on-disk format: generations, store, keyword, vectors
    models/     the sentence encoders
    text/       analysis of words and query syntax
    article, config, errors: the records every room shares

Nothing here imports `indexer`, `web` or the CLI (`newsearch`);
docs/architecture.md walks a query and an article through the rooms.
"""

from search.article import Article
from search.config import Settings
from search.index.layout import IndexNotFound
from search.ranking.filters import Filters
from search.searcher import MODES, SORTS, Hit, Searcher, SearchError, SearchResponse

__all__ = ["Article", "Filters", "Hit", "IndexNotFound", "MODES", "SORTS", "SearchError",
           "SearchResponse", "Searcher", "Settings"]
