"""Bad input is skipped with its path (and line) and the reason; the rest is read."""

import gzip

from indexer import sources
from indexer.readers import Skipped
from indexer.sources import read_sources
from search import Article

from .test_sources import FIXTURES


def read(*paths, fmt=None):
    items = list(read_sources(paths, fmt))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Skipped)]


def reasons(skipped):
    return {s.source.rsplit("/", 1)[-1]: s.reason for s in skipped}


def test_unusable_files_are_skipped_and_the_good_one_is_read(tmp_path):
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "report.html").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" * 20)
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait ".encode("latin-1") * 20)
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.jsonl").write_text("\n  \n\t\n")
    (tmp_path / "good.jsonl").write_text('{"id": "good", "title": "Still read"}\n')
    articles, skipped = read(tmp_path, tmp_path / "missing.jsonl")
    assert [a.id for a in articles] == ["good"]
    assert reasons(skipped) == {
        "binary.txt": "binary file, not text",
        "blank.jsonl": "empty file",
        "empty.txt": "empty file",
        "latin1.txt": "not UTF-8 text (byte 3)",
        "report.html": "binary file, not text",
        "missing.jsonl": "no such file or folder",
    }


def test_unreadable_file_reports_the_system_error(tmp_path, monkeypatch):
    path = tmp_path / "locked.jsonl"
    path.write_text('{"id": "x", "title": "T"}\n')

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("indexer.sources.open", denied, raising=False)
    assert reasons(read(path)[1]) == {"locked.jsonl": "cannot read (Permission denied)"}


def test_html_is_decoded_by_its_declared_charset_and_wrong_bytes_are_reported(tmp_path):
    page = (FIXTURES / "page.html").read_text(encoding="utf-8")
    russian = page.replace('charset="utf-8"', 'charset="windows-1251"').replace(
        "Storm closes ports", "Шторм закрыл порты")
    (tmp_path / "cp1251.html").write_bytes(russian.encode("cp1251", "replace"))
    (tmp_path / "liar.html").write_bytes(russian.replace('charset="windows-1251"', 'charset="utf-8"')
                                         .encode("cp1251", "replace"))
    (tmp_path / "unknown.html").write_bytes(page.replace('charset="utf-8"', 'charset="klingon-8"').encode())
    articles, skipped = read(tmp_path)
    assert [a.title for a in articles] == ["Шторм закрыл порты along the northern coast"]
    assert reasons(skipped)["liar.html"].startswith("not UTF-8 text (byte ")
    assert reasons(skipped)["unknown.html"] == "declares an unknown text encoding (unknown encoding: klingon-8)"


def test_malformed_records_are_skipped_by_line(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "ok", "title": "Good"}\n{"id": "half", "title": \n"text"\n')
    (tmp_path / "b.csv").write_text('id,title\n1,Fine\n2,"unterminated\n')
    articles, skipped = read(tmp_path)
    assert [a.id for a in articles] == ["ok", "1"]
    by_source = {s.source.rsplit("/", 1)[-1]: s.reason for s in skipped}
    assert by_source["a.jsonl:2"].startswith("invalid JSON")
    assert by_source["a.jsonl:3"] == "expected an object, got str"
    assert by_source["b.csv:3"] == "malformed CSV (unexpected end of data)"


def test_malformed_feed_and_broken_gzip_are_reported(tmp_path):
    (tmp_path / "broken.rss").write_text('<?xml version="1.0"?><rss><channel><item><title>x</ti')
    good = gzip.compress((FIXTURES / "news.rss").read_bytes())
    (tmp_path / "cut.rss.gz").write_bytes(good[: len(good) // 2])
    (tmp_path / "fake.jsonl.gz").write_text('{"id": "x"}\n')
    articles, skipped = read(tmp_path)
    assert not articles
    found = reasons(skipped)
    assert found["broken.rss"].startswith("malformed feed (")
    assert found["cut.rss.gz"].startswith("not a readable gzip file")
    assert found["fake.jsonl.gz"].startswith("not a readable gzip file")


def test_page_without_prose_is_skipped(tmp_path):
    (tmp_path / "menu.txt").write_text("Home\nNews\nSport\nWeather\nContact us\n")
    assert reasons(read(tmp_path)[1]) == {"menu.txt": "no article text found (no paragraph-like lines)"}


def test_a_reader_failing_on_hostile_input_skips_only_that_file(tmp_path, monkeypatch):
    def explode(source, text, fields):
        raise RecursionError("maximum recursion depth exceeded")
        yield  # a generator, like every reader

    monkeypatch.setitem(sources.READERS, "html", explode)
    (tmp_path / "deep.html").write_text("<html>" + "<div>" * 5000 + "</html>")
    (tmp_path / "good.jsonl").write_text('{"id": "good", "title": "Still read"}\n')
    articles, skipped = read(tmp_path)
    assert [a.id for a in articles] == ["good"]
    assert reasons(skipped) == {"deep.html": "unreadable as html (RecursionError: maximum recursion depth exceeded)"}
