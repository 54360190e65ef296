"""The search and article pages (server-rendered, without JavaScript)."""

import re
from html import unescape

from .conftest import HOSTILE, SEED_ID, WIRE_COPY_ID


def page(client, url, **headers):
    r = client.get(url, headers=headers)
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def test_facets_are_checkboxes_with_counts_and_keep_state(newsroom_client):
    html = page(newsroom_client, "/?q=president&mode=keyword&category=POLITICS")
    assert re.search(r'name="category" value="POLITICS" checked>\s*<span class="value">POLITICS</span>\s*<span class="n">\d+</span>', html)
    assert 'name="category" value="WORLD">' in html  # other sections still offered
    assert re.search(r"\d+ results? · \d+ ms", html)
    # the next page, the other sort and the mode switch all keep the filter
    assert "sort=newest" in html and "category=POLITICS" in unescape(html.split('class="sort"')[1])


def test_year_links_set_a_date_range(newsroom_client):
    html = unescape(page(newsroom_client, "/?q=president&mode=keyword"))
    assert re.search(r'href="/\?q=president&mode=keyword&from=2004&to=2004"', html)
    chosen = unescape(page(newsroom_client, "/?q=president&mode=keyword&from=2004&to=2004"))
    assert 'value="2004-01-01"' in chosen and 'aria-current="true">2004<' in chosen


def test_did_you_mean_is_a_link_and_no_results_state_explains(newsroom_client):
    html = unescape(page(newsroom_client, "/?q=hezbolah+netanyahoo&mode=keyword&correct=false"))
    assert 'href="/?q=hezbollah+netanyahu&mode=keyword">hezbollah netanyahu</a>' in html
    assert "No articles match “hezbolah netanyahoo”." in html


def test_empty_page_explains_the_syntax(newsroom_client):
    html = page(newsroom_client, "/")
    assert "in your own words" in html and "title:word" in html


def test_similar_stories_are_listed_under_the_result(newsroom_client):
    html = page(newsroom_client, '/?q="green+light"&mode=keyword')
    assert "1 similar" in html and '<details class="similar">' in html
    assert f"/articles/{WIRE_COPY_ID}" in html or f"/articles/{SEED_ID}" in html


def test_interface_language_follows_the_browser_and_the_switch(newsroom_client):
    ru = page(newsroom_client, "/?q=president", **{"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert '<html lang="ru">' in ru and "Найти" in ru and "Что вы ищете?" in ru
    assert re.search(r"\d+ результат(а|ов)? · \d+ мс", ru)
    switched = page(newsroom_client, "/?q=president&hl=en&size=2", **{"Accept-Language": "ru"})
    assert '<html lang="en">' in switched and "Search" in switched
    assert "hl=en" in unescape(switched.split('class="pages"')[1])  # links keep the choice
    english = page(newsroom_client, "/?q=president&hl=ru")
    assert "Рубрика" in english and "Сначала новые" in english


def test_russian_plurals():
    from web.i18n import Translator

    t = Translator("ru")
    assert [t("results", n=n) for n in (1, 3, 5, 11, 21, 22)] == [
        "1 результат", "3 результата", "5 результатов", "11 результатов", "21 результат", "22 результата"]
    assert Translator("en")("results", n=1) == "1 result"


def test_page_has_theme_toggle_and_both_themes(newsroom_client):
    html = page(newsroom_client, "/")
    assert 'id="theme-toggle"' in html and "theme.js" in html
    css = newsroom_client.get("/static/site.css").get_data(as_text=True)
    assert "prefers-color-scheme: dark" in css and ':root[data-theme="dark"]' in css


def test_search_box_is_an_accessible_combobox(newsroom_client):
    html = page(newsroom_client, "/")
    assert 'role="combobox"' in html and 'aria-controls="q-suggestions"' in html
    assert 'role="listbox"' in html and 'class="skip"' in html


def test_article_page_shows_the_story_with_versions_and_related(newsroom_client):
    html = page(newsroom_client, f"/articles/{SEED_ID}")
    assert "Politico: Israel received &#34;green light&#34;" in html
    assert "Other versions of this story" in html and f"/articles/{WIRE_COPY_ID}" in html
    assert "Related stories" in html
    assert html.count("<p>") >= 5  # the body, paragraph by paragraph


def test_hostile_article_page_is_escaped(newsroom_client):
    html = page(newsroom_client, f"/articles/{HOSTILE['id']}")
    assert "Poisoned headline" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<b>WORLD</b>" not in html and "javascript:alert" not in html


def test_unknown_article_is_a_404_page(newsroom_client):
    r = newsroom_client.get("/articles/nope")
    assert r.status_code == 404 and "no article" in r.get_data(as_text=True)


def test_hostile_filter_values_are_escaped(newsroom_client):
    html = page(newsroom_client, "/?q=president&category=%3Cscript%3Ex%3C/script%3E")
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
