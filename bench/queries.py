"""Real query text for the latency runs.

Short queries (1-3 words) are words and names from real headlines; long ones
(8-15 words) are SciFact claims, the natural-language questions semantic
search invites.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from search.text.analysis import STOP_WORDS

from .corpus import Source

_WORD = re.compile(r"\w[\w'-]*\w|\w", re.UNICODE)


def short(sources: list[Source], n: int, seed: int = 11) -> list[str]:
    """1-3 consecutive non-stop words of real titles (names and topics)."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        words = [w for w in _WORD.findall(rng.choice(sources).title)
                 if w.lower() not in STOP_WORDS and not w.isdigit()]
        if not words:
            continue
        size = rng.randint(1, min(3, len(words)))
        start = rng.randrange(len(words) - size + 1)
        out.append(" ".join(words[start : start + size]))
    return out


def long(shared: Path, n: int, seed: int = 13) -> list[str]:
    """SciFact claims of 8-15 words."""
    claims = [json.loads(line)["text"] for line in
              (shared / "eval/scifact/queries.jsonl").read_text(encoding="utf-8").splitlines()]
    fitting = [c for c in claims if 8 <= len(c.split()) <= 15]
    return random.Random(seed).sample(fitting, min(n, len(fitting)))
