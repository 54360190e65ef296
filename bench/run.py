"""The newsearch benchmark: indexing throughput, query latency, memory, size.

    .venv/bin/python -m bench.run --articles 100000

Builds (or reuses, under ``bench/.cache/``) an index of N articles of real
text (see `bench.corpus`), then measures and prints a table, and writes the
figures as JSON to ``bench/results/``:

- indexing throughput on a subset embedded for real, split into extraction
  (reading and passage splitting), keyword indexing (Whoosh and its BM25
  arrays) and embedding, the latter for every embedding backend (torch fp32,
  ONNX fp32, ONNX int8) side by side on the same passages and queries;
- query latency p50/p95/p99 per mode (keyword, semantic, hybrid) for short
  (1-3 words) and long (8-15 words) queries, in process and over HTTP against
  a real ``newsearch serve`` (waitress) on loopback, and Whoosh's own scoring
  for comparison;
- semantic top-10 recall of the IVF index against exact search;
- the server's peak RSS and the index size on disk.

The scale index's passage vectors come from cached real embeddings (see
`bench.cached_vectors`); the output says so.  Run it with ``nice`` on a shared
machine; ratios within one run are meaningful, absolute numbers depend on load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from indexer.build import build
from search import Searcher, Settings
from search.config import BACKENDS
from search.index.layout import IndexDir
from search.index.vectors import EXACT, VectorIndex
from search.models.embedder import Embedder, vector_space

from . import corpus, queries
from .cached_vectors import CachedEmbedder

ROOT = Path(__file__).resolve().parents[1]
MODES = ("keyword", "semantic", "hybrid")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--articles", type=int, default=100_000, help="articles in the scale index")
    p.add_argument("--throughput-articles", type=int, default=600,
                   help="articles indexed with real embeddings for the throughput figures")
    p.add_argument("--queries", type=int, default=200, help="queries per length class")
    p.add_argument("--source-articles", type=int, default=1500,
                   help="real articles whose titles and paragraphs the corpus recombines (all "
                        "Wikinews first, then SciFact); each of their paragraphs is embedded once")
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    p.add_argument("--skip-throughput", action="store_true")
    p.add_argument("--skip-http", action="store_true")
    args = p.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)

    report: dict = {"machine": machine(), "date": datetime.now(timezone.utc).isoformat(),
                    "articles": args.articles}
    # Latency is measured without the query caches (search.cache): the same
    # queries run several times, and recall swaps the vector index between runs.
    settings = Settings.from_env(response_cache_size=0, embedding_cache_size=0)
    embedder = Embedder.for_settings(settings)
    sources = corpus.sources(args.shared)[: args.source_articles]
    report["source_articles"] = len(sources)
    if not args.skip_throughput:
        report["indexing"] = indexing_throughput(args, settings, sources)
    index_dir = scale_index(args, settings, embedder, sources, report)
    short, long_ = queries.short(sources, args.queries), queries.long(args.shared, args.queries)
    report["queries"] = {"short": len(short), "long": len(long_),
                         "short_words_median": median_words(short),
                         "long_words_median": median_words(long_)}
    report["in_process"], report["recall"] = in_process(index_dir, settings, embedder, short, long_)
    if not args.skip_http:
        report["http"] = over_http(index_dir, short, long_)
    report["index_bytes"] = index_size(IndexDir(index_dir).current().path)
    out = args.out / f"{datetime.now():%Y%m%d-%H%M}-{args.articles}.json"
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(table(report))
    print(f"\nJSON: {out}")
    return 0


# --- indexing ---------------------------------------------------------------
def indexing_throughput(args, settings: Settings, sources) -> dict:
    """A real build of a subset with the configured backend, then every
    embedding backend side by side on the same texts, interleaved so that load
    hits them alike, against sentence-transformers' own fp32 run (``torch``)."""
    path = args.cache / f"throughput-{args.throughput_articles}.jsonl"
    corpus.write(sources, args.throughput_articles, path)
    index_dir = args.cache / "throughput-index"
    shutil.rmtree(index_dir, ignore_errors=True)
    s = settings.replace(index_dir=index_dir)
    embedders = {b: Embedder.for_settings(s.replace(embed_backend=b)) for b in BACKENDS}
    for emb in embedders.values():
        emb.encode(["warm up"])
    used = embedders[s.embed_backend]
    summary = build([path], s, progress=False, embedder=used)
    result = {"articles": summary.indexed, "passages": summary.passages,
              "embed_backend": used.backend,
              "stage_seconds": {k: round(v, 2) for k, v in summary.stages.items()},
              "articles_per_s": {}, "passages_per_s": {}}
    for stage, seconds in summary.stages.items():
        result["articles_per_s"][stage] = round(summary.indexed / seconds, 1)
        result["passages_per_s"][stage] = round(summary.passages / seconds, 1)
    searcher = Searcher.open(index_dir, s, embedder=used)
    texts = [text for _, text in searcher.store.iter_passage_texts(s.embed_title)]
    searcher.close()
    abstracts = [f"{src.title}. {' '.join(src.paragraphs)}" for src in sources
                 if src.lang == "en" and src.published is None][:len(texts) // 2]
    claims = queries.long(args.shared, 100)
    sets = {"news_passages": (texts, 128), "scifact_abstracts": (abstracts, 128),
            "queries_one_at_a_time": (claims, 1)}
    result["embedding_side_by_side"] = {name: side_by_side(part, embedders, chunk)
                                        for name, (part, chunk) in sets.items() if part}
    return result


def side_by_side(texts: list[str], embedders: dict[str, Embedder], chunk: int = 128) -> dict:
    """Texts per second of each backend on the same chunks (the order rotating
    chunk by chunk), its speed-up over ``torch`` and its vectors' cosine to
    torch's."""
    names = list(embedders)
    seconds = dict.fromkeys(names, 0.0)
    cosines: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for n, start in enumerate(range(0, len(texts), chunk)):
        part = texts[start : start + chunk]
        vecs = {}
        for name in names[n % len(names):] + names[: n % len(names)]:
            t = time.perf_counter()
            vecs[name] = embedders[name].encode(part)
            seconds[name] += time.perf_counter() - t
        for name in names:
            cosines[name].append((vecs["torch"] * vecs[name]).sum(axis=1))
    out: dict = {"texts": len(texts)}
    for name in names:
        cos = np.concatenate(cosines[name])
        out[name] = {"per_s": round(len(texts) / seconds[name], 1),
                     "speedup": round(seconds["torch"] / seconds[name], 2),
                     "cosine_min": round(float(cos.min()), 5),
                     "cosine_mean": round(float(cos.mean()), 5)}
    return out


def scale_index(args, settings: Settings, embedder: Embedder, sources, report: dict) -> Path:
    index_dir = args.cache / f"index-{args.articles}-{len(sources)}"
    report["vectors"] = ("passage vectors of the scale index: length-weighted means of cached "
                         "real embeddings of their titles and paragraphs (bench/cached_vectors.py); "
                         "queries embedded by the real model")
    try:
        gen = IndexDir(index_dir).current()
        report["scale_build"] = gen.manifest().get("bench_build", {})
        report["scale_build"]["reused"] = True
        return index_dir
    except Exception:
        pass
    path = corpus.write(sources, args.articles,
                        args.cache / f"corpus-{args.articles}-{len(sources)}.jsonl")
    cached = CachedEmbedder(embedder, sources,
                            args.cache / f"units-{len(sources)}-{vector_space(embedder.backend)}.npy")
    started = time.perf_counter()
    summary = build([path], settings.replace(index_dir=index_dir), progress=True,
                    embedder=cached)
    info = {"articles": summary.indexed, "passages": summary.passages,
            "seconds": round(time.perf_counter() - started, 1),
            "stage_seconds": {k: round(v, 2) for k, v in summary.stages.items()},
            "real_model_fallbacks": cached.misses}
    gen = IndexDir(index_dir).current()
    manifest = gen.manifest()
    manifest["bench_build"] = info
    gen.write_manifest(manifest)
    report["scale_build"] = info
    return index_dir


# --- latency ------------------------------------------------------------------
def in_process(index_dir: Path, settings: Settings, embedder: Embedder, short, long_):
    searcher = Searcher.open(index_dir, settings.replace(index_dir=index_dir), embedder=embedder)
    for q in short[:10] + long_[:10]:
        for mode in MODES:
            searcher.search(q, mode=mode)
    out: dict = {"vector_index": searcher.vectors.kind, "nprobe": settings.ivf_nprobe}
    for name, qs in (("short", short), ("long", long_)):
        for mode in MODES:
            out[f"{mode}/{name}"] = latency(lambda q: searcher.search(q, mode=mode), qs)
    ten = [q for q in long_ if 9 <= len(q.split()) <= 11]
    out["keyword/9-11 words"] = latency(lambda q: searcher.search(q, mode="keyword"), ten)
    out["query_embedding/long"] = latency(lambda q: embedder.encode([q]), long_)
    whoosh = Searcher.open(index_dir, settings.replace(index_dir=index_dir, fast_keyword=False),
                           embedder=embedder)
    few = min(60, len(long_))
    for name, qs in (("short", short[:few]), ("long", long_[:few])):
        out[f"keyword (whoosh scoring)/{name}"] = latency(
            lambda q: whoosh.search(q, mode="keyword"), qs)
        out[f"keyword (fast, same queries)/{name}"] = latency(
            lambda q: searcher.search(q, mode="keyword"), qs)
    whoosh.close()
    recall = semantic_recall(searcher, short + long_, settings)
    searcher.close()
    return out, recall


def semantic_recall(searcher: Searcher, qs: list[str], settings: Settings) -> dict:
    """Top-10 articles of semantic search with the approximate index vs exact."""
    if searcher.vectors.kind == EXACT:
        return {"vector_index": EXACT, "recall_at_10": 1.0}
    approximate = searcher.vectors
    exact = exact_copy(approximate)
    top = lambda: [[h.article.id for h in searcher.search(q, mode="semantic").hits] for q in qs]  # noqa: E731
    searcher.vectors = exact
    truth = top()
    exact_ms = latency(lambda q: searcher.search(q, mode="semantic"), qs[:100])
    searcher.vectors = approximate
    out = {"vector_index": approximate.kind, "passages": len(approximate),
           "cells": approximate.index.nlist, "exact_search_semantic": exact_ms, "by_nprobe": {}}
    for nprobe in sorted({16, 32, 64, 128, settings.ivf_nprobe}):
        approximate.index.nprobe = nprobe
        found = top()
        hits = sum(len(set(a) & set(b)) for a, b in zip(found, truth))
        out["by_nprobe"][nprobe] = {
            "recall_at_10": round(hits / max(1, sum(len(t) for t in truth)), 4),
            "semantic": latency(lambda q: searcher.search(q, mode="semantic"), qs[:100])}
    approximate.index.nprobe = settings.ivf_nprobe
    out["recall_at_10"] = out["by_nprobe"][settings.ivf_nprobe]["recall_at_10"]
    return out


def exact_copy(approximate: VectorIndex) -> VectorIndex:
    """An exact (flat) index of the same vectors and ids."""
    exact = VectorIndex.build(approximate.index.d)
    exact.add(*approximate.all_vectors())
    return exact


def latency(run, qs: list[str]) -> dict:
    times = []
    for q in qs:
        t = time.perf_counter()
        run(q)
        times.append((time.perf_counter() - t) * 1000)
    return summarize(times)


def summarize(times_ms: list[float]) -> dict:
    a = np.asarray(times_ms)
    return {"n": len(a), "p50": round(float(np.percentile(a, 50)), 2),
            "p95": round(float(np.percentile(a, 95)), 2),
            "p99": round(float(np.percentile(a, 99)), 2), "mean": round(float(a.mean()), 2)}


# --- HTTP -----------------------------------------------------------------------
def over_http(index_dir: Path, short, long_) -> dict:
    port = free_port()
    # One process without query caches: latency and peak RSS of the search path
    # itself (bench.concurrent measures processes and caches under load).
    env = dict(os.environ, NEWSEARCH_INDEX_DIR=str(index_dir), NEWSEARCH_WORKERS="1",
               NEWSEARCH_RESPONSE_CACHE_SIZE="0", NEWSEARCH_EMBEDDING_CACHE_SIZE="0")
    server = subprocess.Popen(
        [sys.executable, "-m", "newsearch", "serve", "--index-dir", str(index_dir),
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn = wait_for(port, server)
        get = lambda q, mode: request(conn, q, mode)  # noqa: E731
        for q in short[:10] + long_[:10]:
            for mode in MODES:
                get(q, mode)
        out: dict = {}
        for name, qs in (("short", short), ("long", long_)):
            for mode in MODES:
                out[f"{mode}/{name}"] = latency(lambda q: get(q, mode), qs)
        out["server_peak_rss_mb"] = peak_rss_mb(server.pid)
        return out
    finally:
        server.terminate()
        server.wait(timeout=60)


def request(conn: http.client.HTTPConnection, q: str, mode: str) -> None:
    conn.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q, "mode": mode}))
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")


def wait_for(port: int, server: subprocess.Popen, timeout: float = 600) -> http.client.HTTPConnection:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("newsearch serve exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/healthz")
            if conn.getresponse().read() and True:
                return conn
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("newsearch serve did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


# --- reporting ------------------------------------------------------------------
def index_size(path: Path) -> dict:
    def size(p: Path) -> int:
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() \
            else p.stat().st_size

    keyword = path / "keyword"
    arrays = keyword / "bm25"
    parts = {"total": size(path), "keyword_whoosh": size(keyword) - size(arrays),
             "keyword_bm25_arrays": size(arrays)}
    for f in path.iterdir():
        if f.is_file():
            parts[f.name] = f.stat().st_size
    return parts


def save_report(report: dict, out: Path, name: str) -> Path:
    """``report`` as JSON in ``out``, named ``name`` and the UTC time."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    return path


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "")
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "load_avg_at_start": os.getloadavg()}


def median_words(qs: list[str]) -> float:
    return float(np.median([len(q.split()) for q in qs])) if qs else 0.0


def table(r: dict) -> str:
    lines = [f"newsearch benchmark: {r['articles']} articles, {r['machine']['cpus']} CPUs "
             f"({r['machine']['cpu']}), load at start {r['machine']['load_avg_at_start']}",
             f"note: {r['vectors']}", ""]
    if "indexing" in r:
        ix = r["indexing"]
        lines.append(f"indexing ({ix['articles']} articles, {ix['passages']} passages, "
                     f"real {ix['embed_backend']} embeddings):")
        for stage, rate in ix["articles_per_s"].items():
            lines.append(f"  {stage:<12} {rate:>9.1f} articles/s {ix['passages_per_s'][stage]:>9.1f}"
                         " passages/s")
        for texts, e in ix["embedding_side_by_side"].items():
            lines.append(f"  embedding {texts} ({e['texts']}), texts/s (x torch; cosine to torch "
                         "min/mean):")
            for name in BACKENDS:
                b = e[name]
                lines.append(f"    {name:<10} {b['per_s']:>8.1f}/s  x{b['speedup']:<5}  "
                             f"{b['cosine_min']:.5f} / {b['cosine_mean']:.5f}")
        lines.append("")
    b = r.get("scale_build", {})
    lines.append(f"scale index: {b.get('articles')} articles, {b.get('passages')} passages"
                 f"{' (reused)' if b.get('reused') else ''}; stages (s) {b.get('stage_seconds')}")
    lines.append("")
    lines.append(f"{'latency ms':<34}{'p50':>8}{'p95':>8}{'p99':>8}   (n)")
    for where in ("in_process", "http"):
        if where not in r:
            continue
        lines.append(where.replace("_", " ") + ":")
        for key, v in r[where].items():
            if isinstance(v, dict):
                lines.append(f"  {key:<32}{v['p50']:>8}{v['p95']:>8}{v['p99']:>8}   ({v['n']})")
    rec = r.get("recall", {})
    if "by_nprobe" in rec:
        lines.append(f"\nsemantic top-10 recall vs exact ({rec['passages']} passages, "
                     f"{rec['cells']} IVF cells); exact semantic p50 "
                     f"{rec['exact_search_semantic']['p50']} ms:")
        for nprobe, v in rec["by_nprobe"].items():
            lines.append(f"  nprobe {nprobe:>3}: recall {v['recall_at_10']:.4f}, "
                         f"semantic p50 {v['semantic']['p50']} ms")
    if "http" in r:
        lines.append(f"\nserver peak RSS: {r['http']['server_peak_rss_mb']} MB")
    lines.append("index size: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in r["index_bytes"].items()))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
