"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json.

Limits and choices come from the code (`Settings`, `MODES`, `SORTS`, filter
limits), so the document cannot drift from what the API accepts; a test checks
real responses against it and that every route is described.
"""

from __future__ import annotations

from typing import Any

from search.config import Settings
from search.features.pins import MAX_IDS
from search.features.synonyms import MAX_GROUPS
from search.ranking.filters import MAX_VALUE_CHARS, MAX_VALUES
from search.searcher import MODES, SORTS

DATE_PATTERN = r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description, **extra}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _schemas() -> dict[str, Any]:
    article_fields = {
        "id": {"type": "string"},
        "url": {"type": "string"},
        "title": {"type": "string"},
        "published": _nullable("string", format="date-time"),
        "category": {"type": "string"},
        "author": {"type": "string"},
        "lang": {"type": "string"},
    }
    summary = {"type": "object", "required": list(article_fields), "properties": article_fields}
    facet_value = {
        "type": "object", "required": ["value", "count", "selected"],
        "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
                       "selected": {"type": "boolean"}},
    }
    facet_list = {"type": "array", "items": _ref("FacetValue")}
    return {
        "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string", "examples": ["bad_size", "not_found"]},
                               "message": {"type": "string"}}}},
        },
        "ArticleSummary": summary,
        "Hit": {
            "type": "object",
            "required": [*article_fields, "score", "snippet", "similar_count", "similar"],
            "properties": {
                **article_fields,
                "score": {"type": "number"},
                "snippet": {"type": "string", "description":
                            "HTML: the article text escaped, query words in <mark>"},
                "similar_count": {"type": "integer", "minimum": 0,
                                  "description": "near-duplicates collapsed into this result"},
                "similar": {"type": "array", "items": _ref("ArticleSummary")},
            },
        },
        "Filters": {
            "type": "object", "required": ["category", "author", "lang", "from", "to"],
            "properties": {
                "category": {"type": "array", "items": {"type": "string"}},
                "author": {"type": "array", "items": {"type": "string"}},
                "lang": {"type": "array", "items": {"type": "string"}},
                "from": _nullable("string", format="date"),
                "to": _nullable("string", format="date"),
            },
        },
        "FacetValue": facet_value,
        "Facets": {
            "type": "object", "required": ["category", "author", "lang", "year"],
            "properties": {k: facet_list for k in ("category", "author", "lang", "year")},
        },
        "SearchResponse": {
            "type": "object",
            "required": ["query", "mode", "sort", "filters", "total", "page", "size", "took_ms",
                         "suggestion", "corrected_query", "query_lang", "facets", "results"],
            "properties": {
                "query": {"type": "string"},
                "mode": {"enum": list(MODES)},
                "sort": {"enum": list(SORTS)},
                "filters": _ref("Filters"),
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "size": {"type": "integer", "minimum": 1},
                "took_ms": {"type": "number", "minimum": 0},
                "suggestion": _nullable("string", description="did-you-mean query"),
                "corrected_query": _nullable("string", description=(
                    "the query searched instead of the misspelled one typed "
                    "(null: searched as typed; correct=false forces that)")),
                "query_lang": {"type": "string", "description":
                               "the language the query was read in (ISO 639-1; routes the "
                               "semantic side to the models that read it)"},
                "facets": {"oneOf": [_ref("Facets"), {"type": "null"}]},
                "results": {"type": "array", "items": _ref("Hit")},
            },
        },
        "Suggestions": {
            "type": "object", "required": ["query", "suggestions"],
            "properties": {
                "query": {"type": "string"},
                "suggestions": {"type": "array", "items": {
                    "type": "object", "required": ["text", "kind", "id"],
                    "properties": {"text": {"type": "string"}, "kind": {"enum": ["term", "title"]},
                                   "id": _nullable("string")}}},
            },
        },
        "Article": {
            "type": "object", "required": [*article_fields, "body", "extra"],
            "properties": {**article_fields, "body": {"type": "string"},
                           "extra": {"type": "object"}},
        },
        "Related": {
            "type": "object", "required": ["id", "versions", "related"],
            "properties": {"id": {"type": "string"},
                           "versions": {"type": "array", "items": _ref("Hit")},
                           "related": {"type": "array", "items": _ref("Hit")}},
        },
        "Synonyms": {
            "type": "object", "required": ["groups"],
            "properties": {"groups": {"type": "array", "maxItems": MAX_GROUPS, "items": {
                "type": "array", "minItems": 2, "items": {"type": "string", "minLength": 1},
                "description": 'terms meaning the same, e.g. ["UN", "United Nations"]'}}},
        },
        "Pin": {
            "type": "object", "required": ["query", "ids"], "additionalProperties": False,
            "properties": {
                "query": {"type": "string", "minLength": 1,
                          "description": "the query it applies to (case and spacing aside)"},
                "ids": {"type": "array", "minItems": 1, "maxItems": MAX_IDS,
                        "items": {"type": "string", "minLength": 1},
                        "description": "article ids shown first, in this order"},
                "start": _nullable("string", format="date", description="first day, included"),
                "end": _nullable("string", format="date", description="last day, included"),
            },
        },
        "Pins": {"type": "object", "required": ["pins"],
                 "properties": {"pins": {"type": "array", "items": _ref("Pin")}}},
        "Click": {
            "type": "object", "required": ["query", "id", "position"],
            "properties": {"query": {"type": "string"}, "id": {"type": "string"},
                           "position": {"type": "integer", "minimum": 1,
                                        "description": "1 for the first result of page 1"}},
        },
        "Stats": {
            "type": "object",
            "required": ["searches", "clicks", "top", "zero_results", "click_through"],
            "properties": {
                "searches": {"type": "integer", "minimum": 0},
                "clicks": {"type": "integer", "minimum": 0},
                "top": {"type": "array", "items": {
                    "type": "object", "required": ["query", "searches", "zero_results"],
                    "properties": {"query": {"type": "string"},
                                   "searches": {"type": "integer", "minimum": 1},
                                   "zero_results": {"type": "integer", "minimum": 0}}}},
                "zero_results": {"type": "array", "items": {
                    "type": "object", "required": ["query", "searches"],
                    "properties": {"query": {"type": "string"},
                                   "searches": {"type": "integer", "minimum": 1}}}},
                "click_through": {"type": "array", "items": {
                    "type": "object", "required": ["position", "clicks", "rate"],
                    "properties": {"position": {"type": "integer", "minimum": 1},
                                   "clicks": {"type": "integer", "minimum": 1},
                                   "rate": {"type": "number", "minimum": 0,
                                            "description": "clicks per search"}}}},
            },
        },
        "Health": {
            "type": "object", "required": ["status", "generation", "articles"],
            "properties": {
                "status": {"enum": ["ok", "degraded"], "description":
                           "degraded: the live generation failed its check and an older "
                           "one is served (see reason)"},
                "generation": {"type": "string", "description": "the generation served"},
                "articles": {"type": "integer", "minimum": 0},
                "reason": {"type": "string", "description": "what is wrong (degraded only)"}},
        },
    }


def _admin(summary: str, answer: dict[str, Any], body: dict[str, Any] | None = None,
           params: list | None = None, bad: str | None = None) -> dict[str, Any]:
    """An operation behind the admin token."""
    operation: dict[str, Any] = {
        "summary": summary, "security": [{"adminToken": []}], "parameters": params or [],
        "responses": {"200": _json(answer, "the current state"),
                      "401": _error("a missing or wrong admin token (unauthorized)"),
                      "403": _error("admin endpoints disabled: no token configured "
                                    "(admin_disabled)"),
                      "503": _error("a server that does not follow the write-ahead log "
                                    "(`newsearch serve --cluster`): push_unavailable")},
    }
    if body is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": body}}}
    if bad:
        operation["responses"]["400"] = _error(f"a bad body or parameter ({bad})")
    return operation


def _push(summary: str, responses: dict[str, Any], content: dict[str, Any] | None,
          description: str, params: list | None = None) -> dict[str, Any]:
    """A push API operation (admin token)."""
    operation: dict[str, Any] = {
        "summary": summary, "description": description, "security": [{"adminToken": []}],
        "parameters": params or [],
        "responses": {**responses,
                      "401": _error("a missing or wrong admin token (unauthorized)"),
                      "403": _error("admin endpoints disabled: no token configured "
                                    "(admin_disabled)"),
                      "503": _error("a server that does not follow the write-ahead log "
                                    "(`newsearch serve --cluster`): push_unavailable")},
    }
    if content is not None:
        operation["requestBody"] = {"required": True, "content": content}
    return operation


def _push_schemas() -> dict[str, Any]:
    text = {"type": ["string", "null"]}
    outcome = {
        "type": "object", "required": ["id", "result"],
        "properties": {
            "id": {"type": "string"},
            "result": {"enum": ["created", "updated", "unchanged", "deleted", "error"]},
            "seq": {"type": "integer", "minimum": 0,
                    "description": "the change's sequence number in the write-ahead log "
                                   "(unchanged: the last one)"},
            "status": {"type": "integer", "description": "in a bulk answer: the item's status"},
            "error": {"type": "object", "properties": {
                "code": {"type": "string"}, "field": {"type": "string"},
                "message": {"type": "string"}}},
        },
    }
    return {
        "PushArticle": {
            "type": "object", "additionalProperties": False,
            "description": "An article as `newsearch extract` prints it; a title or a body is "
                           "needed; the id comes from the URL (PUT) or the object (POST).",
            "properties": {"id": {"type": "string"}, "title": text, "body": text, "url": text,
                           "published": {"type": ["string", "null"],
                                         "description": "ISO 8601 date-time"},
                           "author": text, "category": text, "lang": text, "source": text,
                           "extra": {"type": ["object", "null"]}},
        },
        "PushOutcome": outcome,
        "PushBulk": {"type": "object", "required": ["errors", "items"], "properties": {
            "took_ms": {"type": "number"}, "errors": {"type": "boolean"},
            "items": {"type": "array", "items": outcome}}},
    }


def document(settings: Settings) -> dict[str, Any]:
    s = settings
    no_index = _error("no search index is available")
    article_id = {"name": "article_id", "in": "path", "required": True,
                  "schema": {"type": "string"}, "description": "the article's id"}
    limit = _query("limit", {"type": "integer", "minimum": 1, "maximum": 20}, "how many (default 5)")
    listed = {"type": "array", "items": {"type": "string", "maxLength": MAX_VALUE_CHARS},
              "maxItems": MAX_VALUES}
    return {
        "openapi": "3.1.0",
        "info": {"title": "newsearch", "version": "1",
                 "description": "Keyword, semantic and hybrid news search."},
        "paths": {
            "/api/search": {"get": {
                "summary": "Search articles",
                "description": 'Query syntax: "quoted phrase", -word or NOT word to exclude, '
                               "title:word, AND / OR. Malformed syntax falls back to plain words.",
                "parameters": [
                    _query("q", {"type": "string", "maxLength": s.max_query_chars}, "the query"),
                    _query("mode", {"enum": list(MODES), "default": "hybrid"}, "ranking"),
                    _query("sort", {"enum": list(SORTS), "default": "relevance"}, "order"),
                    _query("page", {"type": "integer", "minimum": 1, "default": 1},
                           f"page number; page * size <= {s.max_results}"),
                    _query("size", {"type": "integer", "minimum": 1, "maximum": s.max_page_size,
                                    "default": 10}, "results per page"),
                    _query("category", listed, "section; repeat for any of several",
                           style="form", explode=True),
                    _query("author", listed, "author; repeat for any of several",
                           style="form", explode=True),
                    _query("lang", listed, "language code; repeat for any of several",
                           style="form", explode=True),
                    _query("from", {"type": "string", "pattern": DATE_PATTERN},
                           "first day (YYYY, YYYY-MM or YYYY-MM-DD), included"),
                    _query("to", {"type": "string", "pattern": DATE_PATTERN},
                           "last day (YYYY, YYYY-MM or YYYY-MM-DD), included"),
                    _query("facets", {"type": "boolean", "default": True},
                           "count facet values for the query"),
                    _query("correct", {"type": "boolean", "default": True},
                           "search a corrected query instead of a misspelled one that finds "
                           "little (false: as typed)"),
                ],
                "responses": {"200": _json(_ref("SearchResponse"), "one page of results"),
                              "400": _error("a bad parameter (code bad_<name>, query_too_long, "
                                            "bad_date_range)"),
                              "503": no_index},
            }},
            "/api/suggest": {"get": {
                "summary": "Autocomplete a partly typed query",
                "parameters": [
                    _query("q", {"type": "string", "maxLength": 200}, "what has been typed"),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 20},
                           "how many (default 8)"),
                ],
                "responses": {"200": _json(_ref("Suggestions"), "completions, words then titles"),
                              "400": _error("a bad parameter"), "503": no_index},
            }},
            "/api/click": {"post": {
                "summary": "Click beacon: a reader opened a result (search analytics)",
                "description": "Sent with navigator.sendBeacon by the page and the search box. "
                               "Only the query, article id and position are stored; accepted "
                               "from this site and its allowed origins (cors_origins).",
                "requestBody": {"required": True, "content": {
                    "text/plain": {"schema": {"type": "string",
                                              "description": "a JSON Click object"}},
                    "application/json": {"schema": _ref("Click")}}},
                "responses": {"204": {"description": "counted"},
                              "400": _error("not a Click object"),
                              "403": _error("from an origin that is not allowed")},
            }},
            "/api/articles/{article_id}": {
                "get": {
                    "summary": "One stored article",
                    "parameters": [article_id],
                    "responses": {"200": _json(_ref("Article"), "the article"),
                                  "404": _error("no such article"), "503": no_index},
                },
                "put": _push(
                    "Add or replace one article (searchable within a second)",
                    {"200": _json(_ref("PushOutcome"), "updated, or unchanged (same content)"),
                     "201": _json(_ref("PushOutcome"), "created"),
                     "400": _error("a bad article: code bad_article, field names what is wrong")},
                    {"application/json": {"schema": _ref("PushArticle")}},
                    "answered once the change is on disk (the write-ahead log, synced)",
                    [article_id]),
                "delete": _push(
                    "Remove one article (gone from results within a second)",
                    {"200": _json(_ref("PushOutcome"), "deleted"),
                     "404": _error("no such article")},
                    None, "answered once the change is on disk", [article_id]),
            },
            "/api/articles": {"post": _push(
                "Add or replace many articles (a JSON list, or NDJSON: one article per line)",
                {"200": _json(_ref("PushBulk"), "one outcome per item, in order; a bad item is "
                                                "refused (status 400, error naming the field), "
                                                "the others go in"),
                 "400": _error("not a list of articles (code bad_article, with field)")},
                {"application/json": {"schema": {"type": "array", "items": _ref("PushArticle")}},
                 "application/x-ndjson": {"schema": {"type": "string"}}},
                f"at most {s.push_max_batch} articles; answered once all are on disk")},
            "/api/related/{article_id}": {"get": {
                "summary": "Other versions of an article and its most related stories",
                "parameters": [article_id, limit],
                "responses": {"200": _json(_ref("Related"), "versions and related stories"),
                              "400": _error("a bad parameter"),
                              "404": _error("no such article"), "503": no_index},
            }},
            "/api/admin/synonyms": {
                "get": _admin("The editors' synonym groups", _ref("Synonyms")),
                "put": _admin("Replace the synonym groups (applied to the next search)",
                              _ref("Synonyms"), body=_ref("Synonyms"), bad="bad_synonyms"),
            },
            "/api/admin/pins": {
                "get": _admin("The editors' pinned results", _ref("Pins")),
                "put": _admin("Replace the pins (applied to the next search)", _ref("Pins"),
                              body=_ref("Pins"), bad="bad_pins"),
            },
            "/api/stats": {"get": _admin(
                "Search analytics: top queries, queries without results, clicks by position",
                _ref("Stats"), params=[_query("limit", {"type": "integer", "minimum": 1,
                                                        "maximum": 100}, "rows per list (default 20)")],
                bad="bad_limit")},
            "/api/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": {"description": "the OpenAPI document",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
            "/metrics": {"get": {
                "summary": "Prometheus metrics: requests, latencies, index state",
                "responses": {"200": {"description": "the Prometheus text exposition format",
                                      "content": {"text/plain": {"schema": {"type": "string"}}}}},
            }},
            "/healthz": {"get": {
                "summary": "Liveness, the index being served and whether it is degraded",
                "responses": {"200": _json(_ref("Health"), "serving"), "503": no_index},
            }},
        },
        "components": {"schemas": {**_schemas(), **_push_schemas()}, "securitySchemes": {
            "adminToken": {"type": "http", "scheme": "bearer",
                           "description": "Settings.admin_token (NEWSEARCH_ADMIN_TOKEN); "
                                          "without one configured, admin endpoints answer 403"}}},
    }
