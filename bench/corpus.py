"""Benchmark corpora made of real text only.

The real articles come first, as they are: English and Russian Wikinews
(``shared/corpora/wikinews``) and the SciFact abstracts
(``shared/eval/scifact/corpus.jsonl``).  Past those, each further article is a
recombination of real text: the title of one real article and three to six
real paragraphs of other real articles (a Wikinews paragraph is a line of its
body; a SciFact abstract is cut into paragraphs of three sentences).  No word
is invented.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from indexer.passages import sentences

WIKINEWS = ("corpora/wikinews/en.jsonl", "corpora/wikinews/ru.jsonl")
SCIFACT = "eval/scifact/corpus.jsonl"


@dataclass(frozen=True)
class Source:
    title: str
    paragraphs: tuple[str, ...]
    lang: str
    published: str | None


def sources(shared: Path) -> list[Source]:
    """Every real article, split into paragraphs."""
    out: list[Source] = []
    for name in WIKINEWS:
        for line in (shared / name).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            paragraphs = tuple(p.strip() for p in r["body"].split("\n") if len(p.strip()) > 40)
            if r["title"] and paragraphs:
                out.append(Source(r["title"], paragraphs, r.get("lang", ""), r.get("published")))
    for line in (shared / SCIFACT).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        spans = sentences(r["text"])
        groups = [spans[i : i + 3] for i in range(0, len(spans), 3)]
        paragraphs = tuple(r["text"][g[0][0] : g[-1][1]] for g in groups if g)
        if r["title"] and paragraphs:
            out.append(Source(r["title"], paragraphs, "en", None))
    return out


def articles(real: list[Source], n: int, seed: int = 5):
    """``n`` article records (dicts for the JSONL reader): the ``real`` ones
    first, then recombinations of their titles and paragraphs."""
    rng = random.Random(seed)
    start = date(2004, 11, 13)
    for i in range(n):
        if i < len(real):
            s = real[i]
            title, body, lang, published = s.title, "\n".join(s.paragraphs), s.lang, s.published
        else:
            head = rng.choice(real)
            parts = [head.paragraphs[0]] + [
                rng.choice(rng.choice(real).paragraphs) for _ in range(rng.randint(2, 5))
            ]
            title, body, lang = head.title, "\n".join(parts), head.lang
            published = (start + timedelta(days=rng.randrange(16 * 365))).isoformat()
        yield {"id": f"bench-{i}", "title": title, "body": body, "lang": lang,
               "published": published}


def write(real: list[Source], n: int, path: Path) -> Path:
    """The corpus as JSONL at ``path`` (kept if already written)."""
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            for record in articles(real, n):
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        tmp.replace(path)
    return path
