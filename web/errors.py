"""Errors as JSON for the API and as a page for the site; never a traceback.

The API says ``code`` and an English ``message``; the page says the same in
the interface language (`web.catalog`: the ``error_*`` texts), falling back to
a sentence for the kind of error when the catalog has none for the code.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from search import IndexNotFound, SearchError

from .i18n import Translator, choose

log = logging.getLogger(__name__)

# Error codes that share one reader-facing text.
SAME_TEXT = {"bad_from": "bad_date", "bad_to": "bad_date", "no_index": "unavailable",
             "service_unavailable": "unavailable", "internal_server_error": "internal", "internal_error": "internal"}


class NoArticle(NotFound):
    """The article page of an id the index does not hold."""

    code_name = "no_article"
    description = "There is no article with this address."


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def page_message(t: Translator, status: int, code: str, message: str) -> str:
    """What the error page says: the catalog's text for ``code``, else the API's
    message in English, else a sentence for the status."""
    key = f"error_{SAME_TEXT.get(code, code)}"
    if key in t.texts:
        return t(key)
    if t.lang == "en":
        return message
    if status >= 500:
        return t("error_internal")
    return t("error_not_found" if status == 404 else "error_bad_request")


def respond(status: int, code: str, message: str):
    if _wants_json():
        return jsonify({"error": {"code": code, "message": message}}), status
    t = Translator(choose(request))
    return render_template("error.html", status=status,
                           message=page_message(t, status, code, message)), status


def register(app: Flask) -> None:
    @app.errorhandler(SearchError)
    def bad_request(e: SearchError):
        return respond(400, e.code, e.message)

    @app.errorhandler(IndexNotFound)
    def no_index(e: IndexNotFound):
        return respond(503, "no_index", f"The search index is not available: {e}")

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        code = getattr(e, "code_name", None) or (e.name or "error").lower().replace(" ", "_")
        return respond(e.code or 500, code, e.description or e.name)

    @app.errorhandler(Exception)
    def internal_error(e: Exception):
        log.exception("unhandled error on %s", request.path)
        return respond(500, "internal_error", "Something went wrong on our side.")
