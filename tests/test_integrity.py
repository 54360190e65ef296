"""Checksums, `newsearch check`, and serving the newest sound generation."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys

import pytest

from indexer.build import BuildError, build
from indexer.update import update
from newsearch.cli import main
from search import Settings
from search.index.integrity import check
from search.index.layout import Generation, IndexDir, IndexNotFound
from search.serving.live import LiveSearcher
from web import create_app

from .conftest import ROOT, sample_lines

# Every kind of file a generation holds (Whoosh terms, postings and table of
# contents, a BM25 postings array: picked by pattern, their names are random).
PARTS = ["articles.sqlite", "keyword/*.trm", "keyword/*.pst", "keyword/_MAIN_*.toc",
         "keyword/bm25/*/tfs.npy", "vectors.faiss",
         "vectors-multilingual.faiss", "passage_articles.npy"]
CHECKSUM = "checksum mismatch (its contents changed after it was written)"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, embedder):
    """An index with two generations: 3 articles, then 1 added by an update."""
    root = tmp_path_factory.mktemp("integrity")
    settings = Settings(index_dir=root / "index")
    (root / "a.jsonl").write_text("\n".join(sample_lines(3)) + "\n", encoding="utf-8")
    (root / "b.jsonl").write_text("\n".join(sample_lines(4)) + "\n", encoding="utf-8")
    build([root / "a.jsonl"], settings, progress=False, embedder=embedder)
    update([root / "b.jsonl"], settings, progress=False, embedder=embedder)
    return settings.index_dir


@pytest.fixture()
def index(pristine, tmp_path):
    """A private copy of the two-generation index."""
    return shutil.copytree(pristine, tmp_path / "index")


def part(gen_path, pattern):
    return sorted(gen_path.glob(pattern))[0].relative_to(gen_path).as_posix()


def truncate(path):
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    return f"{size // 2:,} bytes, expected {size:,} (truncated)"


def flip_bit(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10
    path.write_bytes(bytes(data))
    return CHECKSUM


def remove(path):
    path.unlink()
    return "missing"


DAMAGE = {"truncated": truncate, "bit-flipped": flip_bit, "missing": remove}


def live(index, embedder, **settings):
    return LiveSearcher(Settings(index_dir=index, **settings), embedder=embedder)


def test_manifest_lists_every_file_with_its_size_and_sha256(pristine):
    gen = IndexDir(pristine).current()
    files = gen.manifest()["files"]
    on_disk = sorted(p.relative_to(gen.path).as_posix() for p in gen.path.rglob("*")
                     if p.is_file() and p.name != "manifest.json")
    assert sorted(files) == on_disk
    for rel, entry in files.items():
        data = (gen.path / rel).read_bytes()
        assert entry == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_check_passes_a_sound_index(pristine, capsys):
    files = IndexDir(pristine).current().manifest()["files"]
    assert main(["check", "--index-dir", str(pristine)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(rf"gen-000002: {len(files)} files, "
                        rf"{sum(f['size'] for f in files.values()):,} bytes, sizes and "
                        r"checksums checked in \d+\.\d\ds", out[0])
    assert out[1:] == ["gen-000002: OK", "write-ahead log: empty"]  # nothing pushed yet


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("pattern", PARTS)
def test_damage_to_any_part_is_named_and_the_previous_generation_serves(
        index, embedder, capsys, pattern, damage):
    gen = index / "gen-000002"
    rel = part(gen, pattern)
    problem = f"{rel}: {DAMAGE[damage](gen / rel)}"

    assert main(["check", "--index-dir", str(index)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"  DAMAGED {problem}" in out
    assert out[-1] == ("gen-000001 (older) passes: the server and `newsearch search` serve it "
                       "instead; `newsearch index --rebuild SOURCE...` writes a new live "
                       "generation")

    searcher = live(index, embedder)
    with searcher.searching() as s:
        assert s.generation.name == "gen-000001"
        assert s.search("Congo Rwanda").hits
    assert searcher.degraded == f"gen-000002 is damaged: {problem}; serving gen-000001"
    assert searcher.check_failures == 1


@pytest.mark.parametrize("damage, problem", [
    (lambda p: p.write_bytes(p.read_bytes()[:40]), "manifest.json: not valid JSON (damaged)"),
    (lambda p: p.write_bytes(bytes([p.read_bytes()[0] ^ 0x01]) + p.read_bytes()[1:]),
     "manifest.json: not valid JSON (damaged)"),
    (lambda p: p.unlink(), "manifest.json: missing"),
])
def test_a_damaged_manifest_falls_back_too(index, embedder, damage, problem):
    damage(index / "gen-000002" / "manifest.json")
    assert check(Generation(index / "gen-000002")).problems == [problem]
    searcher = live(index, embedder)
    with searcher.searching() as s:
        assert s.generation.name == "gen-000001"
    assert searcher.degraded == f"gen-000002 is damaged: {problem}; serving gen-000001"


def test_counts_that_disagree_are_reported(index):
    gen = Generation(index / "gen-000002")
    manifest = gen.manifest()
    manifest["articles"] = 5
    manifest["spaces"][1]["vectors"] += 1  # English articles: none in the multilingual space
    gen.write_manifest(manifest)
    assert check(gen).problems == [
        "articles.sqlite holds 4 articles, the manifest says 5",
        "vectors-multilingual.faiss holds 0 vectors, the manifest says 1",
    ]


def test_no_sound_generation_is_a_clear_error(index, embedder, capsys):
    for name in ("gen-000001", "gen-000002"):
        truncate(index / name / "vectors.faiss")
    with pytest.raises(IndexNotFound) as e:
        live(index, embedder).acquire()
    size = (index / "gen-000002" / "vectors.faiss").stat().st_size
    assert str(e.value).startswith(
        f"no sound index generation in {index}: gen-000002 is damaged: vectors.faiss: "
        f"{size:,} bytes, expected {size * 2:,} (truncated); gen-000001 is damaged: ")
    assert main(["check", "--index-dir", str(index)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "no older generation passes; rebuild with: newsearch index --rebuild SOURCE...")


def test_a_damaged_generation_published_while_serving_is_refused(index, embedder):
    pointer = IndexDir(index).pointer
    pointer.write_text("gen-000001\n")
    searcher = live(index, embedder)
    app = create_app(searcher.settings, searcher)
    client = app.test_client()
    assert client.get("/healthz").json["status"] == "ok"

    problem = f"vectors.faiss: {flip_bit(index / 'gen-000002' / 'vectors.faiss')}"
    pointer.write_text("gen-000002\n")  # a writer publishes a generation that is damaged
    health = client.get("/healthz")
    reason = f"gen-000002 is damaged: {problem}; still serving gen-000001"
    assert health.status_code == 200
    assert health.json == {"status": "degraded", "generation": "gen-000001", "articles": 3,
                           "reason": reason}
    assert health.headers["X-Index-Generation"] == "gen-000001"
    assert client.get("/api/search?q=Congo").status_code == 200
    metrics = client.get("/metrics").text
    assert "newsearch_index_degraded 1.0" in metrics
    assert "newsearch_index_check_failures_total 1.0" in metrics

    shutil.copytree(index / "gen-000001", index / "gen-000003")  # a sound one follows
    pointer.write_text("gen-000003\n")
    assert client.get("/healthz").json == {"status": "ok", "generation": "gen-000003",
                                           "articles": 3}
    metrics = client.get("/metrics").text
    assert "newsearch_index_degraded 0.0" in metrics
    assert "newsearch_index_check_failures_total 1.0" in metrics


def test_sizes_only_check_misses_a_flipped_bit_but_not_a_truncation(index):
    gen = index / "gen-000002"
    flip_bit(gen / "articles.sqlite")
    assert check(Generation(gen), checksums=False).ok
    assert check(Generation(gen)).problems == [f"articles.sqlite: {CHECKSUM}"]
    problem = truncate(gen / "vectors.faiss")
    assert check(Generation(gen), checksums=False).problems == [f"vectors.faiss: {problem}"]


def test_an_update_refuses_to_build_on_a_damaged_live_generation(index, embedder, tmp_path):
    problem = f"vectors.faiss: {truncate(index / 'gen-000002' / 'vectors.faiss')}"
    src = tmp_path / "c.jsonl"
    src.write_text(sample_lines(5)[-1] + "\n", encoding="utf-8")
    with pytest.raises(BuildError) as e:
        update([src], Settings(index_dir=index), progress=False, embedder=embedder)
    assert str(e.value) == (
        f"gen-000002 is damaged: {problem}; nothing was changed: rebuild the index with: "
        "newsearch index --rebuild SOURCE... (details: newsearch check)")
    assert IndexDir(index).current().name == "gen-000002"
    assert sorted(p.name for p in index.glob("gen-*")) == ["gen-000001", "gen-000002"]


def test_search_command_on_a_damaged_live_generation_warns_and_falls_back(index, capsys):
    problem = f"articles.sqlite: {flip_bit(index / 'gen-000002' / 'articles.sqlite')}"
    assert main(["search", "Congo Rwanda", "--index-dir", str(index), "-k", "1"]) == 0
    out, err = capsys.readouterr()
    assert err == (f"newsearch: warning: gen-000002 is damaged: {problem}; serving gen-000001 "
                   "(details: newsearch check)\n")
    assert re.fullmatch(r"\d+ results? \(\d+ ms, hybrid\)", out.splitlines()[0])


def test_an_unreadable_file_is_named(index):
    """chmod 000; as root, the check runs without the capabilities that
    bypass file permissions (so the permission bites as for any user)."""
    target = index / "gen-000002" / "articles.sqlite"
    target.chmod(0)
    command = [sys.executable, "-m", "newsearch", "check", "--index-dir", str(index)]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: permissions cannot bite")
        command = ["setpriv", "--inh-caps=-all",
                   "--bounding-set=-dac_override,-dac_read_search", *command]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "  DAMAGED articles.sqlite: cannot read: Permission denied [EACCES]" in \
        done.stdout.splitlines()


def test_index_command_never_replaces_an_index_whose_live_generation_is_missing(
        index, tmp_path, capsys):
    shutil.rmtree(index / "gen-000002")
    src = tmp_path / "c.jsonl"
    src.write_text(sample_lines(5)[-1] + "\n", encoding="utf-8")
    assert main(["index", str(src), "--index-dir", str(index), "--no-progress"]) == 1
    assert capsys.readouterr().err == (
        f"newsearch: {index}/CURRENT names a missing generation 'gen-000002' (details: "
        "newsearch check; rebuild with: newsearch index --rebuild SOURCE...)\n")
    assert sorted(p.name for p in index.iterdir()) == ["CURRENT", "LOCK", "gen-000001"]


def test_files_shared_with_the_previous_generation_are_not_hashed_again(
        index, embedder, tmp_path, monkeypatch):
    from search.index import checksums

    hashed = []
    real = checksums.digest
    monkeypatch.setattr(checksums, "digest", lambda path: hashed.append(path) or real(path))
    src = tmp_path / "c.jsonl"
    src.write_text(sample_lines(5)[-1] + "\n", encoding="utf-8")
    update([src], Settings(index_dir=index), progress=False, embedder=embedder)

    old, new = Generation(index / "gen-000002"), Generation(index / "gen-000003")
    shared = [rel for rel in old.manifest()["files"]
              if (new.path / rel).exists() and os.path.samefile(old.path / rel, new.path / rel)]
    assert any(rel.endswith(".trm") for rel in shared)
    building = new.path.with_name("gen-000003.building")  # sealed before it was renamed
    sealed = {p.relative_to(building).as_posix() for p in hashed if building in p.parents}
    assert sealed == set(new.manifest()["files"]) - set(shared)
    assert check(new).ok
