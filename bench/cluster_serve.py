"""What serving on Ray Serve costs and survives: one machine against a
loopback Ray cluster, on the same index and queries.

    .venv/bin/python -m bench.cluster_serve --index-dir /tmp/bench-index \
        --build samples/wikinews-en.jsonl --nodes 3 --shards 1 3 --replicas 2

For the single-node server (``newsearch serve``, one process) and then for
``newsearch serve --cluster`` with each shard count (a Ray cluster of
``--nodes`` nodes on 127.0.0.1, one CPU each, started here), with both
caches off so that every request reaches the index:

- one client: latency p50/p99 per request (keyword, semantic, hybrid mix of
  title words, as `bench.load`), and the overhead against one machine;
- ``--clients`` concurrent clients: throughput and p50/p99;
- one hop: a shard call and a query-encoder call through a Serve handle,
  from this process (the ingress makes 10-30 such calls per search);
- a shard replica killed under load (with ``--replicas`` >= 2): requests,
  failures, latency while it happens, and the calls the ingress sent again.

Prints a table; writes JSON to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from bench.load import (MODES, ROOT, _percentiles, drive, free_port, stop_server,
                        title_queries, wait_until_up)

NO_CACHE = {"NEWSEARCH_RESPONSE_CACHE_SIZE": "0", "NEWSEARCH_EMBEDDING_CACHE_SIZE": "0"}
LOOPBACK = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}  # every Ray address is 127.0.0.1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--index-dir", type=Path, required=True)
    p.add_argument("--build", type=Path, nargs="*", default=[], metavar="SOURCE")
    p.add_argument("--nodes", type=int, default=3)
    p.add_argument("--shards", type=int, nargs="+", default=[1, 3])
    p.add_argument("--replicas", type=int, default=2)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=20.0)
    args = p.parse_args()
    os.environ.update(LOOPBACK)
    newsearch = [sys.executable, "-m", "newsearch"]
    if args.build:
        subprocess.run([*newsearch, "index", "--rebuild", *map(str, args.build), "--index-dir",
                        str(args.index_dir), "--no-progress"], check=True, cwd=ROOT)
    queries = title_queries(args.index_dir)
    report: dict = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]},
                    "settings": vars(args) | {"index_dir": str(args.index_dir)}, "runs": {}}
    base = [*newsearch, "serve", "--index-dir", str(args.index_dir)]
    report["runs"]["one machine"] = _measure(base, {}, queries, args)
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 1, "node_ip_address": "127.0.0.1", "include_dashboard": False})
    for _ in range(args.nodes - 1):
        cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    cluster.wait_for_nodes()
    try:
        for shards in args.shards:
            cmd = [*base, "--cluster", cluster.address, "--shards", str(shards),
                   "--replicas", str(args.replicas)]
            # A new driver session per run: Serve's client in this process
            # belongs to the run's Serve controller.
            ray.init(address=cluster.address, log_to_driver=False)
            try:
                report["runs"][f"Serve, {shards} shards x {args.replicas}"] = _measure(
                    cmd, {"NEWSEARCH_REPLICA_CPUS": "0"}, queries, args, kill=args.replicas >= 2)
            finally:
                ray.shutdown()
    finally:
        cluster.shutdown()
    single = report["runs"]["one machine"]["one_client"]["latency_ms"]
    for run in report["runs"].values():
        one = run["one_client"]["latency_ms"]
        run["overhead_ms"] = {k: round(one[k] - single[k], 1) for k in ("p50", "p99")}
    print(_text(report))
    out = ROOT / "bench" / "results" / f"cluster-serve-{datetime.now(timezone.utc):%Y%m%d-%H%M}.json"
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


def _measure(cmd: list[str], env: dict, queries: list[str], args, kill: bool = False) -> dict:
    port = free_port()
    log = open(args.index_dir / f"cluster-serve-{port}.log", "w")
    server = subprocess.Popen([*cmd, "--port", str(port)], cwd=ROOT, stdout=log, stderr=log,
                              env=os.environ | NO_CACHE | env)
    out: dict = {}
    try:
        wait_until_up(port, server)
        for query in queries[:10]:  # warm up: first requests open files and load vocabularies
            for mode in MODES:
                _get(port, "/api/search?" + urlencode({"q": query, "mode": mode}))
        out["one_client"] = drive(port, queries, 1, args.seconds)
        out["clients"] = drive(port, queries, args.clients, args.seconds)
        if "--cluster" in cmd:
            out["hop_ms"] = _hops(args.index_dir)
        if kill:
            out["replica_kill"] = _kill_under_load(port, queries, args)
    finally:
        out["exit_status"] = stop_server(server)
    return out


def _hops(index_dir: Path, calls: int = 200) -> dict:
    """Latency of one shard call and one query embedding through Serve handles."""
    from ray import serve

    from web.cluster import APP, read_serving

    app = read_serving(index_dir)["app"]
    shard = serve.get_deployment_handle("shard-0", app_name=app)
    encoder = serve.get_deployment_handle("encoder", app_name=APP)
    times: dict[str, list[float]] = {"shard call": [], "query embedding": []}
    for i in range(calls):
        started = time.perf_counter()
        shard.call.remote("term_stats", ([],)).result()
        times["shard call"].append(time.perf_counter() - started)
        started = time.perf_counter()
        encoder.encode.remote(0, [f"query number {i}"]).result()
        times["query embedding"].append(time.perf_counter() - started)
    return {k: _percentiles(v) for k, v in times.items()}


def _kill_under_load(port: int, queries: list[str], args) -> dict:
    """Kill one replica of shard 0 a third of the way into a loaded run."""
    import ray
    from ray import serve

    from web.cluster import read_serving

    app = read_serving(args.index_dir)["app"]

    def replicas() -> list[str]:
        return sorted(a["name"] for a in ray.util.list_named_actors(all_namespaces=True)
                      if a["namespace"] == "serve"
                      and a["name"].startswith(f"SERVE_REPLICA::{app}#shard-0#"))

    victim = replicas()[0]
    restarted: dict = {}

    def kill() -> None:
        time.sleep(args.seconds / 3)
        ray.kill(ray.get_actor(victim, namespace="serve"), no_restart=True)
        killed = time.monotonic()
        while time.monotonic() - killed < 120:
            now = replicas()
            states = serve.status().applications[app].deployments["shard-0"].replica_states
            running = {str(getattr(k, "value", k)): n for k, n in states.items()}
            if victim not in now and len(now) == args.replicas and running == {
                    "RUNNING": args.replicas}:
                restarted["replacement_running_after_s"] = round(time.monotonic() - killed, 1)
                return
            time.sleep(0.2)

    killer = threading.Thread(target=kill)
    killer.start()
    run = drive(port, queries, args.clients, args.seconds)
    killer.join()
    health = json.loads(_get(port, "/healthz"))
    return {**run, **restarted, "retried_calls": health["cluster"]["retried_calls"]}


def _get(port: int, path: str) -> str:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as r:
        return r.read().decode()


def _text(report: dict) -> str:
    lines = [f"{'':28} {'1 client p50/p99 ms':>20} {'overhead p50/p99':>17} "
             f"{'N clients req/s':>16} {'p50/p99 ms':>14}"]
    for name, run in report["runs"].items():
        one, many = run["one_client"], run["clients"]
        lines.append(
            f"{name:28} {one['latency_ms']['p50']:>9}/{one['latency_ms']['p99']:<10} "
            f"{run['overhead_ms']['p50']:>8}/{run['overhead_ms']['p99']:<8} "
            f"{many['throughput_rps']:>16} {many['latency_ms']['p50']:>6}/{many['latency_ms']['p99']:<7}"
            f" errors {one['errors'] + many['errors']}")
        for hop, p in run.get("hop_ms", {}).items():
            lines.append(f"    one hop, {hop}: p50 {p['p50']} ms, p99 {p['p99']} ms")
        if "replica_kill" in run:
            k = run["replica_kill"]
            lines.append(
                f"    replica killed under load: {k['requests']} requests, {k['errors']} failed, "
                f"p50/p99 {k['latency_ms']['p50']}/{k['latency_ms']['p99']} ms, "
                f"{k['retried_calls']} shard calls sent again, replacement running after "
                f"{k.get('replacement_running_after_s', '?')} s")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
