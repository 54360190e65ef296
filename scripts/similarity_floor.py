"""Measure the cosine of relevant and irrelevant semantic hits, per model, to set the floor.

    python scripts/news_sets.py --out /tmp/eval-data
    newsearch index /tmp/eval-data/wikinews-xling/corpus.jsonl --index-dir /tmp/xling
    python scripts/similarity_floor.py --index-dir /tmp/xling /tmp/eval-data/wikinews-en \\
        /tmp/eval-data/wikinews-ru /tmp/eval-data/wikinews-xling --off-topic ../shared/eval/scifact

The index must hold every article the query sets judge (the cross-lingual
corpus holds them all).  For each model, every judged query of the split (in
a language the model reads) is embedded and its 10 nearest articles (best
passage) are taken: the cosines of the relevant ones and of the others are
collected; so is the top cosine of each *off-topic* query (a data set about
something else entirely: nothing in the index answers it).  Short queries
score lower cosines than sentences, and readers type one or two words, so
each query is also run cut to its rarest word and to its two rarest words
(judged by the same article; off-topic ones cut to their longest words), and
everything is counted per query length (1, 2, 3-5, 6+ words, stop words
not counted: `search.ranking.floor.query_length`).  The floor
offered per length is the 5th percentile of the relevant hits' cosines (95%
of them are kept), with the share of the other hits (unjudged: some are
relevant too) and of the off-topic top hits it removes.  Results:
docs/relevance.md ("Relevance floor").
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsearch.evaluate import Dataset  # noqa: E402
from search.config import Settings  # noqa: E402
from search.ranking.floor import query_length, similarity_floor  # noqa: E402
from search.ranking.rollup import rollup  # noqa: E402
from search.searcher import Searcher  # noqa: E402
from search.text.analysis import STOP_WORDS  # noqa: E402

TOP = 10
KEEP = 0.95
WORD = re.compile(r"\w{3,}")


def nearest(searcher: Searcher, space: int, text: str, lang: str) -> list[tuple[str, float]]:
    """(article id, cosine of its best passage) of the ``TOP`` nearest articles
    (the query moved as served, `search.ranking.query_offset`)."""
    s = searcher.semantic.spaces[space]
    vec = s.embedder.encode([text])[0]
    if s.offset:
        vec = s.offset.move(vec, lang)
    scores, pids = s.vectors.search(vec, TOP * 8)
    best = rollup(scores, pids, searcher.passage_article[pids] if len(pids) else pids)
    ords = list(best)[:TOP]
    articles = searcher.store.get(ords)
    return [(articles[o].id, best[o][0]) for o in ords if o in articles]


def short_forms(searcher: Searcher, text: str, rarest: bool = True) -> list[str]:
    """The query cut to one and to two of its words: the rarest in the index
    (the words a reader looking for that article would type), or for
    off-topic queries the longest."""
    vocab = searcher.vocabulary.get()
    words = [w for w in dict.fromkeys(WORD.findall(text.lower())) if w not in STOP_WORDS]
    if rarest:
        words = sorted((w for w in words if vocab.count(w)), key=vocab.count)
    else:
        words = sorted(words, key=len, reverse=True)
    return [" ".join(words[:n]) for n in (1, 2) if len(words) >= n]


BUCKETS = ("1 word", "2 words", "3-5 words", "6+ words")


def bucket(text: str) -> str:
    n = query_length(text)
    return BUCKETS[0 if n == 1 else 1 if n == 2 else 2 if n <= 5 else 3]


def measure(searcher: Searcher, sets: list[Dataset], off_topic: Dataset | None,
            limit: int, check: bool = False) -> dict:
    """Per model: cosine quantiles per query length, the floors they suggest
    (``check``: the configured floors instead, to test them on held-out
    queries) and what those floors keep and drop."""
    report = {}
    for i, space in enumerate(searcher.semantic.spaces):
        relevant: dict[str, list[float]] = {b: [] for b in BUCKETS}
        other: dict[str, list[float]] = {b: [] for b in BUCKETS}
        off: dict[str, list[float]] = {b: [] for b in BUCKETS}
        for data in sets:
            lines = (data.root / "queries.jsonl").read_text(encoding="utf-8").splitlines()
            lang = {q["_id"]: q.get("lang", "en") for q in map(json.loads, filter(None, lines))}
            for qid in sample(data.queries, limit):
                if not space.spec.holds(lang[qid]):
                    continue
                text = data.queries[qid]
                for form in [text] + short_forms(searcher, text):
                    for doc, cos in nearest(searcher, i, form, lang[qid]):
                        judged = data.qrels[qid].get(doc, 0) > 0
                        (relevant if judged else other)[bucket(form)].append(cos)
        if off_topic is not None:
            for qid in sample(off_topic.queries, limit):
                text = off_topic.queries[qid]
                for form in [text] + short_forms(searcher, text, rarest=False):
                    hits = nearest(searcher, i, form, "en")  # SciFact: English
                    off[bucket(form)].extend(cos for _, cos in hits[:1])
        floors, kept, dropped, dropped_off = [], {}, {}, {}
        configured = similarity_floor(Settings(), space.spec.model)
        for n, b in enumerate(BUCKETS):
            rel, oth, offa = (np.asarray(x[b]) for x in (relevant, other, off))
            if check:
                floor = configured.by_length[n]
            else:
                floor = float(np.floor(np.quantile(rel, 1 - KEEP) * 100) / 100) if len(rel) else -1.0
            floors.append(floor)
            kept[b] = round(float((rel >= floor).mean()), 3) if len(rel) else None
            dropped[b] = round(float((oth < floor).mean()), 3) if len(oth) else None
            dropped_off[b] = round(float((offa < floor).mean()), 3) if len(offa) else None
        report[space.spec.model.rstrip("/").rsplit("/", 1)[-1]] = {
            "hits": {b: {"relevant": len(relevant[b]), "other": len(other[b]),
                         "off_topic_top1": len(off[b])} for b in BUCKETS},
            "relevant_quantiles": {b: _quantiles(np.asarray(relevant[b])) for b in BUCKETS},
            "other_quantiles": {b: _quantiles(np.asarray(other[b])) for b in BUCKETS},
            "off_topic_top1_quantiles": {b: _quantiles(np.asarray(off[b])) for b in BUCKETS},
            "floors": "/".join(f"{f:.2f}" for f in floors),
            "relevant_kept": kept, "other_dropped": dropped, "off_topic_top1_dropped": dropped_off,
        }
    return report


def sample(queries: dict[str, str], limit: int) -> list[str]:
    """At most ``limit`` query ids, drawn at random (seeded): a set lists its
    queries kind by kind, so its first ones would leave whole kinds out."""
    ids = list(queries)
    return ids if len(ids) <= limit else random.Random(0).sample(ids, limit)


def _quantiles(values: np.ndarray) -> dict[str, float]:
    if not len(values):
        return {}
    return {f"p{int(q * 100):02d}": round(float(np.quantile(values, q)), 3)
            for q in (0.05, 0.25, 0.5, 0.75, 0.95)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("datasets", nargs="+", type=Path, help="BEIR folders of judged query sets")
    p.add_argument("--index-dir", type=Path, required=True)
    p.add_argument("--split", default="train")
    p.add_argument("--off-topic", type=Path, default=None, help="a BEIR folder on another subject")
    p.add_argument("--limit", type=int, default=100_000, help="queries per set at most")
    p.add_argument("--check", action="store_true",
                   help="measure the configured floors (Settings) instead of suggesting floors")
    args = p.parse_args(argv)
    searcher = Searcher.open(args.index_dir, Settings(similarity_floors=""))
    sets = [Dataset.load(d, args.split) for d in args.datasets]
    off = Dataset.load(args.off_topic, args.split) if args.off_topic else None
    print(json.dumps(measure(searcher, sets, off, args.limit, args.check), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
