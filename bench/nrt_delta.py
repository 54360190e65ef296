"""What a near-real-time delta costs a search, in one process, same run.

    .venv/bin/python -m bench.nrt_delta --sizes 100,300,500

Copies (hard links) `bench.nrt`'s cached scale index (build it first with
``python -m bench.nrt``), pushes articles of its corpus into the log
(`HashedEmbedder` vectors: timing, not relevance), and after each size
searches every query twice, alternating which goes first: on the
generation's searcher alone and on the searcher with the delta (caches of
answers and query vectors off; distinct queries).  Prints the medians and
their ratio per mode; the figures of docs/performance.md, "Near-real-time".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from indexer.push import Pusher, parse_article
from search import Settings
from search.index.layout import IndexDir
from search.models.embedder import Embedder
from search.serving.live import LiveSearcher

from . import corpus, queries
from .nrt import ROOT, HashedEmbedder


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, default=ROOT / "bench" / ".cache" / "nrt" / "index-19000-1500",
                   help="bench.nrt's cached index (its corpus file beside it)")
    p.add_argument("--sizes", default="100,300,500", help="delta sizes (records), in turn")
    p.add_argument("--queries", type=int, default=150, help="per mode and size")
    args = p.parse_args(argv)
    cache = args.index.parent
    articles, sources_n = args.index.name.split("-")[1:]
    with (cache / f"corpus-{articles}-{sources_n}.jsonl").open(encoding="utf-8") as f:
        texts = [json.loads(line) for line in f]
    sources = [s for s in corpus.sources(ROOT.parent / "shared") if s.lang == "en"][: int(sources_n)]
    scratch = Path(tempfile.mkdtemp(prefix="delta-", dir=cache))
    try:
        work = scratch / "index"
        shutil.copytree(args.index, work, copy_function=os.link)
        report = measure(work, texts, sources, [int(s) for s in args.sizes.split(",")],
                         args.queries)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(report, indent=2))
    return 0


def measure(index: Path, texts: list[dict], sources, sizes: list[int], n: int) -> dict:
    model = IndexDir(index).current().manifest()["model_path"]  # pushes get stand-in vectors
    settings = Settings.from_env(index_dir=index, nrt_poll_seconds=0, response_cache_size=0,
                                 embedding_cache_size=0, merge_records=0, model_path=model,
                                 multilingual_model="")
    live = LiveSearcher(settings)
    with live.searching() as s:
        s.search("warm up", mode="hybrid")
    pusher = Pusher(settings, HashedEmbedder(Embedder.for_settings(settings)))
    qs = list(dict.fromkeys(queries.short(sources, 5000)))[1000:]
    rng = random.Random(7)
    report, pushed, offset = {}, 0, 0
    for size in sizes:
        batch = []
        while pushed + len(batch) < size:
            t = rng.choice(texts)
            batch.append(parse_article({k: t[k] for k in ("title", "body", "published")},
                                       settings, f"delta-{pushed + len(batch)}"))
        for i in range(0, len(batch), 100):
            pusher.put(batch[i : i + 100])
        pushed += len(batch)
        started = time.perf_counter()
        live.catch_up()
        out = {"catch_up_ms": round((time.perf_counter() - started) * 1000, 1)}
        alone = live._tail.base.searcher
        with live.searching() as with_delta:
            for mode in ("keyword", "hybrid"):
                took: dict[str, list[float]] = {"none": [], "delta": []}
                for i, q in enumerate(qs[offset : offset + n]):
                    pair = [("none", alone), ("delta", with_delta)]
                    for name, s in (pair if i % 2 else pair[::-1]):
                        t = time.perf_counter()
                        s.search(q, mode=mode, facets=True)
                        took[name].append(time.perf_counter() - t)
                offset += n
                none, delta = (statistics.median(took[k]) * 1000 for k in ("none", "delta"))
                out[mode] = {"none_ms": round(none, 2), "delta_ms": round(delta, 2),
                             "ratio": round(delta / none, 2)}
        report[f"delta_{size}"] = out
    pusher.close()
    live.close()
    return report


if __name__ == "__main__":
    raise SystemExit(main())
