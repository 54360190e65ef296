"""Errors as JSON for the API and as a page for the site; never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search import IndexNotFound, SearchError

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def respond(status: int, code: str, message: str):
    if _wants_json():
        return jsonify({"error": {"code": code, "message": message}}), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(SearchError)
    def bad_request(e: SearchError):
        return respond(400, e.code, e.message)

    @app.errorhandler(IndexNotFound)
    def no_index(e: IndexNotFound):
        return respond(503, "no_index", f"The search index is not available: {e}")

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        code = (e.name or "error").lower().replace(" ", "_")
        return respond(e.code or 500, code, e.description or e.name)

    @app.errorhandler(Exception)
    def internal_error(e: Exception):
        log.exception("unhandled error on %s", request.path)
        return respond(500, "internal_error", "Something went wrong on our side.")
