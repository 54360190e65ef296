"""One vector per article: the normalised mean of its passage vectors.

Used to find an article's related stories and to spot near-duplicates.  The
passage vectors are read back from the faiss index of the article's home
space (`search.models.spaces`); nothing extra is stored.  With several spaces, each
article's vector sits in its space's block of one wide vector, so that
articles of different spaces have cosine 0 (never near-duplicates).
"""

from __future__ import annotations

import numpy as np

from search.index.vectors import VectorIndex


class ArticleVectors:
    def __init__(self, passage_article: np.ndarray, spaces: list[VectorIndex], home: np.ndarray):
        """``passage_article``: article ordinal of every passage id (-1: none);
        ``home``: each ordinal's space (-1: none)."""
        self._spaces = spaces
        self._home = home
        passage_article = np.asarray(passage_article)  # a plain array: slicing a memmap costs more
        dims = [s.dim for s in spaces]
        self.offsets = np.concatenate([[0], np.cumsum(dims)]).astype(int)
        self._order = np.argsort(passage_article, kind="stable")  # pids grouped by article
        self._sorted = passage_article[self._order]

    def block(self, space: int) -> slice:
        """The columns of ``space`` in the vectors `of` returns."""
        return slice(self.offsets[space], self.offsets[space + 1])

    def home(self, ord_: int) -> int:
        return int(self._home[ord_]) if 0 <= ord_ < len(self._home) else -1

    def homes(self, ords: list[int]) -> np.ndarray:
        """The home space of each ordinal (-1: none)."""
        ords = np.asarray(ords, dtype=np.int64)
        known = (ords >= 0) & (ords < len(self._home))
        return np.where(known, self._home[np.where(known, ords, 0)], -1)

    def of(self, ords: list[int]) -> np.ndarray:
        """(len(ords), total dim) unit vectors; zeros for an article without vectors."""
        ords = np.asarray(ords, dtype=np.int64)
        out = np.zeros((len(ords), int(self.offsets[-1])), dtype=np.float32)
        # Each article's passage ids are a run of `_order`: [lo, lo + size).
        # Keys in the array's own dtype: numpy would otherwise convert the
        # whole array on every call.
        keys = ords.astype(self._sorted.dtype)
        lo = np.searchsorted(self._sorted, keys)
        sizes = np.searchsorted(self._sorted, keys + 1) - lo
        homes = self.homes(ords)
        for space, vectors in enumerate(self._spaces):
            rows = np.flatnonzero((homes == space) & (sizes > 0))
            if not len(rows):
                continue
            n = sizes[rows]
            firsts = np.cumsum(n) - n  # where each article's passages begin in the batch
            runs = np.repeat(lo[rows] - firsts, n) + np.arange(int(n.sum()))
            # One batch read of every passage vector, then a sum per article.
            sums = np.add.reduceat(vectors.vectors(self._order[runs]), firsts, axis=0)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            out[rows, self.block(space)] = sums / np.where(norms > 0, norms, 1)
        return out
