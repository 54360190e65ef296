"""The first requests a fresh server answers: warm-up before serving, measured.

    .venv/bin/python -m bench.first_requests --baseline REF [--index-dir DIR] [--runs 3]

Starts ``newsearch serve --workers 1`` on an index (default: the bundled
sample, built once under ``bench/.cache/first-requests``) from this checkout
and from the code at ``--baseline REF`` (`bench.concurrent.baseline_tree`),
alternately, ``--runs`` times each; once /healthz answers, sends ``--requests``
distinct hybrid queries one at a time (headline words of the index's own
articles) and records each latency, and the time from start to ready.
Prints, per variant, medians over the runs of: ready seconds, the first
request, p50 and max of the first ``--requests``; the ratio after/before.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from .concurrent import baseline_tree

ROOT = Path(__file__).resolve().parents[1]


def queries(index_dir: Path, n: int) -> list[str]:
    from search import Searcher, Settings

    searcher = Searcher.open(index_dir, Settings(index_dir=index_dir))
    try:
        titles = [a.title for a in searcher.store.get(list(range(min(4 * n, searcher.article_count)))).values()]
    finally:
        searcher.close()
    return [" ".join(t.split()[:4]) for t in titles if t.strip()][:n]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
    return (time.perf_counter() - started) * 1000


def one_run(code: Path, index_dir: Path, qs: list[str]) -> dict:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "newsearch", "serve", "--workers", "1",
                             "--index-dir", str(index_dir), "--port", str(port)], cwd=code,
                            env={"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                get(base + "/healthz")
                break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit(f"server from {code} exited {proc.returncode}")
                time.sleep(0.05)
        ready = time.perf_counter() - started
        ms = [get(base + "/api/search?" + urlencode({"q": q, "mode": "hybrid"})) for q in qs]
    finally:
        proc.terminate()
        proc.wait(60)
    return {"ready_s": ready, "first_ms": ms[0], "p50_ms": statistics.median(ms), "max_ms": max(ms)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--baseline", required=True, metavar="REF")
    p.add_argument("--index-dir", type=Path)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--requests", type=int, default=20)
    p.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache" / "first-requests")
    args = p.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    index_dir = args.index_dir or args.cache / "sample-index"
    if args.index_dir is None and not (index_dir / "CURRENT").exists():
        subprocess.run([sys.executable, "-m", "newsearch", "index", str(ROOT / "samples"),
                        "--index-dir", str(index_dir), "--no-progress"], cwd=ROOT, check=True)
    qs = queries(index_dir, args.requests)
    variants = {"before": baseline_tree(args.baseline, args.cache), "after": ROOT}
    runs: dict[str, list[dict]] = {v: [] for v in variants}
    for _ in range(args.runs):
        for name, code in variants.items():
            runs[name].append(one_run(code, index_dir, qs))
    report = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
              for name, rs in runs.items()}
    print(f"{'variant':<8}{'ready s':>10}{'first ms':>10}{'p50 ms':>10}{'max ms':>10}")
    for name, r in report.items():
        print(f"{name:<8}{r['ready_s']:>10.2f}{r['first_ms']:>10.1f}{r['p50_ms']:>10.1f}{r['max_ms']:>10.1f}")
    print("after/before: " + ", ".join(f"{k} {report['after'][k] / report['before'][k]:.2f}x"
                                       for k in report["after"]))
    out = ROOT / "bench" / "results" / f"first-requests-{time.strftime('%Y%m%d-%H%M')}.json"
    out.write_text(json.dumps({"index": str(index_dir), "runs": runs, "medians": report},
                              indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
