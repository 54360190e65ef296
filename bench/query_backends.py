"""Ranking quality of an fp32 index searched with fp32 and with int8 query embeddings.

    .venv/bin/python -m bench.query_backends --index-dir indexes/eval/scifact-... \\
        --data ../shared/eval/scifact --split train

Queries are embedded one at a time while a reader waits, so the server embeds
them with int8 weights (``query_backend``) into indexes of fp32 passage
vectors.  This prints nDCG@10 and MRR@10 of semantic and hybrid ranking
(`Searcher.rank`, as `newsearch eval` ranks) with each query backend, with
the relevance floor as configured and without it, and the time to embed a
query.  Any index `newsearch eval` built works (``indexes/eval/...``), with
its BEIR-layout data set (``--data``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from newsearch.evaluate import Dataset, score_run
from search import Searcher, Settings
from search.models.embedder import Embedder

MODES = ("semantic", "hybrid")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.query_backends",
                                description=__doc__.split("\n")[0])
    p.add_argument("--index-dir", type=Path, required=True)
    p.add_argument("--data", type=Path, required=True, help="BEIR-layout data set")
    p.add_argument("--split", default="train")
    args = p.parse_args(argv)
    data = Dataset.load(args.data, args.split)
    report: dict = {"index": str(args.index_dir), "queries": len(data.queries), "runs": {}}
    for floors in ("configured", "off"):
        base = Settings.from_env(index_dir=args.index_dir, response_cache_size=0,
                                 embedding_cache_size=0)
        if floors == "off":
            base = base.replace(similarity_floors="")
        for backend in ("onnx", "onnx-int8"):
            searcher = Searcher.open(args.index_dir, base.replace(query_backend=backend))
            key = f"{backend} queries, floors {floors}"
            report["runs"][key] = {mode: evaluate(searcher, data, mode) for mode in MODES}
            report["runs"][key]["embed_ms_p50"] = embed_ms(searcher.embedder, data)
            searcher.close()
    for key, run in report["runs"].items():
        scores = "  ".join(f"{m} nDCG@10 {run[m]['ndcg@10']:.4f} MRR@10 {run[m]['mrr@10']:.4f}"
                           for m in MODES)
        print(f"{key:<36} {scores}  embed p50 {run['embed_ms_p50']:.2f} ms")
    print(json.dumps(report))
    return 0


def evaluate(searcher: Searcher, data: Dataset, mode: str) -> dict[str, float]:
    run = {}
    for qid, text in data.queries.items():
        ords = [o for o, _ in searcher.rank(text, mode=mode, depth=10)]
        articles = searcher.store.get(ords)
        run[qid] = [articles[o].id for o in ords if o in articles]
    scores = score_run(run, data.qrels)
    return {k: round(scores[k], 4) for k in ("ndcg@10", "mrr@10")}


def embed_ms(embedder: Embedder, data: Dataset) -> float:
    texts = list(data.queries.values())[:300]
    embedder.encode(texts[:5])
    times = []
    for text in texts:
        started = time.perf_counter()
        embedder.encode([text])
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


if __name__ == "__main__":
    sys.exit(main())
