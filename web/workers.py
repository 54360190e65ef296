"""Several server processes on one listening socket (pre-fork).

One Python process runs one search at a time per interpreter lock; with more
cores than that, `serve` forks `Settings.workers` processes.  The parent binds
the socket, then forks the workers; each loads its own app (model and
searcher: the index files are memory-mapped, so their pages are shared
through the page cache) and serves the inherited socket with waitress
(`web.serve.GracefulServer`); the kernel hands each new connection to one of
them.  A worker that dies is replaced, unless it dies within
`MIN_LIFE_SECONDS` of its start (then it would only fail again: the server
stops).  On SIGTERM or SIGINT the parent stops listening, passes the signal on
(each worker finishes its requests and exits) and exits 0 when every worker
did.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from typing import Callable

log = logging.getLogger("newsearch")

MIN_LIFE_SECONDS = 10.0  # a worker exiting sooner is not replaced


def count(workers: int) -> int:
    """``workers``, or one per CPU core this process may run on when 0."""
    return workers if workers > 0 else len(os.sched_getaffinity(0))


def listen(host: str, port: int, backlog: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.setblocking(False)
    return sock


class Supervisor:
    """Forks ``workers`` processes running ``work(sock)`` and keeps them running."""

    def __init__(self, sock: socket.socket, workers: int, work: Callable[[socket.socket], int],
                 exited: Callable[[int], None] = lambda pid: None):
        """``exited(pid)`` is called when a worker has exited."""
        self.sock = sock
        self.workers = workers
        self.work = work
        self.exited = exited
        self.children: dict[int, float] = {}  # pid -> when it started
        self.stopping = False

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT; 0 if every worker then exited cleanly."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        for _ in range(self.workers):
            self._fork()
        status = 0
        while self.children:
            pid, code = os.wait()
            code = os.waitstatus_to_exitcode(code)
            lived = time.monotonic() - self.children.pop(pid)
            self.exited(pid)
            if self.stopping:
                status = status or code
            elif lived < MIN_LIFE_SECONDS:  # failing at start: replacing it would loop
                log.error("worker %d exited (%d) while starting; stopping", pid, code)
                status = code or 1
                self.stop(signal.SIGTERM)
            else:
                log.error("worker %d exited (%d); starting another", pid, code)
                self._fork()
        return status

    def stop(self, signum: int, _frame=None) -> None:
        if not self.stopping:
            self.stopping = True
            self.sock.close()  # the workers' copies close as they drain: then it is refused
            for pid in self.children:
                os.kill(pid, signum)

    def _fork(self) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                code = self.work(self.sock)
            except BaseException:
                log.exception("worker %d failed", os.getpid())
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = time.monotonic()
