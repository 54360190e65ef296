"""Autocompletion: frequent words and article titles for what is being typed.

Words come from the index's `Vocabulary` (completing a word is a binary
search, the most frequent completions first); titles come from a small keyword query
(earlier words complete, the last one a prefix).  Both are fast enough to run
on every keystroke.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from search.index.vocabulary import LazyVocabulary
from search.text.analysis import INNER_MARKS, STOP_WORDS, fold, language, stem

_WORD = re.compile(rf"\w+(?:[{INNER_MARKS}]+\w+)*")
MIN_PREFIX = 2


@dataclass(frozen=True)
class Suggestion:
    text: str  # what to put in the search box
    kind: str  # "term" or "title"
    id: str | None = None  # the article, for a title

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, "id": self.id}


class Completer:
    def __init__(self, keyword, vocabulary: LazyVocabulary):
        self._keyword = keyword
        self._vocabulary = vocabulary

    def complete(self, text: str, limit: int = 8, lang: str = "") -> list[Suggestion]:
        """Completions of ``text``: the query with its last word completed, then
        titles.  Words are folded as the vocabulary's are ("ԵՐԵՎ" and "երև",
        "İLHA" and "ilha" complete alike); ``lang`` is the text's language
        (the stemming of title words: `search.text.analysis`)."""
        text = " ".join(text.split())
        found = list(_WORD.finditer(text))
        words = [fold(m.group()) for m in found]
        if not words or text[-1:] in (" ", '"') or len(words[-1]) < MIN_PREFIX:
            return []
        head = text[: found[-1].start()]
        terms = [Suggestion(head + w, "term") for w in self._complete_word(words[-1], limit)]
        with language(lang):
            titles = self._titles(words, limit)
        budget = max(limit - len(titles), limit // 2)
        return (terms[:budget] + titles)[:limit]

    def _complete_word(self, prefix: str, limit: int) -> list[str]:
        vocabulary = self._vocabulary.get()
        lo, hi = vocabulary.span(prefix)
        if lo == hi:
            return []
        top = np.argsort(-vocabulary.counts[lo:hi], kind="stable")[:limit]
        return [w for w in (vocabulary.words[lo + i] for i in top) if w not in STOP_WORDS]

    def _titles(self, words: list[str], limit: int) -> list[Suggestion]:
        *done, last = words
        parts = [wq.Term("title", stem(w)) for w in done if w not in STOP_WORDS]
        parts.append(wq.Or([wq.Prefix("title", last), wq.Term("title", stem(last))]))
        hits = self._keyword.titles(wq.And(parts), limit)
        return [Suggestion(title, "title", id_) for id_, title in hits]
