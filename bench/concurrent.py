"""Throughput under concurrent load: a real `newsearch serve` driven by wrk.

    .venv/bin/python -m bench.concurrent --articles 19000 --runs 3 --baseline 19d4472

Builds (or reuses, under ``bench/.cache/concurrent/``) an index of N articles
of real English text (`bench.corpus`, vectors as in `bench.run`), then, for
each server variant, mode (keyword, hybrid), query mix and client count (1
and 16 keep-alive connections), starts a fresh server on a free loopback port
(so every run begins with empty caches), warms it, runs wrk (`bench/mixed.lua`)
for ``--seconds`` and stops the server with SIGTERM.  Runs are interleaved
(run 1 of every configuration, then run 2, ...) so that load from other
processes on a shared machine hits them alike; the table gives medians.

Query mixes (real text only, `bench.queries`): short headline words and
SciFact claims, 3:1, each request with 10 results and facets as the site asks:

- ``cold``: every request a query not asked before (no cache can help);
- ``repeating``: drawn from 1,000 of those queries with Zipf-distributed
  frequencies (exponent 1), as news queries repeat in bursts;
- ``10-word``: the cold queries of 9-11 words (SciFact claims; 291, so a
  run asks them again: measured without caches).

Variants: ``before`` (the code at ``--baseline REF``, exported with git
archive: one process, no caches), ``1 process, no cache`` and ``processes, no
cache`` (this code with caches off), ``processes + caches`` (this code's
defaults: 2 threads per process), ``processes + caches, 1 thread`` (one
request at a time per process: first come, first served), ``processes +
caches, 8 threads`` (the default before) and, when asked for, ``txtai 9.14``: txtai's own API (FastAPI on
uvicorn, one worker process per core with one computing thread, read-only)
over a hybrid txtai index of the same articles (`bench.txtai_server`), hybrid
as txtai's default weights, keyword as ``weights=0`` (txtai still embeds the
query and searches the vectors then).  It runs in its own virtualenv, made by
``make bench-txtai-env`` (``--txtai-python``).  Its article vectors are, like
ours, length-weighted means of the cached real embeddings of the title and
paragraphs (`bench.cached_vectors`), one per article where ours has one per
passage; queries are embedded by the real model at request time in both.  Per
run it also records the load average, a CPU probe (`cpu_probe_ms`: the same
small piece of work timed before every run, since a neighbour on a shared
host can halve the speed of its cores for an hour) and the server's memory: RSS summed over
its processes, and PSS (shared pages counted once).
``--models minilm e5`` compares embedding models in the same run: each model
gets its own index of the same articles (its cached unit vectors and its
passage cutting) and every variant runs once per model, interleaved.

Prints a table; writes JSON to ``bench/results/``.  Needs ``wrk`` (Debian:
``apt-get install wrk``).
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
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

import numpy as np

from search import Settings
from search.models.embedder import Embedder, vector_space

from . import corpus, queries, run
from .cached_vectors import CachedEmbedder

ROOT = Path(__file__).resolve().parents[1]
MODES = ("keyword", "hybrid")
CLIENTS = (1, 16)
NO_CACHE = {"NEWSEARCH_RESPONSE_CACHE_SIZE": "0", "NEWSEARCH_EMBEDDING_CACHE_SIZE": "0"}
TXTAI = "txtai 9.14"
TXTAI_NOTE = ("txtai 9.14: one document per article, vectors precomputed from cached real "
              "embeddings (length-weighted means, as our passages'); queries embedded by the "
              "real model (torch) at request time; keyword = hybrid with weights=0; "
              "OMP_NUM_THREADS=1 per worker")
# --models: name -> model_path (search.config.Settings)
MODELS = {"minilm": "", "e5": "multilingual-e5-small"}
# name -> (code: None for this checkout, the baseline or txtai; environment; mixes)
VARIANTS = {
    "before": ("baseline", {}, ("cold",)),
    "1 process, no cache": (None, {"NEWSEARCH_WORKERS": "1", **NO_CACHE}, ("cold",)),
    "processes, no cache": (None, NO_CACHE, ("cold", "10-word")),
    "processes + caches": (None, {}, ("cold", "repeating")),
    "processes + caches, 1 thread": (None, {"NEWSEARCH_THREADS": "1"}, ("cold", "repeating")),
    "processes + caches, 8 threads": (None, {"NEWSEARCH_THREADS": "8"}, ("cold", "repeating")),
    TXTAI: ("txtai", {}, ("cold", "repeating")),
}


@dataclass(frozen=True)
class Server:
    """How to start a server variant (``--port`` is appended) and ask it a query."""
    command: list[str]
    cwd: Path
    env: dict
    path: Callable[[str, str], str]  # (query, mode) -> request path
    paths_prefix: str = "paths"  # of the wrk request files
    ready_line: str = ""  # logged on stderr by each worker process once it serves
    ready_count: int = 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.concurrent",
                                description=__doc__.split("\n")[0])
    p.add_argument("--articles", type=int, default=19_000)
    p.add_argument("--source-articles", type=int, default=1500,
                   help="real English articles recombined into the corpus (see bench.run)")
    p.add_argument("--runs", type=int, default=3, help="runs of each configuration (medians)")
    p.add_argument("--seconds", type=int, default=15, help="length of one wrk run")
    p.add_argument("--baseline", metavar="REF", help="git ref of the code to compare with "
                   "(the 'before' variant; left out without it)")
    p.add_argument("--variants", nargs="*", choices=list(VARIANTS),
                   default=["before", "processes, no cache", "processes + caches"])
    p.add_argument("--modes", nargs="*", choices=MODES, default=list(MODES))
    p.add_argument("--models", nargs="*", choices=list(MODELS),
                   help="embedding models to compare in one run, each over its own index of "
                        "the same articles (default: the configured model only)")
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache" / "concurrent")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    p.add_argument("--txtai-python", type=Path, default=ROOT / ".venv-txtai" / "bin" / "python",
                   help=f"python of the txtai virtualenv, for {TXTAI!r} (make bench-txtai-env)")
    args = p.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    args.cache.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)

    variants = {n: v for n, v in VARIANTS.items() if n in args.variants}
    if not args.baseline:
        variants.pop("before", None)
    servers: dict[str, Server] = {}
    mixes_of: dict[str, tuple[str, ...]] = {}
    built: dict = {}
    for model in args.models or [None]:
        index_dir, sources, built[model or "configured"] = english_index(args, model)
        for name in variants:
            label = name if model is None else f"{name} [{model}]"
            servers[label] = server(args, name, index_dir, sources, model)
            mixes_of[label] = variants[name][2]
    cold = query_mix(sources, args.shared)
    mixes = {"cold": cold, "repeating": repeating(cold[:1000], 50_000),
             "10-word": [q for q in cold if 9 <= len(q.split()) <= 11]}
    configs = [(label, mode, mix, clients) for label, names in mixes_of.items()
               for mode in args.modes for mix in names for clients in CLIENTS]
    files: dict[tuple[str, str, str], Path] = {}
    for s in servers.values():
        for mode in args.modes:
            for mix, qs in mixes.items():
                key = (s.paths_prefix, mode, mix)
                if key not in files:
                    files[key] = paths_file(args.cache / f"{'-'.join(key)}.txt", qs, mode, s.path)
    results: dict = {c: [] for c in configs}
    for n in range(args.runs):
        for config in configs:
            name, mode, mix, clients = config
            s = servers[name]
            print(f"run {n + 1}/{args.runs}: {name}, {mode}, {mix}, {clients} clients",
                  file=sys.stderr, flush=True)
            results[config].append(measure(s, files[s.paths_prefix, mode, mix], clients,
                                           args.seconds))
    report = {"date": datetime.now(timezone.utc).isoformat(), "machine": run.machine(),
              "index": next(iter(built.values())), "indexes": built, "baseline": args.baseline,
              "txtai": TXTAI_NOTE if TXTAI in servers else None, "seconds": args.seconds,
              "runs": args.runs, "mixes": {m: describe(qs) for m, qs in mixes.items()},
              "configs": [summary(c, rs) for c, rs in results.items()]}
    out = args.out / f"concurrent-{datetime.now():%Y%m%d-%H%M}-{args.articles}.json"
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(table(report))
    print(f"\nJSON: {out}")
    return 0


# --- index and queries ----------------------------------------------------------
def english_index(args, model: str | None = None) -> tuple[Path, list, dict]:
    """The scale index of `bench.run`, over English articles only, main space only;
    with ``model`` (a `MODELS` name), that model's, cached in a folder of its own."""
    settings = Settings.from_env(multilingual_model="")
    if model is not None:
        settings = settings.replace(model_path=MODELS[model])
        args = argparse.Namespace(**{**vars(args), "cache": args.cache / model})
        args.cache.mkdir(parents=True, exist_ok=True)
    sources = [s for s in corpus.sources(args.shared) if s.lang == "en"][: args.source_articles]
    report: dict = {}
    index_dir = run.scale_index(args, settings, Embedder.for_settings(settings), sources, report)
    return index_dir, sources, report["scale_build"]


def query_mix(sources, shared: Path) -> list[str]:
    """Distinct real queries, short and long 3:1, shuffled."""
    short = list(dict.fromkeys(queries.short(sources, 40_000)))
    long_ = queries.long(shared, 10_000)
    mixed = short[: 3 * len(long_)] + long_
    random.Random(3).shuffle(mixed)
    return mixed


def repeating(pool: list[str], n: int, seed: int = 17) -> list[str]:
    """``n`` queries drawn from ``pool`` with Zipf frequencies (rank r: weight 1/r)."""
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, len(pool) + 1)
    picks = rng.choice(len(pool), size=n, p=weights / weights.sum())
    return [pool[i] for i in picks]


def describe(qs: list[str]) -> dict:
    return {"requests_listed": len(qs), "distinct": len(set(qs)),
            "distinct_in_first_3000": len(set(qs[:3000]))}


def paths_file(path: Path, qs: list[str], mode: str, request: Callable[[str, str], str]) -> Path:
    lines = [request(q, mode) for q in qs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def baseline_tree(ref: str, cache: Path) -> Path:
    """The code at git ``ref``, exported once into the cache."""
    target = cache / f"baseline-{ref}"
    if not target.exists():
        tmp = Path(tempfile.mkdtemp(dir=cache))
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        tmp.rename(target)
    return target


# --- servers ----------------------------------------------------------------------
def server(args, name: str, index_dir: Path, sources, model: str | None = None) -> Server:
    """The server of variant ``name`` (with ``model``'s settings, if given)."""
    where, env, _ = VARIANTS[name]
    if model is not None:
        env = {**env, "NEWSEARCH_MODEL_PATH": MODELS[model]}
    if where == "txtai":
        return txtai_server(args, sources)
    code = baseline_tree(args.baseline, args.cache) if where == "baseline" else ROOT
    return Server([sys.executable, "-m", "newsearch", "serve", "--index-dir", str(index_dir)],
                  code, {"PYTHONPATH": str(code), **env},
                  lambda q, mode: "/api/search?" + urlencode({"q": q, "mode": mode}))


def txtai_server(args, sources) -> Server:
    """txtai's API (uvicorn, a worker per core) over a txtai index of the same corpus."""
    if not args.txtai_python.exists():
        raise SystemExit(f"{args.txtai_python} not found: make bench-txtai-env")
    env = {"PYTHONPATH": str(ROOT), "ALLOW_RESOLVE_TRANSFORM": "True"}
    out = args.cache / f"txtai-{args.articles}-{len(sources)}"
    config = out / "api.yml"
    if not config.exists():
        out.mkdir(exist_ok=True)
        corpus_path = corpus.write(sources, args.articles,
                                   args.cache / f"corpus-{args.articles}-{len(sources)}.jsonl")
        vectors = out / "article-vectors.npy"
        if not vectors.exists():
            np.save(vectors, article_vectors(args, sources, corpus_path))
        subprocess.run([str(args.txtai_python), "-m", "bench.txtai_server", str(corpus_path),
                        str(vectors), str(out)], cwd=ROOT, env={**os.environ, **env}, check=True)

    def path(q: str, mode: str) -> str:
        weights = {"weights": 0} if mode == "keyword" else {}
        return "/search?" + urlencode({"query": q, "limit": 10, **weights})

    # One computing thread per worker, as ours (request_threads 1): with torch's and
    # faiss's default of a thread per core, a query took ~500 ms once another
    # process kept a core busy (OpenMP threads waiting on each other).
    workers = os.cpu_count() or 1
    return Server([str(args.txtai_python), "-m", "uvicorn", "txtai.api:app", "--host",
                   "127.0.0.1", "--workers", str(workers), "--no-access-log"],
                  ROOT, {**env, "CONFIG": str(config), "OMP_NUM_THREADS": "1"}, path,
                  "paths-txtai", "Application startup complete.", workers)


def article_vectors(args, sources, corpus_path: Path) -> np.ndarray:
    """A vector per corpus article (title and body, as `bench.txtai_server` indexes
    them), combined from the cached real embeddings of its title and paragraphs."""
    real = Embedder.for_settings(Settings.from_env(multilingual_model=""))
    cached = CachedEmbedder(real, sources,
                            args.cache / f"units-{len(sources)}-{vector_space(real.backend)}.npy")
    texts = [f"{r['title']}\n{r['body']}" for r in map(
        json.loads, corpus_path.read_text(encoding="utf-8").splitlines())]
    return np.concatenate([cached.encode(texts[i : i + 1000])
                           for i in range(0, len(texts), 1000)])


# --- one run --------------------------------------------------------------------
def measure(server: Server, paths: Path, clients: int, seconds: int) -> dict:
    port = run.free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([*server.command, "--port", str(port)], cwd=server.cwd,
                            env={**os.environ, **server.env}, stdout=subprocess.DEVNULL,
                            stderr=log)
    try:
        wait_ready(port, proc, server, log)
        warm_up(port, server)
        load, speed = os.getloadavg(), cpu_probe_ms()
        threads = min(clients, 2)
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout",
             "10s", "-s", str(ROOT / "bench" / "mixed.lua"), f"http://127.0.0.1:{port}",
             "--", str(paths), str(threads)], capture_output=True, text=True, check=True)
        w = json.loads(out.stdout.strip().splitlines()[-1])
        memory = server_memory(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        exit_status = proc.wait(timeout=60)
        log.close()
    errors = w["status_errors"] + w["connect"] + w["read"] + w["write"] + w["timeout"]
    return {"rps": w["requests"] / (w["duration_us"] / 1e6), "requests": w["requests"],
            "errors": errors, "p50_ms": w["p50_us"] / 1000, "p90_ms": w["p90_us"] / 1000,
            "p99_ms": w["p99_us"] / 1000, "max_ms": w["max_us"] / 1000, "load_avg": load,
            "cpu_probe_ms": speed, **memory, "exit_status": exit_status}


def cpu_probe_ms() -> float:
    """Milliseconds for a fixed piece of Python and numpy work, best of 5 (~20 ms
    on an idle core here): how fast this shared machine's CPU is right now, to
    compare runs made hours apart (a neighbour on the host can halve it)."""
    a = np.random.default_rng(0).standard_normal((300, 384)).astype(np.float32)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        sum(i * i for i in range(100_000))
        a @ a.T
        best = min(best, (time.perf_counter() - started) * 1000)
    return round(best, 1)


def wait_ready(port: int, proc: subprocess.Popen, server: Server, log) -> None:
    """Wait until the server answers and each of its workers says it serves."""
    run.wait_for(port, proc).close()
    marker, deadline = server.ready_line.encode(), time.monotonic() + 600
    while marker:
        log.seek(0)
        if log.read().count(marker) >= server.ready_count:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.ready_count} x {server.ready_line!r} not logged")
        time.sleep(0.2)


def warm_up(port: int, server: Server) -> None:
    """Send each process a few queries outside the mixes."""
    for n in range(12):  # new connections: they reach every process
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for mode in MODES:
            conn.request("GET", server.path(f"warm up {n}", mode))
            response = conn.getresponse()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}: {response.read()[:200]!r}")
            response.read()
        conn.close()


def server_memory(pid: int) -> dict:
    """RSS and PSS (MB) summed over the server and its worker processes."""
    pids = [pid, *children(pid)]
    rss = pss = 0
    for p in pids:
        for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return {"processes": len(pids), "rss_mb": round(rss / 1024), "pss_mb": round(pss / 1024)}


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


# --- reporting --------------------------------------------------------------------
def summary(config: tuple, runs: list[dict]) -> dict:
    name, mode, mix, clients = config
    med = lambda key: round(statistics.median(r[key] for r in runs), 1)  # noqa: E731
    return {"variant": name, "mode": mode, "mix": mix, "clients": clients,
            "rps": med("rps"), "p50_ms": med("p50_ms"), "p99_ms": med("p99_ms"),
            "errors": sum(r["errors"] for r in runs), "rss_mb": med("rss_mb"),
            "cpu_probe_ms": med("cpu_probe_ms"),
            "pss_mb": med("pss_mb"), "processes": runs[0]["processes"],
            "load_avg_1min": [round(r["load_avg"][0], 1) for r in runs], "runs": runs}


def table(report: dict) -> str:
    idx = report["index"]
    lines = [f"concurrent load: {idx.get('articles')} articles ({idx.get('passages')} passages), "
             f"{report['machine']['cpus']} CPUs, wrk {report['seconds']} s per run, medians of "
             f"{report['runs']} runs", "",
             f"{'variant':<30}{'mode':<9}{'mix':<11}{'clients':>7}{'req/s':>8}{'x1':>6}"
             f"{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}{'RSS MB':>8}{'PSS MB':>8}{'probe':>7}  load (1 min)"]
    one = {(c["variant"], c["mode"], c["mix"]): c["rps"] for c in report["configs"]
           if c["clients"] == 1}
    for c in report["configs"]:
        base = one.get((c["variant"], c["mode"], c["mix"]))
        ratio = f"{c['rps'] / base:.1f}" if base else ""
        lines.append(f"{c['variant']:<30}{c['mode']:<9}{c['mix']:<11}{c['clients']:>7}"
                     f"{c['rps']:>8}{ratio:>6}{c['p50_ms']:>8}{c['p99_ms']:>8}{c['errors']:>7}"
                     f"{c['rss_mb']:>8}{c['pss_mb']:>8}{c['cpu_probe_ms']:>7}  {c['load_avg_1min']}")
    if report.get("txtai"):
        lines += ["", report["txtai"]]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
