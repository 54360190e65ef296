"""CPU time to embed one query, one thread: the query models a server runs, in one run.

    .venv/bin/python -m bench.query_cost [--rounds 2] [--shared ../shared]

Each model embeds the same queries one at a time (a reader's query is embedded
alone): 100 English and 100 Russian Wikinews titles and 100 SciFact claims,
``--rounds`` times, the models taking turns query by query so that all see the
same machine.  Reports the p50 / p90 of process CPU time per call and the ratio
of each p50 to the first's; writes JSON to ``bench/results/``.

The models are those of the default settings, all-MiniLM-L6-v2 with
``query_backend`` (int8) and multilingual-e5-small with ``e5_backend`` (int8:
its query graph, every weight matrix in int8), and beside them what queries
ran before, in the same run:

* "ORT fuses SkipLayerNorm": the same graphs in a session that lets ONNX
  Runtime fuse each residual Add into SkipLayerNormalization again (as every
  graph did until 2026-12-07; ``onnx_model.session`` now turns that off);
* e5's passage graph (its feed-forward output projections fp32) with
  SkipLayerNormalization, which embedded queries until 2026-12-07.
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
    from search.models.e5 import QUERY, E5Encoder, cached_files
    from search.models.embedder import Embedder, e5_embedder, for_queries

    threads.limit(1)
    settings = Settings()
    minilm = Embedder.for_settings(settings, backend=settings.query_backend)
    e5q = for_queries(e5_embedder(settings))
    texts = queries(args.shared)
    minilm.encode(texts[:1])
    e5q.encode(texts[:1])
    encoder = e5q.encoder
    passage_graph = E5Encoder(encoder.packed, cached_files(encoder.packed, e5q.cache_dir,
                                                           "int8")[0], encoder.tokenizer)
    fused_minilm, fused_e5, before = (fusing_skip_layer_norm(e) for e in
                                      (minilm.onnx, encoder, passage_graph))
    models = {
        f"all-MiniLM-L6-v2 ({settings.query_backend})": minilm.encode,
        f"multilingual-e5-small ({settings.e5_backend}, query graph {e5q.graph})": e5q.encode,
        f"all-MiniLM-L6-v2 ({settings.query_backend}), ORT fuses SkipLayerNorm":
            lambda batch: fused_minilm.encode(batch, 1),
        f"multilingual-e5-small ({e5q.graph}), ORT fuses SkipLayerNorm":
            lambda batch: fused_e5.encode(batch, QUERY, 1),
        "multilingual-e5-small (int8 passage graph, ORT fuses SkipLayerNorm: queries before)":
            lambda batch: before.encode(batch, QUERY, 1),
    }
    for encode in models.values():
        encode(texts[:3])  # loaded and warm
    times: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(args.rounds):
        for text in texts:
            for name, encode in models.items():
                started = time.process_time()
                encode([text])
                times[name].append((time.process_time() - started) * 1000)
    report = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "load_avg": os.getloadavg(), "queries": len(texts), "rounds": args.rounds,
              "models": {name: {"p50_ms": round(_quantile(t, 0.5), 2),
                                "p90_ms": round(_quantile(t, 0.9), 2)} for name, t in times.items()}}
    first = next(iter(report["models"].values()))["p50_ms"]
    for name, m in report["models"].items():
        m["p50_vs_first"] = round(m["p50_ms"] / first, 2)
        print(f"{name}: p50 {m['p50_ms']} ms ({m['p50_vs_first']}x), p90 {m['p90_ms']} ms")
    print(f"load {report['load_avg'][0]:.1f}")
    out = ROOT / "bench" / "results" / f"query-cost-{datetime.now():%Y%m%d-%H%M}.json"
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"written to {out}")
    return 0


def fusing_skip_layer_norm(encoder):
    """A copy of ``encoder`` whose session lets ONNX Runtime fuse
    SkipLayerNormalization (its default, which `onnx_model.session` turns off)."""
    import copy

    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    fusing = copy.copy(encoder)
    fusing.session = ort.InferenceSession(encoder.session._model_path, options,
                                          providers=["CPUExecutionProvider"])
    return fusing


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


if __name__ == "__main__":
    raise SystemExit(main())
