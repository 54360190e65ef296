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
from typing import Callable

from .analysis import CYRILLIC, TOKEN, fold, term

_SPACE = re.compile(r"\s+")


def matches(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` whose analysed form is in ``terms``."""
    if not terms:
        return []
    may = _may_match(frozenset(terms))
    return [m.span() for m in TOKEN.finditer(text) if may(m.group()) and term(m.group()) in terms]


def count_terms(text: str, terms: set[str]) -> tuple[int, int]:
    """(distinct query terms found, total occurrences) in ``text``."""
    if not terms:
        return 0, 0
    may = _may_match(frozenset(terms))
    found: Counter[str] = Counter()
    for word, n in Counter(TOKEN.findall(text)).items():
        if may(word) and (t := term(word)) in terms:
            found[t] += n
    return len(found), sum(found.values())


@lru_cache(maxsize=1024)
def _may_match(terms: frozenset[str]) -> Callable[[str], bool]:
    """A cheap test that leaves out most words that cannot have one of
    ``terms`` as their term, so that they need not be stemmed.  The stemmers
    change only a word's ending, so a term begins with its word's first two
    letters, except that: the Russian stemmer turns ё into е, and the Latin
    letters of a word with Cyrillic ones into Cyrillic; the English one makes
    "dying", "lying" and "tying" "die", "lie" and "tie"; and a stem may be one
    letter long."""
    starts: set[str] = set()
    for t in terms:
        heads = {t[:2]} | ({t[0] + "y"} if t[1:2] == "i" else set())
        for head in heads:
            starts |= {"".join(c) for c in itertools.product(*(_YO.get(ch, ch) for ch in head))}
    prefixes = tuple(starts)
    if not any(CYRILLIC.search(p) for p in prefixes):
        return lambda word: fold(word).startswith(prefixes)

    def may(word: str) -> bool:
        lower = fold(word)
        return lower.startswith(prefixes) or (
            CYRILLIC.search(lower) is not None and not _CYRILLIC_HEAD.match(lower))

    return may


_YO = {"е": "её"}
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
