"""The OpenAPI document describes every endpoint, and real responses match it."""

import re

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from .conftest import SEED_ID

CALLS = [
    "/api/search?q=hezbolah+israel&mode=hybrid&category=WORLD&category=POLITICS&from=2024-09&to=2024",
    "/api/search?q=president&mode=keyword&sort=newest&size=3&page=2&facets=false",
    "/api/search?q=беспилотные&mode=semantic&lang=ru",
    "/api/search?q=",
    "/api/search?q=x&size=0",
    "/api/search?q=x&from=soon",
    "/api/search?q=x&facets=maybe",
    "/api/suggest?q=hezb",
    "/api/suggest?q=pre&limit=3",
    "/api/suggest?q=x&limit=99",
    f"/api/articles/{SEED_ID}",
    "/api/articles/no-such-article",
    f"/api/related/{SEED_ID}?limit=3",
    "/api/related/no-such-article",
    "/api/related/x?limit=0",
    "/api/openapi.json",
    "/healthz",
    "/metrics",
    "/api/search?q=hezbolah+netanyahoo&correct=false",
    "/api/stats",
    "/api/admin/pins",
]


@pytest.fixture(scope="module")
def spec(newsroom_app):
    document = newsroom_app.test_client().get("/api/openapi.json").get_json()
    validate(document)  # a valid OpenAPI 3.1 document
    return document


def test_every_route_is_described(newsroom_app, spec):
    """Every route but the HTML pages and static files (machine endpoints included)."""
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule)
              for r in newsroom_app.url_map.iter_rules()
              if r.endpoint != "static" and not r.endpoint.startswith("pages.")}
    assert routes == set(spec["paths"])


@pytest.mark.parametrize("path", CALLS)
def test_real_responses_match_the_document(newsroom_client, spec, path):
    response = newsroom_client.get(path)
    api = OpenAPI.from_dict(spec)
    api.validate_response(WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response))
    assert str(response.status_code) in spec["paths"][_template(path, spec)]["get"]["responses"]


def test_click_answers_match_the_document(newsroom_client, spec):
    api = OpenAPI.from_dict(spec)
    statuses = []
    for body in ('{"query": "x", "id": "y", "position": 1}', "nonsense"):
        response = newsroom_client.post("/api/click", data=body, content_type="text/plain")
        sent = Request(EnvironBuilder(method="POST", path="/api/click", data=body,
                                      content_type="text/plain").get_environ())
        api.validate_response(WerkzeugOpenAPIRequest(sent), WerkzeugOpenAPIResponse(response))
        statuses.append(response.status_code)
    assert statuses == [204, 400]
    refused = newsroom_client.put("/api/admin/synonyms", json={"groups": [["a", "b"]]})
    assert str(refused.status_code) in spec["paths"]["/api/admin/synonyms"]["put"]["responses"]


def test_documented_error_statuses_happen(newsroom_client):
    assert newsroom_client.get("/api/search?q=x&size=0").status_code == 400
    assert newsroom_client.get("/api/articles/nope").status_code == 404


def _template(path: str, spec) -> str:
    bare = path.split("?")[0]
    for template in spec["paths"]:
        prefix = template.split("{")[0]
        if bare == template or ("{" in template and bare.startswith(prefix) and bare != prefix):
            return template
    raise AssertionError(f"undocumented {bare}")
