"""Ranking quality on a BEIR-layout data set: nDCG@10, Recall@100, MRR@10.

A BEIR data set is a folder with ``corpus.jsonl`` (``_id``, ``title``,
``text``), ``queries.jsonl`` (``_id``, ``text``) and ``qrels/SPLIT.tsv``
(``query-id``, ``corpus-id``, ``score`` with a header row).  `evaluate`
indexes the corpus (or reuses an index built from the same corpus with the
same index settings), runs every query of the split in each mode and averages
the metrics over the queries that have at least one relevant document, as
``trec_eval``/BEIR do (graded gains, log2 discount).

The queries are searched as a reader's request is (`site_search`: typo
correction, the relevance floor, the recency boost, near-duplicates collapsed
under the story they repeat, which counts them right below it), with the
settings the site serves: what is measured is what is served.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from search.config import INDEX_SETTINGS, Settings
from search.index.keyword import schema
from search.index.layout import FORMAT, IndexDir, IndexNotFound
from search.models import spaces
from search.models.embedder import Embedder, vector_space
from search.searcher import MODES, Searcher
from search.serving.site import site_search

Qrels = Mapping[str, int]  # document id -> relevance grade (> 0: relevant)
DEPTH = 100  # results fetched per query: Recall@100 needs them all
METRICS = ("ndcg@10", "recall@100", "mrr@10", "top@1")
# Query fields that split the scores into groups (queries.jsonl may carry
# them: the news sets do, `scripts/news_sets.py`).
GROUP_FIELDS = ("lang", "kind")


class DatasetError(ValueError):
    """The folder is not a usable BEIR data set."""


# --- metrics of one ranked list ---------------------------------------------
def ndcg_at_k(ranked: Sequence[str], qrels: Qrels, k: int = 10) -> float:
    """Normalised discounted cumulative gain: sum of grade / log2(rank + 1)
    over the top ``k``, divided by the same sum for the ideal order."""
    dcg = sum(qrels.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], 1))
    ideal = sorted((g for g in qrels.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def recall_at_k(ranked: Sequence[str], qrels: Qrels, k: int = 100) -> float:
    """Share of the relevant documents found in the top ``k``."""
    relevant = {doc for doc, g in qrels.items() if g > 0}
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr_at_k(ranked: Sequence[str], qrels: Qrels, k: int = 10) -> float:
    """1 / rank of the first relevant document in the top ``k`` (0 if none)."""
    for rank, doc in enumerate(ranked[:k], 1):
        if qrels.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


def score_run(run: Mapping[str, Sequence[str]], qrels: Mapping[str, Qrels]) -> dict[str, float]:
    """Mean metrics of ``run`` (query id -> ranked document ids) over the
    judged queries; a judged query missing from the run scores 0."""
    judged = [q for q, docs in qrels.items() if any(g > 0 for g in docs.values())]
    if not judged:
        raise DatasetError("no query has a relevant document")
    totals = dict.fromkeys(METRICS, 0.0)
    for q in judged:
        ranked = run.get(q, [])
        totals["ndcg@10"] += ndcg_at_k(ranked, qrels[q], 10)
        totals["recall@100"] += recall_at_k(ranked, qrels[q], 100)
        totals["mrr@10"] += mrr_at_k(ranked, qrels[q], 10)
        totals["top@1"] += float(bool(ranked) and qrels[q].get(ranked[0], 0) > 0)
    return {m: v / len(judged) for m, v in totals.items()}


# --- the data set ------------------------------------------------------------
@dataclass
class Dataset:
    root: Path
    split: str
    queries: dict[str, str]  # id -> text, only the judged queries of the split
    qrels: dict[str, dict[str, int]]
    groups: dict[str, list[str]] = field(default_factory=dict)  # "lang=ru" -> query ids

    @property
    def corpus(self) -> Path:
        return self.root / "corpus.jsonl"

    @property
    def name(self) -> str:
        return self.root.resolve().name

    @classmethod
    def load(cls, root: Path | str, split: str = "train") -> "Dataset":
        root = Path(root)
        qrels_file = root / "qrels" / f"{split}.tsv"
        for path in (root / "corpus.jsonl", root / "queries.jsonl", qrels_file):
            if not path.is_file():
                raise DatasetError(f"not a BEIR data set: {path} is missing")
        qrels = _read_qrels(qrels_file)
        texts, groups = _read_queries(root / "queries.jsonl", set(qrels))
        missing = sorted(set(qrels) - set(texts))
        if missing:
            raise DatasetError(f"{len(missing)} judged queries are not in queries.jsonl "
                               f"(first: {missing[0]!r})")
        return cls(root, split, texts, qrels, groups)


def _read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        for number, row in enumerate(rows, 1):
            if number == 1 and row and not row[-1].strip().lstrip("-").isdigit():
                continue  # header
            if not row:
                continue
            if len(row) != 3:
                raise DatasetError(f"{path}:{number}: expected query-id, corpus-id, score")
            try:
                grade = int(row[2])
            except ValueError:
                raise DatasetError(f"{path}:{number}: score {row[2]!r} is not a whole number") from None
            qrels.setdefault(row[0].strip(), {})[row[1].strip()] = grade
    return qrels


def _read_queries(path: Path, wanted: set[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Texts of the ``wanted`` queries, and their ids by `GROUP_FIELDS` value."""
    texts: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                qid, text = str(record["_id"]), str(record["text"])
            except (json.JSONDecodeError, KeyError, TypeError):
                raise DatasetError(f"{path}:{number}: expected a JSON object with _id and text") from None
            if qid in wanted:
                texts[qid] = text
                for name in GROUP_FIELDS:
                    if record.get(name):
                        groups.setdefault(f"{name}={record[name]}", []).append(qid)
    return texts, groups


# --- the index ----------------------------------------------------------------
def fingerprint(corpus: Path, settings: Settings) -> str:
    """Digest of the corpus file, the index-time settings and the index format."""
    digest = hashlib.sha256()
    with corpus.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    index_settings = {name: getattr(settings, name) for name in INDEX_SETTINGS}
    index_settings["model_path"] = settings.resolved_model_path()
    index_settings["vector_space"] = vector_space(settings.embed_backend)
    index_settings["spaces"] = [spec.to_dict() for spec in spaces.configured(settings)]
    index_settings["format"] = FORMAT  # the analysis of the words, among others
    index_settings["fields"] = schema().names()
    digest.update(json.dumps(index_settings, sort_keys=True).encode())
    return digest.hexdigest()


def default_index_dir(dataset: Dataset, settings: Settings) -> Path:
    """``indexes/eval/<name>-<fingerprint>``: one index per corpus and settings."""
    return Path("indexes") / "eval" / f"{dataset.name}-{fingerprint(dataset.corpus, settings)[:12]}"


def ensure_index(dataset: Dataset, settings: Settings, index_dir: Path,
                 embedder: Embedder | None = None, progress: bool = False) -> tuple[Path, bool]:
    """An index of the corpus in ``index_dir``; (dir, True) if it was built now.

    ``index_dir/EVAL_SOURCE.json`` records which generation was built from
    which fingerprint; any other live generation is replaced by a new build."""
    from indexer.build import build

    marker = index_dir / "EVAL_SOURCE.json"
    wanted = fingerprint(dataset.corpus, settings)
    try:
        live = IndexDir(index_dir).current().name
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        if recorded == {"generation": live, "fingerprint": wanted}:
            return index_dir, False
    except (IndexNotFound, OSError, ValueError):
        pass
    summary = build([dataset.corpus], settings.replace(index_dir=index_dir), fmt="jsonl",
                    progress=progress, embedder=embedder)
    marker.write_text(json.dumps({"generation": summary.generation, "fingerprint": wanted}),
                      encoding="utf-8")
    return index_dir, True


# --- running the queries ------------------------------------------------------
def run_queries(searcher: Searcher, dataset: Dataset, modes: Iterable[str]
                ) -> dict[str, dict[str, list[str]]]:
    """mode -> query id -> the document ids served, best first (top `DEPTH`).
    A query's embedding is computed once for every mode (the searcher's cache)."""
    runs: dict[str, dict[str, list[str]]] = {m: {} for m in modes}
    for qid, text in dataset.queries.items():
        for mode, run in runs.items():
            response = site_search(searcher, None, text, mode=mode, size=DEPTH)
            run[qid] = [a.id for hit in response.hits for a in (hit.article, *hit.similar)]
    return runs


def evaluate(dataset: Dataset, modes: Iterable[str], settings: Settings,
             index_dir: Path | None = None, embedder: Embedder | None = None,
             progress: bool = False) -> "Report":
    """Index (or reuse) the corpus, run the split's queries, score each mode."""
    index_dir = index_dir or default_index_dir(dataset, settings)
    index_dir, built = ensure_index(dataset, settings, index_dir, embedder, progress)
    searcher = Searcher.open(index_dir, settings, embedder)
    try:
        runs = run_queries(searcher, dataset, modes)
    finally:
        searcher.close()
    scores = {mode: score_run(run, dataset.qrels) for mode, run in runs.items()}
    grouped = {group: {mode: score_run(run, {q: dataset.qrels[q] for q in qids})
                       for mode, run in runs.items()}
               for group, qids in sorted(dataset.groups.items())}
    return Report(dataset.name, dataset.split, len(dataset.queries), searcher.article_count,
                  str(index_dir), built, scores, grouped)


@dataclass
class Report:
    dataset: str
    split: str
    queries: int
    documents: int
    index_dir: str
    built: bool
    scores: dict[str, dict[str, float]]  # mode -> metric -> mean
    # "lang=ru", "kind=headline" ... -> mode -> metric -> mean over those queries
    groups: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "dataset": self.dataset, "split": self.split, "queries": self.queries,
            "documents": self.documents, "index_dir": self.index_dir,
            "index_built": self.built,
            "scores": _rounded(self.scores),
            "groups": {g: _rounded(scores) for g, scores in self.groups.items()},
        }

    def table(self) -> str:
        head = (f"{self.dataset} ({self.split}): {self.queries} queries, "
                f"{self.documents} documents, index {self.index_dir}"
                f"{' (built now)' if self.built else ' (reused)'}")
        rows = [f"{'queries':<18}{'mode':<10}" + "".join(f"{m:>12}" for m in METRICS)]
        for group, scores in [("all", self.scores), *self.groups.items()]:
            for mode in MODES:
                if mode in scores:
                    rows.append(f"{group:<18}{mode:<10}"
                                + "".join(f"{scores[mode][m]:>12.4f}" for m in METRICS))
        return "\n".join([head, *rows])


def _rounded(scores: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {m: {k: round(v, 4) for k, v in s.items()} for m, s in scores.items()}
