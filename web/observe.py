"""Per-request hooks feeding the metrics and the request log."""

from __future__ import annotations

import time

from flask import Flask, g, request

from .metrics import Metrics
from .requestlog import log_request


def register(app: Flask) -> None:
    metrics = app.extensions["newsearch.metrics"] = Metrics(app.extensions["newsearch"])

    @app.before_request
    def start():
        g.started = time.perf_counter()
        metrics.in_flight.inc()

    @app.after_request
    def record(response):
        seconds = time.perf_counter() - g.get("started", time.perf_counter())
        endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
        metrics.observe(endpoint, request.method, response.status_code, seconds)
        searcher = g.get("searcher")
        log_request(response, seconds, searcher.generation.name if searcher else None)
        return response

    @app.teardown_request
    def finish(exc):
        if "started" in g:
            metrics.in_flight.dec()
