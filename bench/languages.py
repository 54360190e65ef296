"""Indexing throughput per edition language, and what the language routing buys.

    .venv/bin/python -m bench.languages [--runs 3] [--limit N]

Indexes the Russian and the English Wikinews articles and the Armenian ILUR
articles (``../shared``) with the shipped settings (Russian and Armenian
passages embedded by the multilingual model, multilingual-e5-small; English
ones by all-MiniLM-L6-v2), the Russian ones also with USE-multilingual as the
multilingual model (the default before e5) and as before language routing
(every passage embedded by all-MiniLM-L6-v2).  Prints articles/s, passages and
seconds per stage (medians over ``--runs``), and writes them as JSON to
``bench/results/``.  Run it with ``nice`` on a shared machine: ratios within
one run mean more than absolute figures.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from indexer.build import LOCAL, Runner, build
from search.config import Settings

from .cpu import CpuMeter
from .run import machine, save_report

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = {}
BEFORE = {"multilingual_model": "", "model_langs": "en,ru"}  # every passage through MiniLM
USE = {"multilingual_model": "use-multilingual-v3"}
WIKINEWS, ILUR = Path("corpora/wikinews"), Path("corpora/ilur-hy")
# (language, configuration, corpus): English articles are embedded by MiniLM either way.
RUNS = [("ru", "e5 (shipped)", SHIPPED, WIKINEWS / "ru.jsonl"),
        ("ru", "USE", USE, WIKINEWS / "ru.jsonl"),
        ("ru", "MiniLM only", BEFORE, WIKINEWS / "ru.jsonl"),
        ("hy", "e5 (shipped)", SHIPPED, ILUR / "train.jsonl"),
        ("en", "shipped", SHIPPED, WIKINEWS / "en.jsonl")]


def measure(corpus: Path, changes: dict, runs: int, runner: Runner = LOCAL) -> dict:
    """Median figures of ``runs`` builds of ``corpus`` into fresh index folders."""
    rows = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            meter = CpuMeter()
            summary = build([corpus], Settings(index_dir=Path(tmp)).replace(**changes),
                            progress=False, runner=runner)
            cpu = meter.stop()
        rows.append({"articles": summary.indexed, "passages": summary.passages,
                     "seconds": summary.seconds, "cpu_seconds": cpu,
                     **{f"{stage}_s": t for stage, t in summary.stages.items()}})
    out = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    out["articles_per_s"] = out["articles"] / out["seconds"]
    out["passages_per_s"] = out["passages"] / out["seconds"]
    # CPU time is steadier than wall time on a shared machine.
    out["articles_per_cpu_s"] = out["articles"] / out["cpu_seconds"]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.languages", description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--limit", type=int, default=0, help="first N articles of each corpus (0: all)")
    p.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = p.parse_args(argv)
    report = {"machine": machine(), "runs": args.runs, "results": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for lang, name, changes, source in RUNS:
            lines = (args.shared / source).read_text(encoding="utf-8").splitlines()
            corpus = Path(tmp) / f"{lang}.jsonl"
            corpus.write_text("\n".join(lines[: args.limit or None]) + "\n", encoding="utf-8")
            r = report["results"][f"{lang} / {name}"] = measure(corpus, changes, args.runs)
            print(f"{lang:<3}{name:<22}{r['articles']:>6.0f} articles {r['passages']:>6.0f} passages"
                  f"{r['seconds']:>8.1f} s {r['articles_per_s']:>7.1f} articles/s "
                  f"{r['cpu_seconds']:>8.1f} CPU s {r['articles_per_cpu_s']:>7.1f} articles/CPU s "
                  f"(embedding {r.get('embedding_s', 0):.1f} s)", flush=True)
    save_report(report, args.out, "languages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
