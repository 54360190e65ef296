"""Passage vectors for the scale runs, from cached real embeddings.

Embedding 100k articles takes hours on two cores, so the scale index is built
with `CachedEmbedder`: every real title and paragraph of the source corpora is
embedded once with the real model (cached on disk), and the vector of a
passage is the length-weighted mean of the vectors of the titles and
paragraphs its sentences come from, normalised.  Queries are always embedded
by the real model.  The benchmark output says which vectors an index holds.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Sequence

import numpy as np

from indexer.passages import sentences
from search.models.embedder import Embedder

from .corpus import Source


def _key(text: str) -> str:
    return hashlib.blake2b(text.strip().encode("utf-8"), digest_size=12).hexdigest()


class CachedEmbedder:
    """An `Embedder` stand-in for indexing: cached real vectors, combined."""

    def __init__(self, real: Embedder, sources: list[Source], cache_file: Path):
        self.real = real
        self.model_path = real.model_path
        self.backend = real.backend
        self.max_tokens = real.max_tokens
        self.dim = real.dim
        self.token_offsets = real.token_offsets
        units = sorted({s.title for s in sources} | {p for s in sources for p in s.paragraphs})
        self.vectors = _embed_units(real, units, cache_file)
        self.unit_of: dict[str, int] = {}  # sentence (or title) -> unit row
        for row, unit in enumerate(units):
            for s, e in sentences(unit):
                self.unit_of.setdefault(_key(unit[s:e]), row)
            self.unit_of[_key(unit)] = row
        self.misses = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for s, e in sentences(text):
                row = self.unit_of.get(_key(text[s:e]))
                if row is None and text[e - 1 : e] == ".":  # "Title." prefix
                    row = self.unit_of.get(_key(text[s : e - 1]))
                if row is not None:
                    out[i] += (e - s) * self.vectors[row]
            norm = float(np.linalg.norm(out[i]))
            if norm == 0:  # no known sentence (a cut overlong sentence): real model
                self.misses += 1
                out[i] = self.real.encode([text])[0]
            else:
                out[i] /= norm
        return out


def _embed_units(real: Embedder, units: list[str], cache_file: Path, chunk: int = 512) -> np.ndarray:
    """Vectors of ``units``, cached; an interrupted run resumes where it stopped."""
    if cache_file.exists():
        return np.load(cache_file)
    partial = cache_file.with_suffix(".partial.npy")
    done_file = cache_file.with_suffix(".done")
    done = int(done_file.read_text()) if partial.exists() and done_file.exists() else 0
    mode = "r+" if done else "w+"
    vectors = np.lib.format.open_memmap(partial, mode=mode, dtype=np.float32,
                                        shape=(len(units), real.dim))
    for start in range(done, len(units), chunk):
        vectors[start : start + chunk] = real.encode(units[start : start + chunk])
        vectors.flush()
        done_file.write_text(str(min(len(units), start + chunk)))
        print(f"embedded {min(len(units), start + chunk)}/{len(units)} corpus units", flush=True)
    del vectors
    partial.replace(cache_file)
    done_file.unlink()
    return np.load(cache_file)
