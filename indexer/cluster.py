"""Indexing on a Ray cluster (the ``cluster`` extra: ``pip install 'newsearch[cluster]'``).

`runner` gives `indexer.build.build` (and `indexer.update.update`) a `Runner`
whose heavy stages run on the cluster; this process, the driver, still
deduplicates, stores and keyword-indexes the articles in the order they were
read, and writes the vectors, so the index is the one a local build writes.

* Reading: the driver lists and loads the source files and sends their bytes,
  a few files per task, to Ray tasks that parse them (`sources.parse_all`:
  format, extraction, language).  Their articles come back in file order, a
  bounded window of tasks in flight.  Workers need no access to the files.
* Encoding: each encoding unit (`build.encoding_units`) is one row of a Ray
  Dataset, mapped through a pool of embedder actors (`map_batches` with an
  `ActorPoolStrategy`), each loading the model once.  A unit is one encode()
  call, as in a local build, so its vectors are the same (encode() is not
  independent of how texts are batched: vectors would differ by ~3e-7).
  Rows come back in any order; they carry their passage ids and unit number
  and are put back in order before they reach the index.

Faults: a reading task lost with its node is retried (Ray task retries); an
embedder actor lost with its node is restarted by Ray Data (``max_restarts``)
where there is room, its units retried (``max_task_retries``).  Any other
failure (the model raises, no cluster at the address) is a `BuildError`: the
new generation is abandoned and the live index keeps serving.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from typing import Iterable, Iterator

import numpy as np

from newsearch.ray_cluster import ClusterError, first_line
from newsearch.ray_cluster import connect as connect_to
from search.article import Article
from search.models import threads
from search.models.embedder import Embedder

from .build import EMBED_CHUNK, BuildError, Encoded, Runner, Unit
from .readers import Skipped
from .records import FieldMap
from .sources import Loaded, loaded, parse_all

ACTOR_CPUS = 1  # each embedder actor runs its model on one core
TASK_BYTES = 4 * 2**20  # source bytes per parsing task (files are not split)
TASK_FILES = 64  # source files per parsing task, at most
TASKS_PER_CPU = 2  # parsing tasks in flight per cluster CPU


def runner(address: str, actors: int | None = None, chunk: int = EMBED_CHUNK,
           resources: dict[str, float] | None = None) -> Runner:
    """A `Runner` on the Ray cluster at ``address`` ("auto": a new one on this
    machine, for this process), with ``actors`` embedders (default: one per
    cluster CPU), each also taking ``resources`` (Ray custom resources, e.g. to
    pin them to some nodes), and encoding units of ``chunk`` passages."""
    connect(address)
    cluster = _Cluster(actors, resources or {})
    return Runner(read=cluster.read, encode=cluster.encode, chunk=chunk)


def connect(address: str) -> None:
    """Join the Ray cluster at ``address`` (`newsearch.ray_cluster.connect`)."""
    try:
        connect_to(address)
        import ray.data  # noqa: F401  (the extra's Ray Data)
    except (ClusterError, ImportError) as e:
        raise BuildError(str(e) if isinstance(e, ClusterError) else
                         "--cluster needs Ray: pip install 'newsearch[cluster]'") from e
    # The build shows its own progress: not Ray Data's reports of each dataset.
    logging.getLogger("ray.data").setLevel(logging.ERROR)


class _Cluster:
    """The two stages of a `Runner`, on the connected Ray cluster."""

    def __init__(self, actors: int | None, resources: dict[str, float]):
        self.actors = actors
        self.resources = resources

    def read(self, sources, fmt: str | None = None,
             fields: FieldMap | None = None) -> Iterator[Article | Skipped]:
        """As `sources.read_sources`, the files parsed by Ray tasks."""
        import ray

        parse = ray.remote(num_cpus=1)(_parse)
        window: deque = deque()
        with _failures():
            most = TASKS_PER_CPU * _cpus()
            for batch in _batches(loaded(sources)):
                window.append(parse.remote(batch, fmt, fields))
                if len(window) >= most:
                    yield from ray.get(window.popleft())
            while window:
                yield from ray.get(window.popleft())

    def encode(self, embedder: Embedder, units: Iterable[Unit]) -> Iterator[Encoded]:
        """As `build.encode_here`, the units encoded by a pool of embedder actors."""
        import pyarrow as pa
        import ray
        import ray.data

        refs = [ray.put(pa.table({"unit": [i], "pids": [pids], "texts": [texts]}))
                for i, (pids, texts) in enumerate(units)]
        if not refs:
            return
        data = ray.data.from_arrow_refs(refs)
        data.context.enable_progress_bars = False
        data.context.print_on_execution_start = False
        data.context.raise_original_map_exception = True  # the model's error, not Ray Data's
        size = min(len(refs), self.actors or max(1, _cpus() // ACTOR_CPUS))
        data = data.map_batches(_Embed, fn_constructor_args=(embedder,), batch_size=1,
                                batch_format="numpy", num_cpus=ACTOR_CPUS,
                                resources=self.resources or None,
                                compute=ray.data.ActorPoolStrategy(size=size))
        with _failures():
            rows = ((int(r["unit"]), (r["pids"], r["vectors"])) for r in data.iter_rows())
            yield from _in_order(rows)


class _Embed:
    """A Ray Data actor: one copy of the embedder, its model loaded once."""

    def __init__(self, embedder: Embedder):
        threads.limit(ACTOR_CPUS)
        self.embedder = embedder

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = np.empty(len(batch["texts"]), dtype=object)  # one (n, dim) array a unit
        vectors[:] = [self.embedder.encode([str(t) for t in texts]) for texts in batch["texts"]]
        return {"unit": batch["unit"], "pids": batch["pids"], "vectors": vectors}


def _parse(batch: list[Loaded | Skipped], fmt: str | None,
           fields: FieldMap | None) -> list[Article | Skipped]:
    """A Ray task: the articles of some loaded files, in order."""
    return list(parse_all(batch, fmt, fields))


def _batches(items: Iterable[Loaded | Skipped]) -> Iterator[list[Loaded | Skipped]]:
    """Consecutive files, grouped up to `TASK_BYTES` or `TASK_FILES` a group."""
    batch: list[Loaded | Skipped] = []
    size = 0
    for item in items:
        batch.append(item)
        size += 0 if isinstance(item, Skipped) else len(item[1])
        if size >= TASK_BYTES or len(batch) >= TASK_FILES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _in_order(items: Iterable[tuple[int, Encoded]]) -> Iterator[Encoded]:
    """The values of (number, value) pairs arriving in any order, by number from 0."""
    waiting: dict[int, Encoded] = {}
    expected = 0
    for number, value in items:
        waiting[number] = value
        while expected in waiting:
            yield waiting.pop(expected)
            expected += 1


def _cpus() -> int:
    import ray

    return max(1, int(ray.cluster_resources().get("CPU", 1)))


@contextlib.contextmanager
def _failures():
    """A failure on the cluster, as a `BuildError` of one line."""
    from ray.exceptions import RayError

    try:
        yield
    except RayError as e:
        raise BuildError("the cluster build failed, the live index is unchanged: "
                         f"{first_line(_cause(e))}") from e


def _cause(error: BaseException) -> BaseException:
    """The error under Ray's wrappers (a task's, Ray Data's)."""
    from ray.exceptions import RayError

    while isinstance(error, RayError):
        inner = getattr(error, "cause", None) or error.__cause__
        if inner is None:
            break
        error = inner
    return error
