"""`LiveSearcher`: always searches the live generation of an index directory.

Callers lease a searcher for the duration of one request (`acquire`/`release`,
or ``with live.searching() as s``), so a request runs entirely on one
generation.  When a build publishes a new generation, the first caller to
notice opens it (sharing the loaded model) while the others keep using the old
one; from then on new leases get the new generation, and the old searcher is
closed when its last lease is released.  A searcher holds its generation's
files against pruning (`Generation.hold`) until it is closed.

A generation is checked before it is served (`search.index.integrity`, as deep as
``Settings.open_check``), then warmed (`Searcher.warm`: models, vocabulary,
postings and vectors loaded) by the thread that opens it, while the others
keep serving the old one.  One that fails its check is never served and never
retried (a published generation's files do not change): the old one keeps
serving, or at start the newest older generation that passes is served
instead, and `degraded` says why.  If a new generation cannot be opened for
another reason, the old one keeps serving and opening is retried after
`RETRY_SECONDS`.

Near-real-time: the changes pushed into the index directory's write-ahead
log since the generation was written are applied over it (`nrt.Tail`): a
request first checks (two stats) whether the log grew and, if no other
thread is at it, applies the new records and serves a searcher that sees
them; a background thread does the same every ``nrt_poll_seconds``, so
a process that is not asked still follows.  A new generation is served
together with the log's records after it, never without them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from pathlib import Path
from typing import Iterator

from search.config import Settings
from search.index.integrity import IndexDamaged, require_sound
from search.index.layout import Generation, IndexDir, IndexNotFound
from search.index.storage import describe
from search.models.embedder import Embedder
from search.searcher import Searcher
from search.serving.nrt import Tail

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


class LiveSearcher:
    # Serves the write-ahead log's changes over the live generation (`Tail`).
    follows_log = True

    def __init__(self, settings: Settings, index_dir: Path | None = None,
                 embedder: Embedder | None = None):
        self.settings = settings
        self.layout = IndexDir(index_dir or settings.index_dir)
        self._embedder = embedder
        self._live: Searcher | None = None
        self._leases: dict[Searcher, int] = {}  # open searchers -> requests using them
        self._lock = threading.Lock()  # guards _live and _leases
        self._opening = threading.Lock()  # one thread opens a new generation
        self._failed: tuple[str, float] | None = None  # (generation, when) that failed to open
        self._damaged: dict[str, str] = {}  # generations that failed their check -> why
        self.swaps = 0
        self.check_failures = 0  # generations refused because they failed their check
        self.degraded: str | None = None  # why the generation served is not the live one
        self._tail: Tail | None = None  # the write-ahead log followed over the live generation
        self._tailing = threading.Lock()  # one thread applies the log's records
        self._poller: threading.Thread | None = None
        self._closed = threading.Event()

    def acquire(self) -> Searcher:
        """Lease the live generation's searcher (raises `IndexNotFound` if none);
        hand it back with `release`."""
        self._refresh()
        self._catch_up(wait=False)
        self._poll()
        with self._lock:
            searcher = self._live
            if searcher is None:
                raise IndexNotFound(f"no index at {self.layout.root}")
            self._leases[searcher] += 1
            return searcher

    def release(self, searcher: Searcher) -> None:
        with self._lock:
            self._leases[searcher] -= 1
            retired = searcher is not self._live and self._leases[searcher] == 0
            if retired:
                del self._leases[searcher]
        if retired:
            searcher.close()

    @contextlib.contextmanager
    def searching(self) -> Iterator[Searcher]:
        searcher = self.acquire()
        try:
            yield searcher
        finally:
            self.release(searcher)

    def open_generations(self) -> list[str]:
        """Generations with an open searcher: the live one and any still finishing requests."""
        with self._lock:
            return sorted(s.generation.name for s in self._leases)

    def close(self) -> None:
        """Close every searcher no request is using (call when shutting down)."""
        self._closed.set()
        with self._tailing:
            tail, self._tail = self._tail, None
        if tail is not None:
            tail.close()
        with self._lock:
            idle = [s for s, n in self._leases.items() if n == 0]
            for s in idle:
                del self._leases[s]
            if self._live in idle:
                self._live = None
        for s in idle:
            s.close()

    def _refresh(self) -> None:
        """Swap in the generation ``CURRENT`` names if it is not the live one."""
        live = self._live
        try:
            name = self.layout.pointed()
        except IndexNotFound:
            if live is None:
                raise
            return  # the pointer vanished: keep serving what we have
        if live is not None and (live.generation.name == name or name in self._damaged):
            return
        # With a live searcher, never wait: another thread is opening it already.
        if not self._opening.acquire(blocking=live is None):
            return
        try:
            live = self._live
            if live is not None and (live.generation.name == name or name in self._damaged):
                return
            if (live is not None and self._failed and self._failed[0] == name
                    and time.monotonic() - self._failed[1] < RETRY_SECONDS):
                return
            fresh = self._open_newest(name, live)
            if fresh is None:
                return
            self._embedder = fresh.embedder
            with self._tailing:
                tail = Tail(fresh, self.layout.root)
                tail.catch_up()  # the log's records after the generation come with it
                old_tail, self._tail = self._tail, tail
                self.install(tail.searcher())
            if old_tail is not None:
                old_tail.close()
        finally:
            self._opening.release()

    def _catch_up(self, wait: bool) -> None:
        """Serve the write-ahead log's new records, if any (``wait``: for
        another thread applying them to be done)."""
        tail = self._tail
        if tail is None or not tail.changed():
            return
        if not self._tailing.acquire(blocking=wait):
            return
        try:
            tail = self._tail
            if tail is not None and tail.catch_up():
                self.install(tail.searcher(), swap=False)
        except Exception:
            log.exception("cannot apply the write-ahead log of %s", self.layout.root)
        finally:
            self._tailing.release()

    def catch_up(self) -> None:
        """Serve every record in the log now (after this process appended some)."""
        self._catch_up(wait=True)

    def delta(self) -> tuple[int, float, int]:
        """(records applied over the live generation, when the oldest was
        appended, the last sequence number applied)."""
        tail = self._tail
        if tail is None:
            return 0, 0.0, 0
        return tail.delta.records, tail.delta.oldest, tail.delta.seq

    def _poll(self) -> None:
        """Start the thread that follows the log (once, in the serving process)."""
        every = self.settings.nrt_poll_seconds
        if self._poller is not None or every <= 0 or self._closed.is_set() or self._tail is None:
            return
        with self._lock:
            if self._poller is not None:
                return
            self._poller = threading.Thread(target=self._follow, args=(every,),
                                            name="newsearch-nrt", daemon=True)
        self._poller.start()

    def _follow(self, every: float) -> None:
        while not self._closed.wait(every):
            try:
                self._refresh()
                self._catch_up(wait=True)
            except Exception:
                log.exception("following %s", self.layout.root)

    def install(self, fresh: Searcher, swap: bool = True) -> None:
        """Serve ``fresh`` from the next lease on; the searcher it replaces is
        closed when its last request is done (``swap``: a new generation,
        counted in `swaps`, not the same one with more of the log)."""
        with self._lock:
            old, self._live = self._live, fresh
            self._leases[fresh] = 0
            idle = old is not None and self._leases[old] == 0
            if idle:
                del self._leases[old]
            self.swaps += old is not None and swap
        if idle:
            old.close()
        if swap:
            log.info("now serving %s (%d articles)", fresh.generation.name, fresh.article_count)

    def _open_newest(self, name: str, live: Searcher | None) -> Searcher | None:
        """A searcher of generation ``name``; failing that, with nothing live,
        of the newest older generation that passes its check."""
        candidates = [Generation(self.layout.root / name)]
        if live is None:
            candidates += self.layout.older(name)
        reasons = []
        for gen in candidates:
            try:
                fresh = self._open(gen)
            except IndexDamaged as e:
                self._damaged[gen.name] = e.report.summary()
                self.check_failures += 1
                reasons.append(e.report.summary())
                log.error("refusing %s", e.report.summary())
            except Exception as e:
                if gen.name == name:
                    self._failed = (name, time.monotonic())
                reasons.append(f"cannot open {gen.name}: {describe(e)}")
                log.exception("cannot open %s", gen.name)
            else:
                self.degraded = f"{reasons[0]}; serving {gen.name}" if reasons else None
                return fresh
        if live is None:
            raise IndexNotFound(f"no sound index generation in {self.layout.root}: "
                                + "; ".join(reasons))
        self.degraded = f"{reasons[0]}; still serving {live.generation.name}"
        log.error("still serving %s", live.generation.name)
        return None

    def _open(self, gen: Generation) -> Searcher:
        """Check ``gen`` (`IndexDamaged` if it fails), then open it."""
        if not gen.path.is_dir():
            raise IndexNotFound(f"generation {gen.name} is gone")
        try:
            hold = gen.hold()  # no pruning while it is checked
        except IndexNotFound:
            hold = None  # its manifest is missing: the check reports it
        try:
            require_sound(gen, checksums=self.settings.open_check != "sizes")
            searcher = Searcher(gen, self.settings, self._embedder)
            try:
                log.info("%s warmed in %.2fs", gen.name, searcher.warm())  # before any request
            except BaseException:
                searcher.close()
                raise
            return searcher
        finally:
            if hold is not None:
                hold.release()
