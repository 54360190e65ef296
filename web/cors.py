"""CORS for the read-only API: a news site's own pages may search from the browser.

Only `search` and `suggest` answer other origins, and only those listed in
`Settings.cors_origins` (exact ``scheme://host[:port]`` matches; none by
default).  Answers vary by ``Origin``; preflight ``OPTIONS`` requests get the
allowed method and headers.  No credentials: the API has no cookies.
"""

from __future__ import annotations

from flask import Flask, request

from search.config import Settings

READ_ONLY = {"api.search", "api.suggest"}
MAX_AGE = "600"


def allowed_origins(settings: Settings) -> frozenset[str]:
    return frozenset(o.strip().rstrip("/") for o in settings.cors_origins.split(",") if o.strip())


def origin_allowed(origins: frozenset[str]) -> bool:
    """Whether the request comes from this site, no browser page, or an allowed origin."""
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/") or origin in origins


def register(app: Flask, settings: Settings) -> None:
    origins = allowed_origins(settings)

    @app.after_request
    def cors(response):
        if request.endpoint not in READ_ONLY:
            return response
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin and origin in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = "GET"
                response.headers["Access-Control-Allow-Headers"] = "Accept"
                response.headers["Access-Control-Max-Age"] = MAX_AGE
        return response
