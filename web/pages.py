"""The site search page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .params import search_params
from .searching import searcher as current_searcher

bp = Blueprint("pages", __name__)

MODE_LABELS = {"hybrid": "Best match", "keyword": "Exact words", "semantic": "By meaning"}


@bp.get("/")
def search_page():
    params = search_params(request.args)
    response = None
    if params.q.strip():
        searcher = current_searcher()
        response = searcher.search(params.q, mode=params.mode, page=params.page, size=params.size)
    return render_template("search.html", params=params, response=response, modes=MODE_LABELS)
