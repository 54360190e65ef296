"""Structured request logs: one JSON object per line on stderr.

Each line has ``time``, ``method``, ``path`` (without the query string: queries
are readers' words and stay out of logs), ``status``, ``duration_ms``,
``mode`` (search requests), ``generation`` (the index generation that
answered), ``bytes`` and ``remote``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

from flask import Response, request

from search.searcher import MODES

log = logging.getLogger("newsearch.requests")


class JsonLines(logging.Formatter):
    """Formats a record whose message is a dict as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(record.msg, dict):
            return json.dumps(record.msg, ensure_ascii=False)
        return json.dumps({"time": _now(), "level": record.levelname.lower(),
                           "logger": record.name, "message": record.getMessage()})


def configure_logging() -> None:
    """Request logs as JSON lines on stderr; other logs as plain text."""
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False


def log_request(response: Response, seconds: float, generation: str | None) -> None:
    mode = request.args.get("mode") or ("hybrid" if "q" in request.args else None)
    log.info({
        "time": _now(),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 2),
        "mode": mode if mode in MODES else None,
        "generation": generation,
        "bytes": response.calculate_content_length(),
        "remote": request.remote_addr,
    })


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
