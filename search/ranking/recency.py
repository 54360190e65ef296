"""News ranking: an optional boost for recent articles.

A result's score is multiplied by ``1 + weight * 2 ** (-age / half_life)``,
its age in days since it was published: an article published now gets
``1 + weight``, one a half-life old ``1 + weight / 2``, old ones ~1.  Undated
articles (and dates in the future, clamped to now) are handled so that
nothing is ever pushed below its plain relevance score.  The boost reorders
the retrieved candidates only; it never brings in an article that did not
match.
"""

from __future__ import annotations

import numpy as np

DAY = 86400.0


def boost(ranked: list[tuple[int, float]], published: np.ndarray, now: float,
          weight: float, half_life_days: float) -> list[tuple[int, float]]:
    """``ranked`` (ordinal, score) re-scored and re-sorted, best first.

    ``published`` holds each ordinal's POSIX publication time (NaN or -inf:
    unknown);
    ``now`` is a POSIX time."""
    if not ranked or weight <= 0 or half_life_days <= 0:
        return ranked
    ords = np.fromiter((o for o, _ in ranked), dtype=np.int64, count=len(ranked))
    scores = np.fromiter((s for _, s in ranked), dtype=np.float64, count=len(ranked))
    when = np.full(len(ords), np.nan)
    known = ords < len(published)
    when[known] = published[ords[known]]
    age = np.clip((now - when) / DAY, 0.0, None)
    factor = 1.0 + weight * np.where(np.isfinite(age), np.exp2(-age / half_life_days), 0.0)
    boosted = np.where(scores > 0, scores * factor, scores)
    order = np.argsort(-boosted, kind="stable")
    return [(int(ords[i]), float(boosted[i])) for i in order]
