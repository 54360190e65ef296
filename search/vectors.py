"""The faiss index of passage vectors, keyed by passage id."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np


class VectorIndex:
    """Inner-product search over L2-normalised passage vectors (cosine)."""

    def __init__(self, index: faiss.Index):
        self.index = index

    @classmethod
    def build(cls, dim: int) -> "VectorIndex":
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def load(cls, path: Path) -> "VectorIndex":
        return cls(faiss.read_index(str(path)))

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, pids: np.ndarray, vectors: np.ndarray) -> None:
        self.index.add_with_ids(vectors, np.asarray(pids, dtype=np.int64))

    def remove(self, pids: list[int]) -> None:
        """Drop the vectors of the given passages (ids not present are ignored)."""
        if pids:
            self.index.remove_ids(np.asarray(pids, dtype=np.int64))

    def ids(self) -> np.ndarray:
        """The passage id of every stored vector."""
        return faiss.vector_to_array(self.index.id_map)

    def search(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, pids) of the ``k`` nearest passages, best first."""
        k = min(k, len(self))
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        scores, pids = self.index.search(vector.reshape(1, -1), k)
        keep = pids[0] >= 0
        return scores[0][keep], pids[0][keep]

    def vectors(self, pids: list[int]) -> np.ndarray:
        """The stored vectors of the given passages."""
        return np.vstack([self.index.reconstruct(int(p)) for p in pids])
