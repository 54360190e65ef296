"""Operations: metrics, structured request logs, security headers, graceful shutdown."""

import http.client
import json
import logging
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from html.parser import HTMLParser

import pytest
from prometheus_client.parser import text_string_to_metric_families

from web.security import HEADERS


def samples(text):
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_count_requests_and_latency_per_endpoint(client):
    for _ in range(3):
        client.get("/api/search?q=president&mode=keyword")
    client.get("/api/search?q=x&mode=nope")
    client.get("/no/such/page")
    r = client.get("/metrics")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    got = samples(r.get_data(as_text=True))
    key = lambda name, **labels: (name, tuple(sorted(labels.items())))  # noqa: E731
    assert got[key("newsearch_http_requests_total", endpoint="api.search", method="GET",
                   status="200")] >= 3
    assert got[key("newsearch_http_requests_total", endpoint="api.search", method="GET",
                   status="400")] >= 1
    assert got[key("newsearch_http_requests_total", endpoint="unmatched", method="GET",
                   status="404")] >= 1
    count = got[key("newsearch_http_request_duration_seconds_count", endpoint="api.search")]
    assert count >= 4
    assert got[key("newsearch_http_request_duration_seconds_bucket", endpoint="api.search",
                   le="+Inf")] == count
    assert got[key("newsearch_index_open_generations")] >= 1


def test_request_log_is_one_json_object_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="newsearch.requests"):
        client.get("/api/search?q=secret+words&mode=semantic")
        client.get("/?q=x&size=5000")
    first, second = (json.loads(r.getMessage()) if isinstance(r.msg, str)
                     else r.msg for r in caplog.records[-2:])
    assert first["method"] == "GET" and first["path"] == "/api/search"
    assert first["status"] == 200 and first["mode"] == "semantic"
    assert first["duration_ms"] > 0 and first["generation"] == "gen-000001"
    assert "secret" not in json.dumps(first)  # queries stay out of logs
    assert second["status"] == 400 and second["path"] == "/"


class _Markup(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.inline = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "style" or (tag == "script" and "src" not in names):
            self.inline.append(tag)
        self.inline += [f"{tag}[{n}]" for n in names if n == "style" or n.startswith("on")]


@pytest.mark.parametrize("path", ["/", "/?q=president", "/?q=x&page=0", "/api/search?q=israel",
                                  "/api/nothing", "/healthz", "/metrics", "/static/site.css"])
def test_every_response_carries_security_headers(client, path):
    r = client.get(path)
    for name, value in HEADERS.items():
        assert r.headers.get(name) == value, (path, name)
    csp = r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    if r.mimetype == "text/html":
        parser = _Markup()
        parser.feed(r.get_data(as_text=True))
        assert parser.inline == [], path


SLOW_APP = textwrap.dedent("""
    import sys, time
    from search import Settings
    from web import create_app
    from web.requestlog import configure_logging
    from web.serve import GracefulServer

    configure_logging()
    settings = Settings(index_dir=sys.argv[1], shutdown_timeout=10)
    app = create_app(settings)
    app.add_url_rule("/slow", "slow", lambda: (time.sleep(2), "done")[1])
    server = GracefulServer(app, settings, "127.0.0.1", 0)
    print(server.port, flush=True)
    server.run_until_terminated()
    print("exited cleanly", flush=True)
""")


def test_sigterm_finishes_in_flight_requests_then_exits_0(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", SLOW_APP, str(tmp_path / "none")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        idle = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        idle.request("GET", "/static/site.css")
        assert idle.getresponse().read()  # a keep-alive connection, now idle
        answers = []

        def slow():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            conn.request("GET", "/slow")
            r = conn.getresponse()
            answers.append((r.status, r.read()))

        in_flight = threading.Thread(target=slow)
        in_flight.start()
        time.sleep(0.7)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.6)
        with pytest.raises(OSError):  # no longer accepting
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        in_flight.join(timeout=20)
        assert answers == [(200, b"done")]
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "exited cleanly" in out
    logged = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert {"path": "/slow", "status": 200} == {k: logged[-1][k] for k in ("path", "status")}
