"""Collapsing near-duplicates: the same story republished with small edits.

Two candidates are near-duplicates when their article vectors are very close
(cheap, checked for every pair of the top candidates) and their texts share
most word 3-grams (checked only for the close pairs).  Each group shows once,
as its best-placed member, carrying the others as "similar".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

_WORD = re.compile(r"\w+")


@dataclass
class Group:
    ord: int
    score: float
    similar: list[int] = field(default_factory=list)  # ordinals, in ranked order


def shingles(text: str, n: int = 3) -> np.ndarray:
    """The text's distinct word ``n``-grams, as sorted 64-bit hashes."""
    words = np.fromiter(map(hash, _WORD.findall(text.lower())), dtype=np.int64)
    n = min(n, len(words))  # a shorter text is one n-gram of all its words
    if not n:
        return words
    grams = words[: len(words) - n + 1].copy()
    with np.errstate(over="ignore"):
        for k in range(1, n):
            grams = grams * np.int64(1_000_003) + words[k : len(words) - n + 1 + k]
    return np.unique(grams)


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller set found in the other (an added paragraph keeps it high)."""
    if not len(a) or not len(b):
        return 0.0
    return len(np.intersect1d(a, b, assume_unique=True)) / min(len(a), len(b))


def collapse(
    ranked: list[tuple[int, float]],
    vectors_of: Callable[[list[int]], np.ndarray],
    texts_of: Callable[[list[int]], dict[int, str]],
    cosine: float | np.ndarray,
    min_overlap: float,
    depth: int,
) -> list[Group]:
    """``ranked`` as groups, in order; only the first ``depth`` are compared.
    ``cosine``: the threshold, or one per article of ``ranked[:depth]`` (its
    model's: articles of two spaces are never close, `ArticleVectors`)."""
    head, tail = ranked[:depth], ranked[depth:]
    if len(head) < 2:
        return [Group(o, s) for o, s in ranked]
    ords = [o for o, _ in head]
    vecs = vectors_of(ords)
    threshold = np.asarray(cosine, dtype=np.float32)
    # A server caps BLAS at one thread per request (`search.models.threads`), so this
    # small product never waits on busy worker threads.
    close = np.triu(vecs @ vecs.T >= (threshold[:, None] if threshold.ndim else threshold), k=1)
    pairs = list(zip(*np.nonzero(close)))
    verified: dict[int, list[int]] = {}
    if pairs:
        involved = sorted({ords[i] for p in pairs for i in p})
        grams = {o: shingles(t) for o, t in texts_of(involved).items()}
        for i, j in pairs:
            a, b = grams.get(ords[i]), grams.get(ords[j])
            if a is not None and b is not None and overlap(a, b) >= min_overlap:
                verified.setdefault(int(i), []).append(int(j))
    groups: list[Group] = []
    absorbed: set[int] = set()
    for i, (ord_, score) in enumerate(head):
        if i in absorbed:
            continue
        group = Group(ord_, score)
        for j in verified.get(i, []):
            if j not in absorbed:
                absorbed.add(j)
                group.similar.append(ords[j])
        groups.append(group)
    return groups + [Group(o, s) for o, s in tail]
