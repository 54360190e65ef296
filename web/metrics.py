"""Prometheus metrics: request counts and latencies per endpoint, index state.

Served at ``/metrics`` in the Prometheus text format.  Each app has its own
registry; endpoints are labelled by their route name (unknown paths are
"unmatched"), so labels cannot grow with what clients send.  When several
server processes serve (`web.workers`), ``PROMETHEUS_MULTIPROC_DIR`` is set
before they start: each counts into its own files there and ``/metrics`` sums
every process's counts (the index gauges are the answering process's).
"""

from __future__ import annotations

import os

from flask import Blueprint, Response, current_app
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from search.serving.live import LiveSearcher

bp = Blueprint("metrics", __name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self, live: LiveSearcher):
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "newsearch_http_requests", "HTTP requests answered",
            ["endpoint", "method", "status"], registry=self.registry)
        self.latency = Histogram(
            "newsearch_http_request_duration_seconds", "Time to answer a request",
            ["endpoint"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.in_flight = Gauge(
            "newsearch_http_requests_in_flight", "Requests being answered",
            registry=self.registry, multiprocess_mode="livesum")
        self.index = _IndexCollector(live)
        self.registry.register(self.index)

    def exposed(self) -> CollectorRegistry:
        """What ``/metrics`` shows: this registry, or every server process's counts."""
        if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
            return self.registry
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(self.index)
        return registry

    def observe(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(endpoint, method, str(status)).inc()
        self.latency.labels(endpoint).observe(seconds)


class _IndexCollector:
    """The live index, read at scrape time."""

    def __init__(self, live: LiveSearcher):
        self.live = live

    def collect(self):
        open_ = GaugeMetricFamily("newsearch_index_open_generations",
                                  "Index generations with an open searcher")
        open_.add_metric([], len(self.live.open_generations()))
        yield open_
        swaps = GaugeMetricFamily("newsearch_index_swaps",
                                  "Times a new index generation was swapped in")
        swaps.add_metric([], self.live.swaps)
        yield swaps
        degraded = GaugeMetricFamily("newsearch_index_degraded",
                                     "1 while the live generation failed its check and an "
                                     "older one is served")
        degraded.add_metric([], int(self.live.degraded is not None))
        yield degraded
        yield CounterMetricFamily("newsearch_index_check_failures",
                                  "Index generations refused because they failed their check",
                                  value=self.live.check_failures)


@bp.get("/metrics")
def metrics():
    registry = current_app.extensions["newsearch.metrics"].exposed()
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
