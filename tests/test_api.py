"""The JSON API and the search page, through Flask's test client."""

import pytest

from .conftest import HOSTILE

RESULT_FIELDS = {"id", "url", "title", "published", "category", "author", "lang", "score", "snippet",
                 "similar_count", "similar"}


def test_search_json_shape(client):
    r = client.get("/api/search?q=Hochstein+McGurk&mode=keyword&page=1&size=5")
    assert r.status_code == 200 and r.is_json
    body = r.get_json()
    assert list(body) == ["query", "mode", "sort", "filters", "total", "page", "size", "took_ms",
                          "suggestion", "query_lang", "facets", "results"]
    assert body["query"] == "Hochstein McGurk" and body["mode"] == "keyword"
    assert body["total"] == 1 and body["page"] == 1 and body["size"] == 5
    (result,) = body["results"]
    assert set(result) == RESULT_FIELDS
    assert "<mark>Hochstein</mark>" in result["snippet"]


def test_defaults_are_hybrid_first_page_of_ten(client):
    body = client.get("/api/search?q=president").get_json()
    assert (body["mode"], body["page"], body["size"]) == ("hybrid", 1, 10)
    assert len(body["results"]) == 10


def test_empty_query_is_not_an_error(client):
    body = client.get("/api/search?q=").get_json()
    assert body["results"] == [] and body["total"] == 0


@pytest.mark.parametrize(
    "query,code",
    [({"mode": "magic"}, "bad_mode"), ({"size": "101"}, "bad_size"), ({"size": "0"}, "bad_size"),
     ({"size": "ten"}, "bad_size"), ({"page": "0"}, "bad_page"), ({"page": "-3"}, "bad_page"),
     ({"page": "99999999999999"}, "bad_page"), ({"q": "x" * 1001}, "query_too_long")],
)
def test_bad_parameters_get_400_with_error_shape(client, query, code):
    r = client.get("/api/search", query_string={"q": "israel", **query})
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert error["code"] == code and error["message"]


def test_unknown_api_path_is_json_404(client):
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_healthz_reports_generation_and_count(client):
    body = client.get("/healthz").get_json()
    assert body["generation"] == "gen-000001" and body["articles"] == 22


def test_page_has_search_box(client):
    html = client.get("/").get_data(as_text=True)
    assert 'placeholder="What are you looking for?"' in html and 'name="q"' in html


def test_page_shows_results_and_keeps_query(client):
    html = client.get("/?q=Hochstein+McGurk&mode=keyword").get_data(as_text=True)
    assert 'value="Hochstein McGurk"' in html
    assert "Politico: Israel received &#34;green light&#34;" in html
    assert "<mark>Hochstein</mark>" in html
    assert 'value="keyword" checked' in html


def test_page_paginates(client):
    html = client.get("/?q=president&mode=hybrid").get_data(as_text=True)
    assert 'rel="next"' in html and "page=2" in html


def test_page_bad_parameter_is_a_400_page(client):
    r = client.get("/?q=x&size=5000")
    assert r.status_code == 400 and "size must be between" in r.get_data(as_text=True)


def test_hostile_article_is_escaped_everywhere(client):
    html = client.get("/?q=poisoned+payload+zebras&mode=keyword").get_data(as_text=True)
    assert "Poisoned headline" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<b>WORLD</b>" not in html and "<i>Mallory</i>" not in html
    assert "javascript:alert" not in html
    api = client.get("/api/search?q=poisoned+payload+zebras&mode=keyword").get_json()
    hit = next(r for r in api["results"] if r["id"] == HOSTILE["id"])
    assert "<img" not in hit["snippet"] and "&lt;img src=x" in hit["snippet"]
    assert hit["title"] == HOSTILE["title"]  # JSON carries the raw text; escaping is the page's job


def test_hostile_query_is_escaped_on_the_page(client):
    html = client.get("/?q=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
