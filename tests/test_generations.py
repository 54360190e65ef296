"""A build switches the live index only when complete; failures leave it serving."""

import json
import os

import pytest

from indexer.build import BuildError, build
from indexer.update import update
from search import Searcher, Settings
from search.index.layout import IndexDir, IndexFormatError, IndexLocked
from web import create_app

from .conftest import sample_lines


def write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rebuild_switches_generation_and_keeps_one_previous(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index")
    src = write(tmp_path / "a.jsonl", sample_lines(3))
    names = [build([src], settings, progress=False, embedder=embedder).generation for _ in range(3)]
    assert names == ["gen-000001", "gen-000002", "gen-000003"]
    assert IndexDir(settings.index_dir).current().name == "gen-000003"
    kept = sorted(p.name for p in settings.index_dir.glob("gen-*"))
    assert kept == ["gen-000002", "gen-000003"]


def test_interrupted_build_leaves_the_old_index_serving(tmp_path, embedder, monkeypatch):
    settings = Settings(index_dir=tmp_path / "index")
    old = build([write(tmp_path / "old.jsonl", sample_lines(3))], settings, progress=False,
                embedder=embedder)
    searcher = Searcher.open(settings.index_dir, settings, embedder=embedder)
    before = [h.article.id for h in searcher.search("Congo Rwanda").hits]

    def interrupted(texts):
        raise KeyboardInterrupt

    monkeypatch.setattr(embedder, "encode", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build([write(tmp_path / "new.jsonl", sample_lines(10))], settings, progress=False,
              embedder=embedder)
    monkeypatch.undo()

    assert IndexDir(settings.index_dir).current().name == old.generation
    assert not list(settings.index_dir.glob("*.building"))
    reopened = Searcher.open(settings.index_dir, settings, embedder=embedder)
    assert reopened.article_count == 3
    assert [h.article.id for h in reopened.search("Congo Rwanda").hits] == before


def test_build_with_nothing_to_index_changes_nothing(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index")
    build([write(tmp_path / "a.jsonl", sample_lines(2))], settings, progress=False, embedder=embedder)
    with pytest.raises(BuildError):
        build([write(tmp_path / "bad.jsonl", ["{oops"])], settings, progress=False, embedder=embedder)
    assert Searcher.open(settings.index_dir, settings, embedder=embedder).article_count == 2


def test_stale_build_folders_are_cleaned_up(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index")
    (settings.index_dir / "gen-000007.building").mkdir(parents=True)
    summary = build([write(tmp_path / "a.jsonl", sample_lines(1))], settings, progress=False,
                    embedder=embedder)
    assert IndexDir(settings.index_dir).current().name == summary.generation
    assert not list(settings.index_dir.glob("*.building"))


def test_second_writer_is_refused(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index")
    with IndexDir(settings.index_dir).writer_lock():
        with pytest.raises(IndexLocked):
            build([write(tmp_path / "a.jsonl", sample_lines(1))], settings, progress=False,
                  embedder=embedder)


def test_manifest_records_index_settings(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index", passage_tokens=128)
    build([write(tmp_path / "a.jsonl", sample_lines(2))], settings, progress=False, embedder=embedder)
    manifest = json.loads((IndexDir(settings.index_dir).current().manifest_file).read_text())
    assert manifest["articles"] == 2 and manifest["passage_tokens"] == 128
    assert manifest["passages"] >= 2 and manifest["dim"] == 384


def test_a_generation_a_reader_holds_is_not_pruned(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index")
    src = write(tmp_path / "a.jsonl", sample_lines(2))
    build([src], settings, progress=False, embedder=embedder)
    reader = Searcher.open(settings.index_dir, settings, embedder=embedder)  # holds gen-000001
    for _ in range(2):
        build([src], settings, progress=False, embedder=embedder)
    kept = sorted(p.name for p in settings.index_dir.glob("gen-*"))
    assert kept == ["gen-000001", "gen-000002", "gen-000003"]
    assert reader.search("Congo", mode="keyword").total >= 0
    reader.close()
    build([src], settings, progress=False, embedder=embedder)
    kept = sorted(p.name for p in settings.index_dir.glob("gen-*"))
    assert kept == ["gen-000003", "gen-000004"]


def test_unpublished_complete_generation_is_a_leftover(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index")
    src = write(tmp_path / "a.jsonl", sample_lines(1))
    build([src], settings, progress=False, embedder=embedder)
    # A writer killed after renaming its build but before switching CURRENT:
    (settings.index_dir / "gen-000002").mkdir()
    (settings.index_dir / "gen-000002" / "manifest.json").write_text("{}")
    (settings.index_dir / "CURRENT.123.tmp").write_text("gen-000002\n")
    assert build([src], settings, progress=False, embedder=embedder).generation == "gen-000002"
    names = sorted(p.name for p in settings.index_dir.iterdir())
    assert names == ["CURRENT", "LOCK", "gen-000001", "gen-000002"]
    assert IndexDir(settings.index_dir).current().manifest()["articles"] == 1


def test_second_writer_message_names_the_holder(tmp_path):
    index = IndexDir(tmp_path / "index")
    with index.writer_lock():
        with pytest.raises(IndexLocked, match=rf"another newsearch process \(pid {os.getpid()}\)"):
            with index.writer_lock():
                pass


def test_index_of_another_format_is_refused_with_a_rebuild_hint(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index")
    src = write(tmp_path / "a.jsonl", sample_lines(2))
    build([src], settings, progress=False, embedder=embedder)
    gen = IndexDir(settings.index_dir).current()
    manifest = gen.manifest()
    assert manifest["format"] >= 1
    del manifest["format"]  # as written before formats were recorded
    gen.write_manifest(manifest)

    with pytest.raises(IndexFormatError, match="--rebuild"):
        Searcher.open(settings.index_dir, settings, embedder=embedder)
    with pytest.raises(BuildError, match="--rebuild"):
        update([src], settings, progress=False, embedder=embedder)
    response = create_app(settings).test_client().get("/api/search?q=Congo")
    assert response.status_code == 503
    assert "rebuild" in response.get_json()["error"]["message"]

    build([src], settings, progress=False, embedder=embedder)  # a rebuild serves again
    assert Searcher.open(settings.index_dir, settings, embedder=embedder).article_count == 2
