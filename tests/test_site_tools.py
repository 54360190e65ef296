"""The site's own tools through the API: admin token, synonyms, pins, analytics, CORS."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from search import Settings
from search.serving.live import LiveSearcher
from web import create_app

TOKEN = "s3cret-editors-token"
HOST = "https://news.example"
CONGO = "en-24ccfee111bb"
PINNED = ["en-b688fc3e15c0", "en-7cc856ec7474"]  # man bites dog; an asteroid


def make_client(newsroom_index, embedder, folder, **overrides):
    settings = Settings(index_dir=newsroom_index, editors_dir=str(folder / "editors"),
                        analytics_db=str(folder / "analytics.sqlite"), **overrides)
    app = create_app(settings, LiveSearcher(settings, embedder=embedder))
    app.config["TESTING"] = True
    return app.test_client()


@pytest.fixture(scope="module")
def admin(newsroom_index, embedder, tmp_path_factory):
    """A site with an admin token and one allowed origin."""
    return make_client(newsroom_index, embedder, tmp_path_factory.mktemp("admin"),
                       admin_token=TOKEN, cors_origins=f"{HOST}, https://other.example")


@pytest.fixture(scope="module")
def closed(newsroom_index, embedder, tmp_path_factory):
    """A site without an admin token (the default)."""
    return make_client(newsroom_index, embedder, tmp_path_factory.mktemp("closed"))


@pytest.fixture()
def editors(admin):
    """Empty synonyms and pins before and after each test."""
    def reset():
        for path, body in (("synonyms", {"groups": []}), ("pins", {"pins": []})):
            assert admin.put(f"/api/admin/{path}", json=body, headers=AUTH).status_code == 200
    reset()
    yield admin
    reset()


AUTH = {"Authorization": f"Bearer {TOKEN}"}
ADMIN_CALLS = [("get", "/api/admin/synonyms", None), ("put", "/api/admin/synonyms", {"groups": [["a", "b"]]}),
               ("get", "/api/admin/pins", None),
               ("put", "/api/admin/pins", {"pins": [{"query": "x", "ids": ["y"]}]}),
               ("get", "/api/stats", None)]


def ids(body) -> list[str]:
    return [r["id"] for r in body["results"]]


# --- admin access --------------------------------------------------------------
@pytest.mark.parametrize("method,path,body", ADMIN_CALLS)
def test_without_a_configured_token_admin_calls_are_refused(closed, method, path, body):
    for headers in ({}, AUTH, {"Authorization": "Bearer "}):
        r = getattr(closed, method)(path, json=body, headers=headers)
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "admin_disabled"


@pytest.mark.parametrize("method,path,body", ADMIN_CALLS)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"},
                                     {"Authorization": f"Bearer {TOKEN}x"}])
def test_a_missing_or_wrong_token_is_refused_and_changes_nothing(editors, method, path, body, headers):
    before = [editors.get(p, headers=AUTH).get_json() for p in ("/api/admin/synonyms", "/api/admin/pins")]
    search_before = editors.get("/api/search?q=DRC&mode=keyword").get_json()
    r = getattr(editors, method)(path, json=body, headers=headers)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    after = [editors.get(p, headers=AUTH).get_json() for p in ("/api/admin/synonyms", "/api/admin/pins")]
    assert after == before
    assert ids(editors.get("/api/search?q=DRC&mode=keyword").get_json()) == ids(search_before)


def test_reader_pages_and_api_offer_no_way_to_change_anything(closed):
    for path in ("/api/search", "/api/suggest", "/", "/api/admin/synonyms", "/api/stats"):
        for method in ("post", "put", "delete", "patch"):
            assert getattr(closed, method)(path, json={}).status_code in (403, 405)


# --- synonyms ------------------------------------------------------------------
def test_synonyms_apply_live_to_keyword_and_semantic_search(editors):
    assert editors.get("/api/search?q=DRC&mode=keyword&correct=false").get_json()["total"] == 0
    r = editors.put("/api/admin/synonyms", headers=AUTH,
                    json={"groups": [["DRC", "Democratic Republic of the Congo"], ["Baku", "Бакы"]]})
    assert r.status_code == 200
    assert r.get_json()["groups"][0] == ["DRC", "Democratic Republic of the Congo"]
    for mode in ("keyword", "hybrid", "semantic"):
        body = editors.get(f"/api/search?q=DRC&mode={mode}").get_json()
        assert body["query"] == "DRC" and ids(body)[0] == CONGO, mode
    body = editors.get("/api/search?q=DRC+rwanda&mode=keyword").get_json()
    assert ids(body)[0] == CONGO and "<mark>" in body["results"][0]["snippet"]
    editors.put("/api/admin/synonyms", headers=AUTH, json={"groups": []})
    assert editors.get("/api/search?q=DRC&mode=keyword&correct=false").get_json()["total"] == 0


def test_synonyms_file_edited_by_hand_is_picked_up(editors, tmp_path_factory):
    folder = editors.application.extensions["newsearch.editors"].folder
    (folder / "synonyms.txt").write_text("# countries\nDRC, Democratic Republic of the Congo\n",
                                         encoding="utf-8")
    assert ids(editors.get("/api/search?q=DRC&mode=keyword").get_json()) == [CONGO]
    assert editors.get("/api/admin/synonyms", headers=AUTH).get_json()["groups"] == [
        ["DRC", "Democratic Republic of the Congo"]]


@pytest.mark.parametrize("groups", [[["only one"]], [["a", 'quo"te']], "DRC, Congo", [[1, 2]]])
def test_bad_synonyms_are_refused_and_the_old_ones_kept(editors, groups):
    editors.put("/api/admin/synonyms", headers=AUTH, json={"groups": [["DRC", "Congo"]]})
    r = editors.put("/api/admin/synonyms", headers=AUTH, json={"groups": groups})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_synonyms"
    assert editors.get("/api/admin/synonyms", headers=AUTH).get_json()["groups"] == [["DRC", "Congo"]]


# --- pins ----------------------------------------------------------------------
def _pin(start: dt.date | None, end: dt.date | None, ids_=PINNED) -> dict:
    return {"pins": [{"query": "Elections", "ids": ids_, "start": start and start.isoformat(),
                      "end": end and end.isoformat()}]}


def test_pins_lead_the_results_while_they_last(editors):
    plain = editors.get("/api/search?q=elections&mode=hybrid&size=50").get_json()
    today = dt.date.today()
    r = editors.put("/api/admin/pins", headers=AUTH, json=_pin(today, today + dt.timedelta(days=7)))
    assert r.status_code == 200
    body = editors.get("/api/search?q=elections&mode=hybrid&size=50").get_json()
    assert ids(body)[:2] == PINNED
    assert set(ids(body)[2:]) == set(ids(plain)) - set(PINNED)  # the rest as before, no repeats
    assert body["total"] == plain["total"] + len(set(PINNED) - set(ids(plain)))
    page2 = editors.get("/api/search?q=elections&mode=hybrid&size=2&page=2").get_json()
    assert not set(ids(page2)) & set(PINNED)
    for window in ((today - dt.timedelta(days=9), today - dt.timedelta(days=1)),  # over
                   (today + dt.timedelta(days=1), None)):  # not yet
        editors.put("/api/admin/pins", headers=AUTH, json=_pin(*window))
        assert ids(editors.get("/api/search?q=elections&mode=hybrid&size=50").get_json()) == ids(plain)


def test_pinned_articles_still_obey_the_readers_filters(editors):
    editors.put("/api/admin/pins", headers=AUTH, json=_pin(None, None))
    body = editors.get("/api/search?q=elections&category=POLITICS").get_json()
    categories = {r["category"] for r in body["results"]}
    assert categories <= {"POLITICS"}
    pinned = {r["id"]: r["category"] for r in editors.get(
        "/api/search?q=elections&size=50").get_json()["results"] if r["id"] in PINNED}
    assert [i for i in ids(body) if i in PINNED] == [i for i in PINNED if pinned[i] == "POLITICS"]


@pytest.mark.parametrize("pins", [[{"query": "x"}], [{"query": "", "ids": ["a"]}],
                                  [{"query": "x", "ids": ["a"], "start": "tomorrow"}],
                                  [{"query": "x", "ids": ["a"], "start": "2024-02-01", "end": "2024-01-01"}],
                                  {"query": "x", "ids": ["a"]}])
def test_bad_pins_are_refused(editors, pins):
    r = editors.put("/api/admin/pins", headers=AUTH, json={"pins": pins})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_pins"
    assert editors.get("/api/admin/pins", headers=AUTH).get_json() == {"pins": []}


# --- analytics -------------------------------------------------------------------
def test_searches_zero_results_and_clicks_are_counted_without_personal_data(admin):
    stats = admin.get("/api/stats", headers=AUTH).get_json()
    for _ in range(3):
        admin.get("/api/search?q=Tsunami+toll", headers={"User-Agent": "Reader/1.0",
                                                         "Cookie": "id=42"})
    admin.get("/api/search?q=tsunami+toll&page=2&size=1")  # later pages are not searches
    admin.get("/?q=Earthquake")
    admin.get("/api/search?q=zzqxv+wwpqk&mode=keyword")
    beacon = {"query": "Tsunami toll", "id": "en-2b73fdca756f", "position": 1}
    assert admin.post("/api/click", data=json.dumps(beacon),
                      content_type="text/plain;charset=UTF-8").status_code == 204
    assert admin.post("/api/click", data=json.dumps({**beacon, "position": 2}),
                      headers={"Origin": HOST}).status_code == 204
    after = admin.get("/api/stats", headers=AUTH).get_json()
    assert after["searches"] - stats["searches"] == 5 and after["clicks"] - stats["clicks"] == 2
    top = {q["query"]: q["searches"] for q in after["top"]}
    assert top["tsunami toll"] >= 3 and top["earthquake"] >= 1
    assert "zzqxv wwpqk" in {q["query"] for q in after["zero_results"]}
    assert {c["position"] for c in after["click_through"]} >= {1, 2}
    db = admin.application.extensions["newsearch.analytics"].path.read_bytes()
    assert b"Reader/1.0" not in db and b"127.0.0.1" not in db and b"id=42" not in db


@pytest.mark.parametrize("data", ["not json", json.dumps({"query": "x", "id": "y", "position": 0}),
                                  json.dumps({"query": "x", "id": "y", "position": True}),
                                  json.dumps({"query": "x", "position": 1}), "x" * 5000])
def test_bad_click_beacons_are_refused(admin, data):
    assert admin.post("/api/click", data=data).status_code == 400


def test_clicks_from_other_origins_are_refused(admin):
    beacon = json.dumps({"query": "x", "id": "y", "position": 1})
    assert admin.post("/api/click", data=beacon, headers={"Origin": "https://evil.example"}
                      ).status_code == 403


def test_analytics_keep_only_the_newest_rows(tmp_path):
    from search.features.analytics import Analytics

    log = Analytics(tmp_path / "a.sqlite", max_rows=5)
    for n in range(12):
        log.record_search(f"query {n}", "hybrid", n)
    stats = log.stats()
    assert stats["searches"] == 5
    assert {q["query"] for q in stats["top"]} == {f"query {n}" for n in range(7, 12)}


def test_cli_stats_prints_the_counts(admin, capsys):
    from newsearch.cli import main

    admin.get("/api/search?q=Tsunami+toll")
    path = admin.application.extensions["newsearch.analytics"].path
    import os
    os.environ["NEWSEARCH_ANALYTICS_DB"] = str(path)
    try:
        assert main(["stats", "--json"]) == 0
    finally:
        del os.environ["NEWSEARCH_ANALYTICS_DB"]
    stats = json.loads(capsys.readouterr().out)
    assert stats["searches"] >= 1 and "tsunami toll" in {q["query"] for q in stats["top"]}


# --- CORS --------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/search?q=tsunami", "/api/suggest?q=tsu"])
def test_cors_for_allowed_origins_only(admin, closed, path):
    r = admin.get(path, headers={"Origin": HOST})
    assert r.headers["Access-Control-Allow-Origin"] == HOST and "Origin" in r.headers["Vary"]
    for client, origin in ((admin, "https://evil.example"), (admin, HOST + ".evil.example"),
                           (admin, "http://news.example"), (closed, HOST)):
        r = client.get(path, headers={"Origin": origin})
        assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
        assert "Origin" in r.headers["Vary"]


def test_cors_preflight(admin):
    r = admin.options("/api/search", headers={"Origin": HOST, "Access-Control-Request-Method": "GET"})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == HOST
    assert r.headers["Access-Control-Allow-Methods"] == "GET"
    r = admin.options("/api/search", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in r.headers


def test_no_cors_beyond_the_read_only_api(admin):
    for path in ("/api/articles/" + CONGO, "/api/stats", "/api/admin/pins", "/"):
        r = admin.get(path, headers={"Origin": HOST, **AUTH})
        assert "Access-Control-Allow-Origin" not in r.headers
