"""CPU time to embed one query, one thread: the query models a server runs, in one run.

    .venv/bin/python -m bench.query_cost [--rounds 2] [--shared ../shared]

Each model embeds the same queries one at a time (a reader's query is embedded
alone): 100 English and 100 Russian Wikinews titles and 100 SciFact claims,
``--rounds`` times, the models taking turns query by query so that both see the
same machine.  Reports the p50 / p90 of process CPU time per call and the ratio
of the p50s; writes JSON to ``bench/results/``.  The models are those of the
default settings: all-MiniLM-L6-v2 with ``query_backend`` (int8) and
multilingual-e5-small with ``e5_backend`` (int8, query prefix).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def queries(shared: Path) -> list[str]:
    wikinews = shared / "corpora" / "wikinews"
    out = []
    for name in ("en.jsonl", "ru.jsonl"):
        with (wikinews / name).open(encoding="utf-8") as f:
            out += [json.loads(line)["title"] for _, line in zip(range(100), f)]
    with (shared / "eval" / "scifact" / "queries.jsonl").open(encoding="utf-8") as f:
        out += [json.loads(line)["text"] for _, line in zip(range(100), f)]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = p.parse_args(argv)

    from search import Settings
    from search.models import threads
    from search.models.embedder import Embedder, e5_embedder, for_queries

    threads.limit(1)
    settings = Settings()
    models = {f"all-MiniLM-L6-v2 ({settings.query_backend})":
              Embedder.for_settings(settings, backend=settings.query_backend),
              f"multilingual-e5-small ({settings.e5_backend})": for_queries(e5_embedder(settings))}
    texts = queries(args.shared)
    for model in models.values():
        model.encode(texts[:3])  # loaded and warm
    times: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(args.rounds):
        for text in texts:
            for name, model in models.items():
                started = time.process_time()
                model.encode([text])
                times[name].append((time.process_time() - started) * 1000)
    report = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "load_avg": os.getloadavg(), "queries": len(texts), "rounds": args.rounds,
              "models": {name: {"p50_ms": round(_quantile(t, 0.5), 2),
                                "p90_ms": round(_quantile(t, 0.9), 2)} for name, t in times.items()}}
    p50s = [m["p50_ms"] for m in report["models"].values()]
    report["ratio_p50"] = round(p50s[1] / p50s[0], 2)
    for name, m in report["models"].items():
        print(f"{name}: p50 {m['p50_ms']} ms, p90 {m['p90_ms']} ms")
    print(f"ratio of p50s: {report['ratio_p50']}x (load {report['load_avg'][0]:.1f})")
    out = ROOT / "bench" / "results" / f"query-cost-{datetime.now():%Y%m%d-%H%M}.json"
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"written to {out}")
    return 0


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


if __name__ == "__main__":
    raise SystemExit(main())
