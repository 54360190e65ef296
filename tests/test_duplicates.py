"""The same article arriving twice is stored once, and the summary counts it."""

import json

from indexer.build import build
from indexer.dedup import Deduplicator, canonical_url
from search import Article, Settings
from search.index.layout import IndexDir
from search.index.store import ArticleStore

from .conftest import sample_lines

WIRE = ("The central bank raised its main interest rate by half a percentage point on Thursday, "
        "its third increase this year, saying inflation was still well above its target. "
        "Economists had expected a smaller rise. The bank said further increases were possible "
        "if prices kept climbing, and that it would watch wages and energy costs closely in the "
        "coming months before deciding on its next step.")


def article(id, body=WIRE, url="", title="Bank raises rates"):
    return Article(id=id, title=title, body=body, url=url)


def test_canonical_urls_ignore_scheme_www_tracking_fragment_and_trailing_slash():
    assert canonical_url("HTTPS://WWW.Example.com/News/rates/?utm_source=tw&id=3#top") == \
        canonical_url("http://example.com/News/rates?id=3")
    assert canonical_url("https://example.com/news/a") != canonical_url("https://example.com/news/b")


def test_same_url_same_text_and_syndicated_copies_are_duplicates():
    seen = Deduplicator()
    assert not seen.is_duplicate(article("a", url="https://bank-news.example.com/rates"))
    # the same page again, under a tracking link
    assert seen.is_duplicate(article("b", body="Other text entirely.",
                                     url="https://www.bank-news.example.com/rates/?utm_medium=rss"))
    # the same story syndicated elsewhere, with a dateline and a credit line added
    assert seen.is_duplicate(article("c", url="https://other.example.org/x",
                                     body="LONDON (Wire) - " + WIRE + " Reporting by Jane Doe."))
    # the same text verbatim under another id
    assert seen.is_duplicate(article("d", url="https://third.example.net/y"))
    assert seen.is_duplicate(article("a", body="Same id, new text", url=""))


def test_different_articles_on_the_same_subject_are_kept():
    seen = Deduplicator()
    other = WIRE.replace("raised", "held").replace("third increase", "first pause").replace(
        "half a percentage point", "nothing").replace("Economists had expected a smaller rise.",
                                                      "Markets had expected a rise.")
    assert not seen.is_duplicate(article("a"))
    assert not seen.is_duplicate(article("b", body=other))
    assert not seen.is_duplicate(article("c", body="", title="Bank holds rates"))
    assert not seen.is_duplicate(article("d", body="", title="Bank cuts rates"))


def test_build_summary_counts_merged_duplicates(tmp_path, embedder):
    lines = sample_lines(3)
    records = [json.loads(line) for line in lines]
    copy = dict(records[0], id="syndicated-copy", url="https://elsewhere.example.com/story")
    moved = dict(records[1], id="moved", body="Totally different text about something else.")
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r) for r in (copy, moved)) + "\n")
    index = tmp_path / "index"
    summary = build([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], Settings(index_dir=index),
                    progress=False, embedder=embedder)
    assert (summary.indexed, summary.duplicates) == (3, 2)
    assert "2 duplicates merged" in summary.report()
    store = ArticleStore(IndexDir(index).current().store_file)
    try:
        assert store.count() == 3 and not store.has_id("syndicated-copy")
    finally:
        store.close()
