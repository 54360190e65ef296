"""Latency of the search-experience calls on an existing index.

    python bench/experience_latency.py [--index-dir indexes/default] [-n 200]

Times autocompletion (every prefix of sampled headline words, as typed key by
key), searches with facets in each mode (plain, filtered, newest first),
"did you mean" on misspelled words, and related stories; prints p50/p95/max
in milliseconds.  The first call of each kind (loading, warming) is left out.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from search import Filters, Searcher


def timed(fn, *args, **kwargs) -> float:
    started = time.perf_counter()
    fn(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples[1:] or samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"{name:34s} n={len(samples):4d}  p50={statistics.median(samples):7.1f}  "
          f"p95={p95:7.1f}  max={samples[-1]:7.1f} ms")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--index-dir", type=Path, default=Path("indexes/default"))
    p.add_argument("-n", type=int, default=200, help="queries per measurement")
    args = p.parse_args()
    rng = random.Random(7)
    s = Searcher.open(args.index_dir)
    print(f"{s.generation.path}: {s.article_count} articles")
    articles = list(s.store.get(list(range(1, s.facts.size))).values())
    words = [w for a in articles for w in a.title.split() if w.isalpha() and len(w) > 3]
    sample = rng.sample(words, min(args.n, len(words)))

    report("suggest (each keystroke)", [timed(s.suggest, w[:i]) for w in sample[: args.n // 4]
                                        for i in range(2, len(w) + 1)])
    queries = [" ".join(rng.sample(words, 2)) for _ in range(args.n // 4)]
    years = sorted({a.published.year for a in articles if a.published})
    filters = Filters.parse(date_from=str(years[len(years) // 2])) if years else Filters()
    for mode in ("keyword", "semantic", "hybrid"):
        report(f"search+facets {mode}", [timed(s.search, q, mode=mode, facets=True) for q in queries])
        report(f"search+facets {mode} filtered", [timed(s.search, q, mode=mode, facets=True,
                                                       filters=filters) for q in queries])
        report(f"search {mode} newest", [timed(s.search, q, mode=mode, sort="newest") for q in queries])
    typos = [w[:2] + w[3:] for w in sample]
    report("search keyword (misspelled)", [timed(s.search, q, mode="keyword") for q in typos])
    ids = [a.id for a in rng.sample(articles, min(len(articles), args.n // 4))]
    report("related stories", [timed(s.related, i) for i in ids])


if __name__ == "__main__":
    main()
