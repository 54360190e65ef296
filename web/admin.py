"""The editors' and stats endpoints, behind the admin token.

Every endpoint here needs ``Authorization: Bearer <token>`` matching
`Settings.admin_token` (compared in constant time).  Without a configured
token they are disabled (403 ``admin_disabled``); a missing or wrong token
gets 401 ``unauthorized``.  Readers reach nothing that changes state except
the click beacon (`web.api.click`), which only counts.
"""

from __future__ import annotations

import hmac
from functools import wraps

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import BadRequest, Forbidden, Unauthorized

from search.errors import SearchError
from search.features.editors import parse_pins
from search.features.synonyms import Synonyms

from .params import bounded

bp = Blueprint("admin", __name__)


def editors():
    return current_app.extensions["newsearch.editors"]


def analytics():
    return current_app.extensions["newsearch.analytics"]


class AdminDisabled(Forbidden):
    name = "Admin Disabled"  # the error code: admin_disabled


def admin_only(view):
    """Refuse the request unless it carries the configured admin token."""

    @wraps(view)
    def guarded(*args, **kwargs):
        token = current_app.extensions["newsearch.settings"].admin_token
        if not token:
            raise AdminDisabled("Admin endpoints are disabled: no admin token is configured "
                            "(NEWSEARCH_ADMIN_TOKEN).")
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                                 token.encode()):
            raise Unauthorized("A valid admin token is needed (Authorization: Bearer TOKEN).")
        return view(*args, **kwargs)

    return guarded


def _body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return data


@bp.get("/api/admin/synonyms")
@admin_only
def get_synonyms():
    return jsonify({"groups": [list(g) for g in editors().synonyms().groups]})


@bp.put("/api/admin/synonyms")
@admin_only
def put_synonyms():
    groups = _body().get("groups")
    if not isinstance(groups, list):
        raise SearchError("bad_synonyms", "groups must be a list of lists of terms")
    synonyms = Synonyms.of(groups)
    editors().save_synonyms(synonyms)
    return jsonify({"groups": [list(g) for g in synonyms.groups]})


@bp.get("/api/admin/pins")
@admin_only
def get_pins():
    return jsonify({"pins": [p.to_dict() for p in editors().pins()]})


@bp.put("/api/admin/pins")
@admin_only
def put_pins():
    pins = parse_pins(_body().get("pins"))
    editors().save_pins(pins)
    return jsonify({"pins": [p.to_dict() for p in pins]})


@bp.get("/api/stats")
@admin_only
def stats():
    limit = bounded(request.args, "limit", 20, 1, 100)
    log = analytics()
    if log is None:
        raise AdminDisabled("Search analytics are off (analytics_db=off).")
    return jsonify(log.stats(limit))
