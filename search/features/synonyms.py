"""Editors' synonyms, applied to queries when they are searched.

A synonyms file holds one group per line, its terms separated by commas
(``UN, United Nations``; ``Baku, Бакы``); ``#`` starts a comment.  A query
term found in a group (whole words, case aside) becomes the group as an OR
group, ``(UN OR "United Nations")``: the keyword side matches any of them and
the semantic side embeds them all (`syntax.plain_text` keeps their words).
Terms inside quotes, after ``-``/``NOT`` or with a field prefix are left as
typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from search.errors import SearchError

MAX_GROUPS = 10_000
MAX_TERM_WORDS = 6
_EDGE = re.compile(r"^[^\w]+|[^\w]+$")
_SYNTAX = re.compile(r"['\"():\\]")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def _key(words: list[str]) -> tuple[str, ...]:
    return tuple(_EDGE.sub("", w).casefold() for w in words)


@dataclass(frozen=True)
class Synonyms:
    groups: tuple[tuple[str, ...], ...] = ()
    _lookup: dict[tuple[str, ...], int] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, groups: list[list[str]] | tuple[tuple[str, ...], ...]) -> "Synonyms":
        """Checked groups; `SearchError` ``bad_synonyms`` if malformed."""
        if len(groups) > MAX_GROUPS:
            raise SearchError("bad_synonyms", f"at most {MAX_GROUPS} synonym groups")
        clean: list[tuple[str, ...]] = []
        lookup: dict[tuple[str, ...], int] = {}
        for group in groups:
            if not isinstance(group, (list, tuple)) or not all(isinstance(t, str) for t in group):
                raise SearchError("bad_synonyms", "a synonym group is a list of terms")
            terms = tuple(dict.fromkeys(" ".join(t.split()) for t in group if t.strip()))
            if len(terms) < 2:
                raise SearchError("bad_synonyms", f"a synonym group needs two terms or more: {group}")
            for term in terms:
                if _SYNTAX.search(term) or len(term.split()) > MAX_TERM_WORDS:
                    raise SearchError("bad_synonyms", f"a synonym is up to {MAX_TERM_WORDS} plain "
                                                      f"words without quotes or colons: {term!r}")
                lookup.setdefault(_key(term.split()), len(clean))
            clean.append(terms)
        return cls(tuple(clean), lookup)

    @classmethod
    def parse(cls, text: str) -> "Synonyms":
        """Groups from the file format (one comma-separated group a line)."""
        groups = []
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                groups.append([t for t in line.split(",") if t.strip()])
        return cls.of(groups)

    def to_text(self) -> str:
        return "".join(", ".join(g) + "\n" for g in self.groups)

    def expand(self, query: str) -> str:
        """``query`` with each term of a group replaced by the whole group."""
        if not self._lookup:
            return query
        tokens = query.split()
        out: list[str] = []
        i, quoted, skip_next = 0, False, False
        while i < len(tokens):
            token = tokens[i]
            plain = not (quoted or skip_next or _SYNTAX.search(token) or token[0] in "+-"
                         or token in _OPERATORS)
            skip_next = token == "NOT"
            if token.count('"') % 2:
                quoted = not quoted
            match = self._match(tokens, i) if plain else None
            if match is None:
                out.append(token)
                i += 1
                continue
            group, length = match
            out.append("(" + " OR ".join(f'"{t}"' if " " in t else t for t in group) + ")")
            i += length
        return " ".join(out)

    def _match(self, tokens: list[str], start: int) -> tuple[tuple[str, ...], int] | None:
        """The group of the longest term starting at ``tokens[start]``."""
        for length in range(min(MAX_TERM_WORDS, len(tokens) - start), 0, -1):
            words = tokens[start : start + length]
            if any(_SYNTAX.search(w) or w in _OPERATORS for w in words[1:]):
                continue
            group = self._lookup.get(_key(words))
            if group is not None:
                return self.groups[group], length
        return None
