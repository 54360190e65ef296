"""Sharded serving on Ray Serve, on a three-node Ray cluster on loopback: the
same answers as the single-node server (a golden test over the real sample,
every mode), a new generation rolled out without a failed request, and a
shard replica killed under load without a lost request."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from search import Settings
from search.index.layout import IndexDir

from .golden import golden_queries

MODES = ("keyword", "semantic", "hybrid")
TOKEN = "cluster-admin"


@pytest.fixture(scope="module")
def served(ray_cluster, newsroom_index, tmp_path_factory):
    """A copy of the newsroom index served by `serve_cluster` (what
    ``newsearch serve --cluster`` runs): 3 shards, 2 replicas each, HTTP on a
    free port; yields (settings, base URL)."""
    from web.cluster import serve_cluster

    index_dir = tmp_path_factory.mktemp("cluster") / "index"
    shutil.copytree(newsroom_index, index_dir)
    settings = Settings(index_dir=index_dir, shards=3, shard_replicas=2, replica_cpus=0,
                        response_cache_size=0, embedding_cache_size=0, threads=8,
                        drain_seconds=2, admin_token=TOKEN)
    port = _free_port()
    stop = threading.Event()
    driver = threading.Thread(target=serve_cluster, daemon=True,
                              args=(settings, "auto", "127.0.0.1", port, stop, 0.5))
    driver.start()
    url = f"http://127.0.0.1:{port}"
    _wait(lambda: get(url, "/healthz")["status"] == "ok", driver)
    yield settings, url
    stop.set()
    driver.join(timeout=60)


def _wait(ready, driver=None, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert driver is None or driver.is_alive(), "the cluster server stopped"
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("timed out")


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
    _, url = served
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
    assert len(queries) >= 200 and compared >= 600
    page = urllib.request.urlopen(f"{url}/?q=police", timeout=60).read().decode()
    assert "What are you looking for" in page or "what are you looking for" in page.lower()


def test_a_push_to_the_cluster_is_refused_not_kept_unserved(served):
    """The cluster's shards do not follow the write-ahead log: a pushed article
    would be durable but never found, so the push API says so (503)."""
    settings, url = served
    request = urllib.request.Request(
        f"{url}/api/articles/breaking-1", method="PUT",
        data=json.dumps({"title": "Breaking", "body": "A story that broke a minute ago."}).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 503
    assert json.loads(refused.value.read())["error"]["code"] == "push_unavailable"
    wal = settings.index_dir / "wal"
    assert not wal.exists() or not any(wal.iterdir())  # nothing was written


def test_healthz_shows_shards_and_replicas(served):
    settings, url = served
    health = get(url, "/healthz")
    assert health["status"] == "ok"
    cluster = health["cluster"]
    assert cluster["app"] == f"shards-{health['generation']}-of-3" and cluster["shards"] == 3
    assert cluster["replicas"] == {f"shard-{i}": {"RUNNING": 2} for i in range(3)}


class Load:
    """Clients sending searches in every mode until stopped; counts failures."""

    QUERIES = ["police", "government election", "Путин", "what happened in the storm",
               "science research", "president"]

    def __init__(self, url: str, clients: int = 4):
        self.url = url
        self.stop = threading.Event()
        self.done = 0
        self.failures: list[str] = []
        self.latencies: list[float] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                         for i in range(clients)]

    def __enter__(self) -> "Load":
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self._threads:
            t.join(timeout=180)

    def _run(self, i: int) -> None:
        n = i
        while not self.stop.is_set():
            query, mode = self.QUERIES[n % len(self.QUERIES)], MODES[n % 3]
            n += 1
            started = time.perf_counter()
            try:
                body = get(self.url, "/api/search", q=query, mode=mode)
                ok, why = "results" in body, body
            except Exception as e:  # an HTTP error status or a broken connection
                ok, why = False, repr(e)
            with self._lock:
                self.done += 1
                self.latencies.append(time.perf_counter() - started)
                if not ok:
                    self.failures.append(f"{mode} {query!r}: {why}")


def replica_actors(app: str, deployment: str) -> list[str]:
    """Names of the live replica actors of a Serve deployment."""
    import ray

    return sorted(a["name"] for a in ray.util.list_named_actors(all_namespaces=True)
                  if a["namespace"] == "serve"
                  and a["name"].startswith(f"SERVE_REPLICA::{app}#{deployment}#"))


def test_a_killed_shard_replica_loses_no_request(served):
    """Kills one of shard 0's two replicas (its actor, as a crash would) while
    four clients search: the ingress sends the calls that were on it again,
    Serve starts a replacement, and no request fails."""
    import ray

    settings, url = served
    app = get(url, "/healthz")["cluster"]["app"]
    replicas = replica_actors(app, "shard-0")
    assert len(replicas) == 2
    with Load(url) as load:
        _wait(lambda: load.done >= 10)
        before = load.done
        ray.kill(ray.get_actor(replicas[0], namespace="serve"), no_restart=True)
        _wait(lambda: load.done >= before + 40)

        def replaced() -> bool:  # the dead one gone, a new one in its place, both running
            alive = replica_actors(app, "shard-0")
            return (replicas[0] not in alive and len(alive) == 2
                    and get(url, "/healthz")["cluster"]["replicas"]["shard-0"] == {"RUNNING": 2})

        _wait(replaced)
        _wait(lambda: load.done >= before + 60)
    assert load.failures == []


def test_a_new_generation_goes_live_on_every_shard_without_a_failed_request(served, tmp_path):
    from indexer.update import update

    settings, url = served
    old = get(url, "/healthz")
    story = {"id": "cluster-rollout-1", "title": "Zanzibar ferry service resumes after storm",
             "body": "The Zanzibar ferry service resumed on Monday after a storm closed the "
                     "harbour for three days, the port authority said.",
             "published": "2024-10-03T08:00:00+00:00", "category": "WORLD", "lang": "en"}
    source = tmp_path / "new.jsonl"
    source.write_text(json.dumps(story) + "\n", encoding="utf-8")
    with Load(url) as load:
        _wait(lambda: load.done >= 10)
        update([source], settings, progress=False)
        _wait(lambda: get(url, "/healthz")["generation"] != old["generation"])
        after = load.done
        _wait(lambda: load.done >= after + 20)
    assert load.failures == []
    new = get(url, "/healthz")
    assert new["articles"] == old["articles"] + 1
    assert new["cluster"]["app"] == f"shards-{new['generation']}-of-3"
    hits = get(url, "/api/search", q="Zanzibar ferry", mode="hybrid")["results"]
    assert hits[0]["id"] == "cluster-rollout-1"
    from ray import serve

    # The replaced generation's shards stop after drain_seconds.
    _wait(lambda: old["cluster"]["app"] not in serve.status().applications, seconds=60)


def test_a_layout_the_cluster_has_no_cpus_for_is_refused(ray_cluster, tmp_path):
    """Serve would wait for ever for CPUs it cannot have: the driver says so at once."""
    from newsearch.ray_cluster import ClusterError
    from web.cluster import check_room

    check_room(Settings(index_dir=tmp_path, shards=3, shard_replicas=2, replica_cpus=0))
    with pytest.raises(ClusterError, match=r"3 shards x 2 replicas need 14 CPUs at 1 a replica"):
        check_room(Settings(index_dir=tmp_path, shards=3, shard_replicas=2, replica_cpus=1))


def test_a_damaged_generation_never_goes_live_on_the_cluster(ray_cluster, newsroom_index, tmp_path):
    """The driver checks a generation before cutting it into shards: a damaged
    one is refused with the check's reason, and SERVING is not moved."""
    from search.index.integrity import IndexDamaged
    from web.cluster import go_live, serving_file

    index_dir = tmp_path / "index"
    shutil.copytree(newsroom_index, index_dir)
    live = IndexDir(index_dir).current()
    vectors = next(live.path.glob("*.faiss"))
    data = bytearray(vectors.read_bytes())
    data[len(data) // 2] ^= 0xFF
    vectors.write_bytes(bytes(data))
    with pytest.raises(IndexDamaged, match=vectors.name):
        go_live(Settings(index_dir=index_dir, shards=3, replica_cpus=0))
    assert not serving_file(index_dir).exists()
