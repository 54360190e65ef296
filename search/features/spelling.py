""""Did you mean": correcting misspelled query words from the index's own words.

Corrections come from the index's `Vocabulary` (the unstemmed words of titles
and bodies), so suggestions are real words ("netanyahu"), never stems.
A word is corrected when no article contains it (or only one does and a close
word is far more common); the closest, then most common, word replaces it.
"Contains" counts the word's other forms where the caller says how many
articles hold its stem: an Armenian or Azerbaijani inflection no article
happens to use ("metropoliteni") is not a typo when its stem is common.
Query syntax (quotes, ``-word``, ``title:``, operators) is kept as typed.
"""

from __future__ import annotations

import re
from typing import Callable

from search.index.vocabulary import Vocabulary
from search.text.analysis import INNER_MARKS, STOP_WORDS, fold

# A word of three letters or more (Armenian marks inside it included: "Ինչո՞ւ").
_WORD = re.compile(rf"(?<![\w:])(?:\w+:)?(\w{{3,}}(?:[{INNER_MARKS}]+\w+)*)")
_OPERATORS = {"AND", "OR", "NOT"}
RARE = 1  # a word in at most this many articles may still be a typo
COMMON = 5  # ... if a close word is in at least this many


def did_you_mean(vocabulary: Vocabulary, text: str,
                 stem_articles: Callable[[str], int] | None = None) -> str | None:
    """The corrected query, or None when every word looks right;
    ``stem_articles(word)``: how many articles hold the word's indexed term."""
    out, pos, changed = [], 0, False
    for m in _WORD.finditer(text):
        word = m.group(1)
        fixed = _correct(vocabulary, word, stem_articles)
        if fixed and fixed != fold(word):
            out.append(text[pos : m.start(1)])
            out.append(_same_case(word, fixed))
            pos, changed = m.end(1), True
    if not changed:
        return None
    out.append(text[pos:])
    return "".join(out)


def _correct(vocabulary: Vocabulary, word: str,
             stem_articles: Callable[[str], int] | None = None) -> str | None:
    lower = fold(word)  # as the vocabulary's words are: "BAKI", "Bakı" and "baki" are one
    if word in _OPERATORS or lower in STOP_WORDS or not lower.isalpha():
        return None
    docs = vocabulary.count(lower)
    if docs <= RARE and stem_articles is not None:
        docs = max(docs, stem_articles(word))  # its other forms: found, so not unknown
    if docs > RARE:
        return None
    for maxdist in (1, 2) if len(lower) >= 5 else (1,):
        options = set(vocabulary.within(lower, maxdist))
        options.discard(lower)
        if options:
            best = max(sorted(options), key=vocabulary.count)
            return best if docs == 0 or vocabulary.count(best) >= COMMON else None
    return None


def _same_case(typed: str, word: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
