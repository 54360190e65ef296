"""The push API: a CMS adds, replaces and removes articles (admin token).

``PUT /api/articles/ID`` (one article), ``POST /api/articles`` (a JSON list
or NDJSON: one outcome per item, as a bulk API answers) and ``DELETE
/api/articles/ID``.  The answer comes once the change is on disk (the
write-ahead log, synced), with its sequence number; every server process
serves it within a poll (`search.serving.nrt`).  The work is
`indexer.push.Pusher`'s; this module only reads requests and shapes answers.
"""

from __future__ import annotations

import json
import threading
import time

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import BadRequest, NotFound, ServiceUnavailable

from indexer.push import BadArticle, Outcome, Pusher, parse_article

from .admin import admin_only

bp = Blueprint("push", __name__)
_lock = threading.Lock()


class PushUnavailable(ServiceUnavailable):
    code_name = "push_unavailable"
    description = ("This server does not follow the write-ahead log (newsearch serve --cluster): "
                   "a pushed article would be kept but not found. Push to `newsearch serve` over "
                   "the same index directory, or add articles with `newsearch index`.")


def pusher() -> Pusher:
    """The process's writer of pushed changes; refuses (503) on a server that
    would not serve them (`LiveSearcher.follows_log`)."""
    app = current_app
    if not app.extensions["newsearch"].follows_log:
        raise PushUnavailable()
    found = app.extensions.get("newsearch.pusher")
    if found is None:
        with _lock:
            found = app.extensions.get("newsearch.pusher")
            if found is None:
                found = app.extensions["newsearch.pusher"] = Pusher(
                    app.extensions["newsearch.settings"])
    return found


def _settings():
    return current_app.extensions["newsearch.settings"]


def _bad(e: BadArticle, article_id: str | None = None):
    body = {"error": {"code": "bad_article", "field": e.field, "message": str(e)}}
    if article_id is not None:
        body["id"] = article_id
    return jsonify(body), 400


def _served(outcomes: list[Outcome]) -> None:
    """This process serves the change from its next request on."""
    if any(o.result in ("created", "updated", "deleted") for o in outcomes):
        current_app.extensions["newsearch"].catch_up()


def _json_body():
    limit = _settings().push_max_request_mb << 20
    if (request.content_length or 0) > limit:
        raise BadRequest(f"The request is larger than {limit >> 20} MB.")
    raw = request.get_data(cache=False)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise _NotJson(f"The body is not JSON: {e}") from None


class _NotJson(BadRequest):
    name = "Bad Article"


@bp.put("/api/articles/<article_id:article_id>")
@admin_only
def put_article(article_id: str):
    try:
        article = parse_article(_json_body(), _settings(), article_id)
    except BadArticle as e:
        return _bad(e, article_id)
    except _NotJson as e:
        return _bad(BadArticle("body", e.description), article_id)
    outcome = pusher().put([article])[0]
    _served([outcome])
    return jsonify(outcome.to_dict()), 201 if outcome.result == "created" else 200


@bp.delete("/api/articles/<article_id:article_id>")
@admin_only
def delete_article(article_id: str):
    outcome = pusher().delete([article_id])[0]
    if outcome.result == "not_found":
        raise NotFound(f"no article with id {article_id!r}")
    _served([outcome])
    return jsonify(outcome.to_dict())


@bp.post("/api/articles")
@admin_only
def post_articles():
    started = time.perf_counter()
    settings = _settings()
    items = _items(settings)
    if len(items) > settings.push_max_batch:
        return _bad(BadArticle("items", f"{len(items)} articles in one request; at most "
                                        f"{settings.push_max_batch} are taken"))
    outcomes: list[Outcome | None] = [None] * len(items)
    good: list[tuple[int, object]] = []
    for i, item in enumerate(items):
        try:
            if isinstance(item, BadArticle):
                raise item
            good.append((i, parse_article(item, settings)))
        except BadArticle as e:
            given = item.get("id") if isinstance(item, dict) else None
            outcomes[i] = Outcome(given if isinstance(given, str) else "", "error", field=e.field,
                                  error=str(e))
    for (i, _), outcome in zip(good, pusher().put([a for _, a in good]) if good else []):
        outcomes[i] = outcome
    _served([o for o in outcomes if o is not None])
    answers = []
    for o in outcomes:
        d = o.to_dict()
        d["status"] = 400 if o.result == "error" else 201 if o.result == "created" else 200
        answers.append(d)
    return jsonify({"took_ms": round((time.perf_counter() - started) * 1000, 2),
                    "errors": any(o.result == "error" for o in outcomes), "items": answers})


def _items(settings) -> list:
    """The request's articles: a JSON list (or one object), or NDJSON lines
    (a line that is not JSON is that item's error)."""
    limit = settings.push_max_request_mb << 20
    if (request.content_length or 0) > limit:
        raise BadRequest(f"The request is larger than {limit >> 20} MB.")
    raw = request.get_data(cache=False)
    kind = (request.mimetype or "").lower()
    if "ndjson" not in kind and "jsonlines" not in kind:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            data = None
            if b"\n" not in raw.strip():
                return _reject("the body is not JSON")
        if data is not None:
            if isinstance(data, dict):
                return [data]
            if not isinstance(data, list):
                return _reject("expected a JSON list of articles (or NDJSON)")
            return data
    items: list = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except (ValueError, UnicodeDecodeError) as e:
            items.append(BadArticle("article", f"line {n} is not JSON: {e}"))
    return items


def _reject(message: str):
    raise _Rejected(message)


class _Rejected(BadRequest):
    pass


@bp.errorhandler(_Rejected)
def _rejected(e: _Rejected):
    return _bad(BadArticle("body", e.description))
