""""Did you mean": correcting misspelled query words from the index's own words.

The keyword index keeps the unstemmed words of titles and bodies (Whoosh's
spelling fields), so suggestions are real words ("netanyahu"), never stems.
A word is corrected when no article contains it (or only one does and a close
word is far more common); the closest, then most common, word replaces it.
Query syntax (quotes, ``-word``, ``title:``, operators) is kept as typed.
"""

from __future__ import annotations

import re

from .analysis import STOP_WORDS

FIELDS = ("title", "body")
_WORD = re.compile(r"(?<![\w:])(?:\w+:)?(\w{3,})")
_OPERATORS = {"AND", "OR", "NOT"}
RARE = 1  # a word in at most this many articles may still be a typo
COMMON = 5  # ... if a close word is in at least this many


def did_you_mean(reader, text: str) -> str | None:
    """The corrected query, or None when every word looks right."""
    out, pos, changed = [], 0, False
    for m in _WORD.finditer(text):
        word = m.group(1)
        fixed = _correct(reader, word)
        if fixed and fixed != word.lower():
            out.append(text[pos : m.start(1)])
            out.append(_same_case(word, fixed))
            pos, changed = m.end(1), True
    if not changed:
        return None
    out.append(text[pos:])
    return "".join(out)


def _correct(reader, word: str) -> str | None:
    lower = word.lower()
    if word in _OPERATORS or lower in STOP_WORDS or not lower.isalpha():
        return None
    docs = _docs(reader, lower)
    if docs > RARE:
        return None
    for maxdist in (1, 2) if len(lower) >= 5 else (1,):
        options = {w for f in FIELDS for w in reader.terms_within(f, lower, maxdist, prefix=1)}
        options.discard(lower)
        if options:
            best = max(sorted(options), key=lambda w: _docs(reader, w))
            return best if docs == 0 or _docs(reader, best) >= COMMON else None
    return None


def _docs(reader, word: str) -> int:
    """In how many articles ``word`` (unstemmed) occurs, title or body."""
    return max(reader.frequency(f"spell_{f}", word) for f in FIELDS)


def _same_case(typed: str, word: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
