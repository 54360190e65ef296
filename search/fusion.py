"""Fusing ranked lists from the keyword and semantic retrievers.

Each list is ``[(key, score), ...]``, best first.  Both fusions return one list
of ``(key, fused score)``, best first; ties keep the order of first appearance.
"""

from __future__ import annotations

from typing import Hashable, Sequence

Ranked = Sequence[tuple[Hashable, float]]


def reciprocal_rank(lists: Sequence[Ranked], weights: Sequence[float], k: int) -> list[tuple[Hashable, float]]:
    """Reciprocal rank fusion: sum of ``weight / (k + rank)``, ranks from 1."""
    fused: dict[Hashable, float] = {}
    for ranked, weight in zip(lists, weights):
        for rank, (key, _) in enumerate(ranked, start=1):
            fused[key] = fused.get(key, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda kv: -kv[1])


def weighted(lists: Sequence[Ranked], weights: Sequence[float]) -> list[tuple[Hashable, float]]:
    """Weighted sum of min-max normalised scores (absent from a list: 0)."""
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
    return sorted(fused.items(), key=lambda kv: -kv[1])
