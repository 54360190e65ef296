"""The JSON API: search, suggestions, articles, related stories, clicks, health, OpenAPI."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from search.searcher import SearchError

from . import openapi
from .cors import allowed_origins, origin_allowed
from .params import bounded, flag
from .searching import searched
from .searching import searcher as current_searcher

bp = Blueprint("api", __name__)
MAX_BEACON_BYTES = 4096


@bp.get("/api/search")
def search():
    _, response = searched(request.args, flag(request.args, "facets", True))
    return jsonify(response.to_dict())


@bp.get("/api/suggest")
def suggest():
    q = request.args.get("q", "")
    limit = bounded(request.args, "limit", 8, 1, 20)
    if len(q) > 200:
        raise SearchError("query_too_long", "q is longer than 200 characters")
    return jsonify({"query": q, "suggestions": [s.to_dict() for s in current_searcher().suggest(q, limit)]})


@bp.post("/api/click")
def click():
    """The click beacon (``navigator.sendBeacon``): a reader opened the result at
    ``position`` of ``query``.  Counted, nothing else; from this site's pages or
    an allowed origin's."""
    if not origin_allowed(allowed_origins(current_app.extensions["newsearch.settings"])):
        raise Forbidden("Clicks are counted from this site and its allowed origins only.")
    raw = request.get_data() if (request.content_length or 0) <= MAX_BEACON_BYTES else b""
    try:
        data = json.loads(raw) if 0 < len(raw) <= MAX_BEACON_BYTES else None
    except ValueError:
        data = None
    if not (isinstance(data, dict) and isinstance(data.get("query"), str)
            and isinstance(data.get("id"), str) and isinstance(data.get("position"), int)
            and not isinstance(data.get("position"), bool)
            and 1 <= data["position"] <= current_app.extensions["newsearch.settings"].max_results):
        raise BadRequest("A click is {\"query\": str, \"id\": str, \"position\": int >= 1}.")
    log = current_app.extensions["newsearch.analytics"]
    if log is not None:
        log.record_click(data["query"], data["id"], data["position"])
    return "", 204


@bp.get("/api/articles/<article_id:article_id>")
def article(article_id: str):
    found = current_searcher().article(article_id)
    if found is None:
        raise NotFound(f"no article with id {article_id!r}")
    record = found.to_dict()
    record.pop("source", None)  # a path on the indexing machine
    return jsonify(record)


@bp.get("/api/related/<article_id:article_id>")
def related(article_id: str):
    limit = bounded(request.args, "limit", 5, 1, 20)
    found = current_searcher().related(article_id, limit)
    if found is None:
        raise NotFound(f"no article with id {article_id!r}")
    return jsonify(found.to_dict())


@bp.get("/api/openapi.json")
def openapi_document():
    return jsonify(openapi.document(current_app.extensions["newsearch.settings"]))


@bp.get("/healthz")
def healthz():
    searcher = current_searcher()
    degraded = current_app.extensions["newsearch"].degraded
    body = {"status": "degraded" if degraded else "ok", "generation": searcher.generation.name,
            "articles": searcher.article_count}
    if degraded:
        body["reason"] = degraded
    cluster = getattr(current_app.extensions["newsearch"], "cluster_health", None)
    if cluster is not None:  # served by Ray Serve (web.cluster): shards and replicas
        body["cluster"] = cluster()
    return jsonify(body)
