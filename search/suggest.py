"""Autocompletion: frequent words and article titles for what is being typed.

The vocabulary (unstemmed words and in how many articles each occurs) is read
once from the keyword index's spelling fields into sorted arrays, so
completing a word is a binary search; titles come from a small keyword query
(earlier words complete, the last one a prefix).  Both are fast enough to run
on every keystroke.
"""

from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from .analysis import STOP_WORDS, stem

_WORD = re.compile(r"\w+")
MIN_PREFIX = 2


@dataclass(frozen=True)
class Suggestion:
    text: str  # what to put in the search box
    kind: str  # "term" or "title"
    id: str | None = None  # the article, for a title

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, "id": self.id}


class Completer:
    def __init__(self, keyword):
        self._keyword = keyword
        self._words: list[str] | None = None
        self._freq = np.zeros(0, dtype=np.int64)
        self._lock = threading.Lock()

    def complete(self, text: str, limit: int = 8) -> list[Suggestion]:
        """Completions of ``text``: the query with its last word completed, then titles."""
        text = " ".join(text.split())
        words = _WORD.findall(text.lower())
        if not words or text[-1:] in (" ", '"') or len(words[-1]) < MIN_PREFIX:
            return []
        head = text[: text.lower().rfind(words[-1])]
        terms = [Suggestion(head + w, "term") for w in self._complete_word(words[-1], limit)]
        titles = self._titles(words, limit)
        budget = max(limit - len(titles), limit // 2)
        return (terms[:budget] + titles)[:limit]

    def _complete_word(self, prefix: str, limit: int) -> list[str]:
        words, freq = self._vocabulary()
        lo = bisect.bisect_left(words, prefix)
        hi = bisect.bisect_left(words, prefix + "\U0010ffff", lo)
        if lo == hi:
            return []
        span = freq[lo:hi]
        top = np.argsort(-span, kind="stable")[:limit]
        return [words[lo + i] for i in top if words[lo + i] not in STOP_WORDS]

    def _titles(self, words: list[str], limit: int) -> list[Suggestion]:
        *done, last = words
        parts = [wq.Term("title", stem(w)) for w in done if w not in STOP_WORDS]
        parts.append(wq.Or([wq.Prefix("title", last), wq.Term("title", stem(last))]))
        hits = self._keyword.titles(wq.And(parts), limit)
        return [Suggestion(title, "title", id_) for id_, title in hits]

    def _vocabulary(self) -> tuple[list[str], np.ndarray]:
        if self._words is None:
            with self._lock:
                if self._words is None:
                    counts: dict[str, int] = {}
                    reader = self._keyword.reader()
                    for field in ("spell_title", "spell_body"):
                        for word, info in reader.iter_field(field):
                            word = word.decode("utf-8") if isinstance(word, bytes) else word
                            counts[word] = max(counts.get(word, 0), int(info.weight()))
                    words = sorted(counts)
                    self._freq = np.asarray([counts[w] for w in words], dtype=np.int64)
                    self._words = words
        return self._words, self._freq
