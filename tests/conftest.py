"""Shared fixtures: one small real corpus, indexed once per test session."""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
from pathlib import Path

import pytest

from indexer.build import build
from search import Searcher, Settings
from search.models.embedder import Embedder
from search.serving.live import LiveSearcher
from web import create_app
from web.serve import GracefulServer

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_04da4f70512e8aca.txt"
SCIFACT = SHARED / "eval" / "scifact"
SAMPLES = ROOT / "samples" / "wikinews-en.jsonl"

HOSTILE = {
    "id": "hostile-1",
    "title": "<script>alert('title')</script> Poisoned headline",
    "body": "Ordinary words first. Then <img src=x onerror=alert('body')> & \"quotes\" "
            "and a poisoned payload sentence about zebras.",
    "url": "javascript:alert('url')",
    "published": "2024-10-02T09:00:00+04:00",
    "category": "<b>WORLD</b>",
    "author": "<i>Mallory</i>",
}


def pytest_configure(config):
    if not SEED.exists():
        raise pytest.UsageError(f"tests need the shared data folder beside the repo: {SHARED}")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real bundled model, loaded once."""
    return Embedder.for_settings(Settings())


def sample_lines(n: int) -> list[str]:
    return SAMPLES.read_text(encoding="utf-8").splitlines()[:n]


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """The seed page, 20 bundled Wikinews articles and one hostile article."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copy(SEED, root / SEED.name)
    (root / "wikinews").mkdir()
    (root / "wikinews" / "sample.jsonl").write_text("\n".join(sample_lines(20)) + "\n", encoding="utf-8")
    (root / "hostile.jsonl").write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, corpus_dir, embedder) -> Path:
    path = tmp_path_factory.mktemp("index")
    build([corpus_dir], Settings(index_dir=path), progress=False, embedder=embedder)
    return path


@pytest.fixture(scope="session")
def searcher(index_dir, embedder) -> Searcher:
    return Searcher.open(index_dir, Settings(index_dir=index_dir), embedder=embedder)


@pytest.fixture(scope="session")
def app(index_dir, embedder, searcher):
    settings = Settings(index_dir=index_dir)
    app = create_app(settings, LiveSearcher(settings, embedder=embedder))
    app.config["TESTING"] = True
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


@contextlib.contextmanager
def running_server(app, settings: Settings):
    """``app`` under the real waitress server on a free loopback port; yields its base URL."""
    server = GracefulServer(app, settings, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()
        thread.join(timeout=30)


_fuzzed = [0]


def count_fuzzed() -> None:
    """Called once per input a property-based test tries."""
    _fuzzed[0] += 1


def pytest_terminal_summary(terminalreporter):
    if _fuzzed[0]:
        terminalreporter.write_line(f"fuzzed inputs tried: {_fuzzed[0]}")


# --- a small newsroom for the search-experience tests ------------------------
WIKINEWS_RU = SHARED / "corpora" / "wikinews" / "ru.jsonl"  # tests only, never shipped
SECTIONS = ("WORLD", "POLITICS", "SCIENCE", "ECONOMY")
AUTHORS = ("Anna Petrova", "John Smith", "Leyla Aliyeva")
SEED_ID, WIRE_COPY_ID = "caliber-politico", "wire-politico"


def newsroom_records() -> list[dict]:
    """Real article texts with sections, bylines, dates and languages, plus the seed
    story twice: as published and as a wire copy republished with edits (shortened,
    reworded in places: too different for the indexer to merge the two, close
    enough for search to show them as one story)."""
    from indexer.sources import read_sources

    records = []
    for i, line in enumerate(sample_lines(22)):
        r = json.loads(line)
        r.pop("categories", None)
        records.append({**r, "category": SECTIONS[i % len(SECTIONS)], "author": AUTHORS[i % len(AUTHORS)]})
    for line in WIKINEWS_RU.read_text(encoding="utf-8").splitlines()[:3]:
        r = json.loads(line)
        records.append({**r, "category": "РОССИЯ", "author": "Иван Петров",
                        "published": "2016-03-30T10:00:00+03:00"})
    seed = next(read_sources([SEED]))
    original = {"id": SEED_ID, "title": seed.title, "body": seed.body, "category": "WORLD",
                "author": "Aghakazim Guliyev", "published": "2024-10-01T12:14:00+04:00",
                "url": "https://caliber.az/en/post/politico-green-light", "lang": "en"}
    paragraphs = seed.body.split("\n\n")
    wire_body = "\n\n".join([paragraphs[0].replace("In a recent development", "In a new report")]
                            + paragraphs[1:9] + ["The story was republished by partner agencies."])
    wire = {**original, "id": WIRE_COPY_ID, "title": "Israel got US green light to expand operations "
            "against Hezbollah, Politico reports", "body": wire_body, "author": "Wire staff",
            "published": "2024-10-01T15:30:00+04:00", "url": "https://wire.example/politico"}
    return records + [original, wire, {**HOSTILE, "lang": "en"}]


@pytest.fixture(scope="session")
def newsroom_index(tmp_path_factory, embedder) -> Path:
    source = tmp_path_factory.mktemp("newsroom") / "newsroom.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in newsroom_records()),
                      encoding="utf-8")
    path = tmp_path_factory.mktemp("newsroom-index")
    build([source], Settings(index_dir=path), progress=False, embedder=embedder)
    return path


@pytest.fixture(scope="session")
def query_encoder() -> Embedder:
    """What embeds queries in a server by default (`query_backend`: int8 weights)."""
    return Embedder.for_settings(Settings(), backend=Settings().query_backend)


@pytest.fixture(scope="session")
def newsroom(newsroom_index, query_encoder) -> Searcher:
    return Searcher.open(newsroom_index, Settings(index_dir=newsroom_index), embedder=query_encoder)


@pytest.fixture(scope="session")
def newsroom_app(newsroom_index, query_encoder):
    settings = Settings(index_dir=newsroom_index)
    app = create_app(settings, LiveSearcher(settings, embedder=query_encoder))
    app.config["TESTING"] = True
    return app


@pytest.fixture()
def newsroom_client(newsroom_app):
    return newsroom_app.test_client()


# --- a Ray cluster of three nodes on loopback (the `cluster` extra) ----------
@pytest.fixture(scope="session")
def ray_cluster():
    """A head and two worker nodes, all on 127.0.0.1, one CPU each; the test
    process is connected to it as a driver."""
    import os

    # Ray's local-only mode: every node address is 127.0.0.1, never the host's.
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    import ray
    from ray.cluster_utils import Cluster

    node = {"num_cpus": 1, "node_ip_address": "127.0.0.1"}
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    for _ in range(2):
        cluster.add_node(**node)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, log_to_driver=False)
    try:
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()
