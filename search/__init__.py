"""Search core: keyword (Whoosh BM25F), semantic (faiss) and hybrid ranking."""

from .article import Article
from .config import Settings
from .layout import IndexNotFound
from .searcher import MODES, Hit, SearchError, SearchResponse, Searcher

__all__ = ["Article", "Hit", "IndexNotFound", "MODES", "SearchError", "SearchResponse",
           "Searcher", "Settings"]
