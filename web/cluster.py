"""Serving on a Ray cluster with Ray Serve: shards, a query encoder and an ingress.

Two kinds of Serve applications:

- ``shards-<generation>-of-<S>``: one deployment per shard of that generation
  (`search.shards.shard.Shard`, deployment ``shard-<i>``), with
  ``Settings.shard_replicas`` replicas each.
- ``newsearch`` (HTTP route ``/``): the query encoder (``encoder``, the
  index's models) and the ingress (``ingress``), which runs the site's Flask
  app, the same pages and API as ``newsearch serve``, over a `Searcher`
  whose parts fan out to the shards (`search.shards.sharded`): BM25 with global
  statistics, fusion and everything after it once, at the ingress.

The driver (`serve_cluster`: ``newsearch serve --cluster``) cuts the live
generation into shards, deploys them and, once they run, names their
application in ``<index dir>/shards/SERVING``.  Ingress replicas read that
pointer before each request, as the single-node server reads ``CURRENT``, and
switch between requests (a request runs on one generation's shards from start
to end).  The driver deletes a replaced generation's shards ``drain_seconds``
later.  A shard call whose replica died is sent again: Serve routes it to a
live replica and starts a new one in place of the dead.

Needs the ``cluster`` extra (``pip install 'newsearch[cluster]'``).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from ray import serve
from ray.exceptions import ActorUnavailableError, RayActorError

from newsearch.ray_cluster import ClusterError, connect
from search.config import Settings
from search.index.integrity import require_sound
from search.index.layout import Generation, IndexDir, IndexNotFound
from search.models import threads
from search.models.embedder import embedders_for, for_queries
from search.models.spaces import SpaceSpec
from search.searcher import Searcher, query_embedder
from search.serving.live import LiveSearcher
from search.shards.shard import FOLDER, Shard, split
from search.shards.sharded import sharded_parts

log = logging.getLogger(__name__)

APP = "newsearch"
RETRIES = 3  # times a shard call is sent again when its replica died
CALL_TIMEOUT = 60.0  # seconds a shard call may take
_RETRIED = (RayActorError, ActorUnavailableError)


def serving_file(root: Path) -> Path:
    return root / FOLDER / "SERVING"


def shards_app(generation: str, shards: int) -> str:
    return f"shards-{generation}-of-{shards}"


def read_serving(root: Path) -> dict:
    """What the driver last deployed: {"app", "generation", "shards"}."""
    try:
        return json.loads(serving_file(root).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexNotFound(f"no shards are serving {root} (start `newsearch serve --cluster`)")


def write_serving(root: Path, pointer: dict) -> None:
    path = serving_file(root)
    tmp = path.with_name(f"SERVING.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(pointer), encoding="utf-8")
    tmp.replace(path)


# --- deployments -------------------------------------------------------------
@serve.deployment(max_ongoing_requests=64)
class ShardServer:
    """One replica of one shard."""

    def __init__(self, path: str, settings: Settings):
        threads.limit(settings.request_threads)
        self.shard = Shard(path, settings)

    def call(self, method: str, args: tuple):
        return getattr(self.shard, method)(*args)


@serve.deployment(max_ongoing_requests=64)
class QueryEncoder:
    """Embeds queries with the index's models, one per space."""

    def __init__(self, settings: Settings, manifest: dict):
        threads.limit(settings.request_threads)
        specs = [SpaceSpec.from_dict(d) for d in manifest["spaces"]]
        self.embedders = [for_queries(e) for e in
                          embedders_for(specs, settings, query_embedder(settings, manifest))]

    def encode(self, space: int, texts: list[str]) -> np.ndarray:
        return self.embedders[space].encode(texts)


@serve.deployment(max_ongoing_requests=64)
@serve.ingress()
class Ingress:
    """The site (pages and JSON API) over the shards `SERVING` names."""

    def __init__(self, settings: Settings, encoder):
        from web import create_app

        threads.limit(settings.request_threads)
        self.settings = settings
        self.live = ClusterLive(settings, encoder)
        # Fail fast: the shards must answer.  Shard calls wait for their
        # answers, which Serve allows outside its event loop only (requests
        # run in the WSGI adapter's threads).
        with ThreadPoolExecutor(1) as pool:
            pool.submit(self.live.release, pool.submit(self.live.acquire).result()).result()
        self.site = create_app(settings, self.live)

    def __serve_build_asgi_app__(self):
        from a2wsgi import WSGIMiddleware

        return WSGIMiddleware(self.site, workers=self.settings.threads)


# --- the ingress's view of the shards ----------------------------------------
class ServeShards:
    """`search.shards.sharded.ShardSet` over the shard deployments of one application."""

    def __init__(self, app: str, count: int):
        self.app = app
        self.count = count
        self._handles = [serve.get_deployment_handle(f"shard-{i}", app_name=app)
                         for i in range(count)]
        self.retries = 0

    def gather(self, calls: list[tuple[int, str, tuple]]) -> list:
        sent = [self._handles[i].call.remote(method, args) for i, method, args in calls]
        return [self._result(call, response) for call, response in zip(calls, sent)]

    def _result(self, call: tuple[int, str, tuple], response):
        i, method, args = call
        for attempt in range(RETRIES + 1):
            try:
                return response.result(timeout_s=CALL_TIMEOUT)
            except _RETRIED as e:
                if attempt == RETRIES:
                    raise
                self.retries += 1
                log.warning("shard %d of %s: %s; sending %s again", i, self.app,
                            type(e).__name__, method)
                time.sleep(0.05 * (attempt + 1))
                response = self._handles[i].call.remote(method, args)

    def health(self) -> dict:
        """Shards, and each shard's replicas by state (from the Serve controller)."""
        status = serve.status().applications.get(self.app)
        replicas = {}
        if status is not None:
            for name, d in sorted(status.deployments.items()):
                if not name.startswith("shard-"):
                    continue  # the application's entry point
                replicas[name] = {str(getattr(k, "value", k)): n for k, n in d.replica_states.items()}
        return {"app": self.app, "shards": self.count, "replicas": replicas,
                "retried_calls": self.retries}


class RemoteEncoder:
    """A space's query embedder, in the encoder deployment."""

    def __init__(self, handle, space: int):
        self._handle = handle
        self._space = space

    def encode(self, texts) -> np.ndarray:
        return self._handle.encode.remote(self._space, list(texts)).result(timeout_s=CALL_TIMEOUT)


class ClusterLive(LiveSearcher):
    """`LiveSearcher` over the shards the ``SERVING`` pointer names.  It does
    not follow the write-ahead log: the push API refuses (`web.push`)."""

    follows_log = False

    def __init__(self, settings: Settings, encoder):
        super().__init__(settings)
        self._encoder = encoder
        self._app: str | None = None
        self._shards: ServeShards | None = None

    def _refresh(self) -> None:
        pointer = read_serving(self.layout.root)
        if self._live is not None and pointer["app"] == self._app:
            return
        if not self._opening.acquire(blocking=self._live is None):
            return  # another thread is opening it; keep serving the old one
        try:
            if self._live is not None and pointer["app"] == self._app:
                return
            shards = ServeShards(pointer["app"], int(pointer["shards"]))
            parts = sharded_parts(shards, self.settings)
            encoders = [RemoteEncoder(self._encoder, i) for i in range(len(parts.specs))]
            fresh = Searcher(parts, self.settings, encoders=encoders)
            self._app, self._shards = pointer["app"], shards
            self.install(fresh)
            self.degraded = None
        except Exception as e:
            if self._live is None:
                raise
            self.degraded = f"cannot open {pointer['app']}: {e}; still serving {self._app}"
            log.exception("still serving %s", self._app)
        finally:
            self._opening.release()

    def cluster_health(self) -> dict:
        return self._shards.health() if self._shards else {}


# --- the driver ----------------------------------------------------------------
def deploy_shards(generation: Generation, settings: Settings) -> str:
    """Cut ``generation`` into ``settings.shards`` shards, run them, return their app."""
    root = split(generation, settings.shards)
    app = shards_app(generation.name, settings.shards)
    options = {"num_replicas": settings.shard_replicas,
               "ray_actor_options": {"num_cpus": settings.replica_cpus}}
    shards = [ShardServer.options(name=f"shard-{i}", **options).bind(str(root / str(i)), settings)
              for i in range(settings.shards)]
    serve.run(_Shards.bind(*shards), name=app, route_prefix=None)
    return app


@serve.deployment(num_replicas=1, ray_actor_options={"num_cpus": 0})
class _Shards:
    """The shard application's entry point (Serve needs one); holds the shard handles."""

    def __init__(self, *shards):
        self.shards = shards


def deploy_ingress(settings: Settings, manifest: dict) -> None:
    cpus = {"ray_actor_options": {"num_cpus": settings.replica_cpus}}
    encoder = QueryEncoder.options(name="encoder", **cpus).bind(settings, manifest)
    serve.run(Ingress.options(name="ingress", **cpus).bind(settings, encoder), name=APP,
              route_prefix="/")


def go_live(settings: Settings) -> Generation:
    """Check the live generation (`IndexDamaged` if it fails), deploy its
    shards and point the ingress at them; returns the generation."""
    root = IndexDir(settings.index_dir)
    generation = root.current()
    require_sound(generation, checksums=settings.open_check != "sizes")
    app = deploy_shards(generation, settings)
    write_serving(root.root, {"app": app, "generation": generation.name,
                              "shards": settings.shards})
    return generation


def check_room(settings: Settings) -> None:
    """Refuse a layout the cluster has not the CPUs for (Serve would wait for
    them for ever): every shard replica twice (a rollout runs the old and the
    new generation's side by side), the encoder and the ingress."""
    import ray

    cpus = settings.replica_cpus
    need = (2 * settings.shards * settings.shard_replicas + 2) * cpus
    have = ray.cluster_resources().get("CPU", 0.0)
    if need > have:
        raise ClusterError(
            f"{settings.shards} shards x {settings.shard_replicas} replicas need {need:g} CPUs "
            f"at {cpus:g} a replica (twice the shards during a rollout, plus the encoder and "
            f"the ingress); the cluster has {have:g}: use fewer --shards or --replicas, or a "
            "smaller NEWSEARCH_REPLICA_CPUS")


def serve_cluster(settings: Settings, address: str, host: str, port: int,
                  stop: threading.Event | None = None, poll_seconds: float = 2.0) -> None:
    """``newsearch serve --cluster``: serve the live generation on Ray Serve and
    roll each new generation out to all shards, until ``stop`` (or Ctrl-C)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())  # stop Serve, as on Ctrl-C
    connect(address)
    check_room(settings)
    serve.start(proxy_location="HeadOnly", http_options={"host": host, "port": port})
    root = IndexDir(settings.index_dir)
    live = go_live(settings)
    deploy_ingress(settings, live.manifest())
    log.info("serving %s on http://%s:%d/ (%d shards, %d replicas each)", live.name, host, port,
             settings.shards, settings.shard_replicas)
    retiring: list[tuple[float, str]] = []
    refused: set[str] = set()  # generations that could not go live: the old one serves on
    try:
        while not stop.wait(poll_seconds):
            name = root.pointed()
            if name != live.name and name not in refused:
                try:
                    fresh = go_live(settings)
                except Exception:
                    refused.add(name)
                    log.exception("%s cannot go live; still serving %s", name, live.name)
                    continue
                old, live = shards_app(live.name, settings.shards), fresh
                retiring.append((time.monotonic() + settings.drain_seconds, old))
                log.info("now serving %s; %s stops in %.0f s", live.name, old,
                         settings.drain_seconds)
            while retiring and retiring[0][0] <= time.monotonic():
                serve.delete(retiring.pop(0)[1])
    except KeyboardInterrupt:
        pass
    finally:
        serve.shutdown()
