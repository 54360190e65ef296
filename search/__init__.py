"""Search core: keyword (Whoosh BM25F), semantic (faiss) and hybrid ranking."""

from .article import Article
from .config import Settings
from .filters import Filters
from .layout import IndexNotFound
from .searcher import MODES, SORTS, Hit, SearchError, SearchResponse, Searcher

__all__ = ["Article", "Filters", "Hit", "IndexNotFound", "MODES", "SORTS", "SearchError",
           "SearchResponse", "Searcher", "Settings"]
