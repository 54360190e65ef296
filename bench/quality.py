"""Retrieval quality of the speed-ups, on SciFact train (BEIR).

    .venv/bin/python -m bench.quality

Indexes the SciFact corpus once per embedding backend (fp32 torch, int8 ONNX)
and prints nDCG@10 of semantic and hybrid search with each, and of keyword
search scored by Whoosh and by the vectorised BM25F path (which must agree).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from pathlib import Path

from indexer.build import build
from search import Searcher, Settings
from search.embedder import Embedder
from search.layout import IndexDir, IndexNotFound

ROOT = Path(__file__).resolve().parents[1]


def ndcg_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    dcg = sum((2 ** relevant.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum((2 ** r - 1) / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def train_queries(scifact: Path) -> list[tuple[str, dict[str, int]]]:
    texts = {}
    for line in (scifact / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        texts[q["_id"]] = q["text"]
    qrels: dict[str, dict[str, int]] = {}
    with open(scifact / "qrels" / "train.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    return [(texts[qid], rel) for qid, rel in qrels.items() if qid in texts]


def mean_ndcg(searcher: Searcher, queries, mode: str) -> float:
    total = 0.0
    for text, relevant in queries:
        hits = searcher.search(text, mode=mode, size=10).hits
        total += ndcg_at_10([h.article.id for h in hits], relevant)
    return round(total / len(queries), 4)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__.split("\n")[0])
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    args = p.parse_args(argv)
    scifact = args.shared / "eval" / "scifact"
    queries = train_queries(scifact)
    report: dict = {"queries": len(queries), "ndcg@10": {}, "index_seconds": {}}
    base = Settings.from_env()
    for backend in ("torch", "onnx-int8"):
        settings = base.replace(index_dir=args.cache / f"scifact-{backend}", embed_backend=backend)
        embedder = Embedder.for_settings(settings)
        try:
            IndexDir(settings.index_dir).current()
        except IndexNotFound:
            started = time.perf_counter()
            build([scifact / "corpus.jsonl"], settings, progress=False, embedder=embedder)
            report["index_seconds"][backend] = round(time.perf_counter() - started, 1)
        searcher = Searcher.open(settings.index_dir, settings, embedder=embedder)
        for mode in ("semantic", "hybrid"):
            report["ndcg@10"][f"{mode}/{backend}"] = mean_ndcg(searcher, queries, mode)
        if backend == "onnx-int8":
            report["ndcg@10"]["keyword/fast"] = mean_ndcg(searcher, queries, "keyword")
            whoosh = Searcher.open(settings.index_dir, settings.replace(fast_keyword=False),
                                   embedder=embedder)
            report["ndcg@10"]["keyword/whoosh"] = mean_ndcg(whoosh, queries, "keyword")
            whoosh.close()
        searcher.close()
    for key, value in report["ndcg@10"].items():
        print(f"nDCG@10 {key:<20} {value:.4f}")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
