"""The semantic half of a search over several vector spaces (`search.models.spaces`).

A query is embedded for the spaces whose model reads its language.  The
first of them is searched (all of it with cross-lingual search, else only
articles in the query's language); with cross-lingual search the others are
searched too, restricted to the articles the first does not hold (an English
query reaches Russian articles through the multilingual space).  Each model's
cosines are calibrated (`Settings.score_calibration`) so that the lists merge
into one ranking.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from search.index.vectors import PidSet, VectorIndex
from search.models.spaces import SpaceSpec
from search.ranking.floor import NO_FLOOR, NONE, Floor
from search.ranking.query_offset import QueryOffset
from search.ranking.rollup import rollup


@dataclass
class Space:
    """One loaded space: its vectors, query embedder and score calibration."""

    spec: SpaceSpec
    vectors: VectorIndex
    embedder: object
    scale: float = 1.0
    shift: float = 0.0
    floor: Floor = NONE  # cosines below are no match (search.ranking.floor)
    offset: QueryOffset | None = None  # moves a query to the passages' side

    def calibrated(self, cosines: np.ndarray) -> np.ndarray:
        return cosines * self.scale + self.shift


@dataclass
class Found:
    """A semantic search's articles, best first, as (article ordinal, score).

    ``matches`` reach the relevance floor: they are what semantic search
    answers and what counts as a match.  ``ranked`` holds every retrieved
    article, floor or not: hybrid ranking fuses it, so that the floor
    decides which articles are matches without changing how the keyword
    matches are ordered.  ``best_passage``: each article's nearest passage id."""

    matches: list[tuple[int, float]]
    ranked: list[tuple[int, float]]
    best_passage: dict[int, int]


@dataclass
class Route:
    """One space to search for a query, and which of its articles count."""

    space: int
    only: PidSet | None  # None: every passage of the space


class SemanticSpaces:
    """The spaces of one generation and the article languages routing uses."""

    def __init__(self, spaces: list[Space], article_lang: list[str], passage_article: np.ndarray,
                 cross_lingual: bool):
        self.spaces = spaces
        self.cross_lingual = cross_lingual
        self._lang = np.asarray(article_lang, dtype=object)
        self._passage_article = passage_article
        self._routes: dict[str, list[Route]] = {}
        self._same: dict[tuple[int, str], PidSet] = {}  # (space, language) -> its passages
        self._foreign: dict[str, np.ndarray] = {}  # query language -> articles in others
        self._lock = threading.Lock()

    @property
    def article_langs(self) -> np.ndarray:
        """The language of every article ordinal ("" unknown)."""
        return self._lang

    @property
    def languages(self) -> set[str]:
        return {str(lang) for lang in self._lang if lang}

    def routes(self, qlang: str) -> list[Route]:
        """The spaces a query in ``qlang`` searches (none: no model reads it)."""
        with self._lock:
            if qlang not in self._routes:
                self._routes[qlang] = self._plan(qlang)
            return self._routes[qlang]

    def _plan(self, qlang: str) -> list[Route]:
        reading = [i for i, s in enumerate(self.spaces)
                   if s.spec.reads_query(qlang) and len(s.vectors)]
        if not reading:
            return []
        first = reading[0]
        if not self.cross_lingual:
            same = (self._lang == qlang) | ((self._lang == "") & self.spaces[first].spec.takes_unknown)
            return [Route(first, self._pids(same))]
        routes = [Route(first, None)]
        taken = self._holds(first)
        for i in reading[1:]:
            extra = self._holds(i) & ~taken
            if extra.any():
                routes.append(Route(i, self._pids(extra)))
            taken |= extra
        return routes

    def _holds(self, space: int) -> np.ndarray:
        spec = self.spaces[space].spec
        return np.fromiter((spec.holds(str(lang or "")) for lang in self._lang), dtype=bool,
                           count=len(self._lang))

    def _pids(self, articles: np.ndarray) -> PidSet:
        pa = np.asarray(self._passage_article)
        mask = np.zeros(len(pa), dtype=bool)
        valid = pa >= 0
        mask[valid] = articles[pa[valid]]
        return PidSet(mask)

    def foreign(self, qlang: str) -> np.ndarray:
        """Mask over article ordinals: in a known language other than ``qlang``."""
        with self._lock:
            if qlang not in self._foreign:
                self._foreign[qlang] = (self._lang != qlang) & (self._lang != "")
            return self._foreign[qlang]

    def near(self, vector: np.ndarray, space: int, ord_: int, passages: int
             ) -> list[tuple[int, float]]:
        """Articles nearest to ``vector`` in ``space``: first those in the
        language of article ``ord_`` (a Russian story's related stories are
        Russian), then the others, each list best first."""
        lang = str(self._lang[ord_] or "")
        with self._lock:
            if (space, lang) not in self._same:
                self._same[space, lang] = self._pids(self._holds(space) & (self._lang == lang))
            same = self._same[space, lang]
        ranked: dict[int, float] = {}
        for only in (same, None):
            scores, pids = self.spaces[space].vectors.search(vector, passages, only)
            best = rollup(scores, pids, self._passage_article[pids] if len(pids) else pids)
            for o, (score, _) in best.items():
                ranked.setdefault(o, score)
        return list(ranked.items())

    def embed(self, text: str, qlang: str) -> dict[int, np.ndarray]:
        """The query's vector in each space it searches (moved to the
        passages' side where the space has a `QueryOffset`)."""
        out = {}
        for route in self.routes(qlang):
            space = self.spaces[route.space]
            vector = space.embedder.encode([text])[0]
            out[route.space] = space.offset.move(vector, qlang) if space.offset else vector
        return out

    def search(self, qvecs: dict[int, np.ndarray], qlang: str, passages: int,
               rollup_weight: float, words: int = 0) -> Found:
        """The articles of the nearest passages, ranked (see `Found`);
        ``words``: the query's length, for the relevance floor (0: no floor)."""
        merged: dict[int, tuple[float, int]] = {}
        unfloored: dict[int, tuple[float, int]] = {}
        for route in self.routes(qlang):
            if route.space not in qvecs:
                continue
            space = self.spaces[route.space]
            scores, pids = space.vectors.search(qvecs[route.space], passages, route.only)
            ords = self._passage_article[pids] if len(pids) else pids
            every = rollup(scores, pids, ords, rollup_weight)
            floor = space.floor.at(words)
            if floor > NO_FLOOR:
                kept = scores >= floor
                matched = rollup(scores[kept], pids[kept], ords[kept], rollup_weight)
            else:
                matched = every
            for best, into in ((matched, merged), (every, unfloored)):
                for ord_, (score, pid) in best.items():
                    score = float(space.calibrated(np.float32(score)))
                    if ord_ not in into or score > into[ord_][0]:
                        into[ord_] = (score, pid)

        def ranked(best: dict[int, tuple[float, int]]) -> list[tuple[int, float]]:
            return sorted(((o, s) for o, (s, _) in best.items()), key=lambda x: -x[1])

        return Found(ranked(merged), ranked(unfloored), {o: p for o, (_, p) in unfloored.items()})
