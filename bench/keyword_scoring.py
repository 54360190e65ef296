"""Keyword scoring alone: the vectorised BM25F path against Whoosh's own.

    .venv/bin/python -m bench.keyword_scoring --articles 10000

Builds (or reuses) a keyword-only index (no embeddings, so it is quick) of N
articles of the benchmark corpus and times the same real queries, short and
long, scored both ways in one process; checks the two agree on the top 10.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from indexer.sources import read_sources
from search.config import Settings
from search.index.keyword import KeywordIndex, KeywordWriter

from . import corpus, queries
from .run import ROOT, latency, median_words


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.keyword_scoring")
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--source-articles", type=int, default=1500)
    p.add_argument("--queries", type=int, default=100)
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    args = p.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    sources = corpus.sources(args.shared)[: args.source_articles]
    path = args.cache / f"keyword-{args.articles}-{len(sources)}"
    built = None
    if not (path / "bm25").exists():
        data = corpus.write(sources, args.articles,
                            args.cache / f"corpus-{args.articles}-{len(sources)}.jsonl")
        started = time.perf_counter()
        writer = KeywordWriter(path)
        n = 0
        for n, article in enumerate(read_sources([data]), start=1):
            writer.add(n, article)
        writer.commit()
        built = {"articles": n, "seconds": round(time.perf_counter() - started, 1)}
    s = Settings.from_env()
    fast = KeywordIndex(path, s.bm25_k1, s.bm25_b, s.title_boost)
    whoosh = KeywordIndex(path, s.bm25_k1, s.bm25_b, s.title_boost, fast=False)
    short = queries.short(sources, args.queries)
    long_ = queries.long(args.shared, args.queries)
    report: dict = {"articles": fast.doc_count(), "built": built,
                    "short_words_median": median_words(short),
                    "long_words_median": median_words(long_)}
    for name, qs in (("short", short), ("long", long_)):
        for q in qs[:5]:  # warm up
            fast.search(fast.parse(q), 100), whoosh.search(whoosh.parse(q), 100)
        agree = sum(_ords(fast, q) == _ords(whoosh, q) for q in qs)
        report[name] = {
            "fast": latency(lambda q: fast.search(fast.parse(q), 100), qs),
            "whoosh": latency(lambda q: whoosh.search(whoosh.parse(q), 100), qs),
            "identical_top10": f"{agree}/{len(qs)}",
        }
        report[name]["speedup_p50"] = round(report[name]["whoosh"]["p50"]
                                            / report[name]["fast"]["p50"], 1)
    print(json.dumps(report, indent=2))
    return 0


def _ords(index: KeywordIndex, q: str) -> list[int]:
    return [o for o, _ in index.search(index.parse(q), 10)[0]]


if __name__ == "__main__":
    sys.exit(main())
