"""The index's own words: every unstemmed word of titles and bodies, sorted,
with how often it occurs (Whoosh's spelling fields).

Read once per index generation, on first use; then completing a prefix is a
binary search and finding the words within an edit distance scans only the
words sharing the first letter, in C (rapidfuzz), instead of walking Whoosh's
term dictionary with a Levenshtein automaton in Python (tens of ms a word).
"""

from __future__ import annotations

import bisect
import threading
from typing import Callable

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

FIELDS = ("spell_title", "spell_body")


class Vocabulary:
    def __init__(self, words: list[str], counts: np.ndarray):
        self.words = words  # sorted
        self.counts = counts  # occurrences of each word (the larger of title and body)

    @classmethod
    def read(cls, reader) -> "Vocabulary":
        return cls.merged([field_counts(reader)])

    @classmethod
    def merged(cls, parts: list[dict[str, dict[str, int]]]) -> "Vocabulary":
        """The vocabulary of an index split into parts (shards), from each
        part's `field_counts`: a word's count is the larger of its title
        and body totals, as for one index."""
        totals: dict[str, dict[str, int]] = {}
        for part in parts:
            for field, words in part.items():
                into = totals.setdefault(field, {})
                for word, n in words.items():
                    into[word] = into.get(word, 0) + n
        counts: dict[str, int] = {}
        for words in totals.values():
            for word, n in words.items():
                counts[word] = max(counts.get(word, 0), n)
        words = sorted(counts)
        return cls(words, np.asarray([counts[w] for w in words], dtype=np.int64))

    def plus(self, parts: dict[str, dict[str, int]]) -> "Vocabulary":
        """This vocabulary with the words of a few more articles (`field_counts`
        of a write-ahead log's delta, `search.index.delta`): their counts added
        to the words known, new words inserted in order."""
        more: dict[str, int] = {}
        for words in parts.values():
            for word, n in words.items():
                more[word] = max(more.get(word, 0), n)
        if not more:
            return self
        counts = self.counts.copy()
        new = []
        for word, n in more.items():
            i = bisect.bisect_left(self.words, word)
            if i < len(self.words) and self.words[i] == word:
                counts[i] += n
            else:
                new.append(word)
        if not new:
            return Vocabulary(self.words, counts)
        words = sorted(self.words + new) if len(new) > 64 else list(self.words)
        if len(new) <= 64:
            for word in sorted(new):
                bisect.insort(words, word)
        at = np.searchsorted(np.asarray(words, dtype=object), np.asarray(sorted(new), dtype=object))
        merged = np.zeros(len(words), dtype=np.int64)
        mask = np.ones(len(words), dtype=bool)
        mask[at] = False
        merged[mask] = counts
        merged[at] = [more[w] for w in sorted(new)]
        return Vocabulary(words, merged)

    def span(self, prefix: str) -> tuple[int, int]:
        """Positions ``[lo, hi)`` of the words starting with ``prefix``."""
        lo = bisect.bisect_left(self.words, prefix)
        return lo, bisect.bisect_left(self.words, prefix + "\U0010ffff", lo)

    def count(self, word: str) -> int:
        i = bisect.bisect_left(self.words, word)
        return int(self.counts[i]) if i < len(self.words) and self.words[i] == word else 0

    def within(self, word: str, maxdist: int, prefix: int = 1) -> list[str]:
        """Words at most ``maxdist`` edits (Levenshtein) from ``word`` that
        share its first ``prefix`` letters, ``word`` itself included if known."""
        lo, hi = self.span(word[:prefix])
        found = process.extract(word, self.words[lo:hi], scorer=Levenshtein.distance,
                                score_cutoff=maxdist, limit=None)
        return [w for w, _, _ in found]


def field_counts(reader) -> dict[str, dict[str, int]]:
    """Occurrences of every word in each spelling field of a Whoosh index."""
    out: dict[str, dict[str, int]] = {}
    for field in FIELDS:
        if field not in reader.schema:
            continue
        words = out[field] = {}
        for word, info in reader.iter_field(field):
            word = word.decode("utf-8") if isinstance(word, bytes) else word
            words[word] = int(info.weight())
    return out


class LazyVocabulary:
    """A generation's `Vocabulary`, made by ``load`` on first use (thread-safe)."""

    def __init__(self, load: Callable[[], Vocabulary]):
        self._load = load
        self._vocabulary: Vocabulary | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._vocabulary is not None

    def get(self) -> Vocabulary:
        if self._vocabulary is None:
            with self._lock:
                if self._vocabulary is None:
                    self._vocabulary = self._load()
        return self._vocabulary
