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
from functools import partial
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from search.article import Article
from search.cache import SearchCache, cached_search
from search.config import Settings
from search.errors import SearchError
from search.features.pins import pin_first, pinned_ords
from search.features.snippets import snippet, term_matches
from search.features.spelling import did_you_mean
from search.features.suggest import Completer, Suggestion
from search.index.article_vectors import ArticleVectors
from search.index.keyword import positive_terms
from search.index.layout import Generation, IndexDir
from search.index.parts import IndexParts, open_local
from search.index.store import Passage
from search.index.vocabulary import LazyVocabulary
from search.models import threads
from search.models.embedder import Embedder, embedders_for, for_queries, vector_space
from search.models.spaces import home
from search.ranking.duplicates import Group, collapse
from search.ranking.facets import ArticleFacts
from search.ranking.filters import Filters
from search.ranking.floor import query_length, similarity_floor
from search.ranking.fusion import reciprocal_rank, weighted
from search.ranking.query_offset import PASSAGES, TITLES, QueryOffset, bundled_means, evenly
from search.ranking.recency import boost
from search.ranking.semantic import SemanticSpaces, Space
from search.text import romanize
from search.text.analysis import language
from search.text.query_language import query_language
from search.text.syntax import negated, plain_text

MODES = ("hybrid", "keyword", "semantic")
SORTS = ("relevance", "newest")
# Control characters and lone surrogates: never meaningful in a query.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass
class Hit:
    article: Article
    score: float
    snippet: str  # HTML: escaped text, query words in <mark>
    similar: list[Article] = field(default_factory=list)  # near-duplicates collapsed into it

    def to_dict(self) -> dict[str, Any]:
        return {
            **article_fields(self.article),
            "score": round(self.score, 6),
            "snippet": self.snippet,
            "similar_count": len(self.similar),
            "similar": [article_fields(a) for a in self.similar],
        }


def article_fields(a: Article) -> dict[str, Any]:
    """An article's fields as results show them (no body)."""
    return {
        "id": a.id,
        "url": a.url,
        "title": a.title,
        "published": a.published.isoformat() if a.published else None,
        "category": a.category,
        "author": a.author,
        "lang": a.lang,
    }


@dataclass
class SearchResponse:
    query: str
    mode: str
    page: int
    size: int
    sort: str = "relevance"
    filters: Filters = field(default_factory=Filters)
    total: int = 0
    took_ms: float = 0.0
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None  # "did you mean" query
    corrected_query: str | None = None  # searched instead of `query` (search.features.correction)
    query_lang: str = ""  # the language the query was read in
    facets: dict[str, list[dict[str, Any]]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "sort": self.sort,
            "filters": self.filters.to_dict(),
            "total": self.total,
            "page": self.page,
            "size": self.size,
            "took_ms": round(self.took_ms, 2),
            "suggestion": self.suggestion,
            "corrected_query": self.corrected_query,
            "query_lang": self.query_lang,
            "facets": self.facets,
            "results": [h.to_dict() for h in self.hits],
        }


@dataclass
class Related:
    """An article, its other versions (near-duplicates) and related stories."""

    article: Article
    versions: list[Hit]
    related: list[Hit]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.article.id, "versions": [h.to_dict() for h in self.versions],
                "related": [h.to_dict() for h in self.related]}


@dataclass
class _Candidates:
    ranked: list[tuple[int, float]]  # (article ordinal, score), best first
    total: int
    best_passage: dict[int, int] = field(default_factory=dict)  # ord -> pid
    pool: np.ndarray | None = None  # every candidate before filters (facets, totals)
    # Semantic: every retrieved article, below the relevance floor too (fused by hybrid).
    unfloored: list[tuple[int, float]] = field(default_factory=list)


class Searcher:
    """Searches one index generation; safe to share between threads."""

    def __init__(self, source: Generation | IndexParts, settings: Settings,
                 embedder: Embedder | None = None, encoders: list | None = None):
        """A searcher of a generation (opened here) or of opened parts
        (`search.shards.sharded`); ``encoders``: the query encoder of each space,
        if not loaded here (`embedders_for`; e5 embeds queries with its query
        prefix, `for_queries`)."""
        self.settings = settings
        threads.limit(settings.request_threads)
        parts = self.parts = (open_local(source, settings) if isinstance(source, Generation)
                              else source)
        self.generation, self.manifest = parts.generation, parts.manifest
        self.store, self.keyword, self.passage_article = parts.store, parts.keyword, parts.passage_article
        self.facts = ArticleFacts(parts.facts)
        specs, indexes = parts.specs, parts.indexes
        embedders = [for_queries(e) for e in encoders or embedders_for(
            specs, settings, embedder or query_embedder(settings, self.manifest))]
        self.cache = SearchCache(settings, self.generation.name)
        spaces = [Space(spec, index, self.cache.encoder(emb, spec.name),
                        *settings.calibration_for(spec.model),
                        similarity_floor(settings, spec.model))
                  for spec, index, emb in zip(specs, indexes, embedders)]
        langs = [""] * self.facts.size
        for ord_, _, _, lang, _ in parts.facts:
            langs[ord_] = lang or ""
        self.semantic = SemanticSpaces(spaces, langs, self.passage_article, settings.cross_lingual)
        self.languages = self.semantic.languages
        self.vectors, self.embedder = indexes[0], embedders[0]  # the main model's
        homes = np.asarray([home(lang, specs) for lang in langs], dtype=np.int8)
        for i, (space, emb) in enumerate(zip(spaces, embedders)):
            if settings.moves_queries(space.spec.model):
                space.offset = QueryOffset(self._titles, partial(self._passage_sample, i, homes),
                                           emb.encode, bundled_means(space.spec.model))
        self.article_vectors = ArticleVectors(self.passage_article, indexes, homes)
        # The near-duplicate threshold of each space's model (last: no vectors).
        self._duplicate_cosine = np.asarray(
            [settings.duplicate_cosine_for(spec.model) for spec in specs] + [1.0], dtype=np.float32)
        self.vocabulary = LazyVocabulary(parts.vocabulary)
        self.completer = Completer(self.keyword, self.vocabulary)

    @classmethod
    def open(cls, index_dir: Path | str | None = None, settings: Settings | None = None,
             embedder: Embedder | None = None) -> "Searcher":
        """The searcher of the live generation in ``index_dir``."""
        settings = settings or Settings.from_env()
        root = Path(index_dir) if index_dir is not None else settings.index_dir
        return cls(IndexDir(root).current(), settings, embedder)

    def warm(self) -> float:
        """Load what searching loads on first use, so that no reader waits for
        it: each query encoder a search uses, the vocabulary (did-you-mean,
        suggestions), the postings and vectors a search in every mode reads,
        the facets, and a related-stories lookup.  Seconds taken."""
        started = time.perf_counter()
        vocabulary = self.vocabulary.get()
        frequent = [vocabulary.words[i] for i in np.argsort(-vocabulary.counts)[:2]]
        query = " ".join(frequent) or "news"
        for space in self.semantic.spaces:
            if len(space.vectors):  # an empty space's model is never asked: not loaded
                space.embedder.encode([query])
                for lang in sorted(self.languages) if space.offset else ():
                    space.offset.means(lang)  # measured before the first reader
        hits = []
        for mode in MODES:
            hits += self.search(query, mode, facets=True).hits
        self.suggest(query[:3])
        if hits:
            self.related(hits[0].article.id)
        return time.perf_counter() - started

    def close(self) -> None:
        self.parts.close()

    @property
    def article_count(self) -> int:
        return int(self.manifest["articles"])

    @cached_search
    def search(self, query: str, mode: str = "hybrid", page: int = 1, size: int = 10,
               filters: Filters | None = None, sort: str = "relevance",
               facets: bool = False, pinned: Sequence[str] = ()) -> SearchResponse:
        """One page of results; ``facets=True`` also counts facet values;
        ``pinned`` article ids come first (editors' pins, sorted by relevance)."""
        started = time.perf_counter()
        query = self._check(query, mode, page, size, sort)
        filters = filters or Filters()
        response = SearchResponse(query=query, mode=mode, page=page, size=size, sort=sort,
                                  filters=filters)
        if query:
            embed = plain_text(query)
            qlang = response.query_lang = self.query_language(embed or query)
            parsed = self._parse(query, qlang)
            terms = positive_terms(parsed)
            mode = self._mode_for(mode, qlang)
            qvec = None if mode == "keyword" or not embed else self.semantic.embed(embed, qlang)
            allow = self.facts.mask(filters)
            pool = None if mode == "semantic" else self.keyword.matching(parsed)
            depth = max(self.settings.candidate_depth, page * size)
            # Sorted by date, every keyword match is a candidate, not just the most relevant.
            kw_depth = max(depth, len(pool)) if sort == "newest" and pool is not None else depth
            kept = None if mode == "keyword" else self._kept(parsed)
            found = self._candidates(parsed, qvec, qlang, mode, depth, allow, kept, kw_depth,
                                     query_length(embed))
            ranked = (self.facts.newest_first(found.ranked) if sort == "newest"
                      else self._recency(found.ranked))
            first = pinned_ords(self.store, pinned if sort == "relevance" else (), allow)
            ranked = pin_first(ranked, first)
            groups = self._collapse(ranked, max(self.settings.collapse_depth, page * size))
            pool = _union(found.pool if pool is None else _union(pool, found.pool), first)
            matched = pool if allow is None else pool[allow[pool]]
            response.total = max(0, len(matched) - (len(ranked) - len(groups)))
            names = frozenset(positive_terms(parsed, (romanize.FIELD,)))
            response.hits = self._hits(groups[(page - 1) * size : page * size], terms, qvec, found,
                                       names)
            response.suggestion = did_you_mean(self.vocabulary.get(), query,
                                               self.stem_articles(qlang))
            if facets:
                response.facets = self.facts.counts(pool, filters)
        response.took_ms = (time.perf_counter() - started) * 1000
        return response

    def rank(self, query: str, mode: str = "hybrid", depth: int | None = None,
             qvec: dict[int, np.ndarray] | None = None) -> list[tuple[int, float]]:
        """(article ordinal, score) of the best ``depth`` articles for ``query``,
        ranked as `search` ranks them but without filters, near-duplicate
        collapsing or snippets (for evaluation); ``qvec`` is the query's
        embeddings (`embed_query`) if already computed."""
        query = self._check(query, mode, 1, 1)
        if not query:
            return []
        depth = depth or self.settings.candidate_depth
        qlang = self.query_language(plain_text(query) or query)
        parsed = self._parse(query, qlang)
        mode = self._mode_for(mode, qlang)
        if qvec is None and mode != "keyword":
            qvec = self.embed_query(query)
        kept = None if mode == "keyword" else self._kept(parsed)
        found = self._candidates(parsed, qvec, qlang, mode, depth, kept=kept,
                                 words=query_length(plain_text(query)))
        return self._recency(found.ranked)[:depth]

    def _parse(self, query: str, qlang: str):
        """The keyword query, its words analysed as ``qlang`` is (`search.text.analysis`)."""
        with language(qlang):
            return self.keyword.parse(query)

    def stem_articles(self, qlang: str):
        """How many articles hold a word in any of its forms (its indexed
        term), the word analysed as ``qlang`` is (for spelling)."""

        def articles(word: str) -> int:
            with language(qlang):
                parsed = self.keyword.parse(word)
            return len(self.keyword.matching(parsed))

        return articles

    def query_language(self, text: str) -> str:
        """The language ``text`` is read in, among the index's languages."""
        main = self.semantic.spaces[0].spec.langs
        return query_language(text, self.languages, main[0] if main else "en")

    def embed_query(self, query: str) -> dict[int, np.ndarray] | None:
        """The query's embeddings in the spaces it searches (None: no words to embed)."""
        embed = plain_text(query)
        return self.semantic.embed(embed, self.query_language(embed)) if embed else None

    def _mode_for(self, mode: str, qlang: str) -> str:
        """Semantic and hybrid search in a language no model reads rank by
        keywords (its hybrid ranking is its keyword ranking, scores included)."""
        return "keyword" if mode != "keyword" and not self.semantic.routes(qlang) else mode

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Autocompletions for a partly typed query (words and titles)."""
        prefix = prefix[: self.settings.max_query_chars]
        return self.completer.complete(prefix, limit, self.query_language(prefix))

    def article(self, article_id: str) -> Article | None:
        found = self.store.get_by_id(article_id)
        return found[1] if found else None

    def related(self, article_id: str, count: int | None = None) -> Related | None:
        """The article's near-duplicates and its most related stories by meaning."""
        found = self.store.get_by_id(article_id)
        if found is None:
            return None
        ord_, article = found
        count = count or self.settings.related_count
        near = [(o, s) for o, s in self._near(ord_, count * 4) if o != ord_]
        own, *others = self._collapse([(ord_, 1.0)] + near, len(near) + 1)
        ords = own.similar + [o for g in others[:count] for o in [g.ord] + g.similar]
        articles = self.store.get(ords)
        scores = dict(near)
        lead = self.settings.snippet_chars

        def hit(o: int) -> Hit:
            return Hit(articles[o], scores[o], snippet(articles[o].body[: lead * 2], set(), lead))

        return Related(article, [hit(o) for o in own.similar if o in articles],
                       [hit(g.ord) for g in others[:count] if g.ord in articles])

    # --- retrieval ---------------------------------------------------------
    def _candidates(self, parsed, qvec, qlang: str, mode: str, depth: int, allow=None,
                    kept=None, kw_depth: int | None = None, words: int = 0) -> _Candidates:
        kw_depth = kw_depth or depth
        if mode == "keyword":
            return self._keyword(parsed, kw_depth, allow)
        if mode == "semantic":
            return self._semantic(qvec, qlang, depth, allow, kept, words)
        kw = self._keyword(parsed, kw_depth, allow)
        sem = self._semantic(qvec, qlang, depth, allow, kept, words)
        w = self.settings.semantic_weight_for(qlang)
        if self.settings.fusion == "weighted":
            # Words cannot match an article in another language: only its
            # meaning ranks it (cross-lingual results, `fusion.weighted`).
            foreign = self.semantic.foreign(qlang)
            fused = weighted([kw.ranked, sem.unfloored], [1 - w, w], [foreign.__getitem__, None],
                             self.settings.cross_lingual_credit)
        else:
            fused = reciprocal_rank([kw.ranked, sem.unfloored], [1 - w, w], self.settings.rrf_k)
        # The floor decides which semantic hits are matches, not how matches rank.
        matches = {o for o, _ in kw.ranked}.union(o for o, _ in sem.ranked)
        fused = [(o, score) for o, score in fused if o in matches]
        return _Candidates(fused, len(fused), sem.best_passage, sem.pool)

    def _recency(self, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """``ranked`` with the news recency boost, if configured (see `recency`)."""
        s = self.settings
        return boost(ranked, self.facts.time, time.time(), s.recency_weight,
                     s.recency_half_life_days)

    def _kept(self, parsed) -> np.ndarray | None:
        """Mask of the articles not matching an excluded part of the query
        (``-word``, ``NOT word``), for the semantic side; None if nothing is excluded."""
        ords = self.keyword.matching(negated(parsed))
        if not len(ords):
            return None
        mask = np.ones(self.facts.size, dtype=bool)
        mask[ords[ords < self.facts.size]] = False
        return mask

    def _keyword(self, parsed, depth: int, allow=None) -> _Candidates:
        hits, total = self.keyword.search(parsed, depth, allow)
        return _Candidates(hits, total, pool=np.zeros(0, dtype=np.int64))

    def _semantic(self, qvec: dict[int, np.ndarray] | None, qlang: str, depth: int, allow=None,
                  kept=None, words: int = 0) -> _Candidates:
        """Articles ranked by their nearest passages (see `rollup`), in the
        spaces a query in ``qlang`` searches (`search.ranking.semantic`).

        The candidates (``pool``) are the articles of the nearest
        passages that ``kept`` keeps; ``allow`` (the filters' mask over
        ordinals) then decides which are ranked."""
        if not qvec:
            return _Candidates([], 0, pool=np.zeros(0, dtype=np.int64))
        s = self.settings
        found = self.semantic.search(qvec, qlang, depth * s.passages_per_article,
                                     s.passage_rollup_weight, words)

        def keep(ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
            return [(o, sc) for o, sc in ranked if kept is None or kept[o]][:depth]

        ranked, unfloored = keep(found.matches), keep(found.ranked)
        pool = np.asarray([o for o, _ in ranked], dtype=np.int64)
        if allow is not None:
            ranked = [(o, sc) for o, sc in ranked if allow[o]]
            unfloored = [(o, sc) for o, sc in unfloored if allow[o]]
        return _Candidates(ranked, len(ranked), found.best_passage, pool, unfloored)

    def _near(self, ord_: int, depth: int) -> list[tuple[int, float]]:
        """The articles nearest to article ``ord_`` in its home space, those
        in its own language first (`SemanticSpaces.near`)."""
        space = self.article_vectors.home(ord_)
        if space < 0:
            return []
        vector = self.article_vectors.of([ord_])[0][self.article_vectors.block(space)]
        return self.semantic.near(vector, space, ord_, depth * self.settings.passages_per_article)

    # --- results -------------------------------------------------------------
    def _collapse(self, ranked: list[tuple[int, float]], depth: int) -> list[Group]:
        s = self.settings
        cosine = self._duplicate_cosine[self.article_vectors.homes([o for o, _ in ranked[:depth]])]
        return collapse(ranked, self.article_vectors.of, self._texts,
                        cosine, s.duplicate_overlap, depth)

    def _titles(self, lang: str) -> list[str]:
        """Titles of up to `query_offset.TITLES` articles in ``lang``, evenly spread."""
        ords = evenly(np.flatnonzero(self.semantic.article_langs == lang), TITLES)
        return [a.title for a in self.store.get(ords.tolist()).values()]

    def _passage_sample(self, space: int, homes: np.ndarray) -> np.ndarray:
        """Vectors of up to `query_offset.PASSAGES` passages of ``space``, evenly spread."""
        pa = np.asarray(self.passage_article)
        pids = np.flatnonzero((pa >= 0) & (homes[np.maximum(pa, 0)] == space))
        return self.semantic.spaces[space].vectors.vectors(evenly(pids, PASSAGES))

    def _texts(self, ords: list[int]) -> dict[int, str]:
        return {o: a.text for o, a in self.store.get(ords).items()}

    def _hits(self, groups: list[Group], terms: set[str], qvec, found: _Candidates,
              names: frozenset[str] = frozenset()) -> list[Hit]:
        articles = self.store.get([o for g in groups for o in [g.ord] + g.similar])
        passages = self.store.passages_of([g.ord for g in groups])
        nearest = self._nearest_passages(passages, qvec, found)
        return [
            Hit(articles[g.ord], g.score,
                self._snippet(articles[g.ord], passages.get(g.ord, []), terms, nearest.get(g.ord),
                              names),
                [articles[o] for o in g.similar if o in articles])
            for g in groups
            if g.ord in articles
        ]

    # --- snippets ------------------------------------------------------------
    def _snippet(self, article: Article, passages: list[Passage], terms: set[str],
                 nearest: int | None, names: frozenset[str] = frozenset()) -> str:
        passage = _best_passage(article, passages, terms, nearest)
        text = article.body[passage.start : passage.end] if passage else ""
        with language(article.lang):
            return snippet(text or article.title, terms, self.settings.snippet_chars, names)

    def _nearest_passages(self, passages: dict[int, list[Passage]], qvec,
                          found: _Candidates) -> dict[int, int]:
        """The passage id nearest to the query of each article with several
        passages: found by the semantic search, else compared here (one
        vector read per space for the whole page)."""
        nearest = {o: found.best_passage[o] for o in passages if o in found.best_passage}
        if not qvec:
            return nearest
        by_space: dict[int, list[int]] = {}
        for o, ps in passages.items():
            space = self.article_vectors.home(o)
            if o not in nearest and len(ps) > 1 and space in qvec:
                by_space.setdefault(space, []).append(o)
        for space, ords in by_space.items():
            pids = [p.pid for o in ords for p in passages[o]]
            sims = self.semantic.spaces[space].vectors.vectors(pids) @ qvec[space]
            start = 0
            for o in ords:
                n = len(passages[o])
                nearest[o] = passages[o][int(np.argmax(sims[start : start + n]))].pid
                start += n
        return nearest

    def _check(self, query: str, mode: str, page: int, size: int, sort: str = "relevance") -> str:
        s = self.settings
        if mode not in MODES:
            raise SearchError("bad_mode", f"mode must be one of {', '.join(MODES)}")
        if sort not in SORTS:
            raise SearchError("bad_sort", f"sort must be one of {', '.join(SORTS)}")
        if not 1 <= size <= s.max_page_size:
            raise SearchError("bad_size", f"size must be between 1 and {s.max_page_size}")
        if page < 1 or page * size > s.max_results:
            raise SearchError("bad_page", f"page must be >= 1 and page*size <= {s.max_results}")
        if len(query) > s.max_query_chars:
            raise SearchError("query_too_long", f"query is longer than {s.max_query_chars} characters")
        return clean_query(query)


def _best_passage(article: Article, passages: list[Passage], terms: set[str],
                  nearest: int | None) -> Passage | None:
    """The passage answering the query best: the one nearest to it by meaning
    if the query was embedded, otherwise the one with most query words."""
    if len(passages) <= 1:
        return passages[0] if passages else None
    if nearest is not None:
        return next(p for p in passages if p.pid == nearest)
    with language(article.lang):
        found = term_matches(article.body, terms)

    def counts(i: int) -> tuple[int, int, int]:  # distinct terms, occurrences, earlier first
        p = passages[i]
        inside = [t for start, end, t in found if p.start <= start and end <= p.end]
        return len(set(inside)), len(inside), -i

    return passages[max(range(len(passages)), key=counts)]


def clean_query(query: str) -> str:
    """``query`` with control characters as spaces and single spaces."""
    return " ".join(_CONTROL.sub(" ", query).split())


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distinct ordinals of both arrays (a mask, not a sort: ``a`` may hold
    every article)."""
    if not len(b):
        return a
    mask = np.zeros(int(max(a.max(initial=-1), b.max())) + 1, dtype=bool)
    mask[a] = True
    mask[b] = True
    return np.flatnonzero(mask)


def query_embedder(settings: Settings, manifest: dict) -> Embedder:
    """Queries are embedded into the vectors of the index's passages by the
    index's model: with ``query_backend`` if set; else with the configured
    backend if it computes those vectors, else with the index's own."""
    backend = manifest.get("embed_backend", "torch")  # indexes without the key were fp32
    if settings.query_backend:
        backend = settings.query_backend
    elif vector_space(settings.embed_backend) == vector_space(backend):
        backend = settings.embed_backend
    return Embedder.for_settings(settings, manifest["model_path"], backend)
