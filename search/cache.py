"""Per-generation caches: query embeddings and whole search responses.

News queries repeat in bursts (a story breaks and many readers type the same
few words), so a `Searcher` keeps two LRU caches, both owned by its index
generation (`SearchCache`):

- **query embeddings**, keyed by the vector space and the text embedded
  (`CachedEncoder` wraps each space's embedder; only single texts, i.e.
  queries, are cached);
- **responses** of `Searcher.search`, keyed by every argument and the
  generation's name (`cached_search` decorates the method), kept at most
  ``response_cache_seconds`` so that the recency boost, which moves with the
  clock, stays current.

A live swap (`search.serving.live`) opens a new `Searcher`, with empty caches, so a
response is never served from another generation.  Concurrent calls with the
same key wait for the first one's answer instead of computing it again.
Sizes are `Settings` fields; 0 turns a cache off.  Cached responses and
vectors are shared between callers: treat them as read-only.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import threading
import time
from typing import Any, Callable, Sequence

import cachetools
import numpy as np

from search.config import Settings


class SearchCache:
    """The caches of one index generation."""

    def __init__(self, settings: Settings, generation: str):
        self.generation = generation
        self.embeddings = _memo(cachetools.LRUCache, settings.embedding_cache_size)
        self.responses = _memo(cachetools.TTLCache, settings.response_cache_size,
                               ttl=settings.response_cache_seconds)

    def encoder(self, embedder: Any, space: str) -> "CachedEncoder | Any":
        """``embedder`` with its query embeddings cached (as is if the cache is off)."""
        if self.embeddings is None:
            return embedder
        return CachedEncoder(embedder, space, self.embeddings)

    def stats(self) -> dict[str, dict[str, int]]:
        """Hits, misses and entries of each cache (empty when off)."""
        caches = (("embeddings", self.embeddings), ("responses", self.responses))
        return {name: _stats(memo) for name, memo in caches if memo is not None}


class CachedEncoder:
    """An embedder whose one-text `encode` calls (queries) are cached per space."""

    def __init__(self, embedder: Any, space: str, memo: Callable):
        self.embedder = embedder
        self.space = space
        self._memo = memo

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) != 1:
            return self.embedder.encode(texts)
        return self._memo((self.space, texts[0]), lambda: _frozen(self.embedder.encode(texts)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.embedder, name)


def cached_search(search: Callable) -> Callable:
    """Decorates `Searcher.search`: answers repeated calls from the
    searcher's response cache (a copy with this call's ``took_ms``)."""
    signature = inspect.signature(search)

    @functools.wraps(search)
    def wrapper(self, *args, **kwargs):
        memo = self.cache.responses
        if memo is None:
            return search(self, *args, **kwargs)
        started = time.perf_counter()
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        key = (self.cache.generation, *list(bound.arguments.items())[1:])
        try:
            hash(key)
        except TypeError:  # an argument that cannot be a key: not cached
            return search(self, *args, **kwargs)
        response = memo(key, lambda: search(self, *args, **kwargs))
        return dataclasses.replace(response, took_ms=(time.perf_counter() - started) * 1000)

    return wrapper


def _memo(kind: type, size: int, **options: Any) -> Callable | None:
    """``memo(key, compute)``: the cached value of ``key``, computed once
    (concurrent callers of a key being computed wait for it); None if ``size`` is 0."""
    if size <= 0:
        return None
    condition = threading.Condition()
    return cachetools.cached(kind(size, **options), key=lambda key, compute: key,
                             condition=condition, info=True)(lambda key, compute: compute())


def _stats(memo: Callable) -> dict[str, int]:
    info = memo.cache_info()
    return {"hits": info.hits, "misses": info.misses, "entries": info.currsize}


def _frozen(vectors: np.ndarray) -> np.ndarray:
    vectors.setflags(write=False)
    return vectors
