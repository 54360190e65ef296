"""Incremental updates: adds, replacements and deletes keep every part of the index in step."""

import json

import numpy as np
import pytest

from indexer.build import BuildError, build
from indexer.update import delete, update
from search import MODES, Searcher, Settings
from search.index.layout import IndexDir

from .test_cli import newsearch


def article(id_, topic, extra=""):
    """A small article: every one says "newsroom"; ``topic`` words are its own."""
    return {"id": id_, "title": f"Report on {topic}",
            "body": f"The newsroom covered {topic} today. {extra} Officials spoke about {topic} "
                    f"at length, and residents described what {topic} meant for them."}


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def ids_in_every_part(searcher: Searcher) -> dict[str, set[str]]:
    """The article ids the store, the keyword index and the vectors each know."""
    pids = searcher.vectors.ids()
    ords = {int(searcher.passage_article[p]) for p in pids}
    by_vectors = {a.id for a in searcher.store.get(sorted(ords)).values()}
    assert -1 not in ords and len(ords) == len(by_vectors)  # no vector of a dropped passage
    stored_pids = {p.pid for o in ords for p in searcher.store.passages(o)}
    assert set(pids.tolist()) == stored_pids  # exactly one vector per stored passage
    return {"store": searcher.store.ids(), "keyword": searcher.keyword.ids(),
            "vectors": by_vectors}


def found(searcher, query, mode):
    return {h.article.id: h.article for h in searcher.search(query, mode=mode, size=100).hits}


@pytest.fixture()
def settings(tmp_path):
    return Settings(index_dir=tmp_path / "index")


def test_adds_replacements_and_deletes_agree_in_every_mode(tmp_path, settings, embedder):
    first = [article("a1", "volcanoes"), article("a2", "glaciers"), article("a3", "tariffs"),
             article("a4", "elections")]
    build([write(tmp_path / "v1.jsonl", first)], settings, progress=False, embedder=embedder)

    second = [article("a1", "volcanoes"),  # unchanged
              article("a2", "glaciers", "Scientists measured record meltwater."),  # changed body
              article("a5", "lighthouses"), article("a6", "orchards")]  # new
    summary = update([write(tmp_path / "v2.jsonl", second)], settings, progress=False,
                     embedder=embedder)
    assert (summary.added, summary.replaced, summary.unchanged) == (2, 1, 1)
    assert summary.changed and summary.generation == "gen-000002" and summary.articles == 6

    removed = delete(["a3", "nope"], settings, embedder=embedder)
    assert removed.deleted == 1 and removed.missing == ["nope"] and removed.articles == 5

    expected = {"a1", "a2", "a4", "a5", "a6"}
    searcher = Searcher.open(settings.index_dir, settings, embedder=embedder)
    assert searcher.generation.name == "gen-000003"
    assert ids_in_every_part(searcher) == {"store": expected, "keyword": expected,
                                           "vectors": expected}
    assert searcher.article_count == 5
    for mode in MODES:
        # Everything that exists is found by the word every article shares ...
        assert set(found(searcher, "newsroom", mode)) == expected, mode
        # ... the replacement is what is found, with its new words ...
        hits = found(searcher, "glaciers record meltwater", mode)
        assert "meltwater" in hits["a2"].body, mode
        # ... and the deleted article is found by no query at all.
        assert "a3" not in found(searcher, "tariffs", mode), mode
    assert set(found(searcher, "lighthouses", "keyword")) == {"a5"}
    assert set(found(searcher, "tariffs", "keyword")) == set()


def test_unchanged_sources_publish_nothing(tmp_path, settings, embedder):
    src = write(tmp_path / "a.jsonl", [article("a1", "volcanoes"), article("a2", "glaciers")])
    build([src], settings, progress=False, embedder=embedder)
    summary = update([src], settings, progress=False, embedder=embedder)
    assert not summary.changed and summary.unchanged == 2
    assert summary.generation == "gen-000001" and "no changes" in summary.report()
    assert [p.name for p in settings.index_dir.glob("gen-*")] == ["gen-000001"]


def test_update_only_embeds_what_changed(tmp_path, settings, embedder, monkeypatch):
    records = [article(f"a{i}", topic) for i, topic in enumerate(["ports", "rivers", "bridges"])]
    build([write(tmp_path / "a.jsonl", records)], settings, progress=False, embedder=embedder)
    embedded = []
    encode = embedder.encode
    monkeypatch.setattr(embedder, "encode", lambda texts: embedded.extend(texts) or encode(texts))
    update([write(tmp_path / "b.jsonl", records + [article("new", "canals")])], settings,
           progress=False, embedder=embedder)
    assert embedded and all("canals" in t for t in embedded)


def test_update_refuses_other_index_settings(tmp_path, settings, embedder):
    src = write(tmp_path / "a.jsonl", [article("a1", "volcanoes")])
    build([src], settings, progress=False, embedder=embedder)
    with pytest.raises(BuildError, match="passage_tokens.*--rebuild"):
        update([src], settings.replace(passage_tokens=64), progress=False, embedder=embedder)
    assert IndexDir(settings.index_dir).current().name == "gen-000001"


def test_deleting_only_unknown_ids_changes_nothing(tmp_path, settings, embedder):
    build([write(tmp_path / "a.jsonl", [article("a1", "volcanoes")])], settings, progress=False,
          embedder=embedder)
    with pytest.raises(BuildError, match="no such article: x, y"):
        delete(["x", "y"], settings, embedder=embedder)
    assert IndexDir(settings.index_dir).current().name == "gen-000001"
    assert not list(settings.index_dir.glob("*.building"))


def test_vectors_of_a_replaced_article_are_its_new_text(tmp_path, settings, embedder):
    build([write(tmp_path / "a.jsonl", [article("a1", "volcanoes")])], settings, progress=False,
          embedder=embedder)
    update([write(tmp_path / "b.jsonl", [article("a1", "chess tournaments")])], settings,
           progress=False, embedder=embedder)
    searcher = Searcher.open(settings.index_dir, settings, embedder=embedder)
    (passage,) = searcher.store.passages(searcher.store.get_by_id("a1")[0])
    stored = searcher.vectors.vectors([passage.pid])[0]
    article_ = searcher.store.get_by_id("a1")[1]
    text = f"{article_.title}. {article_.body[passage.start:passage.end]}"
    assert np.allclose(stored, embedder.encode([text])[0], atol=1e-5)


def test_index_and_delete_commands(tmp_path):
    index = tmp_path / "index"
    first = write(tmp_path / "a.jsonl", [article("a1", "volcanoes"), article("a2", "glaciers")])
    assert "indexed 2 articles" in newsearch("index", first, "--index-dir", index).stdout
    more = write(tmp_path / "b.jsonl", [article("a1", "volcanoes"), article("a3", "harbours")])
    out = newsearch("index", more, "--index-dir", index).stdout
    assert "added 1, replaced 0, deleted 0" in out and "1 unchanged" in out

    result = newsearch("delete", "a2", "ghost", "--index-dir", index, check=False)
    assert result.returncode == 1 and "not found: ghost" in result.stdout
    result = newsearch("delete", "ghost", "--index-dir", index, check=False)
    assert result.returncode == 1 and "no such article: ghost" in result.stderr

    out = newsearch("index", "--rebuild", first, "--index-dir", index).stdout
    assert "indexed 2 articles" in out
    searcher = Searcher.open(index, Settings(index_dir=index))
    assert searcher.store.ids() == {"a1", "a2"}  # --rebuild keeps only what SOURCE holds
    searcher.close()
