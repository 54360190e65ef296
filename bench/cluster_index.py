"""Indexing on a Ray cluster (`newsearch index --cluster`) against a local build.

    .venv/bin/python -m bench.cluster_index [--articles 300] [--nodes 2 3] [--repeat 3]

Indexes N real Wikinews articles (``../shared/corpora/wikinews``, half English,
half Russian, so both models embed) in this process, then on Ray clusters of
K nodes on loopback started here (one CPU each), and prints articles/s,
passages/s, wall seconds, CPU seconds (this process and every process it
started: Ray's nodes and workers, read from /proc) and the driver's stage
times, medians of ``--repeat`` runs, and each cluster's ratio to the local
build.  Every run cuts the passages into units of ``--chunk`` (the default
2048 would make one unit per space of a corpus this small).  The nodes of a
loopback cluster share this machine's cores: the ratio is the cost of the
cluster (workers, model loads per actor, moving data), not a speedup.
Writes the figures as JSON to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import tempfile
from pathlib import Path

from indexer.build import Runner

from .languages import measure
from .run import machine, save_report

ROOT = Path(__file__).resolve().parents[1]


def write_corpus(shared: Path, articles: int, folder: Path) -> Path:
    """The first N/2 English and N/2 Russian Wikinews articles, one file each."""
    for lang, n in (("en", articles - articles // 2), ("ru", articles // 2)):
        lines = (shared / "corpora" / "wikinews" / f"{lang}.jsonl").read_text(
            encoding="utf-8").splitlines()[:n]
        (folder / f"{lang}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@contextlib.contextmanager
def loopback_cluster(nodes: int):
    """A Ray cluster of ``nodes`` one-CPU nodes on 127.0.0.1; this process its driver."""
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # every address 127.0.0.1
    import ray
    from ray.cluster_utils import Cluster

    node = {"num_cpus": 1, "node_ip_address": "127.0.0.1"}
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    try:
        for _ in range(nodes - 1):
            cluster.add_node(**node)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, log_to_driver=False, logging_level=logging.WARNING)
        yield cluster.address
    finally:
        ray.shutdown()
        cluster.shutdown()


def line(name: str, r: dict, local: dict | None = None) -> str:
    text = (f"{name:<10}{r['articles']:>5.0f} articles {r['passages']:>6.0f} passages "
            f"{r['articles_per_s']:>6.1f} articles/s {r['passages_per_s']:>6.1f} passages/s "
            f"{r['seconds']:>7.1f} s wall {r['cpu_seconds']:>7.1f} s CPU  (driver: extraction "
            f"{r.get('extraction_s', 0):.1f} s, keyword {r.get('keyword_s', 0):.1f} s, passages "
            f"{r.get('passages_s', 0):.1f} s, embedding {r.get('embedding_s', 0):.1f} s)")
    if local:
        text += (f"\n{'':<10}cluster/local: wall x{r['seconds'] / local['seconds']:.2f}, "
                 f"CPU x{r['cpu_seconds'] / local['cpu_seconds']:.2f}")
    return text


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.cluster_index",
                                description=__doc__.split("\n")[0])
    p.add_argument("--articles", type=int, default=300)
    p.add_argument("--nodes", type=int, nargs="+", default=[2, 3])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--chunk", type=int, default=64, help="passages per encoding unit")
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = p.parse_args(argv)
    from indexer import cluster

    report = {"machine": machine(), "articles": args.articles, "repeat": args.repeat,
              "chunk": args.chunk, "results": {}}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = write_corpus(args.shared, args.articles, Path(tmp))
        local = report["results"]["local"] = measure(corpus, {}, args.repeat,
                                                     Runner(chunk=args.chunk))
        print(line("local", local), flush=True)
        for nodes in args.nodes:
            with loopback_cluster(nodes) as address:
                runner = cluster.runner(address, chunk=args.chunk)
                r = report["results"][f"{nodes} nodes"] = measure(corpus, {}, args.repeat, runner)
            print(line(f"{nodes} nodes", r, local), flush=True)
    save_report(report, args.out, "cluster-index")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
