"""Sweep ranking settings on a BEIR data set and print one table row per setting.

    python scripts/relevance_sweep.py ../shared/eval/scifact --split train [--group fusion]

Each experiment is a set of `Settings` overrides, scored by the same code as
`newsearch eval` (`newsearch.evaluate`).  Index-time overrides (passage size,
title embedding) get their own index under ``indexes/eval/`` (built once and
reused, so the passage embeddings are cached per configuration); query-time
ones share it.  Keyword results are computed once per index and keyword
configuration; queries are searched as the site serves them (`run_queries`).  Any row can be reproduced alone with the
same overrides as environment variables, e.g.
``NEWSEARCH_RRF_K=20 newsearch eval ../shared/eval/scifact --mode hybrid``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsearch.evaluate import (  # noqa: E402
    METRICS,
    Dataset,
    default_index_dir,
    ensure_index,
    run_queries,
    score_run,
)
from search.config import INDEX_SETTINGS, Settings  # noqa: E402
from search.models.embedder import Embedder  # noqa: E402
from search.searcher import Searcher  # noqa: E402

KEYWORD = ("bm25_k1", "bm25_b", "title_boost")

# group -> [(modes, overrides)]; each group varies one lever around the defaults.
GROUPS: dict[str, list[tuple[tuple[str, ...], dict]]] = {
    "defaults": [(("keyword", "semantic", "hybrid"), {})],
    "bm25": [(("keyword",), {"title_boost": t}) for t in (0.0, 0.25, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0)]
            + [(("keyword",), {"bm25_k1": k1, "bm25_b": b})
               for k1, b in ((0.9, 0.4), (1.2, 0.5), (1.2, 1.0), (1.5, 0.75))],
    "rollup": [(("semantic",), {"passage_rollup_weight": w}) for w in (0.0, 0.05, 0.1, 0.2, 0.5)],
    "passages": [(("semantic", "hybrid"), p) for p in (
        {"passage_tokens": 200, "passage_overlap": 40, "embed_title": False},
        {"passage_tokens": 128, "passage_overlap": 32},
        {"passage_tokens": 256, "passage_overlap": 0},
    )],
    "fusion": [(("hybrid",), {"fusion": "rrf", "rrf_k": k}) for k in (10, 30, 60)]
              + [(("hybrid",), {"fusion": "rrf", "semantic_weight": w}) for w in (0.4, 0.6)]
              + [(("hybrid",), {"fusion": "weighted", "semantic_weight": w})
                 for w in (0.3, 0.4, 0.5, 0.6, 0.7)]
              + [(("hybrid",), {"candidate_depth": d}) for d in (50, 200)],
    # News (eval/news, scripts/news_sets.py): the headline's weight, and how
    # much the semantic list counts in each language.
    "news-title": [(("keyword", "hybrid"), {"title_boost": t}) for t in (0.5, 1.0, 1.5, 2.0, 3.0)],
    # Passage size of the multilingual model's articles (index-time).
    "news-passages": [(("semantic", "hybrid"), {"multilingual_passage_tokens": t, "passage_overlap": o})
                      for t, o in ((200, 40), (128, 32), (96, 24), (64, 16))]
                     + [(("semantic", "hybrid"), {"multilingual_passage_tokens": 128,
                                                  "passage_overlap": 32, "embed_title": False})],
    # Cross-lingual merging: the multilingual model's cosines shifted against
    # MiniLM's (run on the two-edition set).
    "news-calibration": [(("semantic", "hybrid"), {"score_calibration": f"use-multilingual-v3:1:{d}"})
                         for d in (-0.1, 0.0, 0.05, 0.1, 0.15, 0.2)],
    "news-fusion": [(("hybrid",), {"semantic_weight": w}) for w in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)],
    # Analyzers are index-time: each variant gets a keyword-only index of its own.
    "analyzer": [(("keyword",), {"analyzer": name}) for name in
                 ("default", "no stemming", "porter stemmer", "long stop list (127 words)",
                  "no stop words")],
}


def _analyzers() -> dict[str, object]:
    """Analyzer variants for the "analyzer" group (the shipped one is "default")."""
    from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
    from whoosh.lang import stopwords_for_language
    from whoosh.lang.porter import stem as porter

    from search.text.analysis import ENGLISH_STOP_WORDS, news_analyzer

    def chain(stops, stemmer=None):
        a = RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=stops, minsize=2)
        return a | StemFilter(stemfn=stemmer) if stemmer else a

    return {
        "default": news_analyzer(),
        "no stemming": chain(ENGLISH_STOP_WORDS),
        "porter stemmer": chain(ENGLISH_STOP_WORDS, porter),
        "long stop list (127 words)": news_analyzer(frozenset(stopwords_for_language("en"))),
        "no stop words": news_analyzer(frozenset()),
    }


def keyword_variant(searcher: Searcher, name: str, analyzer, settings: Settings, root: Path):
    """A keyword index of the searcher's articles analysed with ``analyzer``."""
    from whoosh import index
    from whoosh.fields import NUMERIC, TEXT, Schema

    from search.index.keyword import KeywordIndex

    path = root / "".join(c if c.isalnum() else "-" for c in name)
    if not index.exists_in(str(path)):
        path.mkdir(parents=True, exist_ok=True)
        schema = Schema(ord=NUMERIC(int, bits=64, stored=True, unique=True),
                        title=TEXT(analyzer=analyzer, stored=True), body=TEXT(analyzer=analyzer))
        writer = index.create_in(str(path), schema).writer(limitmb=256)
        ids = searcher.store.id_table()
        articles = searcher.store.get(list(ids))
        for ord_, article in articles.items():
            writer.add_document(ord=ord_, title=article.title, body=article.body)
        writer.commit()
    return KeywordIndex(path, settings.bm25_k1, settings.bm25_b, settings.title_boost)


class RememberingKeyword:
    """A `KeywordIndex` that remembers results: sweeps rerun the same queries."""

    def __init__(self, inner):
        self._inner = inner
        self._seen: dict[tuple[str, int], tuple] = {}

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def search(self, q, limit, *args, **kwargs):
        key = (repr(q), limit)
        if key not in self._seen:
            self._seen[key] = self._inner.search(q, limit, *args, **kwargs)
        return self._seen[key]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dataset", type=Path)
    p.add_argument("--split", default="train")
    p.add_argument("--group", action="append", choices=sorted(GROUPS),
                   help="experiment groups to run (default: all)")
    p.add_argument("--base", default="{}", help="JSON overrides applied under every experiment")
    p.add_argument("--out", type=Path, help="also append the rows to this JSONL file")
    args = p.parse_args(argv)

    dataset = Dataset.load(args.dataset, args.split)
    base = Settings.from_env(**json.loads(args.base))
    embedder = Embedder.for_settings(base)
    state: dict = {}  # index dir -> {keyword config: RememberingKeyword}
    print(f"{'experiment':<58} {'mode':<9} {'queries':<16}" + "".join(f"{m:>11}" for m in METRICS))
    for group in args.group or list(GROUPS):
        for modes, overrides in GROUPS[group]:
            analyzer = overrides.get("analyzer")
            settings = base.replace(**{k: v for k, v in overrides.items() if k != "analyzer"})
            index_dir = default_index_dir(dataset, settings)
            ensure_index(dataset, settings, index_dir, embedder, progress=sys.stderr.isatty())
            searcher = Searcher.open(index_dir, settings, embedder)
            keywords = state.setdefault(str(index_dir), {})
            kw_key = (analyzer, *(getattr(settings, n) for n in KEYWORD))
            if kw_key not in keywords:
                inner = searcher.keyword if analyzer is None else keyword_variant(
                    searcher, analyzer, _analyzers()[analyzer], settings, index_dir / "analyzers")
                keywords[kw_key] = RememberingKeyword(inner)
            searcher.keyword = keywords[kw_key]
            started = time.perf_counter()
            runs = run_queries(searcher, dataset, modes)
            for mode, run in runs.items():
                label = f"{group}: " + (", ".join(f"{k}={v}" for k, v in overrides.items()) or "defaults")
                # The whole split, then each query group (language, kind) it has.
                for queries, qids in [("all", dataset.qrels), *sorted(dataset.groups.items())]:
                    scores = score_run(run, {q: dataset.qrels[q] for q in qids})
                    print(f"{label:<58} {mode:<9} {queries:<16}"
                          + "".join(f"{scores[m]:>11.4f}" for m in METRICS), flush=True)
                    if args.out:
                        with args.out.open("a") as f:
                            f.write(json.dumps({
                                "dataset": dataset.name, "group": group, "overrides": overrides,
                                "mode": mode, "queries": queries, "base": json.loads(args.base),
                                "split": args.split,
                                "index": {n: getattr(settings, n) for n in INDEX_SETTINGS},
                                "scores": scores,
                                "seconds": round(time.perf_counter() - started, 1)}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
