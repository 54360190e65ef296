"""The JSON API: search, suggestions, articles, related stories, health, OpenAPI."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import NotFound

from search.searcher import SearchError

from . import openapi
from .params import bounded, flag, search_params
from .searching import searcher as current_searcher

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    params = search_params(request.args)
    response = current_searcher().search(
        params.q, mode=params.mode, page=params.page, size=params.size, filters=params.filters,
        sort=params.sort, facets=flag(request.args, "facets", True),
    )
    return jsonify(response.to_dict())


@bp.get("/api/suggest")
def suggest():
    q = request.args.get("q", "")
    limit = bounded(request.args, "limit", 8, 1, 20)
    if len(q) > 200:
        raise SearchError("query_too_long", "q is longer than 200 characters")
    return jsonify({"query": q, "suggestions": [s.to_dict() for s in current_searcher().suggest(q, limit)]})


@bp.get("/api/articles/<path:article_id>")
def article(article_id: str):
    found = current_searcher().article(article_id)
    if found is None:
        raise NotFound(f"no article with id {article_id!r}")
    record = found.to_dict()
    record.pop("source", None)  # a path on the indexing machine
    return jsonify(record)


@bp.get("/api/related/<path:article_id>")
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
    return jsonify(body)
