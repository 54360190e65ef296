"""Text analysis shared by the keyword index, queries and highlighting.

One analyzer serves every language.  Tokens are words (Armenian emphasis and
question marks, written inside a word as in "ինչո՞ւ", and soft hyphens are
part of the word and dropped from it), folded (NFKC, lower case, the dotted
and dotless i of Azerbaijani and Turkish read as i), stop words of English and
Russian dropped, and stemmed:

- Cyrillic words with the Russian Snowball stemmer;
- Armenian words with a light Armenian stemmer (`search.text.stemmers`),
  whatever the text's language: only Armenian is written in that script;
- Latin words with the English Snowball stemmer, or the light Azerbaijani
  one where the text's language is Azerbaijani, or none where it is known
  to be another (a French article's words are not English: no stemming
  beats the wrong stemmer);
- words in other scripts (Georgian, Greek, ...) are left as written.

The text's language comes from the context (`language`): the article's
detected language while it is indexed, the query's (`search.text.query_language`)
while a query is analysed; unknown means English for Latin words.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from contextvars import ContextVar
from functools import lru_cache
from typing import Iterator

from whoosh.analysis import Filter, RegexTokenizer, StopFilter
from whoosh.lang import stemmer_for_language, stopwords_for_language

from search.text import stemmers

# Marks written inside words: Armenian emphasis, exclamation and question
# marks (U+055B, U+055C, U+055E) and the soft hyphen.
INNER_MARKS = "\u055b\u055c\u055e\u00ad"
# A word: letters and digits, joined by inner marks or single dots ("U.S.",
# "3.5"); Whoosh's default pattern plus the inner marks.
# No capturing group: findall gives whole words.
TOKEN = re.compile(rf"\w+(?:(?:\.|[{INNER_MARKS}]+)\w+)*")
_MARKS = re.compile(f"[{INNER_MARKS}]")

# Lucene's English stop set: small on purpose ("us" must stay searchable).
ENGLISH_STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the "
    "their then there these they this to was will with".split()
)
RUSSIAN_STOP_WORDS = frozenset(stopwords_for_language("ru"))
STOP_WORDS = ENGLISH_STOP_WORDS | RUSSIAN_STOP_WORDS

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
ARMENIAN = re.compile(r"[\u0561-\u0586]")  # Armenian small letters (`fold` leaves no capital)
LATIN = re.compile(r"[a-z]")

# The stemmer of Latin words per text language (None: none); "" is unknown.
LATIN_STEMMERS = {"en": "en", "": "en", "az": "az"}
_LANGUAGE: ContextVar[str] = ContextVar("analysis_language", default="")


@contextlib.contextmanager
def language(lang: str | None) -> Iterator[None]:
    """Analyse text as written in ``lang`` inside the block (see module doc)."""
    token = _LANGUAGE.set((lang or "").lower())
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def _latin() -> str | None:
    """The stemmer of Latin words in the context's language ("en", "az", None)."""
    return LATIN_STEMMERS.get(_LANGUAGE.get())


def fold(word: str) -> str:
    """Lower case without a word's inner marks, in NFKC, with Azerbaijani and
    Turkish dotted and dotless i as plain i: "İlham", "BAKIDA", "Bakıda" and
    "bakida" (typed on a Latin keyboard) are one word."""
    if word.isascii():
        return word.lower()
    word = unicodedata.normalize("NFKC", _MARKS.sub("", word)).lower()
    return word.replace("i\u0307", "i").replace("ı", "i")


class FoldFilter(Filter):
    """`fold` on each token (the tokenizer's `TOKEN` keeps inner marks)."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            yield t


def stem(word: str) -> str:
    """Stem one folded word as the context's language says (module doc)."""
    return _stem(word, _latin())


@lru_cache(maxsize=200_000)
def _stem(word: str, latin: str | None) -> str:
    if CYRILLIC.search(word):
        return stemmer_for_language("ru")(word)
    if ARMENIAN.search(word):
        return stemmers.armenian(word)
    if latin and (word.isascii() or LATIN.search(word)):
        return stemmers.azerbaijani(word) if latin == "az" else stemmer_for_language("en")(word)
    return word


class ScriptStemFilter(Filter):
    """Stems each token with the stemmer for its script (see module doc)."""

    is_morph = True  # skipped for spelling words, so they keep their real form

    def __call__(self, tokens):
        latin = _latin()
        for t in tokens:
            if not t.stopped:
                t.text = _stem(t.text, latin)
            yield t


def news_analyzer(english_stop_words: frozenset[str] = ENGLISH_STOP_WORDS):
    """The analyzer of the title and body fields (picklable into the index)."""
    return (
        RegexTokenizer(TOKEN)
        | FoldFilter()
        | StopFilter(stoplist=english_stop_words | RUSSIAN_STOP_WORDS, minsize=2)
        | ScriptStemFilter()
    )


def term(word: str) -> str | None:
    """The indexed term of one word as the tokenizer cuts it (None: a stop word)."""
    return _term(word, _latin())


@lru_cache(maxsize=200_000)
def _term(word: str, latin: str | None) -> str | None:
    folded = fold(word)
    return _stem(folded, latin) if len(folded) >= 2 and folded not in STOP_WORDS else None


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
