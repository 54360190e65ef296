"""Snippets: a short window of a passage with the query's words marked.

The output is HTML: every character of the article text is escaped and only
the ``<mark>`` tags are ours, so it is safe to insert into a page as is.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache
from html import escape
from typing import Callable, Iterator

from search.text.analysis import CYRILLIC, INNER_MARKS, TOKEN, fold, term
from search.text.romanize import name_spans

_SPACE = re.compile(r"\s+")


def matches(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` whose analysed form is in ``terms``."""
    return [(start, end) for start, end, _ in term_matches(text, terms)]


def term_matches(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of the words of ``text`` whose analysed form is in ``terms``."""
    if not terms:
        return []
    return [(start, end, t) for start, end, word in _maybe(text, frozenset(terms))
            if (t := term(word)) in terms]


def _maybe(text: str, terms: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) of the words of ``text`` (`TOKEN`) that `_may_match`
    ``terms``.  Where the lower-cased text holds every word's fold at the
    word's place (`_folds_in_place`), only the places where a term's head
    occurs in it are looked at (`_word_starts`, found in C: several times
    faster than going through every word)."""
    may = _may_match(terms)
    low = text.lower()
    if not _folds_in_place(text, low):
        found = ((m.start(), m.end(), m.group()) for m in TOKEN.finditer(text))
        yield from (f for f in found if may(f[2]))
        return
    starts = {m.start() for found in _word_starts(_heads_of(terms)) for m in found.finditer(low)}
    for start in sorted(starts):
        word = TOKEN.match(text, start).group()
        if may(word):
            yield start, start + len(word), word


def _folds_in_place(text: str, low: str) -> bool:
    """Whether ``low``, the lower-cased ``text``, holds each word's `fold` at
    the word's offsets: true of ASCII text, and of text in NFKC without what
    `fold` removes or replaces, where lower-casing keeps every character one
    character and needs no context (Greek capital sigma does)."""
    return text.isascii() or (
        len(low) == len(text) and "\u03a3" not in text and _FOLDED.search(low) is None
        and unicodedata.is_normalized("NFKC", text))


@lru_cache(maxsize=1024)
def _word_starts(heads: frozenset[str]) -> list[re.Pattern]:
    """What finds the words beginning with one of ``heads`` (`_head_start`);
    with Cyrillic heads also the words with Cyrillic letters that do not
    begin with two or mix in other letters (`_may_match` lets those
    through: the stemmer makes their other letters Cyrillic)."""
    found = [_head_start(h) for h in heads]
    if any(CYRILLIC.search(h) for h in heads):
        found.append(_MIXED)
    return found


@lru_cache(maxsize=8192)
def _head_start(head: str) -> re.Pattern:
    """Finds ``head`` where a word begins: not inside a word, as "s" is in
    "u.s" (the head first, then looking back, lets the regex engine skip
    ahead to the head's first letter).  One per head, compiled once for
    every query that has it."""
    h = re.escape(head)
    return re.compile(rf"{h}(?<!\w{h})(?<!\w\.{h})")


@lru_cache(maxsize=1024)
def _heads_of(terms: frozenset[str]) -> frozenset[str]:
    """The heads of all of ``terms`` (`_heads`)."""
    return frozenset(h for t in terms for h in _heads(t))


@lru_cache(maxsize=1024)
def _may_match(terms: frozenset[str]) -> Callable[[str], bool]:
    """A cheap test that leaves out most words that cannot have one of
    ``terms`` as their term, so that they need not be stemmed.  The stemmers
    change mostly a word's ending, so a term begins with its word's first
    letters (`_heads`; the Armenian and Azerbaijani ones only cut endings,
    keeping three letters: `search.text.stemmers`), except that: the
    Russian stemmer turns ё into е (heads have both), and the Latin letters
    of a word with Cyrillic ones into Cyrillic (such words are let through);
    the English one makes
    "dying", "lying" and "tying" "die", "lie" and "tie"; and a stem may be
    one letter long."""
    prefixes = tuple(_heads_of(terms))
    if not any(CYRILLIC.search(p) for p in prefixes):
        return lambda word: fold(word).startswith(prefixes)

    def may(word: str) -> bool:
        lower = fold(word)
        return lower.startswith(prefixes) or (CYRILLIC.search(lower) is not None and (
            not _CYRILLIC_HEAD.match(lower) or _OTHER_LETTER.search(lower) is not None))

    return may


def _heads(t: str) -> set[str]:
    """The first letters a word whose term is ``t`` begins with, folded (see
    `_may_match`); the longer, the fewer places to look at.  Two, but for
    an ASCII term all but its last two, as an English stem differs from
    its word at most in its last two letters ("dying" -> "die", "happy" ->
    "happi"; "reporting" begins with "repo" of "report"); for a Cyrillic
    term up to five, stopping before an "и^" or a ь after the first letter
    (the Russian stemmer cuts endings, but writes "воюют" as "вои^" and
    "объём" as "обь"); for any other term (Armenian, Azerbaijani with
    letters beyond ASCII, ...) two."""
    if t.isascii():
        size = max(2, len(t) - 2)
    elif _CYRILLIC_WORD.fullmatch(t):
        quirks = [i for i in (t.find("ь", 1), t.find("и^")) if i >= 0]
        size = max(1, min([5, len(t), *quirks]))
    else:
        size = 2
    heads = {t[:size]} | ({t[0] + "y"} if t[1:2] == "i" and size == 2 else set())
    return {"".join(c) for head in heads for c in itertools.product(*(_YO.get(ch, ch) for ch in head))}


_YO = {"е": "её"}
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff^]+")  # a Russian stem
_FOLDED = re.compile(f"[\u0131\u0307{INNER_MARKS}]")  # what `fold` changes in NFKC lower case
_CYRILLIC_HEAD = re.compile(r"[\u0400-\u04ff]{2}")
_OTHER_LETTER = re.compile(r"[^\W\d_\u0400-\u04ff]")
# A word (of two letters or more, or with a dot) with a Cyrillic letter that
# either does not begin with two or has a letter of another script (the
# lookaheads may run on past a dot: a few more words to test, never fewer).
_MIXED = re.compile(r"(?<!\w)(?<!\w\.)(?=\w)(?!\w(?![\w.]))(?=[\w.]*[\u0400-\u04ff])"
                    r"(?:(?![\u0400-\u04ff]{2})|(?=[\w.]*[^\W\d_\u0400-\u04ff]))")


def snippet(text: str, terms: set[str], max_chars: int, names: frozenset[str] = frozenset()) -> str:
    """The best ``max_chars`` window of ``text`` as HTML, query words in
    ``<mark>``, and the words in other scripts its ``names`` match
    (`search.text.romanize.query_terms`)."""
    text = _SPACE.sub(" ", text).strip()
    spans = matches(text, terms)
    if names:
        spans = sorted(set(spans).union(name_spans(text, names)))
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
