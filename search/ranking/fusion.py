"""Fusing ranked lists from the keyword and semantic retrievers.

Each list is ``[(key, score), ...]``, best first.  Both fusions return one list
of ``(key, fused score)``, best first; ties keep the order of first appearance.
"""

from __future__ import annotations

from typing import Callable, Hashable, Sequence

Ranked = Sequence[tuple[Hashable, float]]


def reciprocal_rank(lists: Sequence[Ranked], weights: Sequence[float], k: int) -> list[tuple[Hashable, float]]:
    """Reciprocal rank fusion: sum of ``weight / (k + rank)``, ranks from 1."""
    fused: dict[Hashable, float] = {}
    for ranked, weight in zip(lists, weights):
        for rank, (key, _) in enumerate(ranked, start=1):
            fused[key] = fused.get(key, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda kv: -kv[1])


def weighted(lists: Sequence[Ranked], weights: Sequence[float],
             blind: Sequence[Callable[[Hashable], bool] | None] | None = None
             ) -> list[tuple[Hashable, float]]:
    """Weighted sum of min-max normalised scores (absent from a list: 0).

    ``blind[i](key)`` says that list ``i`` could not have held ``key`` at
    all (the keyword list and an article in another language than the
    query's): its absence there is no evidence, so the key's score is the
    weighted mean over the lists that could see it."""
    fused: dict[Hashable, float] = {}
    for ranked, weight in zip(lists, weights):
        if not ranked:
            continue
        scores = [s for _, s in ranked]
        low, high = min(scores), max(scores)
        span = high - low
        for key, score in ranked:
            norm = (score - low) / span if span > 0 else 1.0
            fused[key] = fused.get(key, 0.0) + weight * norm
    if blind and any(blind):
        total = sum(weights)
        held = [{key for key, _ in ranked} for ranked in lists]
        for key in fused:
            seeing = total - sum(w for w, b, keys in zip(weights, blind, held)
                                 if b is not None and key not in keys and b(key))
            if 0 < seeing < total:
                fused[key] *= total / seeing
    return sorted(fused.items(), key=lambda kv: -kv[1])
