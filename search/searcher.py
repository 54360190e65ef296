"""`Searcher`: keyword, semantic and hybrid search over one index generation.

Usable from a Python shell::

    >>> from search import Searcher
    >>> s = Searcher.open("indexes/default")
    >>> s.search("US backs Israel against Hezbollah", mode="hybrid").hits[0].article.title
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .article import Article
from .config import Settings
from .embedder import Embedder
from .fusion import reciprocal_rank, weighted
from .keyword import KeywordIndex, positive_terms
from .layout import Generation, IndexDir
from .snippets import count_terms, snippet
from .store import ArticleStore, Passage
from .vectors import VectorIndex

MODES = ("hybrid", "keyword", "semantic")
# Control characters and lone surrogates: never meaningful in a query.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class SearchError(ValueError):
    """A request the searcher refuses; ``code`` is machine-readable."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Hit:
    article: Article
    score: float
    snippet: str  # HTML: escaped text, query words in <mark>

    def to_dict(self) -> dict[str, Any]:
        a = self.article
        return {
            "id": a.id,
            "url": a.url,
            "title": a.title,
            "published": a.published.isoformat() if a.published else None,
            "category": a.category,
            "author": a.author,
            "lang": a.lang,
            "score": round(self.score, 6),
            "snippet": self.snippet,
        }


@dataclass
class SearchResponse:
    query: str
    mode: str
    page: int
    size: int
    total: int = 0
    took_ms: float = 0.0
    hits: list[Hit] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "total": self.total,
            "page": self.page,
            "size": self.size,
            "took_ms": round(self.took_ms, 2),
            "results": [h.to_dict() for h in self.hits],
        }


@dataclass
class _Candidates:
    ranked: list[tuple[int, float]]  # (article ordinal, score), best first
    total: int
    best_passage: dict[int, int] = field(default_factory=dict)  # ord -> pid


class Searcher:
    """Searches one index generation; safe to share between threads."""

    def __init__(self, generation: Generation, settings: Settings, embedder: Embedder | None = None):
        self.generation = generation
        self.settings = settings
        self._hold = generation.hold()  # keeps the files from being pruned while open
        try:
            self.manifest = generation.manifest()
            self.store = ArticleStore(generation.store_file)
            self.keyword = KeywordIndex(
                generation.keyword_dir, settings.bm25_k1, settings.bm25_b, settings.title_boost,
                fast=settings.fast_keyword,
            )
            self.vectors = VectorIndex.load(generation.vectors_file, settings.ivf_nprobe, mmap=True)
            self.passage_article = _passage_articles(generation, self.store)
        except BaseException:
            self._hold.release()
            raise
        # Queries are embedded as the index's passages were.
        self.embedder = embedder or Embedder.for_settings(
            settings, self.manifest["model_path"], self.manifest.get("embed_backend", "torch"))

    @classmethod
    def open(cls, index_dir: Path | str | None = None, settings: Settings | None = None,
             embedder: Embedder | None = None) -> "Searcher":
        """The searcher of the live generation in ``index_dir``."""
        settings = settings or Settings.from_env()
        root = Path(index_dir) if index_dir is not None else settings.index_dir
        return cls(IndexDir(root).current(), settings, embedder)

    def close(self) -> None:
        self.keyword.close()
        self.store.close()
        self._hold.release()

    @property
    def article_count(self) -> int:
        return int(self.manifest["articles"])

    def search(self, query: str, mode: str = "hybrid", page: int = 1, size: int = 10) -> SearchResponse:
        started = time.perf_counter()
        query = self._check(query, mode, page, size)
        response = SearchResponse(query=query, mode=mode, page=page, size=size)
        if query:
            depth = max(self.settings.candidate_depth, page * size)
            parsed = self.keyword.parse(query)
            terms = positive_terms(parsed)
            qvec = None if mode == "keyword" else self.embedder.encode([query])[0]
            found = self._candidates(parsed, qvec, mode, depth)
            response.total = found.total
            window = found.ranked[(page - 1) * size : page * size]
            articles = self.store.get([o for o, _ in window])
            response.hits = [
                Hit(articles[o], score, self._snippet(o, articles[o], terms, qvec, found))
                for o, score in window
                if o in articles
            ]
        response.took_ms = (time.perf_counter() - started) * 1000
        return response

    # --- retrieval ---------------------------------------------------------
    def _candidates(self, parsed, qvec, mode: str, depth: int) -> _Candidates:
        if mode == "keyword":
            return self._keyword(parsed, depth)
        if mode == "semantic":
            return self._semantic(qvec, depth)
        kw = self._keyword(parsed, depth)
        sem = self._semantic(qvec, depth)
        w = self.settings.semantic_weight
        if self.settings.fusion == "weighted":
            fused = weighted([kw.ranked, sem.ranked], [1 - w, w])
        else:
            fused = reciprocal_rank([kw.ranked, sem.ranked], [1 - w, w], self.settings.rrf_k)
        return _Candidates(fused, len(fused), sem.best_passage)

    def _keyword(self, parsed, depth: int) -> _Candidates:
        hits, total = self.keyword.search(parsed, depth)
        return _Candidates(hits, total)

    def _semantic(self, qvec: np.ndarray, depth: int) -> _Candidates:
        """Articles ranked by their best passage among the nearest passages."""
        scores, pids = self.vectors.search(qvec, depth * 4)
        ords = self.passage_article[pids] if len(pids) else pids
        best: dict[int, tuple[float, int]] = {}
        for score, pid, ord_ in zip(scores.tolist(), pids.tolist(), ords.tolist()):
            if ord_ >= 0 and ord_ not in best:  # passages arrive best first
                best[ord_] = (score, pid)
        ranked = [(o, s) for o, (s, _) in best.items()][:depth]
        return _Candidates(ranked, len(ranked), {o: p for o, (_, p) in best.items()})

    # --- snippets ------------------------------------------------------------
    def _snippet(self, ord_: int, article: Article, terms: set[str], qvec, found: _Candidates) -> str:
        passage = self._best_passage(ord_, article, terms, qvec, found)
        text = article.body[passage.start : passage.end] if passage else ""
        return snippet(text or article.title, terms, self.settings.snippet_chars)

    def _best_passage(self, ord_, article, terms, qvec, found) -> Passage | None:
        """The passage answering the query best: by meaning when the query was
        embedded, otherwise by the query words it contains."""
        passages = self.store.passages(ord_)
        if len(passages) <= 1:
            return passages[0] if passages else None
        if qvec is not None:
            pid = found.best_passage.get(ord_)
            if pid is None:
                sims = self.vectors.vectors([p.pid for p in passages]) @ qvec
                pid = passages[int(np.argmax(sims))].pid
            return next(p for p in passages if p.pid == pid)
        counts = [count_terms(article.body[p.start : p.end], terms) for p in passages]
        return passages[max(range(len(passages)), key=lambda i: (counts[i], -i))]

    def _check(self, query: str, mode: str, page: int, size: int) -> str:
        s = self.settings
        if mode not in MODES:
            raise SearchError("bad_mode", f"mode must be one of {', '.join(MODES)}")
        if not 1 <= size <= s.max_page_size:
            raise SearchError("bad_size", f"size must be between 1 and {s.max_page_size}")
        if page < 1 or page * size > s.max_results:
            raise SearchError("bad_page", f"page must be >= 1 and page*size <= {s.max_results}")
        if len(query) > s.max_query_chars:
            raise SearchError("query_too_long", f"query is longer than {s.max_query_chars} characters")
        return " ".join(_CONTROL.sub(" ", query).split())


def _passage_articles(generation: Generation, store: ArticleStore) -> np.ndarray:
    """Article ordinal of every passage id, memory-mapped (read from the store
    for generations without the array)."""
    if generation.passage_articles_file.exists():
        return np.load(generation.passage_articles_file, mmap_mode="r")
    return store.passage_articles()
