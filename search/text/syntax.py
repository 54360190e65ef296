"""Query syntax shared by the three modes.

The keyword side parses with Whoosh: quoted phrases, ``-word`` and ``NOT
word`` to exclude, ``title:word``, ``AND``/``OR``.  The semantic side cannot
read syntax, so it embeds the query's plain words (`plain_text`) and drops
articles that match an excluded part (`negated`).
"""

from __future__ import annotations

import re

from whoosh import query as wq

_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
# A token: optional sign, optional field prefix, then a quoted phrase or a word.
_TOKEN = re.compile(r'([+-]?)(?:\w+:)?(?:"([^"]*)"?|(\S+))')
_FIELD = re.compile(r"^\w+:")


def lift_negations(q: wq.Query) -> wq.Query:
    """Make ``a b NOT c`` mean "a or b, without c".

    Whoosh puts a ``Not`` inside the ``Or`` of the other words, which matches
    every article without ``c``; news readers mean an exclusion.  A query of
    exclusions alone matches nothing."""
    if isinstance(q, wq.Not):
        return wq.NullQuery
    if isinstance(q, wq.AndNot):
        return wq.AndNot(lift_negations(q.a), q.b).normalize()
    if not isinstance(q, wq.Or):
        return q
    kept, dropped = [], []
    for child in q.subqueries:
        (dropped if isinstance(child, wq.Not) else kept).append(child)
    if not dropped:
        return q
    if not kept:
        return wq.NullQuery
    positive = wq.Or([lift_negations(c) for c in kept], boost=q.boost).normalize()
    return wq.AndNot(positive, wq.Or([d.query for d in dropped]).normalize())


def negated(q: wq.Query) -> wq.Query:
    """The part of a (lifted) query whose matches must be left out, or `NullQuery`."""
    parts: list[wq.Query] = []

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.AndNot):
            parts.append(node.b)
            walk(node.a)
        elif isinstance(node, wq.Not):
            parts.append(node.query)
        elif not node.is_leaf():
            for child in node.children():
                walk(child)

    walk(q)
    return wq.Or(parts).normalize() if parts else wq.NullQuery


def plain_text(text: str) -> str:
    """The words of a query without its syntax, for the model to embed.

    ``"green light" title:israel -iran OR NOT syria`` gives ``green light israel``."""
    words: list[str] = []
    negate_next = False
    for m in _TOKEN.finditer(text.replace("(", " ").replace(")", " ")):
        sign, phrase, word = m.group(1), m.group(2), m.group(3)
        if word is not None and word in _OPERATORS:
            negate_next = word == "NOT"
            continue
        if sign == "-" or negate_next:
            negate_next = False
            continue
        value = phrase if phrase is not None else _FIELD.sub("", word)
        value = value.replace('"', " ").strip()
        if any(ch.isalnum() for ch in value):  # " - " and "—" are punctuation
            words.append(value)
    return " ".join(" ".join(words).split())
