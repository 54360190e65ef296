"""The request's searcher: one index generation for the whole request.

The first call in a request leases the live generation's searcher from the
app's `LiveSearcher`; it is released when the request ends, and the response
says which generation answered (header ``X-Index-Generation``).
"""

from __future__ import annotations

from flask import Flask, current_app, g

from search.searcher import Searcher

GENERATION_HEADER = "X-Index-Generation"


def searcher() -> Searcher:
    if "searcher" not in g:
        g.searcher = current_app.extensions["newsearch"].acquire()
    return g.searcher


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
