"""Cluster indexing (`indexer.cluster`) on a Ray cluster of nodes on loopback:
the index it writes is a local build's; it survives losing a node; a failed
build leaves the live index serving; ``newsearch index --cluster``."""

from __future__ import annotations

import dataclasses
import importlib.util
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from indexer import cluster
from indexer.build import BuildError, Runner, build
from newsearch.cli import main
from search import Searcher, Settings
from search.index.layout import IndexDir
from search.index.store import ArticleStore
from search.index.vectors import VectorIndex
from search.models.embedder import Embedder
from tests.conftest import WIKINEWS_RU, sample_lines

# Ray is imported only once the `ray_cluster` fixture has set it up for loopback.
pytestmark = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                                reason="needs the cluster extra (Ray)")

CHUNK = 4  # passages per encoding unit: a small corpus makes many units
QUERIES = ("election results", "earthquake toll", "импичмент президента", "building collapse")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """30 English and 15 Russian Wikinews articles in three files, and a file
    no reader takes (its `Skipped` keeps its place in the order)."""
    root = tmp_path_factory.mktemp("cluster-corpus")
    en = sample_lines(30)
    ru = WIKINEWS_RU.read_text(encoding="utf-8").splitlines()[:15]
    for name, lines in (("a-en.jsonl", en[:15]), ("b-ru.jsonl", ru), ("c-en.jsonl", en[15:])):
        (root / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "b-zz.txt").write_bytes(b"\x00\x01binary")
    return root


# Both spaces (English on MiniLM, Russian on USE; the default is e5 alone), so
# that units of two models are spread over the nodes.
TWO_SPACES = dict(model_path="", multilingual_model="use-multilingual-v3")


@pytest.fixture(scope="module")
def two_models() -> Embedder:
    return Embedder.for_settings(Settings(**TWO_SPACES))


@pytest.fixture(scope="module")
def local_index(tmp_path_factory, corpus, two_models) -> Path:
    path = tmp_path_factory.mktemp("local-index")
    build([corpus], Settings(index_dir=path, **TWO_SPACES), progress=False, embedder=two_models,
          runner=Runner(chunk=CHUNK))
    return path


def cluster_build(ray_cluster, corpus: Path, path: Path, embedder, **options):
    runner = cluster.runner(ray_cluster.address, chunk=CHUNK, **options)
    return build([corpus], Settings(index_dir=path, **TWO_SPACES), progress=False,
                 embedder=embedder,
                 runner=runner)


def assert_same_index(built: Path, local: Path, embedder) -> None:
    """The same articles, passages and vectors (per space), and search results."""
    ours, theirs = IndexDir(built).current(), IndexDir(local).current()
    a, b = ours.manifest(), theirs.manifest()
    assert (a["articles"], a["passages"]) == (b["articles"], b["passages"])
    assert [s["vectors"] for s in a["spaces"]] == [s["vectors"] for s in b["spaces"]]
    assert len(a["spaces"]) == 2 and all(s["vectors"] for s in a["spaces"])
    stores = [ArticleStore(g.store_file) for g in (ours, theirs)]
    try:
        assert stores[0].id_table() == stores[1].id_table()
        assert np.array_equal(stores[0].passage_articles(), stores[1].passage_articles())
    finally:
        for store in stores:
            store.close()
    for space in a["spaces"]:
        name = "vectors.faiss" if space["name"] == "main" else f"vectors-{space['name']}.faiss"
        (ids, vectors), (ids_, vectors_) = (VectorIndex.load(g.path / name).all_vectors()
                                            for g in (ours, theirs))
        order, order_ = np.argsort(ids), np.argsort(ids_)
        assert np.array_equal(ids[order], ids_[order_])
        assert np.allclose(vectors[order], vectors_[order_], atol=1e-6)
    searchers = [Searcher.open(p, Settings(index_dir=p, **TWO_SPACES), embedder=embedder)
                 for p in (built, local)]
    for query in QUERIES:
        for mode in ("hybrid", "keyword", "semantic"):
            found = [[(h.article.id, h.score) for h in s.search(query, mode=mode).hits]
                     for s in searchers]
            assert found[0] == found[1], (query, mode)
            assert found[0], (query, mode)


def test_cluster_build_equals_local_build(ray_cluster, corpus, local_index, two_models,
                                          tmp_path, monkeypatch):
    """Both spaces (English on MiniLM, Russian on USE), units spread over the
    three nodes' actors, files parsed by one task each, results in any order."""
    monkeypatch.setattr(cluster, "TASK_FILES", 1)
    summary = cluster_build(ray_cluster, corpus, tmp_path, two_models)
    assert summary.indexed == 45 and [s.source for s in summary.skipped] == [
        str(corpus / "b-zz.txt")]
    assert_same_index(tmp_path, local_index, two_models)


def test_cluster_build_survives_losing_a_node(ray_cluster, corpus, local_index, two_models,
                                              tmp_path):
    """A fourth node joins, and the pool has an embedder actor on each of the
    four one-CPU nodes (no CPU is left over).  When the first unit's vectors are
    back, the new node is removed (its raylet and workers killed) while its
    actor still has units queued: Ray Data restarts the actor where a CPU frees
    up and retries its units, and the index is the local build's."""
    import ray

    node = ray_cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    ray_cluster.wait_for_nodes()
    runner = cluster.runner(ray_cluster.address, chunk=CHUNK, actors=4)
    killed = []

    def encode(embedder_, units):
        for encoded in runner.encode(embedder_, units):
            if not killed:
                assert ray.available_resources().get("CPU", 0) == 0  # an actor on each node
                ray_cluster.remove_node(node)
                killed.append(node)
            yield encoded

    build([corpus], Settings(index_dir=tmp_path, **TWO_SPACES), progress=False, embedder=two_models,
          runner=dataclasses.replace(runner, encode=encode))
    assert killed == [node] and int(ray.cluster_resources()["CPU"]) == 3
    assert_same_index(tmp_path, local_index, two_models)


class BrokenEmbedder(Embedder):
    """The model fails on the cluster (in the actor, not in the driver)."""

    def encode(self, texts):
        raise RuntimeError("model weights are corrupt\n(a second line nobody needs)")


@pytest.fixture()
def small_corpus(tmp_path) -> Path:
    source = tmp_path / "sources" / "news.jsonl"
    source.parent.mkdir()
    source.write_text("\n".join(sample_lines(5)) + "\n", encoding="utf-8")
    return source.parent


def test_failed_cluster_build_keeps_the_live_index(ray_cluster, small_corpus, two_models,
                                                   tmp_path):
    index = tmp_path / "index"
    build([small_corpus], Settings(index_dir=index, **TWO_SPACES), progress=False,
          embedder=two_models)
    live = IndexDir(index).pointed()
    broken = BrokenEmbedder.for_settings(Settings(**TWO_SPACES))
    with pytest.raises(BuildError) as failure:
        cluster_build(ray_cluster, small_corpus, index, broken)
    assert str(failure.value) == ("the cluster build failed, the live index is unchanged: "
                                  "RuntimeError: model weights are corrupt")
    assert IndexDir(index).pointed() == live
    assert sorted(p.name for p in index.iterdir() if p.name.startswith("gen-")) == [live]
    searcher = Searcher.open(index, Settings(index_dir=index, **TWO_SPACES), embedder=two_models)
    assert searcher.search("the", mode="hybrid").hits


def test_unreachable_cluster_is_one_line_and_changes_nothing(small_corpus, embedder, tmp_path):
    """A fresh process (not connected to Ray) given an address nobody listens on."""
    index = tmp_path / "index"
    build([small_corpus], Settings(index_dir=index), progress=False, embedder=embedder)
    live = IndexDir(index).pointed()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"
    done = subprocess.run([sys.executable, "-m", "newsearch", "index", str(small_corpus),
                           "--index-dir", str(index), "--cluster", address],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr == (f"newsearch: cannot join the Ray cluster at {address}: "
                           "Connection refused\n")
    assert IndexDir(index).pointed() == live


def test_cli_updates_on_the_cluster(ray_cluster, small_corpus, embedder, tmp_path, capsys):
    """`newsearch index --cluster` on an index: an update, its one new article
    read and embedded on the cluster."""
    index = tmp_path / "index"
    build([small_corpus], Settings(index_dir=index), progress=False, embedder=embedder)
    (small_corpus / "news.jsonl").write_text("\n".join(sample_lines(6)) + "\n", encoding="utf-8")
    code = main(["index", str(small_corpus), "--index-dir", str(index), "--no-progress",
                 "--cluster", ray_cluster.address])
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("added 1, replaced 0, deleted 0 articles")
    assert IndexDir(index).current().manifest()["articles"] == 6


def test_cli_cluster_without_ray(small_corpus, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    code = main(["index", str(small_corpus), "--index-dir", str(tmp_path / "index"),
                 "--cluster", "auto"])
    assert code == 1
    assert capsys.readouterr().err == ("newsearch: --cluster needs Ray: "
                                       "pip install 'newsearch[cluster]'\n")
    assert not (tmp_path / "index").exists() or not IndexDir(tmp_path / "index").pointer.exists()
