"""One vector per article: the normalised mean of its passage vectors.

Used to find an article's related stories and to spot near-duplicates.  The
passage vectors are read back from the faiss index; nothing extra is stored.
"""

from __future__ import annotations

import numpy as np

from .vectors import VectorIndex


class ArticleVectors:
    def __init__(self, passage_article: np.ndarray, vectors: VectorIndex):
        """``passage_article``: article ordinal of every passage id (-1: none)."""
        self._vectors = vectors
        self._order = np.argsort(passage_article, kind="stable")  # pids grouped by article
        self._sorted = passage_article[self._order]

    def _pids(self, ords: list[int]) -> list[np.ndarray]:
        # Keys in the array's own dtype: numpy would otherwise convert the
        # whole array on every call.
        keys = np.asarray(ords, dtype=self._sorted.dtype)
        lo = np.searchsorted(self._sorted, keys)
        hi = np.searchsorted(self._sorted, keys + 1)
        return [self._order[a:b] for a, b in zip(lo, hi)]

    def of(self, ords: list[int]) -> np.ndarray:
        """(len(ords), dim) unit vectors; zeros for an article without passages."""
        out = np.zeros((len(ords), self._vectors.index.d), dtype=np.float32)
        groups = self._pids(ords)
        sizes = np.asarray([len(g) for g in groups])
        if not sizes.any():
            return out
        # One batch read of every passage vector, then a sum per article.
        vectors = self._vectors.vectors(np.concatenate(groups))
        has = sizes > 0
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])[has]
        sums = np.add.reduceat(vectors, starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        out[has] = sums / np.where(norms > 0, norms, 1)
        return out
