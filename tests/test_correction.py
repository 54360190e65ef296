"""Typo-proof results: a misspelled query that finds little is searched corrected."""

from __future__ import annotations

import pytest

from indexer.build import build
from search import Searcher, Settings
from search.serving.site import site_search

from .conftest import SAMPLES, SEED_ID


@pytest.fixture(scope="module")
def sample(tmp_path_factory, embedder) -> Searcher:
    """The bundled sample (150 Wikinews articles), main model only (faster to build)."""
    path = tmp_path_factory.mktemp("sample-index")
    settings = Settings(index_dir=path, multilingual_model="")
    build([SAMPLES], settings, progress=False, embedder=embedder)
    return Searcher.open(path, settings, embedder=embedder)


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_bundled_sample_misspelled_names_find_the_hezbollah_article_first(sample, mode):
    response = site_search(sample, None, "hezbolah netanyahoo", mode=mode)
    assert response.query == "hezbolah netanyahoo"
    assert response.corrected_query == "hezbollah netanyahu"
    assert response.suggestion is None
    assert "Soleimani" in response.hits[0].article.title  # the one article naming Hezbollah
    if mode == "keyword":
        assert "<mark>Hezbollah</mark>" in response.hits[0].snippet


def test_forcing_the_query_as_typed_keeps_the_suggestion(sample):
    response = site_search(sample, None, "hezbolah netanyahoo", correct=False, mode="keyword")
    assert response.corrected_query is None
    assert response.suggestion == "hezbollah netanyahu"
    assert response.total == 0 and response.hits == []


def test_words_that_meet_in_an_article_are_searched_as_typed(newsroom):
    # "McGurk" is rare (one article) but the query's words meet there: no correction.
    response = site_search(newsroom, None, "Hochstein McGurk", mode="keyword")
    assert response.corrected_query is None and response.total >= 1


def test_one_typo_among_known_words_is_corrected(newsroom):
    response = site_search(newsroom, None, "israel hezbolah", mode="hybrid")
    assert response.corrected_query == "israel hezbollah"
    assert response.hits[0].article.id in {SEED_ID, "wire-politico"}


def test_correction_can_be_turned_off_in_settings(newsroom_index, embedder):
    off = Searcher.open(newsroom_index, Settings(index_dir=newsroom_index, auto_correct=False),
                        embedder=embedder)
    try:
        assert site_search(off, None, "israel hezbolah").corrected_query is None
    finally:
        off.close()


def test_api_reports_the_corrected_query_and_obeys_correct_false(newsroom_client):
    body = newsroom_client.get("/api/search?q=hezbolah+netanyahoo").get_json()
    assert body["query"] == "hezbolah netanyahoo"
    assert body["corrected_query"] == "hezbollah netanyahu"
    assert body["results"][0]["id"] in {SEED_ID, "wire-politico"}
    typed = newsroom_client.get("/api/search?q=hezbolah+netanyahoo&correct=false").get_json()
    assert typed["corrected_query"] is None and typed["suggestion"] == "hezbollah netanyahu"
    r = newsroom_client.get("/api/search?q=x&correct=maybe")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_correct"


def test_page_shows_the_correction_with_a_link_to_the_query_as_typed(newsroom_client):
    html = newsroom_client.get("/?q=hezbolah+netanyahoo").get_data(as_text=True)
    assert "Showing results for <strong>hezbollah netanyahu</strong>" in html
    assert "correct=false" in html and ">hezbolah netanyahoo</a>" in html
    typed = newsroom_client.get("/?q=hezbolah+netanyahoo&correct=false").get_data(as_text=True)
    assert "Showing results for" not in typed and 'class="did-you-mean"' in typed
