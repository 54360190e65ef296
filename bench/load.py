"""Bounded load test of a real `newsearch serve` on loopback.

Starts the server on a free 127.0.0.1 port over an index (built first from
``--build`` sources if given), runs ``--clients`` concurrent keep-alive clients
for ``--seconds`` with a mix of keyword, semantic and hybrid queries (article
title words, pages 1-3), then stops the server with SIGTERM and checks it
exits 0.  Reports throughput, latency percentiles (overall and per mode) and
errors (any non-200 answer or failed request)::

    python bench/load.py --build ../shared/corpora/wikinews/en.jsonl --index-dir /tmp/load-index
    python bench/load.py --index-dir /tmp/load-index --clients 16 --seconds 30 --threads 8
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
MODES = ("keyword", "semantic", "hybrid")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--index-dir", type=Path, required=True)
    p.add_argument("--build", type=Path, nargs="*", default=[], metavar="SOURCE",
                   help="(re)build the index from these sources first")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--threads", type=int, default=None, help="server worker threads")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    args = p.parse_args()

    newsearch = [sys.executable, "-m", "newsearch"]
    if args.build:
        subprocess.run([*newsearch, "index", "--rebuild", *map(str, args.build), "--index-dir",
                        str(args.index_dir), "--no-progress"], check=True, cwd=ROOT)
    queries = title_queries(args.index_dir)
    port = free_port()
    serve = [*newsearch, "serve", "--index-dir", str(args.index_dir), "--port", str(port)]
    if args.threads:
        serve += ["--threads", str(args.threads)]
    log = open(args.index_dir / "load-server.log", "w")
    server = subprocess.Popen(serve, cwd=ROOT, stdout=log, stderr=log)
    try:
        wait_until_up(port, server)
        report = drive(port, queries, args.clients, args.seconds)
    finally:
        report_exit = stop_server(server)
    report["server_exit_status_after_sigterm"] = report_exit
    report["settings"] = {"clients": args.clients, "seconds": args.seconds,
                          "server_threads": args.threads or "default (Settings.threads)",
                          "cpus": os.cpu_count(), "articles": _articles(args.index_dir)}
    print(json.dumps(report, indent=2) if args.json else _text(report))
    return 0 if report["errors"] == 0 and report_exit == 0 else 1


def title_queries(index_dir: Path) -> list[str]:
    """Queries made of 2-5 words of real titles in the index."""
    from search import Searcher, Settings

    searcher = Searcher.open(index_dir, Settings(index_dir=index_dir))
    try:
        articles = searcher.store.get(list(range(1, searcher.article_count + 1)))
    finally:
        searcher.close()
    rng = random.Random(7)
    queries = []
    for article in articles.values():
        words = [w.strip(".,:;'\"()") for w in article.title.split()]
        words = [w for w in words if len(w) > 2]
        if words:
            queries.append(" ".join(rng.sample(words, min(len(words), rng.randint(2, 5)))))
    return queries


def drive(port: int, queries: list[str], clients: int, seconds: float) -> dict:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            mode = rng.choice(MODES)
            path = "/api/search?" + urlencode({"q": rng.choice(queries), "mode": mode,
                                               "page": rng.choice((1, 1, 1, 2, 3))})
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200 and b'"results"' in body
                problem = None if ok else f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as e:
                problem = type(e).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            took = time.perf_counter() - started
            with lock:
                if problem:
                    errors[problem] += 1
                else:
                    latencies[mode].append(took)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    every = [x for values in latencies.values() for x in values]
    return {
        "requests": len(every) + sum(errors.values()),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "elapsed_s": round(elapsed, 1),
        "throughput_rps": round(len(every) / elapsed, 1),
        "latency_ms": _percentiles(every),
        "by_mode": {mode: {"requests": len(v), **_percentiles(v)}
                    for mode, v in sorted(latencies.items())},
    }


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    ms = sorted(v * 1000 for v in values)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50": round(q[49], 1), "p90": round(q[89], 1), "p99": round(q[98], 1),
            "max": round(ms[-1], 1)}


def _text(report: dict) -> str:
    lat = report["latency_ms"]
    lines = [
        f"{report['requests']} requests in {report['elapsed_s']} s: "
        f"{report['throughput_rps']} req/s, {report['errors']} errors {report['error_kinds'] or ''}",
        f"latency p50 {lat.get('p50')} ms, p90 {lat.get('p90')} ms, p99 {lat.get('p99')} ms, "
        f"max {lat.get('max')} ms",
    ]
    for mode, m in report["by_mode"].items():
        lines.append(f"  {mode:8} {m['requests']:6} requests, p50 {m['p50']} ms, p99 {m['p99']} ms")
    lines.append(f"settings: {report['settings']}")
    lines.append(f"server exit status after SIGTERM: {report['server_exit_status_after_sigterm']}")
    return "\n".join(lines)


def _articles(index_dir: Path) -> int:
    from search.index.layout import IndexDir

    return int(IndexDir(index_dir).current().manifest()["articles"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_server(server: subprocess.Popen, timeout: float = 60) -> int | str:
    """SIGTERM the server and wait: its exit status, or why there is none."""
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        return f"did not stop within {timeout:.0f} s"


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with {server.returncode}; see load-server.log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not come up")


if __name__ == "__main__":
    sys.exit(main())
