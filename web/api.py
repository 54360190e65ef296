"""The JSON API: /api/search and /healthz."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from .params import search_params
from .searching import searcher as current_searcher

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    params = search_params(request.args)
    searcher = current_searcher()
    response = searcher.search(params.q, mode=params.mode, page=params.page, size=params.size)
    return jsonify(response.to_dict())


@bp.get("/healthz")
def healthz():
    searcher = current_searcher()
    return jsonify({"status": "ok", "generation": searcher.generation.name,
                    "articles": searcher.article_count})
