"""A query moved to where the passages of a multilingual space lie.

multilingual-e5's vectors say where a text comes from as well as what it says:
each language, and each role (``query: `` or ``passage: ``), sits in a region of
its own.  An English query's nearest Armenian passages are then chosen in part
by how little Armenian they look.  Taking away the mean vector of queries in
the query's language and adding the mean of the space's passages removes that
offset and keeps what the query says::

    moved = normalise(query - query_mean[language] + passage_mean)

The query mean of a language is measured on titles embedded as queries: up to
`TITLES` of the index's articles in that language, else the bundled means
(`search/models/query_means/<model>.json`, English, from the sample's titles:
`scripts/query_means.py`); a language with neither is not moved.  The passage
mean is that of up to `PASSAGES` of the space's passages; a space of fewer
than `FEWEST_PASSAGES` moves no query.  Both are measured on first use, per
searcher (`Searcher.warm` does it before the first reader), so they follow the
index as it grows, as keyword statistics do.

On ilur-hy (train, semantic MRR@10): English queries about Armenian stories
0.59 -> 0.78, Armenian queries 0.929 -> 0.934 (docs/relevance.md).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Callable

import numpy as np

TITLES = 64  # titles per language for its query mean
FEWEST = 16  # fewer titles than this in the index: the bundled mean, if any
PASSAGES = 1024  # passages for the passage mean
# Fewer passages than this in the space: no move.  The mean of a few articles'
# passages says where their topics lie, not where the language does, and
# would pull every query towards them.
FEWEST_PASSAGES = 256
BUNDLED = Path(__file__).resolve().parents[1] / "models" / "query_means"


def bundled_means(model: str) -> dict[str, np.ndarray]:
    """The bundled query means of ``model`` (language -> vector), if any."""
    path = BUNDLED / f"{Path(model.rstrip('/')).name}.json"
    if not path.exists():
        return {}
    return {lang: np.asarray(v, dtype=np.float32)
            for lang, v in json.loads(path.read_text(encoding="utf-8")).items()}


class QueryOffset:
    """Moves query vectors of one space (see the module docstring).

    ``titles(lang)``: up to `TITLES` titles of the index's articles in ``lang``;
    ``passages()``: vectors of up to `PASSAGES` of the space's passages;
    ``embed(texts)``: the space's query embedder."""

    def __init__(self, titles: Callable[[str], list[str]], passages: Callable[[], np.ndarray],
                 embed: Callable[[list[str]], np.ndarray], bundled: dict[str, np.ndarray]):
        self._titles, self._passages, self._embed = titles, passages, embed
        self._bundled = bundled
        self._query_means: dict[str, np.ndarray | None] = {}
        self._passage_mean: np.ndarray | None = None  # None: too few passages
        self._passages_measured = False
        self._lock = threading.Lock()

    def move(self, vector: np.ndarray, lang: str) -> np.ndarray:
        """``vector`` (a query in ``lang``) moved, unit length; as it was if
        no query mean is known for ``lang`` or the space holds too few passages."""
        query_mean, passage_mean = self.means(lang)
        if query_mean is None or passage_mean is None:
            return vector
        moved = vector - query_mean + passage_mean
        return (moved / max(float(np.linalg.norm(moved)), 1e-12)).astype(np.float32)

    def means(self, lang: str) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(query mean of ``lang``, passage mean), measured on first use (no
        lock once measured: every search asks)."""
        if lang not in self._query_means or not self._passages_measured:
            with self._lock:
                if not self._passages_measured:
                    vectors = self._passages()
                    self._passage_mean = (self._mean(vectors)
                                          if len(vectors) >= FEWEST_PASSAGES else None)
                    self._passages_measured = True
                if lang not in self._query_means:
                    titles = [t for t in self._titles(lang) if t.strip()]
                    # One at a time, as queries are: a batch's int8 activations
                    # (and its thread split) would round differently per process.
                    self._query_means[lang] = (
                        self._mean([self._embed([t])[0] for t in titles])
                        if len(titles) >= FEWEST else self._bundled.get(lang))
        return self._query_means[lang], self._passage_mean

    @staticmethod
    def _mean(vectors) -> np.ndarray:
        """In float64, so that every process (and shard order) gets the same mean."""
        return np.asarray(vectors, dtype=np.float64).mean(axis=0).astype(np.float32)


def evenly(items: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` of ``items``, evenly spaced (first and last included)."""
    if len(items) <= most:
        return items
    return items[np.linspace(0, len(items) - 1, most).round().astype(int)]
