"""The embeddable search box on another site's page, and the stats view, in Chromium.

A "host site" (a plain static server on its own port: another origin) embeds
`<news-search>` with one script tag from the search server, which allows that
origin (`cors_origins`).  Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest

from search import Settings
from search.serving.live import LiveSearcher
from web import create_app

from .conftest import SEED_ID, WIRE_COPY_ID, running_server
from .test_browser import ARTIFACTS, browser, page, shot  # noqa: F401 (fixtures)

TOKEN = "browser-test-token"
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The Daily Planet</title>
<style>
  body {{ margin: 0; font-family: Georgia, serif; background: #fdfaf3; }}
  header {{ display: flex; gap: 2rem; align-items: center; padding: 1rem 2rem; background: #1f3b57; color: #fff; }}
  header h1 {{ margin: 0; font-size: 1.6rem; }}
  header news-search {{ flex: 1; max-width: 36rem; --news-search-accent: #f2b705; --news-search-accent-fg: #1f3b57; }}
  main {{ padding: 1rem 2rem; }}
  .night {{ background: #121212; padding: 1rem 2rem; }}
</style></head>
<body>
  <header><h1>The Daily Planet</h1>
    <news-search id="inline" placeholder="Search the Planet" results="inline" size="4"></news-search>
  </header>
  <main><p>Today's front page.</p></main>
  <div class="night"><news-search id="to-page" theme="dark" placeholder="Night box: to the results page"></news-search></div>
  <script src="{server}/static/searchbox.js"></script>
</body></html>
"""


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """A static site on its own port: another origin than the search server."""
    root = tmp_path_factory.mktemp("host-site")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def search_site(host, newsroom_index, embedder, tmp_path_factory):
    root, origin = host
    folder = tmp_path_factory.mktemp("search-site")
    settings = Settings(index_dir=newsroom_index, cors_origins=origin, admin_token=TOKEN,
                        editors_dir=str(folder / "editors"),
                        analytics_db=str(folder / "analytics.sqlite"))
    app = create_app(settings, LiveSearcher(settings, embedder=embedder))
    with running_server(app, settings) as url:
        (root / "index.html").write_text(HOST_PAGE.format(server=url), encoding="utf-8")
        yield url, app


def test_box_on_another_site_autocompletes_and_shows_corrected_results(page, host, search_site):
    _, origin = host
    url, app = search_site
    page.goto(origin + "/")
    box = page.locator("#inline").get_by_role("combobox")
    assert box.get_attribute("placeholder") == "Search the Planet"
    box.press_sequentially("hezb", delay=60)
    options = page.locator("#inline").get_by_role("option")
    options.first.wait_for()  # suggestions fetched across origins
    assert box.get_attribute("aria-expanded") == "true"
    assert options.first.inner_text() == "hezbollah"
    box.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    shot(page, "09-box-on-host-site-autocomplete")
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"

    box.fill("hezbolah netanyahoo")
    box.press("Enter")
    corrected = page.locator("#inline .corrected")
    corrected.wait_for()
    assert "Showing results for hezbollah netanyahu" in corrected.inner_text()
    results = page.locator("#inline ol.results li a")
    assert "Hezbollah" in results.first.inner_text()
    assert re.fullmatch(r"\d+ results?", page.locator("#inline [role=status]").inner_text())
    accent = page.evaluate("getComputedStyle(document.querySelector('#inline').shadowRoot"
                           ".querySelector('button')).backgroundColor")
    assert accent == "rgb(242, 183, 5)"  # themed by the host page's CSS variable
    shot(page, "10-box-inline-corrected-results")

    first = results.first.get_attribute("href")
    assert first.startswith(url + "/articles/")
    results.first.click()  # the click beacon, then the article on the search site
    page.wait_for_url(re.compile(r"/articles/"))
    assert page.locator("h1").inner_text()
    stats = app.extensions["newsearch.analytics"].stats()
    assert stats["clicks"] >= 1 and stats["click_through"][0]["position"] == 1
    assert "hezbolah netanyahoo" in {q["query"] for q in stats["top"]}


def test_box_search_instead_for_the_query_as_typed(page, host, search_site):
    _, origin = host
    page.goto(origin + "/")
    box = page.locator("#inline").get_by_role("combobox")
    box.fill("hezbolah netanyahoo")
    box.press("Enter")
    again = page.locator("#inline .corrected button")
    again.wait_for()
    again.click()
    page.locator("#inline .corrected").wait_for(state="hidden")
    assert page.locator("#inline [role=status]").inner_text()


def test_night_box_submits_to_the_results_page(page, host, search_site):
    _, origin = host
    url, _ = search_site
    page.goto(origin + "/")
    box = page.locator("#to-page").get_by_role("combobox")
    background = page.evaluate("getComputedStyle(document.querySelector('#to-page').shadowRoot"
                               ".querySelector('input')).backgroundColor")
    assert background == "rgb(18, 18, 18)"
    shot(page, "11-box-night-theme")
    box.fill("green light")
    box.press("Enter")
    page.wait_for_url(re.compile(re.escape(url) + r"/\?q=green\+light"))
    ids = [a.get_attribute("href") for a in page.locator(".result h2 a").all()]
    assert any(SEED_ID in i or WIRE_COPY_ID in i for i in ids)


def test_stats_view_needs_the_token(page, search_site):
    url, _ = search_site
    page.goto(url + "/?q=hezbollah")
    page.locator(".result h2 a").first.click()  # counted by the page's beacon
    page.wait_for_url(re.compile(r"/articles/"))
    page.goto(url + "/admin/stats")
    page.locator("#token").fill("wrong")
    page.get_by_role("button", name="Show").click()
    page.locator("#stats-status").filter(has_text="token").wait_for()
    assert page.locator("#stats-tables").is_hidden()
    page.locator("#token").fill(TOKEN)
    page.get_by_role("button", name="Show").click()
    page.locator("#stats-top tbody tr").first.wait_for()
    assert "hezbollah" in page.locator("#stats-top").inner_text()
    assert page.locator("#stats-ctr tbody tr").count() >= 1
    shot(page, "12-stats-view")


ARMENIAN_HOST_PAGE = """<!doctype html>
<html lang="hy"><head><meta charset="utf-8"><title>Լրատու</title></head>
<body>
  <news-search id="hy-box" results="inline" size="3"></news-search>
  <news-search id="az-box" lang="az"></news-search>
  <script src="{server}/static/searchbox.js"></script>
</body></html>
"""


def test_box_in_armenian_and_azerbaijani(page, host, search_site):
    root, origin = host
    url, _ = search_site
    (root / "hy.html").write_text(ARMENIAN_HOST_PAGE.format(server=url), encoding="utf-8")
    page.goto(origin + "/hy.html")
    box = page.locator("#hy-box").get_by_role("combobox")  # the host page's language
    assert box.get_attribute("placeholder") == "Որոնել լուրերում"
    assert page.locator("#hy-box button").inner_text() == "Որոնել"
    box.fill("hezbolah netanyahoo")
    box.press("Enter")
    corrected = page.locator("#hy-box .corrected")
    corrected.wait_for()
    assert re.fullmatch(r"Ցուցադրված են hezbollah netanyahu հարցման արդյունքները։ "
                        r"Փոխարենը որոնել՝ hezbolah netanyahoo", corrected.inner_text())
    assert re.fullmatch(r"\d+ արդյունք", page.locator("#hy-box [role=status]").inner_text())
    badge = page.locator("#hy-box ol.results .lang-badge").first  # English articles
    assert badge.get_attribute("title") == "Անգլերեն"
    assert "hl=hy" in page.locator("#hy-box ol.results li a").first.get_attribute("href")
    shot(page, "15-box-armenian-inline")

    az = page.locator("#az-box").get_by_role("combobox")
    assert az.get_attribute("placeholder") == "Xəbərlərdə axtar"
    az.fill("green light")
    az.press("Enter")  # the results page, in Azerbaijani
    page.wait_for_url(re.compile(re.escape(url) + r"/\?q=green\+light&hl=az"))
    assert page.locator("html").get_attribute("lang") == "az"
    assert re.fullmatch(r"\d+ nəticə · \d+ ms", page.locator("#result-count").inner_text())
