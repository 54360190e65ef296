"""Running the app under waitress, a production WSGI server, with graceful shutdown.

On SIGTERM (or SIGINT) the server stops accepting connections, lets requests
already received finish and their responses go out (up to
``Settings.shutdown_timeout`` seconds), closes idle keep-alive connections and
returns, so the process exits 0.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import tempfile
import threading
import time

from flask import Flask
from waitress import create_server, wasyncore

from indexer.merge import MergeTrigger
from search.config import Settings
from search.index.layout import IndexDir
from search.models import threads

from . import create_app, workers
from .requestlog import configure_logging

log = logging.getLogger("newsearch")

POLL_SECONDS = 0.25  # how often the event loop checks for a stop request


class GracefulServer:
    """A waitress server that `run`s until `stop` is called, then drains."""

    def __init__(self, app: Flask, settings: Settings, host: str = "127.0.0.1", port: int = 8000,
                 sock: socket.socket | None = None, seat: workers.Seat | None = None):
        """Listens on ``host``:``port``, or on ``sock`` if given (a bound
        socket shared with other workers, who balance connections by ``seat``)."""
        self.settings = settings
        self.seat = seat
        self._stop = threading.Event()
        where = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
        self._server = create_server(
            app, **where, threads=settings.threads,
            connection_limit=settings.connection_limit, backlog=settings.backlog,
            channel_timeout=settings.channel_timeout,
            max_request_header_size=settings.max_request_header_size,
            max_request_body_size=settings.push_max_request_mb << 20, asyncore_use_poll=True, ident="newsearch",
        )
        if seat is not None:
            seat.admits(0)  # from now on the others leave new connections to this one
            # The event loop asks the listener whether to accept before each poll.
            readable = self._server.readable
            self._server.readable = lambda: readable() and seat.admits(
                len(self._server.active_channels))

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def stop(self, *_signal) -> None:
        """Ask `run` to stop (safe from signal handlers and other threads)."""
        self._stop.set()

    def run_until_terminated(self) -> None:
        """`run` in the main thread until SIGTERM or SIGINT."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.run()

    def run(self) -> None:
        srv = self._server
        while not self._stop.is_set():
            wasyncore.loop(timeout=POLL_SECONDS, map=srv._map, use_poll=True, count=1)
        self._drain()

    def _drain(self) -> None:
        srv = self._server
        if self.seat is not None:
            self.seat.leave()
        wasyncore.dispatcher.close(srv)  # stop listening: new connections are refused
        deadline = time.monotonic() + self.settings.shutdown_timeout
        busy = self._close_idle()
        if busy:
            log.info("shutting down: finishing %d in-flight request(s)", busy)
        while (busy or srv.active_channels) and time.monotonic() < deadline:
            wasyncore.loop(timeout=0.05, map=srv._map, use_poll=True, count=1)
            busy = self._close_idle()
        if busy:
            log.warning("shutdown timeout: %d request(s) cut off", busy)
        srv.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
        wasyncore.close_all(srv._map)

    def _close_idle(self) -> int:
        """Close connections with nothing in flight; the number still busy."""
        busy = 0
        for channel in list(self._server.active_channels.values()):
            if channel.requests or channel.total_outbufs_len or channel.request is not None:
                busy += 1
            else:
                channel.will_close = True
        return busy


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve until SIGTERM/SIGINT in ``Settings.workers`` processes (`web.workers`);
    the index and model load before the first request."""
    configure_logging()
    count = workers.count(settings.workers)
    if count == 1:
        _serve_app(settings, host, port)
        return
    IndexDir(settings.index_dir).current()  # fail fast if there is no index
    _preload(settings)
    sock = workers.listen(host, port, settings.backlog)
    log.info("serving on http://%s:%d/ with %d processes of %d threads", host,
             sock.getsockname()[1], count, settings.threads)
    with tempfile.TemporaryDirectory(prefix="newsearch-metrics-") as counts:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = counts  # /metrics sums the processes
        status = workers.Supervisor(
            sock, count, lambda s, seat: _serve_app(settings, host, port, s, seat),
            _forget_process).run()
    log.info("stopped")
    if status:
        raise SystemExit(status)


def _preload(settings: Settings) -> None:
    """Import the large libraries before forking, without starting threads or
    loading the model: the workers share those pages (the processes' PSS at 19k
    articles: 630 MB instead of 800)."""
    threads.limit(settings.request_threads)  # imports numpy, faiss and torch
    import onnxruntime  # noqa: F401
    from transformers import AutoTokenizer  # noqa: F401

    gc.freeze()


def _forget_process(pid: int) -> None:
    """Drop an exited process's in-flight gauge from /metrics (`web.metrics`)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)


def _serve_app(settings: Settings, host: str, port: int, sock: socket.socket | None = None,
               seat: workers.Seat | None = None) -> int:
    """One server process: load the app, serve until SIGTERM/SIGINT, drain."""
    threads.limit(settings.request_threads)
    app = create_app(settings)
    live = app.extensions["newsearch"]
    with live.searching() as searcher:  # fail fast if there is no index
        searcher.embedder.encode(["warm up"])
        # What is loaded stays: the collector need not walk it again (a full
        # collection took 60-90 ms at 19k articles, a pause for every request
        # in flight), and the pages forked from the parent stay shared.
        gc.freeze()
        server = GracefulServer(app, settings, host, port, sock, seat)
        log.info("process %d serving %s (%d articles) on http://%s:%d/ with %d threads",
                 os.getpid(), searcher.generation.name, searcher.article_count, host, port,
                 settings.threads)
    merging = MergeTrigger(settings, live).start()  # folds pushed changes in, in a child process
    server.run_until_terminated()
    merging.stop()
    live.close()
    log.info("process %d stopped", os.getpid())
    return 0
