"""The site in its four interface languages: English, Russian, Armenian and
Azerbaijani.  The catalog is complete, plurals, numbers, dates and language
names follow CLDR, and the pages in ``hl=hy`` and ``hl=az`` (search, article,
stats, errors) speak those languages, with the article language as a badge.

The pages are those of a small index of real editions: two Armenian, three
Azerbaijani, two English and two Russian articles, and a hostile one."""

from __future__ import annotations

import json
import re
import string
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
from babel import Locale

from indexer.build import build
from search import Settings
from search.serving.live import LiveSearcher
from web import create_app
from web.catalog import CATALOG, LANGUAGES
from web.i18n import LOCALES, Translator, searchbox_texts
from web.pages import snippet_html

from .conftest import ROOT, SAMPLES, WIKINEWS_RU

ARMENIAN = ROOT / "tests" / "fixtures" / "editions" / "armenian.jsonl"
AZERBAIJANI = ROOT / "tests" / "fixtures" / "editions" / "azerbaijani.jsonl"
SEARCHBOX = ROOT / "web" / "static" / "searchbox.js"
BAKU = timezone(timedelta(hours=4))
HOSTILE_HY = {
    "id": "hy-hostile", "lang": "hy", "published": "2024-11-05T08:00:00+04:00",
    "title": "<script>alert('hy')</script> Երևանում բացվել է նոր գրադարան",
    "body": "Երևանի կենտրոնում բացվել է նոր գրադարան։ <img src=x onerror=alert(1)> "
            "Գրադարանը կունենա ընթերցասրահ և մանկական բաժին։",
    "category": "<b>ՄՇԱԿՈՒՅԹ</b>", "author": "<i>Մալլորի</i>", "url": "javascript:alert(1)",
}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# --- the catalog and CLDR ------------------------------------------------------
def test_switch_names_each_language_in_its_own_name():
    assert LANGUAGES == {"en": "English", "ru": "Русский", "hy": "Հայերեն", "az": "Azərbaycan"}
    assert set(CATALOG) == set(LANGUAGES) == set(LOCALES)


@pytest.mark.parametrize("lang", ["ru", "hy", "az"])
def test_every_text_is_translated_with_the_same_fields(lang):
    english, texts = CATALOG["en"], CATALOG[lang]
    assert texts.keys() == english.keys()
    for key, text in texts.items():
        assert text, key
        if isinstance(text, dict):
            assert all(fields(form) == {"n"} for form in text.values()), key
        else:
            assert fields(text) == fields(english[key]), key
            assert text != english[key] or key in ("took", "language_name"), f"{key} not translated"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_plural_entries_have_exactly_the_cldr_categories(lang):
    categories = set(Locale.parse(LOCALES[lang]).plural_form.tags) | {"other"}
    for key, text in CATALOG[lang].items():
        if isinstance(text, dict):
            assert set(text) == categories, (lang, key)


def test_armenian_and_azerbaijani_texts_are_in_their_scripts():
    armenian = re.compile(r"[\u0531-\u0587]")
    for key, text in CATALOG["hy"].items():
        if key not in ("took", "language_name", "error_bad_date") and isinstance(text, str):
            assert armenian.search(text), key
    az = " ".join(t for t in CATALOG["az"].values() if isinstance(t, str))
    assert not re.search(r"[\u0400-\u04ff]", az) and re.search("[əğışçöüİ]", az)  # Latin script
    assert "?" not in CATALOG["hy"]["placeholder"] and "՞" in CATALOG["hy"]["placeholder"]


def test_plural_forms_and_numbers_per_language():
    counts = (0, 1, 2, 5, 11, 21, 22, 1234)
    assert [Translator("en")("results", n=n) for n in counts] == [
        "0 results", "1 result", "2 results", "5 results", "11 results", "21 results", "22 results",
        "1,234 results"]
    assert [Translator("ru")("results", n=n) for n in counts] == [
        "0 результатов", "1 результат", "2 результата", "5 результатов", "11 результатов",
        "21 результат", "22 результата", "1\xa0234 результата"]
    # Armenian and Azerbaijani keep the noun singular after a numeral.
    assert [Translator("hy")("results", n=n) for n in (0, 1, 2, 1234)] == [
        "0 արդյունք", "1 արդյունք", "2 արդյունք", "1\xa0234 արդյունք"]
    assert [Translator("az")("results", n=n) for n in (1, 5, 1234)] == [
        "1 nəticə", "5 nəticə", "1.234 nəticə"]
    assert Translator("ru")("similar", n=3) == "3 похожие"
    assert Translator("az")("views", n=12000) == "12.000 baxış"
    assert Translator("hy").locale.plural_form(0) == "one"  # CLDR: 0 and 1 are "one"


def test_dates_are_cldr_long_dates_with_the_article_time():
    dt = datetime(2026, 12, 7, 9, 5, tzinfo=BAKU)
    midnight = datetime(2026, 12, 7)
    assert Translator("en").date(dt) == "7 December 2026, 09:05"
    assert Translator("ru").date(dt) == "7 декабря 2026\u202fг., 09:05"  # CLDR: a narrow space
    assert Translator("hy").date(dt) == "2026 թ. դեկտեմբերի 7, 09:05"
    assert Translator("az").date(dt) == "7 dekabr 2026 09:05"
    assert Translator("az").date(midnight) == "7 dekabr 2026"
    assert Translator("hy").date(midnight) == "2026 թ. դեկտեմբերի 7"


def test_language_names_come_from_cldr_as_labels():
    assert Translator("en").language_name("hy") == "Armenian"
    assert Translator("ru").language_name("az") == "Азербайджанский"
    assert Translator("hy").language_name("az") == "Ադրբեջաներեն"
    assert Translator("hy").language_name("ru") == "Ռուսերեն"
    assert Translator("az").language_name("en") == "İngilis dili"  # dotted capital İ
    assert Translator("az").language_name("hy") == "Erməni dili"
    assert Translator("az").language_name("xx-nope") == "xx-nope"


def test_searchbox_script_holds_the_catalog_texts():
    script = SEARCHBOX.read_text(encoding="utf-8")
    block = re.search(r"var TEXTS = /\* texts \*/ (\{.*?\n  \});", script, re.S).group(1)
    assert json.loads(block) == searchbox_texts(), (
        "web/static/searchbox.js is behind web/catalog.py: paste "
        "json.dumps(web.i18n.searchbox_texts(), ensure_ascii=False, indent=2) into it")


def test_snippets_keep_only_text_and_marks():
    assert snippet_html("a &lt;b&gt; <mark>Լարսի</mark> &amp; c") == "a &lt;b&gt; <mark>Լարսի</mark> &amp; c"
    assert snippet_html("<mark>x</mark><script>alert(1)</script>") == (
        "<mark>x</mark>&lt;script&gt;alert(1)&lt;/script&gt;")


# --- the pages -----------------------------------------------------------------
@pytest.fixture(scope="module")
def editions_client(tmp_path_factory, embedder):
    lines = (ARMENIAN.read_text(encoding="utf-8").splitlines()
             + AZERBAIJANI.read_text(encoding="utf-8").splitlines()
             + SAMPLES.read_text(encoding="utf-8").splitlines()[:2]
             + WIKINEWS_RU.read_text(encoding="utf-8").splitlines()[:2]
             + [json.dumps(HOSTILE_HY, ensure_ascii=False)])
    source = tmp_path_factory.mktemp("page-editions") / "editions.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path_factory.mktemp("page-editions-index")
    settings = Settings(index_dir=path)
    build([source], settings, progress=False, embedder=embedder)
    app = create_app(settings, LiveSearcher(settings, embedder=embedder))
    app.config["TESTING"] = True
    return app.test_client()


def page(client, url, status=200, **headers):
    r = client.get(url, headers=headers)
    assert r.status_code == status, r.status_code
    return r.get_data(as_text=True)


def switch(html: str) -> list[tuple[str, str]]:
    nav = html.split('<nav aria-label="')[1].split("</nav>")[0]
    return re.findall(r'hreflang="(\w+)"[^>]*>([^<]+)</a>', nav)


def badges(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<span class="lang-badge" title="([^"]+)"><span aria-hidden="true">(\w+)</span>', html)


def test_armenian_search_page(editions_client):
    html = page(editions_client, "/?q=metro&mode=keyword&hl=hy")
    assert '<html lang="hy">' in html
    assert ">Որոնել</button>" in html and 'placeholder="Ի՞նչ եք փնտրում"' in html
    assert "Լուրերի որոնում" in html and "<legend>Լեզու</legend>" in html
    assert re.search(r"1 արդյունք · \d+ մվ", html)
    # an Azerbaijani article on the Armenian page: its badge, named in Armenian
    assert badges(html) == [("Ադրբեջաներեն", "AZ")]
    assert '<li class="result" lang="az">' in html
    assert '<span class="value" lang="az">Ադրբեջաներեն</span>' in html  # the Language facet
    assert ">2024 թ. հոկտեմբերի 1</time>" in html
    assert "Սկզբում՝ նորերը" in html and "Ըստ իմաստի" in html
    assert switch(html) == [("en", "English"), ("ru", "Русский"), ("hy", "Հայերեն"), ("az", "Azərbaycan")]
    assert re.search(r'hreflang="hy" aria-current="true"', html)
    assert 'href="/?q=metro&amp;mode=keyword&amp;hl=az"' in html  # the same search in Azerbaijani


def test_armenian_page_counts_and_own_language_hits_have_no_badge(editions_client):
    html = page(editions_client, "/?q=Հայաստանի&mode=keyword&hl=hy")
    assert re.search(r"2 արդյունք · \d+ մվ", html)
    assert badges(html) == []
    assert ">2024 թ. դեկտեմբերի 3, 09:30</time>" in html


def test_azerbaijani_search_page(editions_client):
    html = page(editions_client, "/?q=Լարսի&mode=keyword&hl=az")
    assert '<html lang="az">' in html and ">Axtar</button>" in html
    assert 'placeholder="Nə axtarırsınız?"' in html and "<legend>Bölmə</legend>" in html
    assert re.search(r"1 nəticə · \d+ ms", html)
    assert badges(html) == [("Erməni dili", "HY")]
    assert ">3 dekabr 2024 09:30</time>" in html
    assert "Tarixdən" in html and "Tarixədək" in html and "Əvvəlcə yenilər" in html
    assert re.search(r'hreflang="az" aria-current="true"', html)
    two = page(editions_client, "/?q=nazirliyi&mode=keyword&hl=az")
    assert re.search(r"2 nəticə · \d+ ms", two) and badges(two) == []


def test_empty_pages_and_no_results_in_armenian_and_azerbaijani(editions_client):
    assert "ձեր իսկ բառերով" in page(editions_client, "/?hl=hy")
    assert "öz sözlərinizlə" in page(editions_client, "/?hl=az")
    none = unescape(page(editions_client, "/?q=zzqxv&mode=keyword&hl=hy&correct=false"))
    assert "«zzqxv» հարցմամբ հոդվածներ չեն գտնվել։" in none
    none = unescape(page(editions_client, "/?q=zzqxv&mode=keyword&hl=az&correct=false"))
    assert "«zzqxv» sorğusu üzrə heç bir məqalə tapılmadı." in none


@pytest.mark.parametrize("header, lang", [
    ("hy-AM,hy;q=0.9,ru;q=0.8", "hy"),
    ("az-Latn-AZ,az;q=0.9,en;q=0.5", "az"),
    ("az-AZ", "az"),
    ("tr-TR,ru;q=0.7", "ru"),
    ("de-DE,fr;q=0.5", "en"),
])
def test_language_follows_the_browser(editions_client, header, lang):
    r = editions_client.get("/", headers={"Accept-Language": header})
    assert f'<html lang="{lang}">' in r.get_data(as_text=True)
    assert "Accept-Language" in r.headers["Vary"]


def test_article_page_in_azerbaijani_and_armenian(editions_client):
    html = page(editions_client, "/articles/hy-lars?hl=az")
    assert '<html lang="az">' in html and '<article class="story" lang="hy">' in html
    assert "<h1>Լարսի անցակետը կրկին փակվել է ձնահյուսի պատճառով</h1>" in html
    assert badges(html)[0] == ("Erməni dili", "HY")
    assert ">3 dekabr 2024 09:30</time>" in html
    assert ">Mənbə<" not in html  # no source address: no link
    hy = page(editions_client, "/articles/az-1?hl=hy")
    assert badges(hy)[0] == ("Ադրբեջաներեն", "AZ") and ">2024 թ. հոկտեմբերի 1</time>" in hy
    assert switch(hy)[2] == ("hy", "Հայերեն") and 'href="/articles/az-1?hl=az"' in hy


def test_hostile_armenian_article_is_escaped_on_every_page(editions_client):
    for url in ("/?q=գրադարան&mode=keyword&hl=hy", "/?q=գրադարան&mode=keyword&hl=az",
                "/articles/hy-hostile?hl=az"):
        html = page(editions_client, url)
        assert "Երևանում բացվել է նոր գրադարան" in html
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "<b>ՄՇԱԿՈՒՅԹ</b>" not in html and "<i>Մալլորի</i>" not in html
        assert "javascript:alert" not in html


def test_error_pages_speak_the_interface_language(editions_client):
    html = page(editions_client, "/articles/nope?hl=hy", 404)
    assert '<html lang="hy">' in html and "<title>Սխալ 404 · Լուրերի որոնում</title>" in html
    assert "Այս հասցեով հոդված չկա։" in html and "Վերադառնալ որոնմանը" in html
    html = page(editions_client, "/?q=metro&from=2025&to=2024&hl=az", 400)
    assert "Başlanğıc tarixi son tarixdən sonradır." in html and "Xəta 400" in html
    assert "Belə səhifə yoxdur." in page(editions_client, "/no-such-page?hl=az", 404)
    assert "Такой страницы нет." in page(editions_client, "/no-such-page?hl=ru", 404)
    # a reader-facing text for a code the catalog has none for
    assert "Որոնումը չկարողացավ հասկանալ" in page(editions_client, "/?q=x&mode=nope&hl=hy", 400)
    # the API keeps its English messages
    body = editions_client.get("/api/search?q=x&from=2025&to=2024&hl=hy").get_json()
    assert body["error"] == {"code": "bad_date_range", "message": "from must not be after to"}


def test_stats_page_in_armenian_and_azerbaijani(editions_client):
    hy = page(editions_client, "/admin/stats?hl=hy")
    assert "<h1>Որոնման վիճակագրություն</h1>" in hy and ">Ցույց տալ</button>" in hy
    assert 'data-failed="Չհաջողվեց բեռնել վիճակագրությունը։"' in hy
    assert 'href="/admin/stats?hl=az"' in hy  # the switch stays on the stats page
    az = page(editions_client, "/admin/stats?hl=az")
    assert "Axtarış statistikası" in az and "Nəticəsiz sorğular" in az and 'data-lang="az"' in az
