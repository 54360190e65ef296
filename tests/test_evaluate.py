"""Ranking-quality metrics against hand-computed values, and `newsearch eval`
end to end on a tiny BEIR-layout slice of SciFact."""

import json
import math
from pathlib import Path

import pytest

from newsearch.evaluate import Dataset, DatasetError, mrr_at_k, ndcg_at_k, recall_at_k, score_run

from .conftest import SCIFACT
from .test_cli import newsearch

LOG3 = math.log2(3)


def test_ndcg_of_one_hit_at_rank_two_of_two_relevant():
    # DCG = 1/log2(3); ideal = 1 + 1/log2(3)
    assert ndcg_at_k(["a", "b", "c"], {"b": 1, "d": 1}) == pytest.approx((1 / LOG3) / (1 + 1 / LOG3))


def test_ndcg_uses_graded_gains_and_the_ideal_order():
    # DCG = 1/1 + 2/log2(3); ideal: 2/1 + 1/log2(3)
    assert ndcg_at_k(["b", "a"], {"a": 2, "b": 1}) == pytest.approx((1 + 2 / LOG3) / (2 + 1 / LOG3))
    assert ndcg_at_k(["a", "b"], {"a": 2, "b": 1}) == pytest.approx(1.0)


def test_metrics_stop_at_their_cutoff():
    ranked = [f"x{i}" for i in range(10)] + ["rel"]  # the relevant one is 11th
    qrels = {"rel": 1}
    assert ndcg_at_k(ranked, qrels, 10) == 0.0
    assert mrr_at_k(ranked, qrels, 10) == 0.0
    assert recall_at_k(ranked, qrels, 100) == 1.0
    assert recall_at_k(ranked, qrels, 10) == 0.0


def test_mrr_is_the_first_relevant_rank_and_recall_a_share():
    qrels = {"c": 1, "e": 1, "z": 1, "n": 0}  # grade 0: judged not relevant
    ranked = ["n", "a", "c", "e"]
    assert mrr_at_k(ranked, qrels) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, qrels) == pytest.approx(2 / 3)
    assert ndcg_at_k([], qrels) == mrr_at_k([], qrels) == recall_at_k([], qrels) == 0.0


def test_run_score_averages_judged_queries_and_counts_missing_ones_as_zero():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}  # q3 has no relevant document
    scores = score_run({"q1": ["a"], "q3": ["c"]}, qrels)
    assert scores == pytest.approx({"ndcg@10": 0.5, "recall@100": 0.5, "mrr@10": 0.5, "top@1": 0.5})


def write_mini_beir(root, queries=4, distractors=12):
    """The first ``queries`` judged train queries of SciFact, their relevant
    abstracts and some other abstracts, as a BEIR folder with a test split."""
    qrels = [line.split("\t") for line in
             (SCIFACT / "qrels" / "train.tsv").read_text().splitlines()[1:]]
    chosen = list(dict.fromkeys(q for q, _, _ in qrels))[:queries]
    rows = [r for r in qrels if r[0] in chosen]
    wanted = {d for _, d, _ in rows}
    corpus, others = [], 0
    for line in (SCIFACT / "corpus.jsonl").read_text().splitlines():
        doc_id = json.loads(line)["_id"]
        if doc_id in wanted or others < distractors:
            others += doc_id not in wanted
            corpus.append(line)
        if len(corpus) == len(wanted) + distractors:
            break
    query_lines = [line for line in (SCIFACT / "queries.jsonl").read_text().splitlines()
                   if json.loads(line)["_id"] in chosen]
    (root / "qrels").mkdir(parents=True)
    (root / "corpus.jsonl").write_text("\n".join(corpus) + "\n")
    (root / "queries.jsonl").write_text("\n".join(query_lines) + "\n")
    (root / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join("\t".join(r) + "\n" for r in rows))
    return root


def test_dataset_reads_the_judged_queries_of_a_split(tmp_path):
    data = Dataset.load(write_mini_beir(tmp_path / "mini"), "test")
    assert len(data.queries) == 4 and set(data.queries) == set(data.qrels)
    with pytest.raises(DatasetError, match="train.tsv is missing"):
        Dataset.load(tmp_path / "mini", "train")


def test_eval_command_scores_every_mode_and_reuses_its_index(tmp_path):
    data = write_mini_beir(tmp_path / "mini")
    queries = [json.loads(line) for line in (data / "queries.jsonl").read_text().splitlines()]
    for n, q in enumerate(queries):  # the news sets say each query's language and kind
        q.update(lang="en", kind="claim" if n % 2 else "headline")
    (data / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in queries))
    index = tmp_path / "index"
    args = ("eval", data, "--split", "test", "--mode", "all", "--index-dir", index)

    first = json.loads(newsearch(*args, "--json").stdout)
    assert first["queries"] == 4 and first["index_built"] is True
    assert set(first["scores"]) == {"hybrid", "keyword", "semantic"}
    assert set(first["groups"]) == {"lang=en", "kind=claim", "kind=headline"}
    assert first["groups"]["lang=en"] == first["scores"]  # every query is English
    for mode, scores in first["scores"].items():  # two queries of each kind: the mean of both
        halves = [first["groups"][f"kind={k}"][mode]["mrr@10"] for k in ("claim", "headline")]
        assert scores["mrr@10"] == pytest.approx(sum(halves) / 2, abs=1e-4)
    for mode, scores in first["scores"].items():
        assert set(scores) == {"ndcg@10", "recall@100", "mrr@10", "top@1"}
    ndcg = {mode: scores["ndcg@10"] for mode, scores in first["scores"].items()}
    assert ndcg["keyword"] > 0.5  # the claims' abstracts rank near the top
    # Served, the relevance floor keeps some claims from semantic matches;
    # hybrid still has every keyword match, ranked as before.
    assert ndcg["hybrid"] >= max(ndcg["keyword"], ndcg["semantic"])

    table = newsearch(*args).stdout  # same corpus and settings: the index is reused
    assert "(reused)" in table
    lines = {tuple(line.split()[:2]): line.split()[2:] for line in table.splitlines()[2:]}
    assert float(lines["all", "hybrid"][0]) == pytest.approx(first["scores"]["hybrid"]["ndcg@10"],
                                                            abs=1e-4)
    assert ("kind=claim", "keyword") in lines


def test_eval_rebuilds_when_an_index_setting_changes(tmp_path, embedder):
    from newsearch.evaluate import ensure_index
    from search.config import Settings

    data = Dataset.load(write_mini_beir(tmp_path / "mini", queries=1, distractors=2), "test")
    index = tmp_path / "index"
    settings = Settings()
    assert ensure_index(data, settings, index, embedder)[1] is True
    assert ensure_index(data, settings, index, embedder)[1] is False
    assert ensure_index(data, settings.replace(passage_tokens=64), index, embedder)[1] is True


def test_eval_refuses_a_folder_that_is_not_a_beir_data_set(tmp_path):
    result = newsearch("eval", tmp_path, check=False)
    assert result.returncode == 1 and "not a BEIR data set" in result.stderr


QUERIES = {"q1": "hezbollah israel", "q2": "earthquake tsunami death toll",
           "q3": "self-driving cars law", "q4": "hezbolah netanyahoo"}  # q4: corrected


def test_evaluation_scores_what_the_api_serves(newsroom, newsroom_client):
    from newsearch.evaluate import run_queries

    dataset = Dataset(Path("newsroom"), "test", queries=QUERIES, qrels={})
    runs = run_queries(newsroom, dataset, ["hybrid", "keyword", "semantic"])
    for mode, run in runs.items():
        for qid, text in QUERIES.items():
            body = newsroom_client.get("/api/search", query_string={
                "q": text, "mode": mode, "size": 100, "facets": "false"}).get_json()
            served = [i for r in body["results"] for i in [r["id"], *(s["id"] for s in r["similar"])]]
            assert run[qid] == served, (mode, text)
    assert any(runs["semantic"].values()) and any(runs["keyword"].values())


def test_the_floor_decides_the_matches_not_their_order(newsroom_index, query_encoder):
    from search import Searcher, Settings

    floored = Searcher.open(newsroom_index, Settings(), embedder=query_encoder)
    unfloored = Searcher.open(newsroom_index, Settings(similarity_floors=""),
                              embedder=query_encoder)
    try:
        for text in QUERIES.values():
            kept = [h.article.id for h in floored.search(text, size=100).hits]
            every = [h.article.id for h in unfloored.search(text, size=100).hits]
            assert set(kept) <= set(every)
            assert kept == [i for i in every if i in set(kept)], text  # same order
            semantic = {h.article.id for h in floored.search(text, "semantic", size=100).hits}
            keyword = {h.article.id for h in floored.search(text, "keyword", size=100).hits}
            assert set(kept) <= semantic | keyword
    finally:
        floored.close()
        unfloored.close()
