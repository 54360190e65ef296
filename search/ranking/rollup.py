"""From passage scores to article scores.

The vector index ranks passages; an article is scored by its best passage,
plus ``weight`` times the scores of its other passages among those retrieved
(an article that matches in several places is a little more likely to be
about the query).  ``weight = 0`` is "best passage only".
"""

from __future__ import annotations

import numpy as np


def rollup(scores: np.ndarray, pids: np.ndarray, ords: np.ndarray,
           weight: float = 0.0) -> dict[int, tuple[float, int]]:
    """Article ordinal -> (score, best passage id), best article first.

    ``scores``/``pids`` are the retrieved passages, best first, and ``ords``
    their articles (-1: none)."""
    best: dict[int, tuple[float, int]] = {}
    rest: dict[int, float] = {}
    for score, pid, ord_ in zip(scores.tolist(), pids.tolist(), ords.tolist()):
        if ord_ < 0:
            continue
        if ord_ not in best:  # passages arrive best first
            best[ord_] = (score, pid)
        elif weight:
            rest[ord_] = rest.get(ord_, 0.0) + max(score, 0.0)
    if not rest:
        return best
    scored = {o: (s + weight * rest.get(o, 0.0), p) for o, (s, p) in best.items()}
    return dict(sorted(scored.items(), key=lambda item: -item[1][0]))
