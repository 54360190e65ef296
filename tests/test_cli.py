"""The `newsearch` command end to end, in real subprocesses."""

import json
import subprocess
import sys

from .conftest import SCIFACT, SEED, sample_lines


def newsearch(*args, check=True):
    result = subprocess.run([sys.executable, "-m", "newsearch", *map(str, args)],
                            capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_index_then_search_from_the_terminal(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    beir = corpus / "corpus.jsonl"
    beir.write_text("\n".join(SCIFACT.joinpath("corpus.jsonl").read_text().splitlines()[:8]) + "\n")
    (corpus / "news.jsonl").write_text("\n".join(sample_lines(5)) + "\n{not json\n")
    index = tmp_path / "index"

    out = newsearch("index", corpus, SEED, "--index-dir", index).stdout
    assert "indexed 14 articles" in out and "1 skipped" in out
    assert f"{corpus / 'news.jsonl'}:6: invalid JSON" in out

    hits = json.loads(newsearch("search", "Hochstein McGurk", "--mode", "keyword", "--json",
                                "--index-dir", index).stdout)
    assert hits[0]["title"].startswith("Politico: Israel received")
    assert "<mark>McGurk</mark>" in hits[0]["snippet"]

    hits = json.loads(newsearch("search", "white matter of newborn brains", "-k", "1", "--json",
                                "--index-dir", index).stdout)
    corpus_ids = {json.loads(line)["_id"] for line in beir.read_text().splitlines()}
    assert len(hits) == 1 and hits[0]["id"] == "4983" and hits[0]["id"] in corpus_ids

    text = newsearch("search", "Hochstein", "--mode", "keyword", "--index-dir", index).stdout
    assert text.startswith("1 result (") and "1. Politico: Israel received" in text


def test_errors_are_one_line_not_tracebacks(tmp_path):
    result = newsearch("search", "anything", "--index-dir", tmp_path / "none", check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("newsearch: no index at") and "Traceback" not in result.stderr

    result = newsearch("index", tmp_path / "missing.jsonl", "--index-dir", tmp_path / "i", check=False)
    assert result.returncode == 1 and "no articles found to index" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_setting_is_one_line_naming_it(tmp_path, monkeypatch):
    for variable, value, message in [
            ("NEWSEARCH_RRF_K", "abc", "NEWSEARCH_RRF_K='abc' is not a valid int"),
            ("NEWSEARCH_SEMANTIC_WEIGHTS", "ru:abc", "semantic_weights: expected language:weight"),
            ("NEWSEARCH_SEMANTIC_WEIGHTS", "ru:3", "semantic_weights: a weight is between 0 and 1"),
            ("NEWSEARCH_CROSS_LINGUAL_CREDIT", "2", "romanized_boost is 0 or more and cross_lingual_credit"),
            ("NEWSEARCH_SCORE_CALIBRATION", "use:x:1", "score_calibration: expected model:scale:shift"),
            ("NEWSEARCH_QUERY_BACKEND", "int4", "query_backend must be one of"),
            ("NEWSEARCH_EMBED_BACKEND", "gpu", "embed_backend must be one of")]:
        monkeypatch.setenv(variable, value)
        result = newsearch("search", "anything", "--index-dir", tmp_path, check=False)
        monkeypatch.delenv(variable)
        assert result.returncode == 1 and result.stderr.startswith(f"newsearch: {message}")
        assert "Traceback" not in result.stderr


def test_extract_prints_the_seed_article_as_json():
    (article,) = json.loads(newsearch("extract", SEED).stdout)
    assert article["title"] == ('Politico: Israel received "green light" from US for expanded ops '
                                'against Hezbollah')
    assert article["published"] == "2024-10-01T12:14:00+04:00"
    assert (article["category"], article["author"], article["lang"]) == ("WORLD", "Aghakazim Guliyev", "en")
    assert article["extra"] == {"views": 26}
    assert article["body"].startswith("In a recent development, senior figures in the White House")
    last = article["body"].split("\n\n")[-1]
    assert last.startswith("The additional troops will consist of squadrons of F-15E, F-16, and F-22")
    assert last.endswith("effectively doubling the air power available in the region.")
    for chrome in ("Views", "By Aghakazim", "copy link", "Ссылка", "Caliber.az ©", "A+", "WORLD"):
        assert chrome not in article["body"]
    assert set(article) == {"id", "title", "body", "url", "published", "author", "category", "lang",
                            "source", "extra"}


def test_extract_maps_fields_and_reports_bad_input_without_tracebacks(tmp_path):
    good = tmp_path / "feed.jsonl"
    good.write_text('{"headline": "Mapped", "story": "Body text."}\n{oops\n')
    (tmp_path / "binary.txt").write_bytes(b"\x00" * 64)
    result = newsearch("extract", good, tmp_path / "binary.txt", "--map", "title=headline,body=story")
    (article,) = json.loads(result.stdout)
    assert (article["title"], article["body"]) == ("Mapped", "Body text.")
    assert f"skipped {good}:2: invalid JSON" in result.stderr
    assert f"skipped {tmp_path / 'binary.txt'}: binary file, not text" in result.stderr
    assert "extracted 1 articles; 0 duplicates merged; 2 skipped" in result.stderr
    assert "Traceback" not in result.stderr

    result = newsearch("extract", tmp_path / "binary.txt", check=False)
    assert result.returncode == 1 and json.loads(result.stdout) == [] and "Traceback" not in result.stderr
    result = newsearch("extract", good, "--map", "headline", check=False)
    assert result.returncode == 2 and "expected FIELD=NAME" in result.stderr
