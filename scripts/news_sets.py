"""Build the news relevance sets (BEIR layout) from the Wikinews corpora.

Known-item sets: each query has one right article.  Queries are the
headlines themselves and the paraphrased questions written for this project
(``eval/news/*.jsonl``: several per article, English and Russian, and English
questions about Russian-only stories).  Articles are split in two by a hash
of their id: queries about "train" articles tune the ranking, "test" ones are
held out.  The corpora stay in ``../shared`` (the Russian one may not be
redistributed); this writes, under OUT (default ``indexes/eval-data``):

    wikinews-en/     English articles; headline + English paraphrase queries
    wikinews-ru/     Russian articles; headline + Russian paraphrase queries
    wikinews-xling/  English and Russian articles together (a site with two editions):
                     every query above, and English queries about Russian-only stories
    scifact-titles/  headline known-item at 5,183 documents: each SciFact title finds its abstract
    ilur-hy/         Armenian news (ILUR, 3,000 articles, no headlines: the lead sentence is the
                     title); lead known-item, Armenian paraphrase questions and English questions
    ilur-xling/      English Wikinews and Armenian ILUR articles together: the English and
                     Armenian queries above, English ones about Armenian stories included
    tatoeba-hy/, tatoeba-az/, tatoeba-ru/
                     Tatoeba sentences of one language; each English translation finds its
                     sentence (cross-lingual), and in Azerbaijani hand-written paraphrases too

Each has ``corpus.jsonl``, ``queries.jsonl`` (with ``kind`` and ``lang``) and
``qrels/{train,test}.tsv``.  Run: ``python scripts/news_sets.py``, then
``newsearch eval indexes/eval-data/wikinews-ru --split train``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
WIKINEWS = CORPORA / "wikinews"
QUERIES = ROOT / "eval" / "news"


def split_of(article_id: str) -> str:
    """"train" or "test", half the articles each, fixed by the id."""
    return "train" if hashlib.sha1(article_id.encode()).digest()[0] < 128 else "test"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def indexed(articles: list[dict]) -> list[dict]:
    """The articles the indexer keeps: it merges an article into an earlier one
    with the same text (``indexer.dedup``, MinHash over word 5-shingles), and a
    query about a merged article could never be answered."""
    from types import SimpleNamespace

    from indexer.dedup import Deduplicator

    seen = Deduplicator()
    return [a for a in articles if not seen.is_duplicate(SimpleNamespace(
        id=a["id"], url=a.get("url", ""), title=a["title"], body=a["body"]))]


def write_set(out: Path, articles: list[dict], queries: list[dict]) -> None:
    """One BEIR-layout folder: ``queries`` are dicts of kind, lang, query, doc."""
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    corpus = "".join(json.dumps({"_id": a["id"], "title": a["title"], "text": a["body"],
                                 "lang": a["lang"], "published": a.get("published")},
                                ensure_ascii=False) + "\n" for a in articles)
    path = out / "corpus.jsonl"
    if not path.exists() or path.read_text(encoding="utf-8") != corpus:  # an index may be reading it
        path.write_text(corpus, encoding="utf-8")
    known = {a["id"] for a in articles}
    rows = {"train": [], "test": []}
    with (out / "queries.jsonl").open("w", encoding="utf-8") as f:
        for n, q in enumerate(queries):
            if q["doc"] not in known:
                raise SystemExit(f"{out.name}: query {q['query']!r} names unknown article {q['doc']}")
            qid = f"{q['kind']}-{n}"
            f.write(json.dumps({"_id": qid, "text": q["query"], "kind": q["kind"],
                                "lang": q["lang"]}, ensure_ascii=False) + "\n")
            rows[split_of(q["doc"])].append(f"{qid}\t{q['doc']}\t1")
    for split, lines in rows.items():
        (out / "qrels" / f"{split}.tsv").write_text(
            "query-id\tcorpus-id\tscore\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out}: {len(articles)} articles, {len(queries)} queries "
          f"({len(rows['train'])} train, {len(rows['test'])} test)")


def headlines(articles: list[dict]) -> list[dict]:
    return [{"kind": "headline", "lang": a["lang"], "query": a["title"], "doc": a["id"]}
            for a in articles]


def written(*names: str, kind: str) -> list[dict]:
    return [{**q, "kind": kind} for name in names for q in read_jsonl(QUERIES / name)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "indexes" / "eval-data")
    args = p.parse_args(argv)
    en = read_jsonl(WIKINEWS / "en.jsonl")
    ru = read_jsonl(WIKINEWS / "ru.jsonl")
    english = headlines(en) + written("paraphrase-en.jsonl", kind="paraphrase") + hard("en")
    russian = (headlines(ru) + written("paraphrase-ru-a.jsonl", "paraphrase-ru-b.jsonl",
                                       kind="paraphrase") + hard("ru"))
    write_set(args.out / "wikinews-en", en, english)
    write_set(args.out / "wikinews-ru", ru, russian)
    write_set(args.out / "wikinews-xling", en + ru,
              english + russian + written("crosslingual-en-ru.jsonl", kind="crosslingual"))
    titles(args.out / "scifact-titles")
    hy = ilur_articles()
    armenian = (leads(hy) + written("paraphrase-hy.jsonl", kind="paraphrase")
                + written("crosslingual-en-hy.jsonl", kind="crosslingual"))
    write_set(args.out / "ilur-hy", hy, armenian)
    write_set(args.out / "ilur-xling", en + hy, english + armenian)
    for lang in ("hy", "az", "ru"):
        sentences, queries = tatoeba(lang)
        write_set(args.out / f"tatoeba-{lang}", sentences, queries)
    return 0


# The end of an Armenian sentence: verjaket (or the colon typed for it), not inside 12:30 or 1:0.
SENTENCE_END = re.compile(r"(?<!\d)[:։]|[:։](?!\d)")


def lead_and_rest(body: str) -> tuple[str, str]:
    """ILUR articles have no headline: the first sentence (20-300 characters,
    with more text after it) becomes the title and the rest the text, so the
    article's words are indexed once.  Otherwise no title."""
    end = SENTENCE_END.search(body)
    if end:
        lead, rest = body[:end.end()].strip(), body[end.end():].strip()
        if 20 <= len(lead) <= 300 and rest:
            return lead, rest
    return "", body


def ilur_articles() -> list[dict]:
    """The 3,000 ILUR train articles less the ~90 that repeat an earlier one
    (27 bodies appear twice under other ids; templated weather and road
    reports): a known item must have one right answer."""
    articles = []
    for a in read_jsonl(CORPORA / "ilur-hy" / "train.jsonl"):
        title, text = lead_and_rest(a["body"])
        articles.append({"id": a["id"], "lang": "hy", "title": title, "body": text,
                         "published": None})
    return indexed(articles)


def leads(articles: list[dict]) -> list[dict]:
    """The lead sentence as a known-item query (as headlines are for
    Wikinews), except a lead that two articles share."""
    count = Counter(a["title"] for a in articles)
    return [{"kind": "lead", "lang": a["lang"], "query": a["title"], "doc": a["id"]}
            for a in articles if a["title"] and count[a["title"]] == 1]


def tatoeba(lang: str) -> tuple[list[dict], list[dict]]:
    """Tatoeba sentences of one language as the corpus (no title); each
    sentence's English translation is a query for it (kind "translation",
    English -> LANG), and ``tatoeba-paraphrase-LANG.jsonl`` adds same-language
    paraphrases where written."""
    pairs = [p for p in read_jsonl(CORPORA / "tatoeba" / "pairs.jsonl") if p["lang"] == lang]
    sentences = indexed([{"id": p["id"], "lang": lang, "title": "", "body": p["text"],
                          "published": None} for p in pairs])
    kept = {s["id"] for s in sentences}
    queries = [{"kind": "translation", "lang": "en", "query": p["en"], "doc": p["id"]}
               for p in pairs if p["id"] in kept]
    name = f"tatoeba-paraphrase-{lang}.jsonl"
    if (QUERIES / name).exists():
        queries += written(name, kind="paraphrase")
    return sentences, queries


def titles(out: Path) -> None:
    """Headline known-item search at a larger scale: each SciFact abstract's
    title as the query for it (5,183 documents; the corpus is SciFact's own
    file, so `newsearch eval --index-dir` can reuse a SciFact index)."""
    corpus = WIKINEWS.parents[1] / "eval" / "scifact" / "corpus.jsonl"
    docs = [d for d in read_jsonl(corpus) if d.get("title", "").strip()]
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    link = out / "corpus.jsonl"
    link.unlink(missing_ok=True)
    link.symlink_to(corpus.resolve())
    rows = {"train": [], "test": []}
    with (out / "queries.jsonl").open("w", encoding="utf-8") as f:
        for d in docs:
            qid = f"title-{d['_id']}"
            f.write(json.dumps({"_id": qid, "text": d["title"], "kind": "headline", "lang": "en"},
                               ensure_ascii=False) + "\n")
            rows[split_of(d["_id"])].append(f"{qid}\t{d['_id']}\t1")
    for split, lines in rows.items():
        (out / "qrels" / f"{split}.tsv").write_text(
            "query-id\tcorpus-id\tscore\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out}: {len(docs)} title queries ({len(rows['train'])} train, {len(rows['test'])} test)")


def hard(lang: str) -> list[dict]:
    """Questions in a reader's own words, avoiding the article's distinctive
    words (``paraphrase-LANG-hard.jsonl``): search by meaning."""
    name = f"paraphrase-{lang}-hard.jsonl"
    return written(name, kind="question") if (QUERIES / name).exists() else []


if __name__ == "__main__":
    raise SystemExit(main())
