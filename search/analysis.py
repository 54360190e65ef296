"""Text analysis shared by the keyword index, queries and highlighting.

One analyzer serves every language: tokens are lower-cased, stop words of
English and Russian dropped, and each token is stemmed by its script
(Cyrillic with the Russian Snowball stemmer, everything else with the English
Porter stemmer).  Because the choice is per token, a query needs no language
hint and mixed-language text is handled too.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.analysis.tokenizers import default_pattern as TOKEN  # RegexTokenizer's words
from whoosh.lang import stemmer_for_language, stopwords_for_language

# The tokenizer's words without its capturing group, for findall.
WORDS = re.compile(TOKEN.pattern.replace("(", "(?:"))

# Lucene's English stop set: small on purpose ("us" must stay searchable).
ENGLISH_STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the "
    "their then there these they this to was will with".split()
)
RUSSIAN_STOP_WORDS = frozenset(stopwords_for_language("ru"))
STOP_WORDS = ENGLISH_STOP_WORDS | RUSSIAN_STOP_WORDS

CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem one lower-cased word with the stemmer of its script."""
    lang = "ru" if CYRILLIC.search(word) else "en"
    return stemmer_for_language(lang)(word)


class ScriptStemFilter(Filter):
    """Stems each token with the stemmer for its script (see module doc)."""

    is_morph = True  # skipped for spelling words, so they keep their real form

    def __call__(self, tokens):
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


def news_analyzer(english_stop_words: frozenset[str] = ENGLISH_STOP_WORDS):
    """The analyzer of the title and body fields (picklable into the index)."""
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=english_stop_words | RUSSIAN_STOP_WORDS, minsize=2)
        | ScriptStemFilter()
    )


@lru_cache(maxsize=200_000)
def term(word: str) -> str | None:
    """The indexed term of one word as the tokenizer cuts it (None: a stop word)."""
    lower = word.lower()
    return stem(lower) if len(lower) >= 2 and lower not in STOP_WORDS else None


def analyse(text: str) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) of each indexed word of ``text``: what
    `news_analyzer` yields with ``chars=True``, several times faster (no
    token objects), for queries, highlighting and picking passages."""
    for m in TOKEN.finditer(text):
        t = term(m.group())
        if t is not None:
            yield t, m.start(), m.end()


def terms(text: str) -> list[str]:
    """The indexed terms of ``text``, in order (stop words removed)."""
    return [t for t, _, _ in analyse(text)]
