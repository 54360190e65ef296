"""Names across scripts: the words of articles in other scripts, in Latin letters.

An English reader types "Pashinyan", "Gyumri" or "Putin"; the Armenian and
Russian editions write Փաշինյան, Գյումրիում, Путина.  The keyword index keeps
the words of an article written in a script other than Latin a second time,
romanized (the ``latin`` field), so that a query's Latin words match them:

- romanized by ``anyascii`` (ISC), after a few Armenian rules that follow how
  English writes Armenian names (ու as "u", ե and ո at a word's start as "ye"
  and "vo", ռ as "r", և as "ev"); apostrophes of aspirates dropped
  ("k'" -> "k");
- indexed as its first 3, 4 and `PREFIX` letters, and looked up by a query
  word's first `PREFIX` letters (its whole self if shorter): names take case
  endings (Գյումրիում "in Gyumri", Նորքում "in Nork", Путина "Putin's") and
  English spellings differ from a letter-by-letter romanization at the end
  more than at the start.

Only Latin words of a query are looked up there (`query_terms`): a Russian
query's words already match Russian articles in their own script.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii
from whoosh.analysis import Filter, NgramFilter, RegexTokenizer, StopFilter

from search.text.analysis import STOP_WORDS, TOKEN, FoldFilter, fold

PREFIX = 5  # letters kept of a romanized word (swept in docs/relevance.md)
FIELD = "latin"

_ARMENIAN_START = {"ե": "յե", "ո": "վո"}  # word-initial ե, ո: "Yerevan", "Vorotan"
_ARMENIAN = (("ու", "u"), ("ւ", "v"), ("ռ", "r"), ("և", "ev"))
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# A letter of a script other than Latin (Cyrillic, Armenian, Greek, Georgian, ...).
_OTHER_SCRIPT = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")


@lru_cache(maxsize=200_000)
def romanize(word: str) -> str:
    """A folded word in lower-case ASCII letters and digits."""
    if word[:1] in _ARMENIAN_START and not word.startswith("ու"):
        word = _ARMENIAN_START[word[0]] + word[1:]
    for armenian, latin in _ARMENIAN:
        if armenian in word:
            word = word.replace(armenian, latin)
    return _NOT_ALNUM.sub("", anyascii(word).lower())


def other_script_words(text: str) -> str:
    """The words of ``text`` written in a script other than Latin (the
    ``latin`` field's text: Latin words are in the title and body already)."""
    return " ".join(m.group() for m in TOKEN.finditer(text) if _OTHER_SCRIPT.search(m.group()))


def query_terms(text: str) -> list[str]:
    """The ``latin`` field's terms of a query's words in Latin letters (other
    scripts, stop words and words under 3 letters have none)."""
    out = []
    for m in TOKEN.finditer(text):
        folded = fold(m.group())
        if _OTHER_SCRIPT.search(folded) or len(folded) < 3 or folded in STOP_WORDS:
            continue
        key = romanize(folded)[:PREFIX]
        if len(key) >= 3:
            out.append(key)
    return out


def name_spans(text: str, keys: frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` in other scripts that the
    ``latin`` field's ``keys`` (`query_terms`) match, for highlighting."""
    if not keys or not _OTHER_SCRIPT.search(text):
        return []
    return [m.span() for m in TOKEN.finditer(text)
            if _OTHER_SCRIPT.search(m.group())
            and any(romanize(fold(m.group())).startswith(k) for k in keys)]


class RomanizeFilter(Filter):
    """`romanize` on each (folded) token."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = romanize(t.text)
            yield t


def romanized_analyzer():
    """The analyzer of the ``latin`` field (picklable into the index)."""
    return (RegexTokenizer(TOKEN) | FoldFilter() | StopFilter(stoplist=STOP_WORDS, minsize=2)
            | RomanizeFilter() | NgramFilter(3, PREFIX, at="start"))
