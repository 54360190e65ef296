"""Snippets: a short window of a passage with the query's words marked.

The output is HTML: every character of the article text is escaped and only
the ``<mark>`` tags are ours, so it is safe to insert into a page as is.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from functools import lru_cache
from html import escape
from typing import Callable, Iterator

from .analysis import CYRILLIC, INNER_MARKS, TOKEN, fold, term

_SPACE = re.compile(r"\s+")


def matches(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` whose analysed form is in ``terms``."""
    if not terms:
        return []
    return [(start, end) for start, end, word in _maybe(text, frozenset(terms))
            if term(word) in terms]


def count_terms(text: str, terms: set[str]) -> tuple[int, int]:
    """(distinct query terms found, total occurrences) in ``text``."""
    if not terms:
        return 0, 0
    found = Counter(t for _, _, word in _maybe(text, frozenset(terms))
                    if (t := term(word)) in terms)
    return len(found), sum(found.values())


def _maybe(text: str, terms: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) of the words of ``text`` (`TOKEN`) that `_may_match`
    ``terms``.  Where every word is ASCII and the terms' heads are, only the
    places where a head occurs in the lower-cased text are looked at (found
    in C: about twice as fast as going through every word)."""
    may = _may_match(terms)
    heads = _heads_of(terms)
    ascii_words = (all(h.isascii() for h in heads)
                   and (text.isascii() or _FOLDED.search(text) is None))
    low = text.lower() if ascii_words else ""  # of ASCII words, their fold
    if len(low) != len(text):  # not ASCII words, or lower() moved an offset
        found = ((m.start(), m.end(), m.group()) for m in TOKEN.finditer(text))
        yield from (f for f in found if may(f[2]))
        return
    for start in sorted({at for head in heads for at in _occurrences(low, head)}):
        if start and (_WORD.match(low, start - 1) or (
                low[start - 1] == "." and start >= 2 and _WORD.match(low, start - 2))):
            continue  # inside a word, as "s" in "u.s"
        word = TOKEN.match(text, start).group()
        if may(word):
            yield start, start + len(word), word


def _occurrences(text: str, part: str) -> Iterator[int]:
    at = text.find(part)
    while at >= 0:
        yield at
        at = text.find(part, at + 1)


@lru_cache(maxsize=1024)
def _heads_of(terms: frozenset[str]) -> frozenset[str]:
    """The heads of all of ``terms`` (`_heads`)."""
    return frozenset(h for t in terms for h in _heads(t))


@lru_cache(maxsize=1024)
def _may_match(terms: frozenset[str]) -> Callable[[str], bool]:
    """A cheap test that leaves out most words that cannot have one of
    ``terms`` as their term, so that they need not be stemmed.  The stemmers
    change only a word's ending, so a term begins with its word's first two
    letters, except that: the Russian stemmer turns ё into е, and the Latin
    letters of a word with Cyrillic ones into Cyrillic; the English one makes
    "dying", "lying" and "tying" "die", "lie" and "tie"; and a stem may be one
    letter long."""
    prefixes = tuple(_heads_of(terms))
    if not any(CYRILLIC.search(p) for p in prefixes):
        return lambda word: fold(word).startswith(prefixes)

    def may(word: str) -> bool:
        lower = fold(word)
        return lower.startswith(prefixes) or (
            CYRILLIC.search(lower) is not None and not _CYRILLIC_HEAD.match(lower))

    return may


def _heads(t: str) -> set[str]:
    """The first letters (at most two) a word whose term is ``t`` begins with,
    folded (see `_may_match`)."""
    heads = {t[:2]} | ({t[0] + "y"} if t[1:2] == "i" else set())
    return {"".join(c) for head in heads for c in itertools.product(*(_YO.get(ch, ch) for ch in head))}


_YO = {"е": "её"}
_WORD = re.compile(r"\w")
_FOLDED = re.compile(rf"[^\W\x00-\x7f]|[{INNER_MARKS}]")  # what `fold` may change in a word
_CYRILLIC_HEAD = re.compile(r"[\u0400-\u04ff]{2}")


def snippet(text: str, terms: set[str], max_chars: int) -> str:
    """The best ``max_chars`` window of ``text`` as HTML, query words in ``<mark>``."""
    text = _SPACE.sub(" ", text).strip()
    spans = matches(text, terms)
    start, end = _window(text, spans, max_chars)
    out = ["…" if start > 0 else ""]
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)


def _window(text: str, spans: list[tuple[int, int]], max_chars: int) -> tuple[int, int]:
    """The window with the most distinct matched words, snapped to word edges."""
    if len(text) <= max_chars:
        return 0, len(text)
    best, best_start = -1, 0
    for s, _ in spans:
        start = max(0, s - max_chars // 5)
        inside = {text[a:b].lower() for a, b in spans if a >= start and b <= start + max_chars}
        if len(inside) > best:
            best, best_start = len(inside), start
    start = best_start
    if start > 0:  # begin at a word (ideally a sentence) edge
        sentence = text.rfind(". ", max(0, start - 60), start)
        start = sentence + 2 if sentence >= 0 else text.find(" ", start) + 1
    end = min(len(text), start + max_chars)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end
