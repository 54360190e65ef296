"""Write the bundled query means of multilingual-e5-small (`search.ranking.query_offset`).

    .venv/bin/python scripts/query_means.py [--sample samples/wikinews-en.jsonl]

A searcher measures the query mean of each language on the index's own titles;
these bundled means serve a language the index holds too few articles in
(English queries on an Armenian-only site).  English: the mean of the e5 query
vectors (default settings: `e5_backend`, ``"query: "`` prefix) of the bundled
sample's titles.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.config import Settings  # noqa: E402
from search.models.e5 import NAME  # noqa: E402
from search.models.embedder import e5_embedder, for_queries  # noqa: E402
from search.ranking.query_offset import BUNDLED  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sample", type=Path, default=ROOT / "samples" / "wikinews-en.jsonl")
    args = p.parse_args()
    with args.sample.open(encoding="utf-8") as f:
        titles = [t for t in (json.loads(line).get("title", "") for line in f) if t.strip()]
    vectors = for_queries(e5_embedder(Settings())).encode(titles)
    out = BUNDLED / f"{NAME}.json"
    out.write_text(json.dumps({"en": [round(float(v), 6) for v in vectors.mean(axis=0)]}) + "\n",
                   encoding="utf-8")
    print(f"{out}: English from {len(titles)} titles of {args.sample.name}")


if __name__ == "__main__":
    main()
