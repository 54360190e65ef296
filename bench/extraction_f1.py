"""Word-shingle F1 of extracted article bodies against gold text.

For every page fixture (NAME.txt / NAME.html with NAME.gold.txt) the body is
extracted from the page-text dump (our extractor) and from the HTML (our HTML
reader), and compared with the gold body as multisets of word 4-shingles.
Per page: precision = shared / extracted shingles, recall = shared / gold
shingles; the scores are the mean precision and mean recall over pages and F1
of those two means (so long and short articles weigh the same).  Baselines:
the whole page text, and trafilatura run on the text dump.

    python bench/extraction_f1.py [FOLDER] [--pages]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from html import escape
from pathlib import Path
from statistics import mean
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.readers import html as html_reader  # noqa: E402
from indexer.readers import textpage  # noqa: E402

SHINGLE = 4
_WORD = re.compile(r"\w+")


def shingles(text: str) -> Counter:
    words = _WORD.findall(text)
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1)))


def precision_recall(gold: str, extracted: str) -> tuple[float, float]:
    want, got = shingles(gold), shingles(extracted)
    shared = sum((want & got).values())
    if not got and not want:
        return 1.0, 1.0
    return (shared / sum(got.values()) if got else 0.0,
            shared / sum(want.values()) if want else 0.0)


def score(pairs: list[tuple[float, float]]) -> tuple[float, float, float]:
    p, r = mean(x[0] for x in pairs), mean(x[1] for x in pairs)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def from_text(path: Path) -> str:
    article = textpage.extract(path.read_text(encoding="utf-8"), str(path))
    return article.body if article else ""


def from_html(path: Path) -> str:
    article = html_reader.extract(path.read_text(encoding="utf-8"), str(path))
    return article.body if article else ""


def whole_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def trafilatura_on_text(path: Path) -> str:
    from trafilatura import extract

    lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    page = "<html><body>" + "".join(f"<p>{escape(l)}</p>" for l in lines) + "</body></html>"
    return extract(page) or ""


METHODS: dict[str, tuple[str, Callable[[Path], str]]] = {
    "text dump: newsearch": (".txt", from_text),
    "text dump: whole page (baseline)": (".txt", whole_text),
    "text dump: trafilatura on text (baseline)": (".txt", trafilatura_on_text),
    "html: newsearch (trafilatura)": (".html", from_html),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", type=Path, default=ROOT / "tests" / "fixtures" / "pages")
    ap.add_argument("--pages", action="store_true", help="print each page's scores")
    args = ap.parse_args()
    golds = sorted(args.folder.glob("*.gold.txt"))
    for label, (suffix, method) in METHODS.items():
        pairs = []
        for gold_path in golds:
            page = gold_path.with_name(gold_path.name.removesuffix(".gold.txt") + suffix)
            if not page.exists():
                continue
            pr = precision_recall(gold_path.read_text(encoding="utf-8"), method(page))
            pairs.append(pr)
            if args.pages:
                print(f"    {page.name:32} P={pr[0]:.3f} R={pr[1]:.3f}")
        if pairs:
            p, r, f1 = score(pairs)
            print(f"{label:45} pages={len(pairs):3}  P={p:.3f}  R={r:.3f}  F1={f1:.3f}")


if __name__ == "__main__":
    main()
