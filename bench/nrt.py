"""Near-real-time: from a push's answer to the article being found, under load.

    .venv/bin/python -m bench.nrt --articles 19000

Builds (once, under ``--cache``) an index of English articles of real text
(`bench.corpus`, as `bench.concurrent`'s) whose passage vectors are
stand-ins (`HashedEmbedder`: timing, not relevance), hard-links a copy into a
scratch folder (pushes change it), starts ``newsearch serve`` with its
defaults (one process per core, 2 threads each, the push API on) and, while
wrk keeps ``--clients`` keep-alive connections searching (cold queries of
`bench.queries`, keyword and hybrid alternating, 10 results with facets):

1. **visibility**: ``--probes`` times, PUTs an article (a real article's
   text, with a marker word added so that a search can tell it apart) and
   then searches for it on fresh connections (any process may answer) every
   10 ms, in keyword, semantic and hybrid mode in turn, recording the time
   from the PUT's answer to the first answer that holds it and to the first
   of 4 answers in a row (on 4 new connections: both processes) that hold it;
2. **push throughput**: articles per second pushed one PUT at a time
   (``--single``) and in bulk (POST of ``--batch`` articles, ``--bulk``
   requests), each answered once synced to disk, real embeddings included;
3. **search latency while pushing**: wrk's p50/p99 with no pushes, then with
   one PUT every ``--push-every`` seconds.

Prints a table; writes JSON to ``bench/results/``.  Needs ``wrk``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

from indexer.build import build
from search import Settings
from search.index.layout import IndexDir
from search.models.embedder import Embedder

from . import corpus, queries, run
from .concurrent import cpu_probe_ms, server_memory

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-nrt"
MODES = ("keyword", "semantic", "hybrid")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=19000)
    p.add_argument("--source-articles", type=int, default=1500)
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache" / "nrt")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--probes", type=int, default=60)
    p.add_argument("--single", type=int, default=100, help="articles pushed one at a time")
    p.add_argument("--bulk", type=int, default=5, help="bulk requests")
    p.add_argument("--batch", type=int, default=100, help="articles per bulk request")
    p.add_argument("--seconds", type=int, default=20, help="each latency run")
    p.add_argument("--push-every", type=float, default=0.2)
    args = p.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env(multilingual_model="")
    sources = [s for s in corpus.sources(args.shared) if s.lang == "en"][: args.source_articles]
    index = bench_index(args, settings, sources)
    texts = [json.loads(line) for line in
             (args.cache / f"corpus-{args.articles}-{len(sources)}.jsonl").open(encoding="utf-8")]
    rng = random.Random(7)
    scratch = Path(tempfile.mkdtemp(prefix="nrt-", dir=args.cache))
    try:
        work = scratch / "index"
        shutil.copytree(index, work, copy_function=os.link)
        report = measure(args, work, texts, rng, sources)
        shutil.rmtree(work)
        shutil.copytree(index, work, copy_function=os.link)
        report["in_process"] = in_process(work, texts, rng, sources)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report.update(articles=args.articles, clients=args.clients, cores=len(os.sched_getaffinity(0)),
                  when=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    out = ROOT / "bench" / "results" / f"nrt-{datetime.now():%Y%m%d-%H%M}-{args.articles}.json"
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(table(report))
    print(f"written to {out}")
    return 0


class HashedEmbedder:
    """Stand-in passage vectors for the scale index: each word hashed to a fixed
    random direction, summed and normalised (no model run: building 100k
    articles' real vectors takes hours on a shared 2-core machine).  The
    model's tokenizer still cuts the passages; the server embeds queries and
    pushed articles with the real model, so pushed articles are found by
    meaning while the old ones cost what real vectors cost to search."""

    def __init__(self, real: Embedder):
        self.model_path, self.backend = real.model_path, real.backend
        self.max_tokens, self.dim = real.max_tokens, real.dim
        self.token_offsets = real.token_offsets
        self._table = np.random.default_rng(0).standard_normal((1 << 16, self.dim)).astype(np.float32)

    def encode(self, texts) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            rows = [zlib.crc32(w.encode()) & 0xFFFF for w in text.lower().split()] or [0]
            out[i] = self._table[rows].sum(axis=0)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def bench_index(args, settings: Settings, sources) -> Path:
    """The scale index of ``args.articles`` articles (built once, kept in the cache)."""
    index = args.cache / f"index-{args.articles}-{len(sources)}"
    try:
        IndexDir(index).current()
        return index
    except Exception:
        pass
    path = corpus.write(sources, args.articles,
                        args.cache / f"corpus-{args.articles}-{len(sources)}.jsonl")
    build([path], settings.replace(index_dir=index), progress=True,
          embedder=HashedEmbedder(Embedder.for_settings(settings)))
    return index


def measure(args, index: Path, texts: list[dict], rng: random.Random, sources) -> dict:
    port = run.free_port()
    env = {**os.environ, "NEWSEARCH_ADMIN_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "newsearch", "serve", "--index-dir", str(index),
                             "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=log, start_new_session=True)
    counter = iter(range(10**9))

    def article(marker: str | None = None) -> tuple[str, dict]:
        t = dict(rng.choice(texts))
        n = next(counter)
        t.pop("id", None)
        if marker:  # a word no article holds, so that a search finds this one
            t["title"] = f"{t['title']} {marker}"
        return f"nrt-{n}", {k: v for k, v in t.items() if k in
                            ("title", "body", "url", "published", "author", "category", "lang")}

    try:
        run.wait_for(port, proc).close()
        paths = index.parent / "paths.txt"
        qs = list(dict.fromkeys(queries.short(sources, 20_000)))
        rng.shuffle(qs)
        paths.write_text("".join(
            "/api/search?" + urlencode({"q": q, "mode": MODES[i % 2 * 2], "size": 10}) + "\n"
            for i, q in enumerate(qs)), encoding="utf-8")
        report: dict = {"cpu_probe_ms": cpu_probe_ms(), "load_avg": os.getloadavg()}
        Load.run(port, paths, args.clients, 5)  # warm-up
        report["latency_no_delta"] = Load.run(port, paths, args.clients, args.seconds)
        print("searching without a delta:", report["latency_no_delta"], file=sys.stderr)
        for _ in range(4):  # each process loads its document model on its first push
            _request(port, "PUT", f"/api/articles/warm-{_}", article()[1])
        with Load(port, paths, args.clients, 10_000) as load:
            report["visibility"] = visibility(port, args.probes, article)
            print("visibility:", report["visibility"]["first"], file=sys.stderr)
            report["single"] = throughput(port, args.single, 1, article)
            report["bulk"] = throughput(port, args.bulk, args.batch, article)
        report["search_load_during_pushes"] = load.result
        report["latency_idle"] = Load.run(port, paths, args.clients, args.seconds)
        stop = threading.Event()
        pushed = []

        def pusher():
            while not stop.wait(args.push_every):
                pushed.append(_request(port, "PUT", "/api/articles/" + (a := article())[0], a[1]))

        thread = threading.Thread(target=pusher)
        thread.start()
        report["latency_pushing"] = Load.run(port, paths, args.clients, args.seconds)
        stop.set()
        thread.join()
        report["latency_pushing"]["pushes"] = len(pushed)
        report["memory"] = server_memory(proc.pid)
        report["generations"] = sorted(p.name for p in index.glob("gen-*"))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=120)
        log.close()
    return report


def in_process(index: Path, texts: list[dict], rng: random.Random, sources,
               sizes=(1, 100, 300)) -> dict:
    """Costs inside one server process, without HTTP or other load: applying
    a record and installing the searcher that sees it (`LiveSearcher.catch_up`),
    with a delta of ``sizes`` records, and keyword / hybrid latency with and
    without a delta (distinct queries, caches off)."""
    from indexer.push import Pusher, parse_article
    from search.serving.live import LiveSearcher

    settings = Settings.from_env(index_dir=index, nrt_poll_seconds=0, response_cache_size=0,
                                 embedding_cache_size=0, merge_records=0)
    live = LiveSearcher(settings)
    pusher = Pusher(settings)
    qs = list(dict.fromkeys(queries.short(sources, 3000)))[1000:]

    def latency(mode: str, n: int = 150) -> float:
        took = []
        for q in qs[:n] if mode == "keyword" else qs[n : 2 * n]:
            with live.searching() as s:
                t = time.perf_counter()
                s.search(q, mode=mode, facets=True)
                took.append(time.perf_counter() - t)
        return round(statistics.median(took) * 1000, 2)

    out: dict = {"no_delta": {m: latency(m) for m in ("keyword", "hybrid")}}
    pushed, n = 0, 0
    for size in sizes:
        batch = []
        while pushed + len(batch) < size - 1:
            t = dict(rng.choice(texts))
            batch.append(parse_article({k: t[k] for k in ("title", "body", "published")},
                                       settings, f"ip-{pushed + len(batch)}"))
        for i in range(0, len(batch), 100):
            pusher.put(batch[i : i + 100])
        pushed += len(batch)
        live.catch_up()
        costs = []
        for _ in range(5):
            t = dict(rng.choice(texts))
            pusher.put([parse_article({k: t[k] for k in ("title", "body", "published")},
                                      settings, f"ip-x{n}")])
            n += 1
            started = time.perf_counter()
            live.catch_up()
            costs.append(time.perf_counter() - started)
        pushed += 5
        out[f"delta_{size}"] = {"catch_up_ms": round(statistics.median(costs) * 1000, 1),
                                **{m: latency(m) for m in ("keyword", "hybrid")}}
    live.close()
    return out


def visibility(port: int, probes: int, article) -> dict:
    first: dict[str, list[float]] = {m: [] for m in MODES}
    every: dict[str, list[float]] = {m: [] for m in MODES}
    asked: dict[str, list[float]] = {m: [] for m in MODES}  # when the search that found it was sent
    for i in range(probes):
        mode = MODES[i % 3]
        marker = f"nrtprobe{i}q{random.randrange(10**6)}"
        article_id, body = article(marker)
        if mode != "keyword":  # meaning, not the marker, must find it: search its title
            query = body["title"].replace(marker, "").strip()
        else:
            query = marker
        _request(port, "PUT", f"/api/articles/{article_id}", body)
        answered = time.perf_counter()
        found_at, streak, deadline = None, 0, answered + 30
        while time.perf_counter() < deadline:
            sent = time.perf_counter() - answered
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/api/search?" + urlencode({"q": query, "mode": mode, "size": 10}))
            hits = json.loads(conn.getresponse().read())["results"]
            conn.close()
            held = any(h["id"] == article_id or article_id in [s["id"] for s in h["similar"]]
                       for h in hits)
            now = time.perf_counter() - answered
            if held:
                if found_at is None:
                    found_at = now
                    asked[mode].append(sent)
                streak += 1
                if streak == 1:
                    streak_start = now
                if streak == 4:
                    every[mode].append(streak_start)
                    break
            else:
                streak = 0
            time.sleep(0.01)
        if found_at is not None:
            first[mode].append(found_at)
    return {"asked": summary(sum(asked.values(), [])), "first": summary(sum(first.values(), [])), "every": summary(sum(every.values(), [])),
            "by_mode": {m: {"first": summary(first[m]), "every": summary(every[m])}
                        for m in MODES}, "probes": probes}


def throughput(port: int, requests: int, batch: int, article) -> dict:
    started = time.perf_counter()
    for _ in range(requests):
        if batch == 1:
            a = article()
            _request(port, "PUT", f"/api/articles/{a[0]}", a[1])
        else:
            items = [dict(a[1], id=a[0]) for a in (article() for _ in range(batch))]
            _request(port, "POST", "/api/articles", items)
    seconds = time.perf_counter() - started
    return {"articles": requests * batch, "seconds": round(seconds, 2),
            "articles_per_s": round(requests * batch / seconds, 1)}


def summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    values = sorted(values)
    return {"n": len(values), "p50_ms": round(statistics.median(values) * 1000, 1),
            "p99_ms": round(values[min(len(values) - 1, int(len(values) * 0.99))] * 1000, 1),
            "max_ms": round(values[-1] * 1000, 1)}


class Load:
    """wrk searching in the background (``with``) or for a timed run (`run`)."""

    def __init__(self, port: int, paths: Path, clients: int, seconds: int):
        self.command = ["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--timeout",
                        "10s", "-s", str(ROOT / "bench" / "mixed.lua"),
                        f"http://127.0.0.1:{port}", "--", str(paths), "2"]
        self.result: dict = {}

    def __enter__(self) -> "Load":
        self.proc = subprocess.Popen(self.command, stdout=subprocess.PIPE, text=True)
        time.sleep(2)
        return self

    def __exit__(self, *exc) -> None:
        self.proc.send_signal(signal.SIGINT)  # wrk prints its summary on SIGINT
        out = self.proc.communicate(timeout=60)[0]
        self.result = _wrk(out)

    @classmethod
    def run(cls, port: int, paths: Path, clients: int, seconds: int) -> dict:
        out = subprocess.run(cls(port, paths, clients, seconds).command, capture_output=True,
                             text=True, check=True).stdout
        return _wrk(out)


def _wrk(out: str) -> dict:
    lines = [line for line in out.strip().splitlines() if line.startswith("{")]
    if not lines:
        return {}
    w = json.loads(lines[-1])
    return {"rps": round(w["requests"] / (w["duration_us"] / 1e6), 1),
            "p50_ms": w["p50_us"] / 1000, "p99_ms": w["p99_us"] / 1000,
            "errors": w["status_errors"] + w["timeout"]}


def _request(port: int, method: str, path: str, body) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request(method, path, json.dumps(body), {"Authorization": f"Bearer {TOKEN}",
                                                  "Content-Type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    conn.close()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {data}")
    return data


def table(r: dict) -> str:
    v = r["visibility"]
    rows = [f"near-real-time at {r['articles']} articles, {r['clients']} clients searching, "
            f"{r['cores']} cores (cpu probe {r['cpu_probe_ms']:.0f} ms, load {r['load_avg'][0]:.1f})",
            f"  answer -> a search sent then finds it: p50 {v['asked'].get('p50_ms')} ms, "
            f"p99 {v['asked'].get('p99_ms')} ms",
            f"  answer -> found (any process):   p50 {v['first'].get('p50_ms')} ms, "
            f"p99 {v['first'].get('p99_ms')} ms (n={v['first']['n']})",
            f"  answer -> found on 4 fresh connections in a row: p50 {v['every'].get('p50_ms')} ms, "
            f"p99 {v['every'].get('p99_ms')} ms"]
    for m, d in v["by_mode"].items():
        rows.append(f"    {m:9s} first p50 {d['first'].get('p50_ms')} ms, every p50 "
                    f"{d['every'].get('p50_ms')} ms")
    rows.append(f"  push one at a time: {r['single']['articles_per_s']} articles/s; bulk of "
                f"{r['bulk']['articles'] // max(1, r['bulk']['articles'] and 1)}: "
                f"{r['bulk']['articles_per_s']} articles/s")
    for name in ("latency_no_delta", "latency_idle", "latency_pushing",
                 "search_load_during_pushes"):
        d = r.get(name) or {}
        rows.append(f"  search {name}: {d.get('rps')} req/s, p50 {d.get('p50_ms')} ms, "
                    f"p99 {d.get('p99_ms')} ms, errors {d.get('errors')}")
    for name, d in r.get("in_process", {}).items():
        rows.append(f"  in process, {name}: {d}")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
