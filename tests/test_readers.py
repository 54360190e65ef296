"""Reading JSONL, CSV and page-text sources into articles, and skipping bad input."""

import json
from datetime import datetime, timedelta

from indexer.readers import Skipped
from indexer.sources import read_sources
from search import Article

from .conftest import SCIFACT, SEED


def read(*paths, fmt=None):
    items = list(read_sources(paths, fmt))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Skipped)]


def test_jsonl_accepts_beir_aliases(tmp_path):
    path = tmp_path / "corpus.jsonl"
    lines = SCIFACT.joinpath("corpus.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, skipped = read(path)
    assert not skipped
    assert [a.id for a in articles] == [json.loads(line)["_id"] for line in lines]
    assert articles[0].body.startswith("Alterations of the architecture")
    assert articles[0].title.startswith("Microstructural development")


def test_jsonl_fields_dates_and_lists(tmp_path):
    path = tmp_path / "a.jsonl"
    record = {"id": "x1", "title": "T", "body": "B", "published": "2024-10-01T12:14:00+04:00",
              "categories": ["World", "Politics"], "authors": ["Ann", "Bob"], "lang": "EN"}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (article,), _ = read(path)
    assert article.published.utcoffset() == timedelta(hours=4)
    assert article.category == "World" and article.author == "Ann, Bob" and article.lang == "en"


def test_date_only_values_become_aware_midnight_utc(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "d", "title": "T", "published": "2004-11-13"}) + "\n")
    (article,), _ = read(path)
    assert article.published == datetime.fromisoformat("2004-11-13T00:00:00+00:00")


def test_bad_jsonl_lines_are_skipped_with_line_and_reason(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"id": "ok", "title": "Good"}\n{broken\n[1, 2]\n{"id": "empty"}\n', encoding="utf-8")
    articles, skipped = read(path)
    assert [a.id for a in articles] == ["ok"]
    assert [s.source for s in skipped] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    assert "invalid JSON" in skipped[0].reason
    assert "no title and no body" in skipped[2].reason


def test_csv_with_header_row(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('id,Title,body,published,category\n1,"Hello, world","Body, with commas",'
                    '2020-01-02,Science\n2,Second,Body two,,\n', encoding="utf-8")
    articles, skipped = read(path)
    assert not skipped
    assert [(a.id, a.title, a.body, a.category) for a in articles] == [
        ("1", "Hello, world", "Body, with commas", "Science"), ("2", "Second", "Body two", "")]


def test_page_text_gets_title_and_body():
    (article,), _ = read(SEED)
    assert article.title == 'Politico: Israel received "green light" from US for expanded ops against Hezbollah'
    assert article.body.startswith("In a recent development")
    assert article.body.rstrip().endswith("effectively doubling the air power available in the region.")
    assert "WHAT ARE YOU LOOKING FOR" not in article.body and "copy link" not in article.body


def test_folders_are_read_recursively(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.jsonl").write_text('{"id": "deep", "title": "Deep"}\n')
    (tmp_path / "top.csv").write_text("id,title\ntop,Top\n")
    (tmp_path / "notes.md").write_text("# not an article source\n")
    articles, skipped = read(tmp_path)
    assert sorted(a.id for a in articles) == ["deep", "top"] and not skipped


def test_unreadable_files_are_skipped_with_reasons(tmp_path):
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait ".encode("latin-1") * 20)
    (tmp_path / "empty.txt").write_text("")
    articles, skipped = read(tmp_path, tmp_path / "missing.jsonl")
    reasons = {s.source.rsplit("/", 1)[-1]: s.reason for s in skipped}
    assert not articles
    assert reasons["binary.txt"] == "binary file, not text"
    assert reasons["latin1.txt"].startswith("not UTF-8")
    assert reasons["empty.txt"] == "empty file"
    assert reasons["missing.jsonl"] == "no such file or folder"
