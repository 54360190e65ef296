"""The request's searcher: one index generation for the whole request.

The first call in a request leases the live generation's searcher from the
app's `LiveSearcher`; it is released when the request ends, and the response
says which generation answered (header ``X-Index-Generation``).  `searched`
runs the site search a request asks for (`search.serving.site`) and logs it for the
search analytics.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from werkzeug.datastructures import MultiDict

from search.searcher import Searcher, SearchResponse
from search.serving.site import site_search

from .params import SearchParams, search_params

GENERATION_HEADER = "X-Index-Generation"


def searcher() -> Searcher:
    if "searcher" not in g:
        g.searcher = current_app.extensions["newsearch"].acquire()
    return g.searcher


def searched(args: MultiDict, facets: bool) -> tuple[SearchParams, SearchResponse]:
    """The site search the request's arguments ask for, logged for analytics."""
    params = search_params(args)
    response = site_search(
        searcher(), current_app.extensions["newsearch.editors"], params.q,
        correct=params.correct, mode=params.mode, page=params.page,
        size=params.size, filters=params.filters, sort=params.sort, facets=facets,
    )
    log = current_app.extensions["newsearch.analytics"]
    if log is not None and response.page == 1 and response.query:
        log.record_search(response.query, response.mode, response.total)
    return params, response


def register(app: Flask) -> None:
    @app.after_request
    def tag_generation(response):
        if "searcher" in g:
            response.headers[GENERATION_HEADER] = g.searcher.generation.name
        return response

    @app.teardown_request
    def release(exc):
        leased = g.pop("searcher", None)
        if leased is not None:
            current_app.extensions["newsearch"].release(leased)
