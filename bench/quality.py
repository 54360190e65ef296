"""Retrieval quality of the speed-ups, on SciFact train (BEIR).

    .venv/bin/python -m bench.quality

Indexes the SciFact corpus once per kind of vectors (fp32, computed by ONNX
Runtime; int8 ONNX) and prints nDCG@10 of semantic and hybrid search with
each, and of keyword search scored by Whoosh and by the vectorised BM25F path
(which must agree).  The fp32 ONNX vectors are sentence-transformers' own to
~1e-6 (`bench.run` prints the cosines), so the fp32 row is the torch figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from indexer.build import build
from newsearch.evaluate import Dataset, score_run
from search import Searcher, Settings
from search.index.layout import IndexDir, IndexNotFound
from search.models.embedder import Embedder

ROOT = Path(__file__).resolve().parents[1]


def mean_ndcg(searcher: Searcher, dataset: Dataset, mode: str) -> float:
    run = {qid: [h.article.id for h in searcher.search(text, mode=mode, size=10).hits]
           for qid, text in dataset.queries.items()}
    return round(score_run(run, dataset.qrels)["ndcg@10"], 4)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__.split("\n")[0])
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    args = p.parse_args(argv)
    scifact = args.shared / "eval" / "scifact"
    queries = Dataset.load(scifact, "train")
    report: dict = {"queries": len(queries.queries), "ndcg@10": {}, "index_seconds": {}}
    base = Settings.from_env()
    for backend in ("onnx", "onnx-int8"):
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
        if backend == "onnx":
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
