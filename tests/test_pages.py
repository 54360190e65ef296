"""Page layouts: the article body, headline, date and byline of news pages in
several site layouts and languages, from the page-text dump and from the HTML.

The fixtures (tests/fixtures/pages/, see its README) are real articles in
realistic site chrome with the gold body text; bodies are compared as word
4-shingles (bench/extraction_f1.py gives the same numbers for all of them)."""

import json
from pathlib import Path
from statistics import mean

import pytest

from bench.extraction_f1 import precision_recall
from indexer.readers import html, textpage

PAGES = Path(__file__).parent / "fixtures" / "pages"
NAMES = sorted(p.name.removesuffix(".gold.txt") for p in PAGES.glob("*.gold.txt"))
READERS = {".txt": textpage, ".html": html}


def extracted(name: str, suffix: str):
    path = PAGES / f"{name}{suffix}"
    return READERS[suffix].extract(path.read_text(encoding="utf-8"), str(path))


def f1(name: str, suffix: str) -> float:
    gold = (PAGES / f"{name}.gold.txt").read_text(encoding="utf-8")
    p, r = precision_recall(gold, extracted(name, suffix).body)
    return 2 * p * r / (p + r) if p + r else 0.0


def test_fixtures_cover_several_layouts_and_languages():
    layouts = {n.split("-")[0] for n in NAMES}
    languages = {json.loads((PAGES / f"{n}.json").read_text())["lang"] for n in NAMES}
    sizes = {n.rsplit("-", 1)[1] for n in NAMES}
    assert len(layouts) >= 10 and languages == {"en", "ru", "az"} and sizes == {"short", "medium", "long"}


@pytest.mark.parametrize("suffix", [".txt", ".html"])
@pytest.mark.parametrize("name", NAMES)
def test_body_is_the_article_without_chrome(name, suffix):
    assert f1(name, suffix) >= 0.6  # no page lost (the weakest, network-en-short.txt, is ~0.7)


@pytest.mark.parametrize("suffix, goal", [(".txt", 0.95), (".html", 0.96)])
def test_mean_body_f1_meets_the_goal(suffix, goal):
    assert mean(f1(name, suffix) for name in NAMES) >= goal


@pytest.mark.parametrize("suffix", [".txt", ".html"])
@pytest.mark.parametrize("name", NAMES)
def test_headline_date_language_and_byline(name, suffix):
    expected = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    article = extracted(name, suffix)
    assert article.title == expected["title"]
    assert article.published is not None and article.published.date().isoformat() == expected["published"]
    assert article.lang == expected["lang"]
    if "author" in expected:
        assert article.author == expected["author"]


@pytest.mark.parametrize("name, category", [
    ("gov-az-medium", "Cəmiyyət"),  # breadcrumb "Əsas səhifə / Xəbərlər / Cəmiyyət"
    ("portal-az-long", "İqtisadiyyat"),  # label above the headline
    ("agency-ru-medium", "Общество"),  # rubric set apart above the headline
    ("quality-en-medium", "World"),  # kicker above the headline
])
def test_section_label_above_the_headline(name, category):
    assert extracted(name, ".txt").category == category


def test_times_are_read_with_the_zone_they_state_or_the_site_zone():
    assert extracted("tabloid-en-short", ".txt").published.isoformat() == "2004-11-13T15:14:00+00:00"
    assert extracted("quality-en-medium", ".txt").published.isoformat() == "2004-12-10T12:14:00+01:00"  # BST
    # an .az site names no zone: Baku time
    assert extracted("portal-az-medium", ".txt").published.isoformat() == "2024-10-01T12:14:00+04:00"
