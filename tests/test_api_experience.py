"""The JSON API's filters, facets, suggestions, articles and related stories."""

from .conftest import HOSTILE, SEED_ID, WIRE_COPY_ID


def test_search_with_filters_and_facets(newsroom_client):
    body = newsroom_client.get("/api/search?q=president&mode=keyword&category=POLITICS&from=2004-11-01").get_json()
    assert body["filters"] == {"category": ["POLITICS"], "author": [], "lang": [],
                               "from": "2004-11-01", "to": None}
    assert body["results"] and all(r["category"] == "POLITICS" for r in body["results"])
    assert {"category", "author", "lang", "year"} == set(body["facets"])
    assert body["total"] == len(body["results"])


def test_facets_can_be_skipped(newsroom_client):
    assert newsroom_client.get("/api/search?q=president&facets=false").get_json()["facets"] is None


def test_did_you_mean_field(newsroom_client):
    body = newsroom_client.get("/api/search?q=hezbolah+netanyahoo&correct=false").get_json()
    assert body["suggestion"] == "hezbollah netanyahu"


def test_similar_results_in_the_api(newsroom_client):
    body = newsroom_client.get("/api/search?q=%22green+light%22&mode=keyword").get_json()
    (hit,) = body["results"]
    assert hit["similar_count"] == 1
    assert {hit["id"], hit["similar"][0]["id"]} == {SEED_ID, WIRE_COPY_ID}


def test_suggest_endpoint(newsroom_client):
    body = newsroom_client.get("/api/suggest?q=hezb").get_json()
    assert body["query"] == "hezb"
    assert body["suggestions"][0] == {"text": "hezbollah", "kind": "term", "id": None}
    assert any(s["kind"] == "title" and s["id"] == SEED_ID for s in body["suggestions"])


def test_suggest_returns_raw_text_for_the_client_to_escape(newsroom_client):
    body = newsroom_client.get("/api/suggest?q=poisoned").get_json()
    titles = [s["text"] for s in body["suggestions"] if s["kind"] == "title"]
    assert HOSTILE["title"] in titles  # JSON carries text; site.js inserts it with textContent


def test_article_endpoint(newsroom_client):
    body = newsroom_client.get(f"/api/articles/{SEED_ID}").get_json()
    assert body["id"] == SEED_ID and body["body"].startswith("In a recent development")
    assert body["category"] == "WORLD" and "source" not in body


def test_related_endpoint(newsroom_client):
    body = newsroom_client.get(f"/api/related/{SEED_ID}?limit=3").get_json()
    assert [v["id"] for v in body["versions"]] == [WIRE_COPY_ID]
    assert len(body["related"]) == 3


def test_missing_article_is_json_404(newsroom_client):
    for path in ("/api/articles/nope", "/api/related/nope"):
        r = newsroom_client.get(path)
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_bad_parameters_are_400(newsroom_client):
    for path, code in [("/api/search?q=x&from=2024-02-30", "bad_from"),
                       ("/api/search?q=x&sort=random", "bad_sort"),
                       ("/api/search?q=x&facets=maybe", "bad_facets"),
                       ("/api/suggest?q=x&limit=0", "bad_limit"),
                       ("/api/suggest?q=" + "x" * 201, "query_too_long"),
                       ("/api/related/x?limit=50", "bad_limit")]:
        r = newsroom_client.get(path)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == code, path
