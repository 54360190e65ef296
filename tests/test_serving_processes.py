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

from .conftest import ROOT

QUERIES = ["Israel Hezbollah", "football match", "election president", "\"green light\" -Politico"]


def test_processes_answer_as_the_searcher_does_and_stop_on_sigterm(newsroom_index, newsroom):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "newsearch", "serve", "--index-dir", str(newsroom_index),
         "--port", "0", "--workers", "2", "--threads", "2"],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    log = []
    try:
        while not any("serving on" in line for line in log):
            log.append(server.stderr.readline())
            assert log[-1], "".join(log)
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", log[-1]).group(1))
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
