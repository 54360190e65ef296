"""`newsearch serve` with several processes: same answers as in process, clean shutdown."""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from urllib.parse import urlencode

from web.workers import Balance

from .conftest import ROOT

QUERIES = ["Israel Hezbollah", "football match", "election president", "\"green light\" -Politico"]


def test_processes_answer_as_the_searcher_does_and_stop_on_sigterm(newsroom_index, newsroom):
    server, log, port = _start(newsroom_index)
    try:
        for q in QUERIES:
            for mode in ("keyword", "semantic", "hybrid"):
                conn = _connect(port)  # a new connection: any process may take it
                conn.request("GET", "/api/search?" + urlencode({"q": q, "mode": mode}))
                response = conn.getresponse()
                assert response.status == 200
                served = json.loads(response.read())
                expected = newsroom.search(q, mode=mode, facets=True).to_dict()
                ids = [r["id"] for r in served["results"]]
                assert ids == [r["id"] for r in expected["results"]]
                assert served["total"] == expected["total"]
                assert served["facets"] == expected["facets"]
                conn.close()
        conn = _connect(port)
        conn.request("GET", "/metrics")
        counted = re.search(r'newsearch_http_requests_total\{endpoint="api.search",method="GET",'
                            r'status="200"\} (\S+)', conn.getresponse().read().decode())
        assert float(counted.group(1)) == len(QUERIES) * 3  # every process's requests
    finally:
        server.send_signal(signal.SIGTERM)
        rest = server.communicate(timeout=60)[1]
    text = "".join(log) + rest
    assert server.returncode == 0, text
    assert len(set(re.findall(r"process (\d+) serving", text))) == 2
    assert len(set(re.findall(r"process (\d+) stopped", text))) == 2


def test_a_burst_of_keep_alive_connections_is_shared_between_the_processes(newsroom_index):
    server, log, port = _start(newsroom_index)
    try:
        conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for _ in range(10)]
        for conn in conns:  # connect all at once, as a proxy's pool or wrk does
            conn.connect()
        for conn in conns:  # an answer on each: every connection has been accepted
            conn.request("GET", "/healthz")
            assert conn.getresponse().read()
        held = [_client_connections(pid, port) for pid in _children(server.pid)]
        assert sorted(held) == [5, 5], held
    finally:
        for conn in conns:
            conn.close()
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)
    assert server.returncode == 0


def test_only_the_processes_with_fewest_connections_accept():
    balance = Balance(3)
    a, b, c = (balance.seat(i) for i in range(3))
    assert a.admits(0)  # the others are still starting: they do not count
    assert b.admits(0) and not a.admits(1)
    assert c.admits(2) is False and b.admits(1) and a.admits(1)
    b.leave()  # stopping, or gone: the others no longer wait for it
    assert a.admits(1) and not c.admits(2)


def _start(index) -> tuple[subprocess.Popen, list[str], int]:
    """A `newsearch serve` of 2 processes on a free port, once both serve, and its log so far."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "newsearch", "serve", "--index-dir", str(index),
         "--port", "0", "--workers", "2", "--threads", "2"],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    while len(re.findall(r"process \d+ serving", "".join(log))) < 2:
        log.append(server.stderr.readline())
        assert log[-1], "".join(log)
    return server, log, int(re.search(r"serving on http://127\.0\.0\.1:(\d+)/", "".join(log))[1])


def _children(pid: int) -> list[int]:
    return [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]


def _client_connections(pid: int, port: int) -> int:
    """Connections to ``port`` that process ``pid`` holds open (from /proc)."""
    inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1] for fd in os.listdir(f"/proc/{pid}/fd")
              if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:[")}
    held = 0
    for line in open(f"/proc/{pid}/net/tcp").read().splitlines()[1:]:
        fields = line.split()
        local_port, state, inode = int(fields[1].split(":")[1], 16), fields[3], fields[9]
        held += local_port == port and state == "01" and inode in inodes  # 01: established
    return held


def _connect(port: int) -> http.client.HTTPConnection:
    """A connection once a worker answers (the socket listens before they have loaded)."""
    deadline = time.monotonic() + 120
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().read():
                return conn
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
