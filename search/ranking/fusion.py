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
             blind: Sequence[Callable[[Hashable], bool] | None] | None = None,
             credit: float = 1.0) -> list[tuple[Hashable, float]]:
    """Weighted sum of min-max normalised scores (absent from a list: 0).

    ``blind[i](key)`` says that list ``i`` can barely see ``key`` (the
    keyword list and an article in another language than the query's: only
    names, romanized, can match it): its absence there is no evidence.  Such
    a list's scores of those keys are normalised among themselves (divided
    by their best), and its score for such a key is the larger of its own
    (0 if absent) and ``credit`` times the key's weighted mean over the
    lists that see it: 1 ranks a key it did not find as if it had matched
    as well there, less ranks it below keys both lists find equally good."""
    blind = blind or [None] * len(lists)
    norms: list[dict[Hashable, float]] = []
    for ranked, cannot_see in zip(lists, blind):
        if cannot_see is None:
            norms.append(_min_max(ranked))
            continue
        # Names matched across scripts score far below a whole text's words:
        # they are scaled by the best of their kind.
        others = [(key, score) for key, score in ranked if cannot_see(key)]
        found = _min_max([(key, score) for key, score in ranked if not cannot_see(key)])
        high = max((score for _, score in others), default=0.0)
        found.update((key, score / high if high > 0 else 1.0) for key, score in others)
        norms.append(found)
    fused: dict[Hashable, float] = {}
    for key in dict.fromkeys(key for ranked in lists for key, _ in ranked):
        score = seen = 0.0
        hidden = []
        for found, weight, cannot_see in zip(norms, weights, blind):
            if cannot_see is not None and cannot_see(key):
                hidden.append((found, weight))
            else:
                score += weight * found.get(key, 0.0)
                seen += weight
        if hidden:
            stand_in = credit * score / seen if seen > 0 else 0.0
            score += sum(weight * max(found.get(key, 0.0), stand_in) for found, weight in hidden)
        fused[key] = score
    return sorted(fused.items(), key=lambda kv: -kv[1])


def _min_max(ranked: Ranked) -> dict[Hashable, float]:
    scores = [s for _, s in ranked]
    low, high = (min(scores), max(scores)) if scores else (0.0, 0.0)
    span = high - low
    return {key: (score - low) / span if span > 0 else 1.0 for key, score in ranked}
