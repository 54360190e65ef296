"""Splitting article bodies into passages that fit the model's token window.

Passages are packed from whole sentences up to ``max_tokens`` model tokens,
each starting with up to ``overlap`` tokens of the previous passage's last
sentences.  A sentence longer than ``max_tokens`` is cut at token boundaries,
so no text is ever dropped.  Passages are character spans of the body.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

# A sentence ends at . ! ? … (with the quotes/brackets that close it) before
# whitespace, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"'”’»)\]]*)\s+|\n+")

TokenOffsets = Callable[[Sequence[str]], list[list[tuple[int, int]]]]


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (whitespace trimmed)."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end(1) if m.group(1) is not None else m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def split(text: str, token_offsets: TokenOffsets, max_tokens: int, overlap: int) -> list[tuple[int, int]]:
    """Passage spans covering every sentence of ``text``."""
    units: list[tuple[int, int, int]] = []  # (start, end, tokens)
    spans = sentences(text)
    for (s, e), offsets in zip(spans, token_offsets([text[s:e] for s, e in spans])):
        if len(offsets) <= max_tokens:
            units.append((s, e, len(offsets)))
            continue
        for i in range(0, len(offsets), max_tokens):  # cut an overlong sentence
            chunk = offsets[i : i + max_tokens]
            end = e if i + max_tokens >= len(offsets) else s + offsets[i + max_tokens][0]
            units.append((s + chunk[0][0], end, len(chunk)))
    passages: list[tuple[int, int]] = []
    current: list[tuple[int, int, int]] = []
    for unit in units:
        if current and sum(u[2] for u in current) + unit[2] > max_tokens:
            passages.append((current[0][0], current[-1][1]))
            current = _tail(current, overlap, max_tokens - unit[2])
        current.append(unit)
    if current:
        passages.append((current[0][0], current[-1][1]))
    return passages


def _tail(units: list[tuple[int, int, int]], overlap: int, room: int) -> list[tuple[int, int, int]]:
    """The last sentences of a passage, up to ``overlap`` tokens, to repeat."""
    kept: list[tuple[int, int, int]] = []
    budget = min(overlap, room)
    for unit in reversed(units[1:]):  # never repeat the whole passage
        if unit[2] > budget:
            break
        kept.insert(0, unit)
        budget -= unit[2]
    return kept
