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
  frequencies (exponent 1), as news queries repeat in bursts.

Variants: ``before`` (the code at ``--baseline REF``, exported with git
archive: one process, no caches), ``1 process, no cache`` and ``processes,
no cache`` (this code with caches off) and ``processes + caches`` (this
code's defaults).  Per run it also records the load average and the server's
memory: RSS summed over its processes, and PSS (shared pages counted once).
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
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

from search import Settings
from search.embedder import Embedder

from . import corpus, queries, run

ROOT = Path(__file__).resolve().parents[1]
MODES = ("keyword", "hybrid")
CLIENTS = (1, 16)
NO_CACHE = {"NEWSEARCH_RESPONSE_CACHE_SIZE": "0", "NEWSEARCH_EMBEDDING_CACHE_SIZE": "0"}
# name -> (code: None for this checkout, else the baseline; environment; mixes)
VARIANTS = {
    "before": ("baseline", {}, ("cold",)),
    "1 process, no cache": (None, {"NEWSEARCH_WORKERS": "1", **NO_CACHE}, ("cold",)),
    "processes, no cache": (None, NO_CACHE, ("cold",)),
    "processes + caches": (None, {}, ("cold", "repeating")),
}


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
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache" / "concurrent")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = p.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    args.cache.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)

    index_dir, sources, built = english_index(args)
    cold = query_mix(sources, args.shared)
    mixes = {"cold": cold, "repeating": repeating(cold[:1000], 50_000)}
    variants = {n: v for n, v in VARIANTS.items() if n in args.variants}
    if not args.baseline:
        variants.pop("before", None)
    code = {None: ROOT, "baseline": baseline_tree(args.baseline, args.cache) if args.baseline
            else None}
    configs = [(name, mode, mix, clients) for name, (_, _, names) in variants.items()
               for mode in args.modes for mix in names for clients in CLIENTS]
    files = {}
    for mode in args.modes:
        for mix, qs in mixes.items():
            files[mode, mix] = paths_file(args.cache / f"paths-{mode}-{mix}.txt", qs, mode)
    results: dict = {c: [] for c in configs}
    for n in range(args.runs):
        for config in configs:
            name, mode, mix, clients = config
            where, env, _ = variants[name]
            print(f"run {n + 1}/{args.runs}: {name}, {mode}, {mix}, {clients} clients",
                  file=sys.stderr, flush=True)
            results[config].append(measure(code[where], env, index_dir, files[mode, mix],
                                           clients, args.seconds))
    report = {"date": datetime.now(timezone.utc).isoformat(), "machine": run.machine(),
              "index": built, "baseline": args.baseline, "seconds": args.seconds,
              "runs": args.runs, "mixes": {m: describe(qs) for m, qs in mixes.items()},
              "configs": [summary(c, rs) for c, rs in results.items()]}
    out = args.out / f"concurrent-{datetime.now():%Y%m%d-%H%M}-{args.articles}.json"
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(table(report))
    print(f"\nJSON: {out}")
    return 0


# --- index and queries ----------------------------------------------------------
def english_index(args) -> tuple[Path, list, dict]:
    """The scale index of `bench.run`, over English articles only, main space only."""
    settings = Settings.from_env(multilingual_model="")
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


def paths_file(path: Path, qs: list[str], mode: str) -> Path:
    lines = ["/api/search?" + urlencode({"q": q, "mode": mode}) for q in qs]
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


# --- one run --------------------------------------------------------------------
def measure(code: Path, env: dict, index_dir: Path, paths: Path, clients: int,
            seconds: int) -> dict:
    port = run.free_port()
    environ = {**os.environ, "PYTHONPATH": str(code), **env}
    server = subprocess.Popen(
        [sys.executable, "-m", "newsearch", "serve", "--index-dir", str(index_dir),
         "--port", str(port)], cwd=code, env=environ,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        warm_up(port, server)
        load = os.getloadavg()
        threads = min(clients, 2)
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout",
             "10s", "-s", str(ROOT / "bench" / "mixed.lua"), f"http://127.0.0.1:{port}",
             "--", str(paths), str(threads)], capture_output=True, text=True, check=True)
        w = json.loads(out.stdout.strip().splitlines()[-1])
        memory = server_memory(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        exit_status = server.wait(timeout=60)
    errors = w["status_errors"] + w["connect"] + w["read"] + w["write"] + w["timeout"]
    return {"rps": w["requests"] / (w["duration_us"] / 1e6), "requests": w["requests"],
            "errors": errors, "p50_ms": w["p50_us"] / 1000, "p90_ms": w["p90_us"] / 1000,
            "p99_ms": w["p99_us"] / 1000, "max_ms": w["max_us"] / 1000, "load_avg": load,
            **memory, "exit_status": exit_status}


def warm_up(port: int, server: subprocess.Popen) -> None:
    """Wait for the server, then send each process a few queries outside the mixes."""
    run.wait_for(port, server).close()
    for n in range(12):  # new connections: they reach every process
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for mode in MODES:
            conn.request("GET", "/api/search?" + urlencode({"q": f"warm up {n}", "mode": mode}))
            conn.getresponse().read()
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
            "pss_mb": med("pss_mb"), "processes": runs[0]["processes"],
            "load_avg_1min": [round(r["load_avg"][0], 1) for r in runs], "runs": runs}


def table(report: dict) -> str:
    idx = report["index"]
    lines = [f"concurrent load: {idx.get('articles')} articles ({idx.get('passages')} passages), "
             f"{report['machine']['cpus']} CPUs, wrk {report['seconds']} s per run, medians of "
             f"{report['runs']} runs", "",
             f"{'variant':<22}{'mode':<9}{'mix':<11}{'clients':>7}{'req/s':>8}{'x1':>6}"
             f"{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}{'RSS MB':>8}{'PSS MB':>8}  load (1 min)"]
    one = {(c["variant"], c["mode"], c["mix"]): c["rps"] for c in report["configs"]
           if c["clients"] == 1}
    for c in report["configs"]:
        base = one.get((c["variant"], c["mode"], c["mix"]))
        ratio = f"{c['rps'] / base:.1f}" if base else ""
        lines.append(f"{c['variant']:<22}{c['mode']:<9}{c['mix']:<11}{c['clients']:>7}"
                     f"{c['rps']:>8}{ratio:>6}{c['p50_ms']:>8}{c['p99_ms']:>8}{c['errors']:>7}"
                     f"{c['rss_mb']:>8}{c['pss_mb']:>8}  {c['load_avg_1min']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
