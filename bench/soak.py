"""Bounded soak test: a real server under mixed queries while articles keep arriving.

Builds a fresh index from the bundled sample (``--base``), starts
``newsearch serve`` on a free loopback port, then for ``--minutes``:

- ``--clients`` keep-alive client threads send mixed requests (keyword,
  semantic and hybrid searches of 2-5 title words, pages 1-3, autocompletion,
  ``/healthz``);
- an indexer thread adds ``--batch`` new articles (real Wikinews articles not
  in the index) every ``--add-every`` seconds with the real CLI,
  ``newsearch index FILE`` (an incremental update: a new generation the
  server swaps in while serving);
- a sampler records the server's resident memory (VmRSS), open file
  descriptors, live generation, generations on disk and requests/errors so
  far, every ``--sample-every`` seconds.

Then the server is stopped with SIGTERM (it must exit 0).  Prints a table and
a summary and writes the JSON to ``bench/results/soak-*.json``::

    nice -n 10 .venv/bin/python -m bench.soak --minutes 10
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from bench.load import (MODES, ROOT, free_port, _percentiles, title_queries, wait_until_up,
                        stop_server)

SAMPLE = ROOT / "samples" / "wikinews-en.jsonl"
ARRIVALS = ROOT.parent / "shared" / "corpora" / "wikinews" / "en.jsonl"
RESULTS = ROOT / "bench" / "results"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--threads", type=int, default=4, help="server worker threads")
    p.add_argument("--add-every", type=float, default=5.0,
                   help="seconds between the end of one indexing run and the next")
    p.add_argument("--batch", type=int, default=2, help="articles added per run")
    p.add_argument("--sample-every", type=float, default=10.0)
    p.add_argument("--index-dir", type=Path, default=None,
                   help="where to build the index (default: a temporary folder)")
    args = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="newsearch-soak-"))
    index = args.index_dir or work / "index"
    newsearch = [sys.executable, "-m", "newsearch"]
    subprocess.run([*newsearch, "index", "--rebuild", str(SAMPLE), "--index-dir", str(index),
                    "--no-progress"], check=True, cwd=ROOT)
    queries = title_queries(index)
    port = free_port()
    log = open(work / "server.log", "w")
    # One server process, whose memory and descriptors the sampler reads.
    server = subprocess.Popen([*newsearch, "serve", "--index-dir", str(index), "--port", str(port),
                               "--threads", str(args.threads), "--workers", "1"],
                              cwd=ROOT, stdout=log, stderr=log)
    wait_until_up(port, server)
    soak = Soak(port, server.pid, index, queries, args)
    try:
        soak.run(newsearch, work)
    finally:
        exit_status = stop_server(server)
    report = soak.report(exit_status)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"soak-{time.strftime('%Y%m%d-%H%M')}.json"
    out.write_text(json.dumps(report, indent=2))
    print(_text(report))
    print(f"written to {out.relative_to(ROOT)}; server log: {work / 'server.log'}")
    ok = report["errors"] == 0 and report["index_runs_failed"] == 0 and exit_status == 0
    return 0 if ok else 1


class Soak:
    def __init__(self, port: int, pid: int, index: Path, queries: list[str], args):
        self.port, self.pid, self.index, self.queries, self.args = port, pid, index, queries, args
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: Counter = Counter()
        self.samples: list[dict] = []
        self.runs: list[dict] = []
        self.started = time.monotonic()
        self.deadline = self.started + args.minutes * 60

    def run(self, newsearch: list[str], work: Path) -> None:
        threads = [threading.Thread(target=self.client, args=(n,))
                   for n in range(self.args.clients)]
        threads.append(threading.Thread(target=self.indexer, args=(newsearch, work)))
        threads.append(threading.Thread(target=self.sampler))
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def client(self, n: int) -> None:
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while time.monotonic() < self.deadline:
            q = rng.choice(self.queries)
            kind = rng.random()
            if kind < 0.8:
                path = "/api/search?" + urlencode({"q": q, "mode": rng.choice(MODES),
                                                   "page": rng.choice((1, 1, 1, 2, 3))})
            elif kind < 0.95:
                path = "/api/suggest?" + urlencode({"q": q[: rng.randint(2, len(q))]})
            else:
                path = "/healthz"
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                problem = None if response.status == 200 else f"HTTP {response.status}"
                if path == "/healthz" and b'"status":"ok"' not in body.replace(b" ", b""):
                    problem = "healthz not ok"
            except (OSError, http.client.HTTPException) as e:
                problem = type(e).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            took = time.perf_counter() - started
            with self.lock:
                if problem:
                    self.errors[problem] += 1
                else:
                    self.latencies.append(took)

    def indexer(self, newsearch: list[str], work: Path) -> None:
        have = {json.loads(line)["id"] for line in SAMPLE.read_text(encoding="utf-8").splitlines()}
        arrivals = (line for line in ARRIVALS.read_text(encoding="utf-8").splitlines()
                    if json.loads(line).get("id") not in have)
        n = 0
        while time.monotonic() + self.args.add_every < self.deadline:
            time.sleep(self.args.add_every)
            batch = [next(arrivals) for _ in range(self.args.batch)]
            n += 1
            source = work / f"arrivals-{n:04d}.jsonl"
            source.write_text("\n".join(batch) + "\n", encoding="utf-8")
            started = time.perf_counter()
            done = subprocess.run([*newsearch, "index", str(source), "--index-dir",
                                   str(self.index), "--no-progress"], cwd=ROOT,
                                  capture_output=True, text=True)
            self.runs.append({"t_s": round(time.monotonic() - self.started, 1),
                              "seconds": round(time.perf_counter() - started, 1),
                              "exit": done.returncode,
                              "output": (done.stdout + done.stderr).strip()[-300:]})

    def sampler(self) -> None:
        while True:
            self.samples.append(self.sample())
            if time.monotonic() >= self.deadline:
                return
            time.sleep(min(self.args.sample_every, max(0.0, self.deadline - time.monotonic())))

    def sample(self) -> dict:
        status = Path(f"/proc/{self.pid}/status").read_text()
        rss_kb = int(next(line.split()[1] for line in status.splitlines()
                          if line.startswith("VmRSS:")))
        with self.lock:
            requests, errors = len(self.latencies), sum(self.errors.values())
        return {
            "t_s": round(time.monotonic() - self.started, 1),
            "rss_mb": round(rss_kb / 1024, 1),
            "fds": len(os.listdir(f"/proc/{self.pid}/fd")),
            "threads": int(next(line.split()[1] for line in status.splitlines()
                                if line.startswith("Threads:"))),
            "generation": (self.index / "CURRENT").read_text().strip(),
            "generations_on_disk": len(list(self.index.glob("gen-*"))),
            "requests": requests + errors,
            "errors": errors,
        }

    def report(self, exit_status) -> dict:
        rss = [s["rss_mb"] for s in self.samples]
        fds = [s["fds"] for s in self.samples]
        after_warmup = [s for s in self.samples if s["t_s"] >= 60] or self.samples
        elapsed = time.monotonic() - self.started
        return {
            "minutes": round(elapsed / 60, 1),
            "settings": {k: v for k, v in vars(self.args).items() if k != "index_dir"},
            "cpus": os.cpu_count(),
            "load_average_at_end": os.getloadavg(),
            "requests": len(self.latencies) + sum(self.errors.values()),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "throughput_rps": round(len(self.latencies) / elapsed, 1),
            "latency_ms": _percentiles(self.latencies),
            "index_runs": len(self.runs),
            "index_runs_failed": sum(r["exit"] != 0 for r in self.runs),
            "index_run_seconds": {"median": statistics.median(r["seconds"] for r in self.runs),
                                  "max": max(r["seconds"] for r in self.runs)}
            if self.runs else {},
            "articles_added": self.args.batch * sum(r["exit"] == 0 for r in self.runs),
            "rss_mb": {"first": rss[0], "after_1_min": after_warmup[0]["rss_mb"],
                       "last": rss[-1], "max": max(rss)},
            "fds": {"first": fds[0], "min": min(fds), "max": max(fds), "last": fds[-1]},
            "server_exit_status_after_sigterm": exit_status,
            "samples": self.samples,
            "failed_runs": [r for r in self.runs if r["exit"] != 0],
        }


def _text(r: dict) -> str:
    lines = [f"{'t (s)':>6} {'RSS MB':>7} {'fds':>4} {'thr':>4} {'generation':>11} "
             f"{'on disk':>7} {'requests':>8} {'errors':>6}"]
    for s in r["samples"]:
        lines.append(f"{s['t_s']:6.0f} {s['rss_mb']:7.1f} {s['fds']:4} {s['threads']:4} "
                     f"{s['generation']:>11} {s['generations_on_disk']:7} {s['requests']:8} "
                     f"{s['errors']:6}")
    lat = r["latency_ms"]
    lines += [
        f"{r['minutes']} min, {r['cpus']} CPUs, load average at end {r['load_average_at_end']}",
        f"{r['requests']} requests ({r['throughput_rps']}/s), {r['errors']} errors "
        f"{r['error_kinds'] or ''}; p50 {lat.get('p50')} ms, p99 {lat.get('p99')} ms",
        f"{r['index_runs']} index runs ({r['index_runs_failed']} failed), "
        f"{r['articles_added']} articles added; run time median "
        f"{r['index_run_seconds'].get('median')} s",
        f"RSS MB: first {r['rss_mb']['first']}, after 1 min {r['rss_mb']['after_1_min']}, "
        f"last {r['rss_mb']['last']}, max {r['rss_mb']['max']}",
        f"open fds: first {r['fds']['first']}, min {r['fds']['min']}, max {r['fds']['max']}, "
        f"last {r['fds']['last']}",
        f"server exit status after SIGTERM: {r['server_exit_status_after_sigterm']}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
