"""The page in a real browser: headless Chromium from Debian, driven by Playwright.

A real server (waitress, in a thread) serves the newsroom fixture.  Each test
walks what a reader does and saves screenshots in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from indexer.build import build
from search import Settings
from search.serving.live import LiveSearcher
from web import create_app

from .conftest import ROOT, SEED_ID, running_server

CHROMIUM = os.environ.get("NEWSEARCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not Path(CHROMIUM).exists():
    reason = f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    if os.environ.get("CI"):
        raise RuntimeError(reason)  # CI must run these, never skip them
    pytest.skip(reason, allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(newsroom_app, newsroom_index):
    with running_server(newsroom_app, Settings(index_dir=newsroom_index)) as url:
        yield url


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory, embedder):
    """The first screen of `make run`: the bundled sample, indexed as it ships."""
    path = tmp_path_factory.mktemp("sample-index")
    settings = Settings(index_dir=path)
    build([ROOT / "samples"], settings, progress=False, embedder=embedder)
    with running_server(create_app(settings, LiveSearcher(settings, embedder=embedder)), settings) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium (Playwright downloads no browser); each launch gets a fresh profile."""
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_corrected_then_as_typed_follow_suggestion_open_similar_and_filter(page, site):
    page.goto(site + "/")
    page.get_by_role("combobox").fill("hezbolah netanyahoo")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=hezbolah"))
    corrected = page.locator(".corrected")
    assert corrected.locator("strong").inner_text() == "hezbollah netanyahu"
    assert "Hezbollah" in page.locator(".result h2").first.inner_text()
    shot(page, "01-corrected-query")

    corrected.get_by_role("link", name="hezbolah netanyahoo").click()  # search instead for ...
    page.wait_for_url(re.compile(r"correct=false"))
    assert page.locator(".corrected").count() == 0
    suggestion = page.locator(".did-you-mean a")
    assert suggestion.inner_text() == "hezbollah netanyahu"
    shot(page, "01b-as-typed-did-you-mean")

    suggestion.click()
    page.wait_for_url(re.compile(r"q=hezbollah\+netanyahu"))
    assert page.locator(".result").count() >= 1
    page.locator("details.similar summary").first.click()
    assert page.locator("details.similar li").first.is_visible()
    shot(page, "02-results-with-similar")

    page.locator('#filters input[name="category"][value="WORLD"]').check()  # site.js submits the form
    page.wait_for_url(re.compile(r"category=WORLD"))
    sections = page.locator(".result > .meta .category").all_inner_texts()
    assert sections and set(sections) == {"WORLD"}
    assert page.locator('#filters input[name="category"][value="WORLD"]').is_checked()
    shot(page, "03-filtered-by-section")


def test_autocomplete_with_the_keyboard_then_article_page(page, site):
    page.goto(site + "/")
    box = page.get_by_role("combobox")
    box.press_sequentially("hezb", delay=60)
    options = page.get_by_role("option")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert options.first.inner_text() == "hezbollah"
    shot(page, "04-autocomplete")

    titles = page.locator('[role="option"].is-title')
    target = titles.first.inner_text()
    for _ in range(page.locator('[role="option"].is-term').count() + 1):
        box.press("ArrowDown")
    assert page.locator('[role="option"][aria-selected="true"]').inner_text() == target
    box.press("Enter")
    page.wait_for_url(re.compile(r"/articles/"))
    assert page.locator("h1").inner_text() == target
    assert page.locator(".more .stories li").count() >= 3  # versions and related stories
    shot(page, "05-article-with-related")

    page.locator(".more .stories a").last.click()  # on to a related story
    page.wait_for_url(re.compile(r"/articles/"))
    assert SEED_ID not in page.url


def test_suggestions_render_hostile_titles_as_text(page, site):
    page.goto(site + "/")
    page.get_by_role("combobox").press_sequentially("poison", delay=40)
    option = page.locator('[role="option"].is-title').first
    option.wait_for()
    assert "<script>alert('title')</script>" in option.inner_text()
    assert page.locator("#q-suggestions script, #q-suggestions img").count() == 0


def test_russian_night_theme_on_a_phone(browser, site):
    context = browser.new_context(locale="ru-RU", color_scheme="dark",
                                  viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(site + "/?q=%D0%B3%D0%BE%D1%81%D0%B4%D1%83%D0%BC%D0%B0")  # госдума
    assert page.locator("html").get_attribute("lang") == "ru"
    assert "Найти" in page.locator("form.search button").inner_text()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 18, 18)"  # night theme from the system preference
    shot(page, "06-russian-night-phone")

    toggle = page.locator("#theme-toggle")
    assert toggle.get_attribute("aria-pressed") == "true"
    toggle.click()
    page.reload()  # the choice is remembered
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    assert page.locator("#theme-toggle").get_attribute("aria-pressed") == "false"
    shot(page, "07-russian-day-phone")
    context.close()


def test_everything_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(site + "/")
    page.locator("#q").fill("president")
    page.locator("form.search button").click()
    page.wait_for_url(re.compile(r"q=president"))
    page.locator('#filters input[name="category"][value="POLITICS"]').check()
    page.locator("#filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"category=POLITICS"))
    assert set(page.locator(".result > .meta .category").all_inner_texts()) == {"POLITICS"}
    page.get_by_role("link", name="Newest first").click()
    page.wait_for_url(re.compile(r"sort=newest"))
    assert "category=POLITICS" in page.url  # shareable: all state is in the address
    shot(page, "08-no-javascript-filtered-newest")
    context.close()


# A day, month or year in English or Russian ("December 27, 2004", "27 декабря 2004 года",
# "2004"), or a tag that says how a page is kept.
MONTH = (r"january|february|march|april|may|june|july|august|september|october|november|december|"
         r"января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|"
         r"январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь")
NOT_A_SECTION = re.compile(rf"(?:\W|\d|{MONTH}|года)+|published|archived|опубликовано", re.IGNORECASE)


@pytest.mark.parametrize("query", ["tsunami", "president", "election"])
def test_the_sample_s_first_page_has_real_sections_only(page, sample_site, query):
    page.goto(sample_site + "/")
    page.get_by_role("combobox").fill(query)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=" + query))
    sections = page.locator('fieldset[data-facet="category"]')
    assert sections.locator("legend").inner_text() == "Section"
    values = [v.strip() for v in sections.locator(".value").all_inner_texts()]
    assert values, "the sample's articles have sections"
    assert not [v for v in values if NOT_A_SECTION.fullmatch(v)], values
    shot(page, f"09-sample-sections-{query}")


def test_armenian_reader_then_the_azerbaijani_page(browser, site):
    context = browser.new_context(locale="hy-AM", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(site + "/?q=president&mode=keyword")  # Accept-Language: hy-AM
    assert page.locator("html").get_attribute("lang") == "hy"
    assert page.locator("form.search button").inner_text() == "Որոնել"
    assert re.fullmatch(r"\d+ արդյունք · \d+ մվ", page.locator("#result-count").inner_text())
    badge = page.locator(".result h2 .lang-badge").first  # English articles on the Armenian page
    assert badge.get_attribute("title") == "Անգլերեն"
    assert badge.locator("[aria-hidden]").inner_text() == "EN"
    assert re.search(r"\d{4} թ\. \w+ \d+", page.locator(".result time").first.inner_text())
    languages = page.get_by_role("navigation", name="Կայքի լեզուն").get_by_role("link")
    assert languages.all_inner_texts() == ["English", "Русский", "Հայերեն", "Azərbaycan"]
    shot(page, "13-armenian-results")

    languages.last.click()
    page.wait_for_url(re.compile(r"hl=az"))
    assert page.locator("html").get_attribute("lang") == "az"
    assert page.locator("form.search button").inner_text() == "Axtar"
    assert re.fullmatch(r"\d+ nəticə · \d+ ms", page.locator("#result-count").inner_text())
    assert page.locator(".result h2 .lang-badge").first.get_attribute("title") == "İngilis dili"
    assert re.search(r"\d+ (yanvar|fevral|mart|aprel|may|iyun|iyul|avqust|sentyabr|oktyabr|noyabr|dekabr) \d{4}",
                     page.locator(".result time").first.inner_text())
    shot(page, "14-azerbaijani-results")
    context.close()
