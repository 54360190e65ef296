"""Honest counts: totals, facets and pages count real matches in every mode.

Semantic hits below the relevance floor (`search.ranking.floor`) are no match; hybrid
matches are the keyword matches plus the semantic hits above it.
"""

from __future__ import annotations

import pytest

from search import Settings
from search.ranking.floor import NO_FLOOR, Floor, query_length, similarity_floor
from search.searcher import MODES

ARTICLES = 28  # the newsroom fixture


def every_page(client, query: str, mode: str, size: int = 3) -> tuple[dict, list[dict]]:
    first = client.get("/api/search", query_string={"q": query, "mode": mode, "size": size}).get_json()
    results, page = [], 1
    while True:
        body = client.get("/api/search", query_string={"q": query, "mode": mode, "size": size,
                                                       "page": page}).get_json()
        assert body["total"] == first["total"]
        if not body["results"]:
            return first, results
        results += body["results"]
        page += 1


@pytest.mark.parametrize("mode", MODES)
# The last: an English query about a Russian article, found by meaning only.
@pytest.mark.parametrize("query", ["hezbollah israel", "earthquake tsunami death toll",
                                   "self-driving cars law in Russia"])
def test_total_facets_and_pages_agree_in_every_mode(newsroom_client, mode, query):
    first, results = every_page(newsroom_client, query, mode)
    assert 0 < first["total"] < ARTICLES  # some matches, not the whole index
    assert len(results) == first["total"]  # pages end where the results end
    listed = [r["id"] for r in results] + [s["id"] for r in results for s in r["similar"]]
    assert len(listed) == len(set(listed))
    facets = first["facets"]
    for field in ("category", "lang"):
        assert sum(f["count"] for f in facets[field]) == len(listed), field


@pytest.mark.parametrize("mode", MODES)
def test_an_off_topic_query_matches_nothing(newsroom_client, mode):
    body = newsroom_client.get("/api/search", query_string={
        "q": "lattice quantum chromodynamics gluon propagators", "mode": mode}).get_json()
    assert body["total"] == 0 and body["results"] == []
    assert all(not values for values in body["facets"].values())


def test_semantic_totals_are_not_the_candidate_depth(newsroom):
    # Without the floor every query "matches" every article it retrieves.
    for query in ("hezbollah israel", "earthquake tsunami death toll"):
        response = newsroom.search(query, mode="semantic", facets=True)
        assert response.total < ARTICLES // 2


def test_floor_per_model_and_query_length():
    settings = Settings(similarity_floors="some/folder/minilm:0.2/0.3/0.5/0.6,use-multilingual-v3:0.15")
    minilm = similarity_floor(settings, "/models/some/folder/minilm")
    assert [minilm.at(n) for n in (0, 1, 2, 3, 5, 6, 40)] == [NO_FLOOR, 0.2, 0.3, 0.5, 0.5, 0.6, 0.6]
    assert similarity_floor(settings, "use-multilingual-v3").at(7) == 0.15
    assert similarity_floor(settings, "/models/other") == Floor()
    assert query_length("Democratic Republic of the Congo") == 3  # stop words not counted
    with pytest.raises(ValueError):
        Floor.parse("0.1/0.2")


def test_default_floors_cover_both_bundled_models(newsroom):
    floors = {s.spec.name: s.floor for s in newsroom.semantic.spaces}
    assert set(floors) == {"main", "multilingual"}
    assert all(f != Floor() for f in floors.values())
