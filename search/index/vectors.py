"""The faiss index of passage vectors, keyed by passage id.

The index type is chosen by size (`choose`): exact inner-product search
(``IndexFlatIP``) for small collections, where it costs a few milliseconds, and
an inverted-file index (``IndexIVFFlat``: k-means cells, ``nprobe`` of them
scanned per query) above ``exact_search_max_passages``, where an exact scan
would cost tens of milliseconds.  Both keep the full vectors, take arbitrary
passage ids and support adding and removing passages (incremental updates).
Searchers memory-map the file, so server processes share one copy through the
page cache.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import faiss
import numpy as np

EXACT = "flat"
APPROXIMATE = "ivf"


def choose(passages: int, exact_max: int) -> str:
    """The index kind for a collection of ``passages`` vectors."""
    return EXACT if passages <= exact_max else APPROXIMATE


def ivf_lists(passages: int) -> int:
    """Number of k-means cells: ~4·√n, with at least 39 vectors per cell to train on."""
    return max(1, min(passages // 39, int(4 * math.sqrt(passages))))


class VectorIndex:
    """Inner-product search over L2-normalised passage vectors (cosine)."""

    def __init__(self, index: faiss.Index):
        self.index = index

    @classmethod
    def build(cls, dim: int) -> "VectorIndex":
        """An empty exact index; see `for_size` once it is filled."""
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def load(cls, path: Path, nprobe: int = 1, mmap: bool = False) -> "VectorIndex":
        """The index in ``path``; ``mmap`` maps it read-only (for searching)."""
        flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
        index = faiss.read_index(str(path), flags)
        if isinstance(index, faiss.IndexIVF):
            index.nprobe = nprobe
        return cls(index)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @property
    def kind(self) -> str:
        return APPROXIMATE if isinstance(self.index, faiss.IndexIVF) else EXACT

    def __len__(self) -> int:
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        return int(self.index.d)

    def for_size(self, exact_max: int) -> "VectorIndex":
        """This index, or an IVF index of the same vectors if it holds more
        than ``exact_max`` of them."""
        if self.kind == APPROXIMATE or choose(len(self), exact_max) == EXACT:
            return self
        pids, vectors = self.all_vectors()
        n, dim = vectors.shape
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, ivf_lists(n),
                                   faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(n, min(n, 64 * index.nlist), replace=False)
        index.train(vectors[np.sort(sample)])
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # reconstruct by pid
        index.add_with_ids(vectors, pids)
        return VectorIndex(index)

    def add(self, pids: np.ndarray, vectors: np.ndarray) -> None:
        self.index.add_with_ids(vectors, np.asarray(pids, dtype=np.int64))

    def remove(self, pids: list[int]) -> None:
        """Drop the vectors of the given passages (ids not present are ignored)."""
        if pids:
            self.index.remove_ids(np.asarray(pids, dtype=np.int64))

    def ids(self) -> np.ndarray:
        """The passage id of every stored vector."""
        return self.all_vectors(with_vectors=False)[0]

    def all_vectors(self, with_vectors: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """(passage ids, vectors) of everything stored."""
        if self.kind == EXACT:
            ids = faiss.vector_to_array(self.index.id_map)
            flat = faiss.downcast_index(self.index.index)
            vectors = faiss.rev_swig_ptr(flat.get_xb(), len(ids) * flat.d).reshape(-1, flat.d)
            return ids, vectors.copy() if with_vectors else None
        lists, d = self.index.invlists, self.index.d
        ids, vectors = [], []
        for i in range(self.index.nlist):
            size = lists.list_size(i)
            if size:
                ids.append(faiss.rev_swig_ptr(lists.get_ids(i), size).copy())
                if with_vectors:
                    codes = faiss.rev_swig_ptr(lists.get_codes(i), size * lists.code_size)
                    vectors.append(codes.view(np.float32).reshape(size, d).copy())
        ids_ = np.concatenate(ids) if ids else np.zeros(0, np.int64)
        if not with_vectors:
            return ids_, None
        return ids_, np.concatenate(vectors) if vectors else np.zeros((0, d), np.float32)

    def search(self, vector: np.ndarray, k: int, only: "PidSet | None" = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, pids) of the ``k`` nearest passages, best first (of the
        passages in ``only``, if given)."""
        k = min(k, len(self) if only is None else only.size)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        params = None
        if only is not None:
            params = (faiss.SearchParametersIVF(sel=only.selector, nprobe=self.index.nprobe)
                      if self.kind == APPROXIMATE else faiss.SearchParameters(sel=only.selector))
        scores, pids = self.index.search(vector.reshape(1, -1), k, params=params)
        keep = pids[0] >= 0
        scores, pids = scores[0][keep], pids[0][keep]
        order = np.lexsort((pids, -scores))  # ties to the lower id, as shards merge them
        return scores[order], pids[order]

    def vectors(self, pids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of the given passages."""
        return self.index.reconstruct_batch(np.asarray(pids, dtype=np.int64))


class PidSet:
    """A set of passage ids as a faiss selector (a bitmap over ids)."""

    def __init__(self, mask: np.ndarray):
        """``mask``: boolean, indexed by passage id."""
        self.size = int(mask.sum())
        self._bits = np.packbits(mask, bitorder="little")  # kept alive for faiss
        self._length = len(mask)
        self.selector = faiss.IDSelectorBitmap(self._length, faiss.swig_ptr(self._bits))

    def contains(self, pids: np.ndarray) -> np.ndarray:
        """Mask: which of ``pids`` are in the set."""
        pids = np.asarray(pids, dtype=np.int64)
        inside = (pids >= 0) & (pids < self._length)
        at = np.where(inside, pids, 0)
        return inside & ((self._bits[at >> 3] >> (at & 7)) & 1).astype(bool)

    def __reduce__(self):  # sent to shards as its bitmap (the selector is a C++ object)
        return _pid_set, (self._bits, self._length)


def _pid_set(bits: np.ndarray, length: int) -> PidSet:
    return PidSet(np.unpackbits(bits, count=length, bitorder="little").astype(bool))
