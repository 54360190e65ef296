"""Reading each source format, telling formats apart, and field mapping."""

import gzip
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from indexer.readers import Skipped
from indexer.records import parse_field_map
from indexer.sources import detect_format, read_sources
from search import Article

FIXTURES = Path(__file__).parent / "fixtures" / "sources"


def read(*paths, fmt=None, fields=None):
    items = list(read_sources(paths, fmt, fields))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Skipped)]


def test_html_page_gives_main_text_and_metadata():
    (article,), skipped = read(FIXTURES / "page.html")
    assert not skipped
    assert article.title == "Storm closes ports along the northern coast"
    assert article.url == "https://www.dailyplanet.example.com/world/storm-closes-ports"
    assert article.published == datetime.fromisoformat("2024-10-01T12:14:00+04:00")
    assert (article.author, article.category, article.lang) == ("Jane Doe", "World", "en")
    assert article.body.startswith("Authorities closed three ports")
    assert article.body.endswith("as it moves out over open water.")
    for chrome in ("Most read", "Business", "All rights reserved", "Copy link", "Privacy"):
        assert chrome not in article.body


def test_rss_items_become_articles_with_full_content():
    first, second = read(FIXTURES / "news.rss")[0]
    assert first.title == "Storm closes ports along the northern coast"
    assert first.body == ("Authorities closed three ports along the northern coast on Tuesday as a "
                          "powerful storm moved north.\n\nFishing boats were ordered to stay in "
                          "harbour until the winds drop.")
    assert first.url == "https://wire.example.com/2024/10/storm-closes-ports"
    assert first.published == datetime.fromisoformat("2024-10-01T08:14:00+00:00")
    assert (first.author, first.category, first.lang) == ("Jane Doe", "World", "en")
    assert second.body.endswith("the old town & the harbour.")  # summary, entities decoded
    assert second.published.isoformat() == "2024-10-02T10:00:00+03:00"


def test_atom_entries_keep_their_offset_and_language():
    (entry,), _ = read(FIXTURES / "feed.atom")
    assert entry.title == "В Москве открылась новая станция метро"
    assert entry.published.isoformat() == "2024-10-01T12:14:00+03:00"
    assert (entry.author, entry.lang, entry.url) == ("Иван Петров", "ru", "https://news.example.ru/metro")
    assert entry.body.count("\n\n") == 1


def test_field_map_renames_and_reaches_into_nested_objects():
    fields = parse_field_map(["title=headline,body=story", "published=meta.when",
                              "author=meta.writer.name"])
    articles, skipped = read(FIXTURES / "headlines.jsonl", FIXTURES / "headlines.csv", fields=fields)
    assert not skipped
    first, second, row = articles
    assert (first.title, first.body, first.author) == (
        "Storm closes ports", "Authorities closed three ports on Tuesday.", "Jane Doe")
    assert first.published.isoformat() == "2024-10-01T12:14:00+04:00"
    assert first.url == "https://wire.example.com/storm"  # unmapped fields keep their aliases
    assert second.published.isoformat() == "2024-10-02T00:00:00+00:00"
    assert (row.title, row.category) == ("Storm closes ports", "World")


def test_field_map_rejects_unknown_fields_and_bad_pairs():
    with pytest.raises(ValueError, match="unknown field 'headline'"):
        parse_field_map(["headline=title"])
    with pytest.raises(ValueError, match="FIELD=NAME"):
        parse_field_map(["title"])


def test_json_array_documents_are_read_as_records(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"id": "a", "title": "One"}, {"id": "b", "title": "Two"}], indent=2))
    articles, skipped = read(path)
    assert [a.id for a in articles] == ["a", "b"] and not skipped


def test_gzipped_files_are_read_by_their_inner_extension(tmp_path):
    shutil.copy(FIXTURES / "news.rss", tmp_path / "plain.rss")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "news.rss.gz").write_bytes(gzip.compress((FIXTURES / "news.rss").read_bytes()))
    (tmp_path / "sub" / "page.html.gz").write_bytes(gzip.compress((FIXTURES / "page.html").read_bytes()))
    articles, skipped = read(tmp_path)
    assert not skipped
    assert sorted(a.source.rsplit("/", 1)[-1] for a in articles) == [
        "news.rss.gz#1", "news.rss.gz#2", "page.html.gz", "plain.rss#1", "plain.rss#2"]


@pytest.mark.parametrize("name, content, expected", [
    ("a.txt", "<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
    ("a.xml", '<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', "feed"),
    ("a.html", '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>', "feed"),
    ("export", '{"title": "x"}\n{"title": "y"}\n', "jsonl"),
    ("export.txt", '[\n {"title": "x"}\n]', "jsonl"),
    ("table", "id,title,body\n1,x,y\n", "csv"),
    ("a.csv", "anything,at,all\n", "csv"),
    ("page", "Home\nNews\nA headline\n\nA paragraph of the article.\n", "text"),
    ("page.txt", "[Advertisement]\nA paragraph of the article.\n", "text"),
])
def test_format_is_told_by_content_then_extension(name, content, expected):
    assert detect_format(Path(name).suffix, content.encode()) == expected


def test_format_option_overrides_detection(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text('{"id": "x", "title": "From JSON"}\n')
    assert read(path)[0][0].title == "From JSON"
    articles, skipped = read(path, fmt="text")
    assert not articles and "no article text" in skipped[0].reason


def test_language_is_detected_when_the_source_does_not_give_it(tmp_path):
    path = tmp_path / "mixed.jsonl"
    records = [
        {"id": "en", "title": "Storm closes ports", "body": "Authorities closed three ports on the "
         "northern coast on Tuesday as a powerful storm moved north."},
        {"id": "ru", "title": "Шторм закрыл порты", "body": "Власти закрыли три порта на северном "
         "побережье во вторник, когда на север двинулся мощный шторм."},
        {"id": "az", "title": "Fırtına limanları bağladı", "body": "Səlahiyyətlilər çərşənbə axşamı "
         "güclü fırtına şimala doğru irəlilədiyi üçün şimal sahilindəki üç limanı bağlayıblar."},
        {"id": "given", "title": "Kept as given", "body": "The source says what language this is.",
         "lang": "de"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    assert {a.id: a.lang for a in read(path)[0]} == {"en": "en", "ru": "ru", "az": "az", "given": "de"}
