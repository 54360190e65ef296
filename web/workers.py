"""Several server processes on one listening socket (pre-fork), connections balanced.

One Python process runs one search at a time per interpreter lock; with more
cores than that, `serve` forks `Settings.workers` processes.  The parent binds
the socket, then forks the workers; each loads its own app (model and
searcher: the index files are memory-mapped, so their pages are shared
through the page cache) and serves the inherited socket with waitress
(`web.serve.GracefulServer`).  Left to itself, the kernel hands a burst of new
connections to whichever worker wakes first (measured: 15 of 16 keep-alive
connections on one worker, the other idle), so the workers share their
connection counts (`Balance`) and only those with the fewest accept: "least
connections", as a load balancer would.  A worker that dies is replaced, unless it dies within
`MIN_LIFE_SECONDS` of its start (then it would only fail again: the server
stops).  On SIGTERM or SIGINT the parent stops listening, passes the signal on
(each worker finishes its requests and exits) and exits 0 when every worker
did.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import time
from multiprocessing.sharedctypes import RawArray
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


class Balance:
    """Each worker's open connections, in memory the forked workers share."""

    AWAY = 1 << 62  # the count of a worker not accepting (starting, stopping, gone)

    def __init__(self, workers: int):
        self._counts = RawArray(ctypes.c_int64, [self.AWAY] * workers)

    def seat(self, slot: int) -> "Seat":
        return Seat(self._counts, slot)


class Seat:
    """One worker's place in a `Balance`."""

    def __init__(self, counts, slot: int):
        self._counts = counts
        self.slot = slot

    def admits(self, connections: int) -> bool:
        """Record that this worker has ``connections``; True if it has no more
        than any other worker (so it should accept the next one)."""
        self._counts[self.slot] = connections
        return connections <= min(self._counts)

    def leave(self) -> None:
        """This worker accepts no more: the others stop waiting for it."""
        self._counts[self.slot] = Balance.AWAY


class Supervisor:
    """Forks ``workers`` processes running ``work(sock, seat)`` and keeps them running."""

    def __init__(self, sock: socket.socket, workers: int,
                 work: Callable[[socket.socket, Seat], int],
                 exited: Callable[[int], None] = lambda pid: None):
        """``exited(pid)`` is called when a worker has exited."""
        self.sock = sock
        self.workers = workers
        self.work = work
        self.exited = exited
        self.balance = Balance(workers)
        self.children: dict[int, tuple[float, int]] = {}  # pid -> (when it started, slot)
        self.stopping = False

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT; 0 if every worker then exited cleanly."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        for slot in range(self.workers):
            self._fork(slot)
        status = 0
        while self.children:
            pid, code = os.wait()
            code = os.waitstatus_to_exitcode(code)
            started, slot = self.children.pop(pid)
            lived = time.monotonic() - started
            self.balance.seat(slot).leave()
            self.exited(pid)
            if self.stopping:
                status = status or code
            elif lived < MIN_LIFE_SECONDS:  # failing at start: replacing it would loop
                log.error("worker %d exited (%d) while starting; stopping", pid, code)
                status = code or 1
                self.stop(signal.SIGTERM)
            else:
                log.error("worker %d exited (%d); starting another", pid, code)
                self._fork(slot)
        return status

    def stop(self, signum: int, _frame=None) -> None:
        if not self.stopping:
            self.stopping = True
            self.sock.close()  # the workers' copies close as they drain: then it is refused
            for pid in self.children:
                os.kill(pid, signum)

    def _fork(self, slot: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                code = self.work(self.sock, self.balance.seat(slot))
            except BaseException:
                log.exception("worker %d failed", os.getpid())
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = (time.monotonic(), slot)
